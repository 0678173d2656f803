"""What the rules know, read from the store set-wise: items, who is linked to whom, when work
started, and the history and comments of open requirements. Rules never call a tracker."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import Any, NamedTuple, Protocol, TypeVar

from mapping.keys import mentioned_keys
from sync.rules.text import contains_phrase, is_service_text
from sync.rules.vocabulary import Vocabulary, confirmed_fields
from sync.settings import Settings
from sync.store import Store, on_own_connection
from sync.store import rule_queries as q
from sync.store.rewind import rewind_items
from sync.store.rule_queries import SqlPart

T = TypeVar("T", covariant=True)
STATUS_FIELDS = ("status", "state", "labels")
# more than the evidence shows (80 characters once the whitespace is folded): the prefix of
# a value is enough to abridge it
SHOWN_PREFIX = 400


class Item(NamedTuple):
    """An open requirement, with when it entered work itself (``None`` while it has not)."""

    source: str
    id: str
    key: str
    url: str | None
    status: str
    labels_json: str | None
    created_at: str
    started_at: str | None

    @property
    def labels(self) -> frozenset[str]:
        """Parsed on demand: most items' labels are never looked at."""
        text = self.labels_json
        return frozenset(json.loads(text)) if text and text != "[]" else frozenset()


class WorkLinks(NamedTuple):
    """What an open requirement's linked items (either direction, any tracker) say about it:
    when the first of them entered work (doing or done, never cancelled) and which did, and
    when each linked change request was created."""

    started_at: str | None
    started_by: list[str]
    change_requests_created: list[str]


NO_LINKS = WorkLinks(None, [], [])


class Change(NamedTuple):
    source: str
    item_id: str
    at: str
    author: str | None
    field: str
    from_value: str | None
    to_value: str | None
    origin: str


class Comment(NamedTuple):
    """A human comment on an open requirement, reduced when it is read to what it says: a
    confirmation phrase, or a change phrase or change-request key. Others are not kept."""

    author: str | None
    author_login: str | None
    created_at: str
    confirms: bool
    documents: bool


@dataclass
class Facts:
    """What holds for every open requirement: the store-wide sets, and the SQL that reads
    each requirement's own rows (see ``open_requirements``)."""

    cutoff: str  # events after the end of the as-of day are not seen
    started: SqlPart
    links: dict[tuple[str, str], WorkLinks] | None = None  # set by ``once_linked``
    change_request_keys: set[str] = field(default_factory=set)
    confirmed_field_set: set[tuple[str, str]] = field(default_factory=set)


class Requirement(NamedTuple):
    """One open requirement with its history: changes and human comments, oldest first."""

    item: Item
    changes: list[Change]
    comments: list[Comment]


def cutoff_of(as_of: date) -> str:
    """The end of the as-of day: events from then on are not seen."""
    return (as_of + timedelta(days=1)).isoformat() + "T00:00:00Z"


def gathered_facts(store: Store, settings: Settings, as_of: date) -> Facts:
    """The store's other items are looked at by SQLite alone (who is linked, who started
    when): Python sees the open requirements, one at a time, so the rules' memory does not
    grow with the trackers. The links come from ``work_links``, computed elsewhere meanwhile
    (``once_linked``)."""
    cutoff = cutoff_of(as_of)
    facts = Facts(cutoff, select_open_requirements(store, settings, cutoff))
    facts.change_request_keys = q.change_request_keys(store, change_requests(settings), cutoff)
    for source, confirmed_field in confirmed_fields(settings).items():
        facts.confirmed_field_set |= {
            (item_source, item_id)
            for item_source, item_id in q.open_requirements_with_field(store, confirmed_field)
            if item_source == source
        }
    return facts


class Pending(Protocol[T]):
    """What is being computed elsewhere (a future, or a second process's next answer)."""

    def done(self) -> bool: ...

    def result(self) -> T: ...


def once_linked(
    requirements: Iterable[Requirement],
    facts: Facts,
    links: Pending[dict[tuple[str, str], WorkLinks]],
) -> Iterator[Requirement]:
    """The requirements as they are read, the first ones held back until the links query
    elsewhere has answered (``facts.links`` is then set): reading overlaps that query
    instead of waiting for it, and only what is read meanwhile is held."""
    held: list[Requirement] = []
    for requirement in requirements:
        if facts.links is None and links.done():
            facts.links = links.result()
            yield from held
            held.clear()
        if facts.links is None:
            held.append(requirement)
        else:
            yield requirement
    if facts.links is None:
        facts.links = links.result()
    yield from held


