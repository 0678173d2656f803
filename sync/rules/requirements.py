"""What both requirement rules need to know about one open requirement: its confirmations
(with their times), its baseline, its undocumented scope changes and whether work started.

Precise meanings, from the design: a confirmation counts only if it is later than the last
undocumented change; the baseline is the earliest confirmation event (whether or not it still
counts), else when work started, else there is none and no change is judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.rules.facts import NO_LINKS, Change, Comment, Facts, Item, Requirement, shift
from sync.rules.vocabulary import Vocabulary

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
    requirement: Requirement, facts: Facts, words: Vocabulary
) -> RequirementState:
    item, changes, comments = requirement
    state = RequirementState(item)
    state.confirmations = confirmations(item, facts, words, changes, comments)
    state.work_started_at, state.started_by = work_start(item, facts)
    state.baseline = min((c.at for c in state.confirmations), default=None) or state.work_started_at
    if state.baseline is not None:
        evidence = Documentation.of(item, facts, words, changes, comments)
        state.undocumented = [
            change
            for change in changes
            if change.field in words.watched_fields
            and change.at > state.baseline
            and not evidence.documents(change, words)
        ]
    return state


def confirmations(
    item: Item, facts: Facts, words: Vocabulary, changes: list[Change], comments: list[Comment]
) -> list[Confirmation]:
    found: list[Confirmation] = []
    for label in item.labels:
        if label.casefold() in words.confirmed_labels:
            found.append(Confirmation(label_added_at(label, item, changes), "label", label))
    entered = [
        c
        for c in changes
        if c.field == "status" and (c.to_value or "").casefold() in words.confirmed_statuses
    ]
    found += [Confirmation(c.at, "status", c.to_value or "") for c in entered]
    if not entered and item.status.casefold() in words.confirmed_statuses:
        found.append(Confirmation(item.created_at, "status", item.status))
    field = words.field_of(item.source)
    if field and (item.source, item.id) in facts.confirmed_field_set:
        set_at = [c.at for c in changes if c.field == field and c.to_value]
        found.append(Confirmation(max(set_at, default=item.created_at), "field", field))
    for comment in comments:
        who = {(comment.author or "").casefold(), (comment.author_login or "").casefold()}
        if comment.confirms and words.clients & who:
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
    links = facts.links.get((item.source, item.id), NO_LINKS)
    times = [t for t in (item.started_at, links.started_at) if t]
    return (min(times) if times else None), links.started_by


@dataclass
class Documentation:
    """What could document a requirement's changes, gathered once per requirement: linked
    change-request items (their creation times), human comments naming a change or a
    change-request key, and when documented labels were added."""

    cr_created: list[str]
    comments_documenting: list[str]
    label_added: list[str]

    @classmethod
    def of(
        cls,
        item: Item,
        facts: Facts,
        words: Vocabulary,
        changes: list[Change],
        comments: list[Comment],
    ) -> Documentation:
        return cls(
            cr_created=facts.links.get((item.source, item.id), NO_LINKS).change_requests_created,
            comments_documenting=[c.created_at for c in comments if c.documents],
            label_added=[
                label_added_at(label, item, changes)
                for label in item.labels
                if label.casefold() in words.documented_labels
            ],
        )

    def documents(self, change: Change, words: Vocabulary) -> bool:
        if any(added >= change.at for added in self.label_added):
            return True
        if not self.cr_created and not self.comments_documenting:
            return False
        latest = shift(change.at, hours=words.window_hours)
        cr_from = shift(change.at, days=-CR_LOOKBACK_DAYS)
        if any(cr_from <= created <= latest for created in self.cr_created):
            return True
        earliest = shift(change.at, hours=-words.window_hours)
        return any(earliest <= posted <= latest for posted in self.comments_documenting)
