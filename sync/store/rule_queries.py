"""The queries the rules read: the open requirements and their history, who is linked to whom
and who started when, the milestones with their counts and the throughput. The rules get rows
and never see SQL; set-wise work (fan-outs, aggregates) stays in SQLite, where ``bench/rules``
shows it keeps 100k items under 2 s."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sync.store.store import Store

# Every items column but the payload and body (m003): a row of the table is a page of its own,
# so joins that need no payload read this index instead (1.4 s → 0.2 s over 100k items; the
# open requirements' rows 0.12 → 0.075 s).
COVERING = "indexed by idx_items_without_payloads"


def label_like(label: str) -> str:
    """A LIKE pattern for an item carrying ``label`` in its JSON list of labels (case-folded
    by LIKE, ASCII only), with LIKE's own wildcards in the label taken literally: use with
    ``LABEL_LIKE``."""
    escaped = label.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f'%"{escaped}"%'


LABEL_LIKE = "like ? escape '\\'"


@dataclass(frozen=True)
class SqlPart:
    """An SQL expression about the item ``i``, with its parameters."""

    sql: str
    params: tuple[Any, ...]


def store_items(store: Store) -> int:
    return store.db.execute("select count(*) from items").fetchone()[0]


def fill_open_requirements(store: Store, cutoff: str) -> None:
    """The connection's working set: the ``open_requirements`` temp table."""
    store.fill_temp_table_from(
        "open_requirements",
        "source text, id text, key text, primary key (source, id)",
        "select source, id, key from items where kind = 'requirement'"
        " and status_category != 'done' and type != 'pull_request' and created_at < ?",
        [cutoff],
    )


def started_sql(store: Store, doing_labels: Sequence[str], cutoff: str) -> SqlPart:
    """When the item ``i`` entered work: a status of the doing or done category (the category
    learned from the statuses the store's items are in now), closing, or a doing label."""
    started_statuses = store.db.execute(
        "select distinct source, status from items where status_category in ('doing', 'done')"
    ).fetchall()
    store.fill_temp_table(
        "started_status", "source text, status text, primary key (source, status)", started_statuses
    )
    marks = ", ".join("?" * len(doing_labels)) or "null"
    return SqlPart(
        "(select min(c.at) from changes c where c.source = i.source and c.item_id = i.id"
        " and +c.at < ? and ("
        " (c.field = 'status' and exists (select 1 from started_status s"
        "   where s.source = c.source and s.status = c.to_value))"
        " or (c.field = 'state' and c.to_value = 'closed')"
        f" or (c.field = 'labels' and lower(c.to_value) in ({marks}))))",
        (cutoff, *(label.casefold() for label in doing_labels)),
    )


def change_request_sql(types: Sequence[str], labels: Sequence[str]) -> SqlPart:
    """Whether the item ``i`` is a change request, in any tracker: by type, or by label (LIKE
    on the labels JSON is case-insensitive, as label matching is everywhere else)."""
    clauses, params = [], []
    if types:
        clauses.append(f"i.type in ({', '.join('?' * len(types))})")
        params += list(types)
    for label in labels:
        clauses.append(f"i.labels {LABEL_LIKE}")
        params.append(label_like(label))
    return SqlPart(f"({' or '.join(clauses)})" if clauses else "0", tuple(params))


def change_request_keys(store: Store, change_request: SqlPart, cutoff: str) -> set[str]:
    """The keys, and URLs (a URL names its item too), of every change-request item."""
    names: set[str] = set()
    for key, url in store.db.execute(
        f"select key, url from items i where created_at < ? and {change_request.sql}",
        [cutoff, *change_request.params],
    ):
        names.add(key)
        if url:
            names.add(url)
    return names


def open_requirements_with_field(store: Store, field: str) -> set[tuple[str, str]]:
    """(source, id) of the open requirements whose raw payload sets ``field``: a Jira field
    (``fields``), a PingCode property (``properties``, or the work item's own attribute).
    Empty text, an empty list and false are not set."""
    return set(
        store.db.execute(
            "select source, id from (select i.source, i.id, coalesce(json_extract(i.raw, ?),"
            " json_extract(i.raw, ?), json_extract(i.raw, ?)) value from items i"
            " join open_requirements r on r.source = i.source and r.id = i.id)"
            " where value is not null and value not in ('', '[]', '{}', 0)",
            [f'$.fields."{field}"', f'$.properties."{field}"', f'$."{field}"'],
        ).fetchall()
    )


def open_requirement_rows(store: Store, started: SqlPart) -> Iterator[tuple]:
    """(source, id, key, url, status, labels, created_at, started_at) in (source, id) order."""
    return store.db.execute(
        "select i.source, i.id, i.key, i.url, i.status, i.labels, i.created_at,"
        " case when i.status_category in ('doing', 'done')"
        f" then coalesce({started.sql}, i.first_seen) end"
        f" from open_requirements r join items i {COVERING}"
        " on i.source = r.source and i.id = r.id"
        " order by r.source, r.id",
        [*started.params],
    )


