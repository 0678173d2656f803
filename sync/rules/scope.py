"""Each open milestone's scope: what was in it at its commitment time, what joined it after
(and whether each addition was documented), what left it. Read by ``scope_creep`` and by the
status report.

Precise meanings, from the design: the commitment time is the milestone's start date, else
its creation, else the first sync that saw it, plus ``baseline_grace_days``. An item joined at
the tracker history's change that put it in (GitHub ``milestoned``, Jira ``Fix Version`` /
``Sprint``, PingCode version/sprint), else a snapshot difference, else at its creation when it
was created in the milestone. Pull requests, cancelled items and the tracking item are never
scope. An addition is documented as an ``undocumented_change`` of its milestone would be.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mapping.keys import mentioned_keys
from sync.rules.facts import change_requests, cutoff_of, shift
from sync.rules.text import contains_phrase
from sync.settings import Settings
from sync.store import Store
from sync.store import milestone_queries as mq
from sync.store import rule_queries as q

CR_LOOKBACK_DAYS = 30


@dataclass
class Scope:
    source: str
    milestone_id: str
    title: str
    url: str | None
    commitment_time: str
    committed: int = 0  # items in it at the commitment time
    added: list[tuple[str, str, bool]] = field(default_factory=list)  # key, joined_at, documented
    removed: list[tuple[str, str | None]] = field(default_factory=list)  # key, left_at
    open_items: int = 0
    done_items: int = 0
    first_created: str | None = None  # the earliest creation of its items
    tracking_item: str | None = None

    @property
    def id(self) -> str:
        return self.milestone_id

    def changes(self) -> dict[str, list[dict[str, Any]]]:
        """The additions and removals as the evidence and the status report show them."""
        return {
            "added": [{"key": k, "at": at, "documented": doc} for k, at, doc in self.added],
            "removed": [{"key": k, "at": at} for k, at in self.removed],
        }


@dataclass
class _Member:
    """One item's story in one milestone: its joins and leaves, oldest first."""

    item_id: str
    key: str
    created_at: str
    current: bool = False
    events: list[tuple[str, bool]] = field(default_factory=list)  # (at, joined)


def milestone_scopes(store: Store, settings: Settings, as_of: date) -> dict[tuple[str, str], Scope]:
    """Every open milestone's scope, keyed by (source, milestone id)."""
    rule = settings.rules.scope_creep
    cutoff = cutoff_of(as_of)
    scopes: dict[tuple[str, str], Scope] = {}
    titles: dict[tuple[str, str], set[str]] = defaultdict(set)  # (source, id or title) -> ids
    for source, mid, title, url, start, created, first_seen in mq.open_milestone_scope_rows(store):
        base = f"{start}T00:00:00Z" if start else (created or first_seen or cutoff)
        base = base if len(base) == 20 else base[:19] + "Z"
        committed_at = shift(base, days=rule.baseline_grace_days)
        scopes[(source, mid)] = Scope(source, mid, title, url, committed_at)
        titles[(source, mid)].add(mid)
        titles[(source, title)].add(mid)
    pending: list[tuple[Scope, str, str, str]] = []  # scope, item id, key, joined_at
    for scope, member in _load_members(store, settings, scopes, titles, cutoff, pending):
        _place(scope, member, pending)
    _document(store, settings, pending, cutoff)
    for scope in scopes.values():
        scope.added.sort(key=lambda a: (a[1], a[0]))
        scope.removed.sort(key=lambda r: (r[1] or "", r[0]))
    return scopes


def _load_members(
    store: Store,
    settings: Settings,
    scopes: dict[tuple[str, str], Scope],
    titles: dict[tuple[str, str], set[str]],
    cutoff: str,
    pending: list,
) -> list[tuple[Scope, _Member]]:
    """The items with a membership history, for ``_place`` to replay; SQLite counts the many
    with none that were in by the commitment time, and those created in it later are added
    at creation. The tracking item is set aside."""
    tracking = settings.rules.slipping_milestone
    label = f'"{tracking.tracking_label}"'.casefold()
    names = {k: tracking.tracking_title.replace("{title}", s.title) for k, s in scopes.items()}
    storied: dict[tuple[str, str, str], _Member] = {}
    for source, item_id, at, old, new, key, title, labels, created in mq.membership_change_rows(
        store, cutoff
    ):
        for value, joined in ((new, True), (old, False)):
            for mid in titles.get((source, value), ()) if value else ():
                if title == names[(source, mid)] or label in (labels or "").casefold():
                    continue
                here = (source, mid, item_id)
                member = storied.get(here) or storied.setdefault(
                    here, _Member(item_id, key, created)
                )
                member.events.append((at, joined))
    mq.fill_storied_items(store, sorted({(s, item_id) for s, _, item_id in storied}))
    mq.fill_scope_milestones(
        store, [(*k, s.commitment_time, names[k]) for k, s in sorted(scopes.items())]
    )
    for source, mid, *counts, tracking_key, judged in mq.milestone_member_rows(
        store, cutoff, tracking.tracking_label
    ):
        scope = scopes[(source, mid)]
        scope.open_items, scope.done_items, scope.first_created, scope.committed = counts
        scope.tracking_item = tracking_key
        for item_id, key, created, has_history in json.loads(judged):
            member = storied.get((source, mid, item_id)) if has_history else None
            if member is not None:
                member.current = True
            elif created <= scope.commitment_time:
                scope.committed += 1
            else:
                pending.append((scope, item_id, key, created))
    return [(scopes[(s, mid)], member) for (s, mid, _), member in storied.items()]


