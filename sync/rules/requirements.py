"""What both requirement rules need to know about one open requirement: its confirmations
(with their times), its baseline, its undocumented scope changes and whether work started.

Precise meanings, from the design: a confirmation counts only if it is later than the last
undocumented change; the baseline is the earliest confirmation event (whether or not it still
counts), else when work started, else there is none and no change is judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mapping.keys import mentioned_keys
from sync.rules.facts import Change, Facts, Item, shift
from sync.rules.text import contains_phrase
from sync.settings import Settings

CR_LOOKBACK_DAYS = 30


@dataclass
class Confirmation:
    at: str
    how: str  # label, status, field, comment
    detail: str


@dataclass
class RequirementState:
    item: Item
    confirmations: list[Confirmation] = field(default_factory=list)
    baseline: str | None = None
    undocumented: list[Change] = field(default_factory=list)
    work_started_at: str | None = None
    started_by: list[str] = field(default_factory=list)

    @property
    def last_undocumented(self) -> str | None:
        return max((c.at for c in self.undocumented), default=None)

    @property
    def valid_confirmations(self) -> list[Confirmation]:
        last = self.last_undocumented
        return [c for c in self.confirmations if last is None or c.at > last]

    @property
    def work_started(self) -> bool:
        return self.work_started_at is not None


def analyse_requirement(
    item: Item, facts: Facts, settings: Settings, cr_keys: set[str]
) -> RequirementState:
    state = RequirementState(item)
    changes = facts.changes.get((item.source, item.id), [])
    state.confirmations = confirmations(item, facts, settings, changes)
    state.work_started_at, state.started_by = work_start(item, facts)
    state.baseline = min((c.at for c in state.confirmations), default=None) or state.work_started_at
    if state.baseline is not None:
        watched = set(settings.rules.undocumented_change.watched_fields)
        state.undocumented = [
            change
            for change in changes
            if change.field in watched
            and change.at > state.baseline
            and not documented(item, change, facts, settings, cr_keys, changes)
        ]
    return state


def confirmations(
    item: Item, facts: Facts, settings: Settings, changes: list[Change]
) -> list[Confirmation]:
    rule = settings.rules.unconfirmed_requirement
    found: list[Confirmation] = []
    wanted = {label.casefold() for label in rule.confirmed_labels}
    for label in item.labels:
        if label.casefold() in wanted:
            found.append(Confirmation(label_added_at(label, item, changes), "label", label))
    statuses = {s.casefold() for s in rule.confirmed_statuses}
    entered = [
        c for c in changes if c.field == "status" and (c.to_value or "").casefold() in statuses
    ]
    found += [Confirmation(c.at, "status", c.to_value or "") for c in entered]
    if not entered and item.status.casefold() in statuses:
        found.append(Confirmation(item.created_at, "status", item.status))
    if rule.confirmed_field and facts.confirmed_field_set.get((item.source, item.id)):
        set_at = [c.at for c in changes if c.field == rule.confirmed_field and c.to_value]
        found.append(
            Confirmation(max(set_at, default=item.created_at), "field", rule.confirmed_field)
        )
    clients = {a.casefold() for a in rule.client_accounts}
    for comment in facts.comments.get((item.source, item.id), []):
        who = {(comment.author or "").casefold(), (comment.author_login or "").casefold()}
        if clients & who and contains_phrase(
            comment.body, rule.confirm_phrases, settings.rules.negations
        ):
            found.append(
                Confirmation(
                    comment.created_at, "comment", comment.author_login or comment.author or ""
                )
            )
    return found


def label_added_at(label: str, item: Item, changes: list[Change]) -> str:
    """When the label was last added; the item's creation when the tracker shows no history."""
    added = [c.at for c in changes if c.field == "labels" and c.to_value == label]
    return max(added, default=item.created_at)


def work_start(item: Item, facts: Facts) -> tuple[str | None, list[str]]:
    """When work started: the requirement itself entering work, or a linked or child item in
    any tracker that is doing or done (cancelled ones never count)."""
    times: list[str] = []
    by: list[str] = []
    if item.category in ("doing", "done"):
        times.append(facts.first_start.get((item.source, item.id)) or item.first_seen)
    for other in facts.linked(item):
        if other.category in ("doing", "done") and not other.cancelled:
            times.append(facts.first_start.get((other.source, other.id)) or other.created_at)
            by.append(other.key)
    return (min(times) if times else None), sorted(by)


def is_change_request(item: Item, settings: Settings) -> bool:
    rule = settings.rules.undocumented_change
    labels = {label.casefold() for label in rule.change_request_labels}
    return item.type in rule.change_request_types or any(
        name.casefold() in labels for name in item.labels
    )


def documented(
    item: Item,
    change: Change,
    facts: Facts,
    settings: Settings,
    cr_keys: set[str],
    changes: list[Change],
) -> bool:
    rule = settings.rules.undocumented_change
    hours = rule.comment_window_hours
    earliest, latest = shift(change.at, hours=-hours), shift(change.at, hours=hours)
    cr_from = shift(change.at, days=-CR_LOOKBACK_DAYS)
    repo = item.key.split("#", 1)[0] if "#" in item.key else None
    for other in facts.linked(item):
        if is_change_request(other, settings) and cr_from <= other.created_at <= latest:
            return True
    for comment in facts.comments.get((item.source, item.id), []):
        if earliest <= comment.created_at <= latest:
            if contains_phrase(comment.body, rule.change_phrases, settings.rules.negations):
                return True
            if cr_keys & mentioned_keys(comment.body, repo=repo):
                return True
    documented_labels = {label.casefold() for label in rule.documented_labels}
    for label in item.labels:
        if (
            label.casefold() in documented_labels
            and label_added_at(label, item, changes) >= change.at
        ):
            return True
    return False