def requirement_change_rows(
    store: Store, cutoff: str, fields: Sequence[str], prefix: int
) -> Iterator[tuple]:
    """The open requirements' changes to ``fields``, in (source, id, at) order, their values
    cut to ``prefix`` characters."""
    marks = ", ".join("?" * len(fields))
    return store.db.execute(
        "select c.source, c.item_id, c.at, c.author, c.field, substr(c.from_value, 1, ?),"
        " substr(c.to_value, 1, ?), c.origin"
        # CROSS JOIN and the unary + keep SQLite driving from the requirements and seeking
        # each one's changes by key, instead of scanning every change in the store
        " from open_requirements r cross join changes c"
        " on c.source = r.source and c.item_id = r.id"
        f" where +c.at < ? and +c.field in ({marks}) order by r.source, r.id, c.at",
        [prefix, prefix, cutoff, *fields],
    )


def requirement_comment_rows(store: Store, cutoff: str) -> Iterator[tuple]:
    """The open requirements' comments not written by the service, in (source, id, at) order."""
    return store.db.execute(
        "select c.source, c.item_id, c.author, c.author_login, c.body, c.created_at"
        " from open_requirements r cross join comments c"
        " on c.source = r.source and c.item_id = r.id"
        " where c.is_own = 0 and +c.created_at < ? order by r.source, r.id, c.created_at",
        [cutoff],
    )


def work_link_rows(
    store: Store, started: SqlPart, change_request: SqlPart, cutoff: str
) -> list[tuple[str, str, str | None, list[str], list[str]]]:
    """Per open requirement with a started or change-request neighbour (either direction, any
    tracker): (source, id, first start, keys that started, change requests' creation times).
    SQLite aggregates, so Python sees one row per requirement, never the neighbours."""
    rows = store.db.execute(
        "with pair(source, id, other_source, other_id) as ("
        " select r.source, r.id, i.source, i.id from open_requirements r"
        " cross join links l on l.source = r.source and l.item_id = r.id"
        " join items i on i.key = l.target_key"
        " union"  # a PingCode work item URL names its item by URL
        " select r.source, r.id, i.source, i.id from open_requirements r"
        " cross join links l on l.source = r.source and l.item_id = r.id"
        " join items i on i.url = l.target_key where l.target_key like 'http%'"
        " union"
        " select r.source, r.id, l.source, l.item_id from open_requirements r"
        " join links l on l.target_key = r.key"
        " union"
        " select r.source, r.id, l.source, l.item_id from open_requirements r"
        " join items o on o.source = r.source and o.id = r.id"
        " join links l on l.target_key = o.url),"
        " neighbour as materialized (select p.source, p.id, i.key, i.created_at,"
        " case when i.status_category in ('doing', 'done') and not i.cancelled"
        f" then coalesce({started.sql}, i.created_at) end started_at,"
        f" {change_request.sql} is_change_request"
        f" from pair p join items i {COVERING}"
        " on i.source = p.other_source and i.id = p.other_id"
        " where i.created_at < ? and not (p.other_source = p.source and p.other_id = p.id))"
        " select source, id, min(started_at),"
        " json_group_array(key) filter (where started_at is not null),"
        " json_group_array(created_at) filter (where is_change_request)"
        " from neighbour group by source, id"
        " having min(started_at) is not null or max(is_change_request)",
        [*started.params, *change_request.params, cutoff],
    ).fetchall()
    return [
        (source, item_id, started_at, sorted(json.loads(keys)), json.loads(created))
        for source, item_id, started_at, keys, created in rows
    ]


def open_milestone_rows(store: Store) -> list[tuple]:
    """Open milestones with a due date: (source, id, title, url, start_date, due_date,
    first_due_date). Their members are counted in one pass with their scope
    (``milestone_queries.milestone_member_rows``)."""
    return store.db.execute(
        "select source, id, title, url, start_date, due_date, first_due_date from milestones"
        " where state = 'open' and due_date is not null order by source, id"
    ).fetchall()


def throughput_rows(store: Store, first_day: str, end_day: str) -> list[tuple[str, str, int]]:
    """(source, day, items done that day) for days in [first_day, end_day): items, not pull
    requests, not cancelled. An item became done when the tracker's history shows it last
    entering a done-category status (Jira without a resolution has no resolution date), else
    at its resolution or close date."""
    return store.db.execute(
        "with done_status as materialized (select distinct source, status from items"
        " where status_category = 'done'),"
        # each item's last entry into a done status, grouped in one pass over the status
        # changes (a per-item subquery cost 0.2 s at 100k items)
        " entered as materialized (select c.source, c.item_id, max(c.at) at from done_status d"
        " cross join changes c on c.source = d.source and c.field = 'status'"
        " and c.to_value = d.status group by c.source, c.item_id)"
        " select i.source, substr(coalesce(e.at, i.closed_at), 1, 10) day, count(*) from items i"
        " left join entered e on e.source = i.source and e.item_id = i.id"
        " where i.status_category = 'done' and i.cancelled = 0 and i.type != 'pull_request'"
        " and coalesce(e.at, i.closed_at) >= ? and coalesce(e.at, i.closed_at) < ?"
        " group by 1, 2",
        [first_day, end_day],
    ).fetchall()