def open_requirements(store: Store, facts: Facts, words: Vocabulary) -> Iterator[Requirement]:
    """Each open requirement with its history, in (source, id) order: three cursors in that
    order, merged as they are read. A description's old and new text is cut short as it
    arrives (only the evidence shows it) and a comment is reduced to what it says."""
    items = q.open_requirement_rows(store, facts.started)
    changes = _grouped(requirement_changes(store, facts, words))
    comments = _grouped(requirement_comments(store, facts))
    next_changes, next_comments = next(changes, None), next(comments, None)
    for row in items:
        item = Item._make(row)
        here = (item.source, item.id)
        while next_changes and next_changes[0] < here:
            next_changes = next(changes, None)
        while next_comments and next_comments[0] < here:
            next_comments = next(comments, None)
        own_changes: list[Change] = []
        if next_changes and next_changes[0] == here:
            own_changes = [Change._make(r) for r in next_changes[1]]
        own_comments: list[Comment] = []
        if next_comments and next_comments[0] == here:
            own_comments = [
                comment
                for r in next_comments[1]
                if (comment := _reduce_comment(item.key, r, facts, words)) is not None
            ]
        yield Requirement(item, own_changes, own_comments)


def _grouped(rows: Iterable[Any]) -> Iterator[tuple[tuple[str, str], list[Any]]]:
    for key, group in groupby(rows, key=lambda row: (row[0], row[1])):
        yield key, list(group)


def requirement_changes(store: Store, facts: Facts, words: Vocabulary) -> Iterator[tuple]:
    """Values are read cut to ``SHOWN_PREFIX`` characters: the evidence shows them abridged,
    and a long description's every edit must not sit whole in memory."""
    fields = sorted(
        words.watched_fields | set(STATUS_FIELDS) | set(words.confirmed_fields.values())
    )
    return q.requirement_change_rows(store, facts.cutoff, fields, SHOWN_PREFIX)


def requirement_comments(store: Store, facts: Facts) -> Iterator[tuple]:
    return q.requirement_comment_rows(store, facts.cutoff)


def _reduce_comment(key: str, row: tuple, facts: Facts, words: Vocabulary) -> Comment | None:
    """What a human comment says, or ``None`` when it says nothing the rules look for."""
    _, _, author, login, body, created_at = row
    if is_service_text(body):
        return None
    confirms = contains_phrase(body, words.confirm_phrases, words.negations)
    documents = contains_phrase(body, words.change_phrases, words.negations) or (
        # with no change request in the store no key can name one: the key patterns, the
        # dearest reading of a comment, are spared
        bool(facts.change_request_keys)
        and bool(facts.change_request_keys & mentioned_keys(body, repo=_repo_of(key)))
    )
    return (
        Comment(author, login, created_at, confirms, documents) if confirms or documents else None
    )


def _repo_of(key: str) -> str | None:
    """The repository a GitHub key names (``#12`` in its comments means an issue there)."""
    return key.split("#", 1)[0] if "#" in key else None


def select_open_requirements(store: Store, settings: Settings, cutoff: str) -> SqlPart:
    """Fill the connection's ``open_requirements`` (from the items as they were at the
    cutoff); returns when an item entered work."""
    doing_labels = sorted(
        {label for s in settings.sources for label in getattr(s, "doing_labels", [])}
    )
    rewind_items(store, cutoff, doing_labels)
    q.fill_open_requirements(store, cutoff)
    return q.started_sql(store, doing_labels, cutoff)


def change_requests(settings: Settings) -> SqlPart:
    rule = settings.rules.undocumented_change
    return q.change_request_sql(rule.change_request_types, rule.change_request_labels)


def work_links(path: str, settings: Settings, as_of: date) -> dict[tuple[str, str], WorkLinks]:
    """What each open requirement's linked items say about it, on a connection of its own."""
    return on_own_connection(path, load_work_links, settings, cutoff_of(as_of))


def load_work_links(
    store: Store, settings: Settings, cutoff: str
) -> dict[tuple[str, str], WorkLinks]:
    started = select_open_requirements(store, settings, cutoff)
    rows = q.work_link_rows(store, started, change_requests(settings), cutoff)
    return {(source, item_id): WorkLinks(*rest) for source, item_id, *rest in rows}


def parse_time(stamp: str) -> datetime:
    """The store's ``YYYY-MM-DDTHH:MM:SSZ`` (fromisoformat: strptime was the rules' hot spot)."""
    return datetime.fromisoformat(stamp[:19])


def moment_of(as_of: date) -> datetime:
    """The moment the rules judge at: now, when evaluating today; the end of the day when
    evaluating another day. Naive UTC, as ``parse_time`` gives."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if as_of == now.date():
        return now
    return datetime.combine(as_of, datetime.min.time()) + timedelta(days=1)


def older_than(stamp: str, days: int, as_of: date) -> bool:
    """Older than ``days`` at the moment judged at: elapsed time, not calendar days (an item
    created on the 13th at 11:00 is older than 7 days on the 20th at noon)."""
    return moment_of(as_of) - parse_time(stamp) > timedelta(days=days)


def shift(stamp: str, **delta: Any) -> str:
    return (parse_time(stamp) + timedelta(**delta)).isoformat(timespec="seconds") + "Z"