def _place(scope: Scope, member: _Member, pending: list) -> None:
    """Committed, added or removed, by replaying the item's joins and leaves."""
    t = scope.commitment_time
    before = [joined for at, joined in member.events if at <= t]
    if before:
        in_at_commit = before[-1]
    elif member.events:
        in_at_commit = not member.events[0][1]  # its first change took it out: it was in
    else:
        in_at_commit = member.current
    in_at_commit = in_at_commit and member.created_at <= t
    if in_at_commit:
        scope.committed += 1
        if not member.current:
            left = [at for at, joined in member.events if not joined and at > t]
            scope.removed.append((member.key, left[-1] if left else None))
        return
    if not member.current:
        return  # joined after the commitment and left again: neither scope nor removal
    joins = [at for at, joined in member.events if joined]
    joined_at = joins[-1] if joins else member.created_at
    if joined_at <= t:
        scope.committed += 1  # history and membership disagree: trust now
        return
    pending.append((scope, member.item_id, member.key, joined_at))


def _document(store: Store, settings: Settings, pending: list, cutoff: str) -> None:
    """Whether each addition is documented: a linked change request created from 30 days
    before to ``comment_window_hours`` after the join, a human comment within that window
    either side naming a change or a change request's key, or a documented label added
    after the join."""
    if not pending:
        return
    rule = settings.rules.undocumented_change
    window = rule.comment_window_hours
    mq.fill_scope_items(store, sorted({(s.source, item_id, key) for s, item_id, key, _ in pending}))
    crs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, item_id, created in mq.scope_change_request_rows(
        store, change_requests(settings), cutoff
    ):
        crs[(source, item_id)].append(created)
    cr_keys: set[str] | None = None  # read once, when a comment names any key at all
    negations = settings.rules.negations
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    keys = {(s.source, item_id): key for s, item_id, key, _ in pending}
    for source, item_id, body, created in mq.scope_comment_rows(store, cutoff):
        key = keys[(source, item_id)]
        repo = key.split("#", 1)[0] if "#" in key else None
        named = mentioned_keys(body, repo=repo)
        if named and cr_keys is None:
            cr_keys = q.change_request_keys(store, change_requests(settings), cutoff)
        if (named & (cr_keys or set())) or contains_phrase(body, rule.change_phrases, negations):
            notes[(source, item_id)].append(created)
    labelled = _documented_label_times(store, settings, cutoff)
    for scope, item_id, key, joined_at in pending:
        here = (scope.source, item_id)
        latest = shift(joined_at, hours=window)
        earliest = shift(joined_at, hours=-window)
        documented = (
            any(shift(joined_at, days=-CR_LOOKBACK_DAYS) <= c <= latest for c in crs[here])
            or any(earliest <= c <= latest for c in notes[here])
            or any(at >= joined_at for at in labelled.get(here, ()))
        )
        scope.added.append((key, joined_at, documented))


def _documented_label_times(
    store: Store, settings: Settings, cutoff: str
) -> dict[tuple[str, str], list[str]]:
    """When each documented label an item carries now was last added (its creation when the
    tracker shows no history of it)."""
    wanted = {label.casefold() for label in settings.rules.undocumented_change.documented_labels}
    added: dict[tuple[str, str, str], str] = {}
    carried: dict[tuple[str, str], tuple[list[str], str]] = {}
    for source, item_id, labels, created, label, at in mq.scope_label_rows(store, cutoff):
        text = (labels or "").casefold()
        if not any(w in text for w in wanted):
            continue  # carries no documented label: nothing to parse
        carried[(source, item_id)] = (json.loads(labels or "[]"), created)
        if label and label.casefold() in wanted:
            here = (source, item_id, label.casefold())
            added[here] = max(added.get(here, ""), at)
    times: dict[tuple[str, str], list[str]] = {}
    for (source, item_id), (labels, created) in carried.items():
        times[(source, item_id)] = [
            added.get((source, item_id, label.casefold()), created)
            for label in labels
            if label.casefold() in wanted
        ]
    return times
