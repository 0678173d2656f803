"""What the rules know, read from the store set-wise: items, who is linked to whom, when work
started, and the history and comments of open requirements. Rules never call a tracker."""

from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sync.rules.text import is_service_text
from sync.settings import Settings
from sync.store import Store

STATUS_FIELDS = ("status", "state", "labels")


class Item(NamedTuple):
    source: str
    id: str
    key: str
    url: str | None
    kind: str
    type: str
    title: str
    status: str
    category: str
    cancelled: int
    labels_json: str | None
    created_at: str
    first_seen: str
    milestone_id: str | None

    @property
    def labels(self) -> frozenset[str]:
        """Parsed on demand: most items' labels are never looked at."""
        text = self.labels_json
        return frozenset(json.loads(text)) if text and text != "[]" else frozenset()

    @property
    def is_pull_request(self) -> bool:
        return self.type == "pull_request"


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
    source: str
    item_id: str
    author: str | None
    author_login: str | None
    body: str
    created_at: str


@dataclass
class Facts:
    as_of: date
    cutoff: str  # events after the end of the as-of day are not seen
    items: dict[tuple[str, str], Item]
    by_key: dict[str, Item]
    neighbours: dict[str, set[str]]
    first_start: dict[tuple[str, str], str]
    changes: dict[tuple[str, str], list[Change]] = field(default_factory=dict)
    comments: dict[tuple[str, str], list[Comment]] = field(default_factory=dict)
    confirmed_field_set: dict[tuple[str, str], bool] = field(default_factory=dict)

    def linked(self, item: Item) -> list[Item]:
        return [self.by_key[k] for k in self.neighbours.get(item.key, ()) if k in self.by_key]


def load_facts(store: Store, settings: Settings, as_of: date) -> Facts:
    """Three streams at once, each on its own connection (SQLite releases the GIL while it
    works): every item, when each item entered work, and, here, the open requirements'
    neighbours, history and comments."""
    cutoff = (datetime.combine(as_of, datetime.min.time()) + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    store.fill_temp_table_from(
        "open_requirements",
        "source text, id text, key text, primary key (source, id)",
        "select source, id, key from items where kind = 'requirement'"
        " and status_category != 'done' and type != 'pull_request' and created_at < ?",
        [cutoff],
    )
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="facts") as pool:
        all_items = pool.submit(_on_own_connection, store.path, load_items, cutoff)
        first_start = pool.submit(
            _on_own_connection, store.path, load_first_starts, settings, cutoff
        )
        facts = Facts(as_of, cutoff, {}, {}, load_neighbours(store), {})
        load_requirement_history(store, settings, facts)
        facts.items = all_items.result()
        facts.by_key = {item.key: item for item in facts.items.values()}
        facts.first_start = first_start.result()
    return facts


def load_items(store: Store, cutoff: str) -> dict[tuple[str, str], Item]:
    rows = store.db.execute(
        "select source, id, key, url, kind, type, title, status, status_category, cancelled,"
        " labels, created_at, first_seen, milestone_id from items where created_at < ?",
        [cutoff],
    ).fetchall()
    return {(row[0], row[1]): Item._make(row) for row in rows}


def _on_own_connection(path: Any, load: Any, *args: Any) -> Any:
    store = Store(path)
    try:
        return load(store, *args)
    finally:
        store.close()


def load_neighbours(store: Store) -> dict[str, set[str]]:
    """Who each open requirement is linked to, in either direction: its own links (parent,
    tracker links, keys it names) and every item whose links name it."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    rows = store.db.execute(
        "select r.key, l.target_key from open_requirements r"
        " join links l on l.source = r.source and l.item_id = r.id"
        " union"
        " select r.key, i.key from open_requirements r"
        " join links l on l.target_key = r.key"
        " join items i on i.source = l.source and i.id = l.item_id"
    ).fetchall()
    for key, other in rows:
        if key != other:
            neighbours[key].add(other)
    return neighbours


def load_first_starts(store: Store, settings: Settings, cutoff: str) -> dict[tuple[str, str], str]:
    """When each item first entered work: a status of the doing or done category (category
    learned from the statuses the store's items are in now), closed, or a doing label."""
    started_statuses = store.db.execute(
        "select distinct source, status from items where status_category in ('doing', 'done')"
    ).fetchall()
    doing_labels = sorted(
        {label for s in settings.sources for label in getattr(s, "doing_labels", [])}
    )
    store.fill_temp_table("started_status", "source text, status text", started_statuses)
    marks = ", ".join("?" * len(doing_labels)) or "null"
    rows = store.db.execute(
        "select c.source, c.item_id, min(c.at) from changes c where c.at < ? and ("
        " (c.field = 'status' and exists (select 1 from started_status s"
        "   where s.source = c.source and s.status = c.to_value))"
        " or (c.field = 'state' and c.to_value = 'closed')"
        f" or (c.field = 'labels' and c.to_value in ({marks}))"
        ") group by c.source, c.item_id",
        [cutoff, *doing_labels],
    ).fetchall()
    return {(source, item_id): at for source, item_id, at in rows}


def load_requirement_history(store: Store, settings: Settings, facts: Facts) -> None:
    """Changes and human comments of the open requirements (the ``open_requirements`` temp
    table), joined through their keys."""
    rules = settings.rules
    confirmed_field = rules.unconfirmed_requirement.confirmed_field
    fields = sorted(
        set(rules.undocumented_change.watched_fields)
        | set(STATUS_FIELDS)
        | ({confirmed_field} if confirmed_field else set())
    )
    marks = ", ".join("?" * len(fields))
    changes: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for row in store.db.execute(
        "select c.source, c.item_id, c.at, c.author, c.field, c.from_value, c.to_value, c.origin"
        # CROSS JOIN and the unary + keep SQLite driving from the requirements and seeking
        # each one's changes by key, instead of scanning every change in the store
        " from open_requirements r cross join changes c"
        " on c.source = r.source and c.item_id = r.id"
        f" where +c.at < ? and +c.field in ({marks}) order by c.at",
        [facts.cutoff, *fields],
    ).fetchall():
        changes[(row[0], row[1])].append(Change._make(row))
    comments: dict[tuple[str, str], list[Comment]] = defaultdict(list)
    for row in store.db.execute(
        "select c.source, c.item_id, c.author, c.author_login, c.body, c.created_at"
        " from open_requirements r cross join comments c"
        " on c.source = r.source and c.item_id = r.id"
        " where c.is_own = 0 and +c.created_at < ? order by c.created_at",
        [facts.cutoff],
    ).fetchall():
        if not is_service_text(row[4]):
            comments[(row[0], row[1])].append(Comment._make(row))
    facts.changes, facts.comments = changes, comments
    if confirmed_field:
        path = f'$.fields."{confirmed_field}"'
        facts.confirmed_field_set = {
            (source, item_id): True
            for source, item_id in store.db.execute(
                "select i.source, i.id from items i join open_requirements r"
                " on r.source = i.source and r.id = i.id"
                " where json_extract(i.raw, ?) is not null",
                [path],
            ).fetchall()
        }


def parse_time(stamp: str) -> datetime:
    """The store's ``YYYY-MM-DDTHH:MM:SSZ`` (fromisoformat: strptime was the rules' hot spot)."""
    return datetime.fromisoformat(stamp[:19])


def shift(stamp: str, **delta: Any) -> str:
    return (parse_time(stamp) + timedelta(**delta)).isoformat(timespec="seconds") + "Z"
