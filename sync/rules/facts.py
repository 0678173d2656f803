"""What the rules know, read from the store set-wise: items, who is linked to whom, when work
started, and the history and comments of open requirements. Rules never call a tracker."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any, NamedTuple

from mapping.keys import mentioned_keys
from sync.rules.text import abridge, contains_phrase, is_service_text
from sync.rules.vocabulary import Vocabulary
from sync.settings import Settings
from sync.store import Store, on_own_connection

STATUS_FIELDS = ("status", "state", "labels")


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
    links: dict[tuple[str, str], WorkLinks] = field(default_factory=dict)
    change_request_keys: set[str] = field(default_factory=set)
    confirmed_field_set: set[tuple[str, str]] = field(default_factory=set)


class Requirement(NamedTuple):
    """One open requirement with its history: changes and human comments, oldest first."""

    item: Item
    changes: list[Change]
    comments: list[Comment]


def load_facts(store: Store, settings: Settings, as_of: date) -> Facts:
    """The store's other items are looked at by SQLite alone (who is linked, who started
    when): Python sees the open requirements, one at a time, so the rules' memory does not
    grow with the trackers. The links are gathered on a second connection meanwhile."""
    cutoff = (datetime.combine(as_of, datetime.min.time()) + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="facts") as pool:
        links = pool.submit(on_own_connection, store.path, load_work_links, settings, cutoff)
        facts = Facts(cutoff, select_open_requirements(store, settings, cutoff))
        change_requests = change_request_sql(settings)
        facts.change_request_keys = {
            row[0]
            for row in store.db.execute(
                f"select key from items i where created_at < ? and {change_requests.sql}",
                [cutoff, *change_requests.params],
            )
        }
        confirmed_field = settings.rules.unconfirmed_requirement.confirmed_field
        if confirmed_field:
            facts.confirmed_field_set = set(
                store.db.execute(
                    "select i.source, i.id from items i join open_requirements r"
                    " on r.source = i.source and r.id = i.id"
                    " where json_extract(i.raw, ?) is not null",
                    [f'$.fields."{confirmed_field}"'],
                ).fetchall()
            )
        facts.links = links.result()
    return facts


def open_requirements(store: Store, facts: Facts, words: Vocabulary) -> Iterator[Requirement]:
    """Each open requirement with its history, in (source, id) order: three cursors in that
    order, merged as they are read. A description's old and new text is abridged as it
    arrives (only the evidence shows it) and a comment is reduced to what it says."""
    started = facts.started
    items = store.db.execute(
        "select i.source, i.id, i.key, i.url, i.status, i.labels, i.created_at,"
        " case when i.status_category in ('doing', 'done')"
        f" then coalesce({started.sql}, i.first_seen) end"
        " from open_requirements r join items i on i.source = r.source and i.id = r.id"
        " order by r.source, r.id",
        [*started.params],
    )
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
    confirmed_field = words.confirmed_field
    matched = set(STATUS_FIELDS) | ({confirmed_field} if confirmed_field else set())
    fields = sorted(words.watched_fields | matched)
    shown_only = words.watched_fields - matched
    marks = ", ".join("?" * len(fields))
    for row in store.db.execute(
        "select c.source, c.item_id, c.at, c.author, c.field, c.from_value, c.to_value, c.origin"
        # CROSS JOIN and the unary + keep SQLite driving from the requirements and seeking
        # each one's changes by key, instead of scanning every change in the store
        " from open_requirements r cross join changes c"
        " on c.source = r.source and c.item_id = r.id"
        f" where +c.at < ? and +c.field in ({marks}) order by r.source, r.id, c.at",
        [facts.cutoff, *fields],
    ):
        if row[4] in shown_only:
            row = (*row[:5], abridge(row[5]), abridge(row[6]), row[7])
        yield row


def requirement_comments(store: Store, facts: Facts) -> Iterator[tuple]:
    return store.db.execute(
        "select c.source, c.item_id, c.author, c.author_login, c.body, c.created_at"
        " from open_requirements r cross join comments c"
        " on c.source = r.source and c.item_id = r.id"
        " where c.is_own = 0 and +c.created_at < ? order by r.source, r.id, c.created_at",
        [facts.cutoff],
    )


def _reduce_comment(key: str, row: tuple, facts: Facts, words: Vocabulary) -> Comment | None:
    """What a human comment says, or ``None`` when it says nothing the rules look for."""
    _, _, author, login, body, created_at = row
    if is_service_text(body):
        return None
    repo = key.split("#", 1)[0] if "#" in key else None
    confirms = contains_phrase(body, words.confirm_phrases, words.negations)
    documents = contains_phrase(body, words.change_phrases, words.negations) or bool(
        facts.change_request_keys & mentioned_keys(body, repo=repo)
    )
    return (
        Comment(author, login, created_at, confirms, documents) if confirms or documents else None
    )


def select_open_requirements(store: Store, settings: Settings, cutoff: str) -> SqlPart:
    """The connection's working set: the ``open_requirements`` temp table. Returns when an
    item ``i`` entered work, as SQL over the connection's ``started_status`` table."""
    store.fill_temp_table_from(
        "open_requirements",
        "source text, id text, key text, primary key (source, id)",
        "select source, id, key from items where kind = 'requirement'"
        " and status_category != 'done' and type != 'pull_request' and created_at < ?",
        [cutoff],
    )
    return started_sql(store, settings, cutoff)


