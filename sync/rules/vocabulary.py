"""The configured words of the requirement rules, case-folded once per evaluation."""

from __future__ import annotations

from dataclasses import dataclass

from sync.settings import Settings


@dataclass(frozen=True)
class Vocabulary:
    """The configured words, case-folded once per evaluation rather than once per item."""

    confirmed_labels: frozenset[str]
    confirmed_statuses: frozenset[str]
    confirmed_field: str | None
    confirmed_fields: dict[str, str]  # source -> its own confirmed_field, where it names one
    clients: frozenset[str]
    confirm_phrases: tuple[str, ...]
    change_phrases: tuple[str, ...]
    documented_labels: frozenset[str]
    watched_fields: frozenset[str]
    negations: tuple[str, ...]
    window_hours: float

    def field_of(self, source: str) -> str | None:
        return self.confirmed_fields.get(source, self.confirmed_field)

    @classmethod
    def from_settings(cls, settings: Settings) -> Vocabulary:
        rules = settings.rules
        unconfirmed, undocumented = rules.unconfirmed_requirement, rules.undocumented_change

        def folded(values: list[str]) -> frozenset[str]:
            return frozenset(v.casefold() for v in values)

        return cls(
            confirmed_labels=folded(unconfirmed.confirmed_labels),
            confirmed_statuses=folded(unconfirmed.confirmed_statuses),
            confirmed_field=unconfirmed.confirmed_field,
            confirmed_fields=confirmed_fields(settings),
            clients=folded(rules.clients),
            confirm_phrases=tuple(unconfirmed.confirm_phrases),
            change_phrases=tuple(undocumented.change_phrases),
            documented_labels=folded(undocumented.documented_labels),
            watched_fields=frozenset(undocumented.watched_fields),
            negations=tuple(rules.negations),
            window_hours=undocumented.comment_window_hours,
        )


def confirmed_fields(settings: Settings) -> dict[str, str]:
    """Each source's confirmed field: its own (``[[sources]] confirmed_field``), else the
    rule's."""
    default = settings.rules.unconfirmed_requirement.confirmed_field
    found = {}
    for source in settings.sources:
        field = getattr(source, "confirmed_field", None) or default
        if field:
            found[source.name] = field
    return found