@dataclass(frozen=True)
class SqlPart:
    """An SQL expression about the item ``i``, with its parameters."""

    sql: str
    params: tuple[Any, ...]


def started_sql(store: Store, settings: Settings, cutoff: str) -> SqlPart:
    """Entering work is a status of the doing or done category (the category learned from the
    statuses the store's items are in now), closing, or a doing label."""
    started_statuses = store.db.execute(
        "select distinct source, status from items where status_category in ('doing', 'done')"
    ).fetchall()
    store.fill_temp_table(
        "started_status", "source text, status text, primary key (source, status)", started_statuses
    )
    doing_labels = sorted(
        {label for s in settings.sources for label in getattr(s, "doing_labels", [])}
    )
    marks = ", ".join("?" * len(doing_labels)) or "null"
    return SqlPart(
        "(select min(c.at) from changes c where c.source = i.source and c.item_id = i.id"
        " and +c.at < ? and ("
        " (c.field = 'status' and exists (select 1 from started_status s"
        "   where s.source = c.source and s.status = c.to_value))"
        " or (c.field = 'state' and c.to_value = 'closed')"
        f" or (c.field = 'labels' and c.to_value in ({marks}))))",
        (cutoff, *doing_labels),
    )


def change_request_sql(settings: Settings) -> SqlPart:
    """Whether the item ``i`` is a change request, in any tracker: by type, or by label (LIKE
    on the labels JSON is case-insensitive, as label matching is everywhere else)."""
    rule = settings.rules.undocumented_change
    clauses, params = [], []
    if rule.change_request_types:
        clauses.append(f"i.type in ({', '.join('?' * len(rule.change_request_types))})")
        params += rule.change_request_types
    for label in rule.change_request_labels:
        clauses.append("i.labels like ?")
        params.append(f'%"{label}"%')
    return SqlPart(f"({' or '.join(clauses)})" if clauses else "0", tuple(params))


def load_work_links(
    store: Store, settings: Settings, cutoff: str
) -> dict[tuple[str, str], WorkLinks]:
    """Linked items are gathered per requirement by SQLite: Python sees one row for each
    requirement that has a started or change-request neighbour, never the neighbours."""
    started = select_open_requirements(store, settings, cutoff)
    change_request = change_request_sql(settings)
    links: dict[tuple[str, str], WorkLinks] = {}
    rows = store.db.execute(
        "with pair(source, id, other_source, other_id) as ("
        " select r.source, r.id, i.source, i.id from open_requirements r"
        " cross join links l on l.source = r.source and l.item_id = r.id"
        " join items i on i.key = l.target_key"
        " union"
        " select r.source, r.id, l.source, l.item_id from open_requirements r"
        " join links l on l.target_key = r.key),"
        " neighbour as materialized (select p.source, p.id, i.key, i.created_at,"
        " case when i.status_category in ('doing', 'done') and not i.cancelled"
        f" then coalesce({started.sql}, i.created_at) end started_at,"
        f" {change_request.sql} is_change_request"
        " from pair p join items i on i.source = p.other_source and i.id = p.other_id"
        " where i.created_at < ? and not (p.other_source = p.source and p.other_id = p.id))"
        " select source, id, min(started_at),"
        " json_group_array(key) filter (where started_at is not null),"
        " json_group_array(created_at) filter (where is_change_request)"
        " from neighbour group by source, id"
        " having min(started_at) is not null or max(is_change_request)",
        [*started.params, *change_request.params, cutoff],
    ).fetchall()
    for source, item_id, started_at, started_by, created in rows:
        links[(source, item_id)] = WorkLinks(
            started_at, sorted(json.loads(started_by)), json.loads(created)
        )
    return links


def parse_time(stamp: str) -> datetime:
    """The store's ``YYYY-MM-DDTHH:MM:SSZ`` (fromisoformat: strptime was the rules' hot spot)."""
    return datetime.fromisoformat(stamp[:19])


def shift(stamp: str, **delta: Any) -> str:
    return (parse_time(stamp) + timedelta(**delta)).isoformat(timespec="seconds") + "Z"
