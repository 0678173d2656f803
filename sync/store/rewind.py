"""The items as they were at the end of an as-of day, for the rules: a connection-private
``temp.items`` that shadows the real table (SQLite looks in ``temp`` first), so every rule query
reads the past unchanged. Items created later are left out; an item with history after the
moment gets back the status, labels and milestone that history gives for it (the earliest
later change's "from" side; labels replayed backwards), and the status category that status
has in its source. Nothing is built when nothing changed after the moment: the common run
pays a few indexed looks."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sync.store.milestone_queries import MEMBERSHIP_FIELDS
from sync.store.store import Store

REWOUND_FIELDS = ("status", "state", "labels", *MEMBERSHIP_FIELDS)


def rewind_items(store: Store, cutoff: str, doing_labels: Sequence[str]) -> bool:
    """Shadow ``items`` with their state at ``cutoff``, and ``item_milestones`` with the
    memberships of then; False (nothing built) when none of their status, labels, milestones
    or sprints changed from then on."""
    db = store.db.conn
    # the newest change of each source and field, read off the (source, field, at) index; the
    # rule queries leave out items created later by themselves
    later = any(
        (
            db.execute(
                "select max(at) from main.changes where source = ? and field = ?", [source, field]
            ).fetchone()[0]
            or ""
        )
        >= cutoff
        for (source,) in db.execute("select name from main.sources").fetchall()
        for field in REWOUND_FIELDS
    )
    if not later:
        return False
    db.execute("drop table if exists temp.items")
    db.execute("create temp table items as select * from main.items where created_at < ?", [cutoff])
    for columns in (("source", "id"), ("key",), ("url",), ("source", "milestone_id")):
        name = "rewound_" + "_".join(columns)
        db.execute(f"create index temp.{name} on items ({', '.join(columns)})")
    # the covering index the milestone queries name (INDEXED BY) must exist on the shadow too
    covering = [row[2] for row in db.execute("pragma main.index_info(idx_items_without_payloads)")]
    if covering:
        db.execute(f"create index temp.idx_items_without_payloads on items ({', '.join(covering)})")
    updates = [_rewound(row, later_rows) for row, later_rows in _later_history(db, cutoff)]
    categories = _categories(db)
    doing = {label.casefold() for label in doing_labels}
    titles = {
        (source, title): milestone_id
        for source, milestone_id, title in db.execute("select source, id, title from milestones")
    }
    for item in updates:
        if "milestone_title" in item:
            title = item["milestone_title"]
            item["milestone_id"] = titles.get((item["source"], title)) if title else None
    db.executemany(
        "update temp.items set status = ?, status_category = ?, labels = ?, milestone_id = ?,"
        " closed_at = case when ? = 'done' then closed_at end where source = ? and id = ?",
        [_with_category(u, categories, doing) for u in updates],
    )
    _rewind_memberships(db, cutoff)
    db.commit()
    return True


def _rewind_memberships(db: Any, cutoff: str) -> None:
    """``item_milestones`` as it was: the later joins undone and the later leaves restored,
    newest first; items created later left out. A change names its milestone or sprint by
    id or by title (as the scope rule reads them)."""
    db.execute("drop table if exists temp.item_milestones")
    db.execute(
        "create temp table item_milestones as select m.* from main.item_milestones m"
        " join temp.items i on i.source = m.source and i.id = m.item_id"
    )
    db.execute(
        "create unique index temp.rewound_memberships"
        " on item_milestones (source, item_id, milestone_id)"
    )
    db.execute("create index temp.rewound_members on item_milestones (source, milestone_id)")
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, milestone_id, title in db.execute("select source, id, title from main.milestones"):
        ids[(source, milestone_id)].add(milestone_id)
        ids[(source, title)].add(milestone_id)
    marks = ", ".join("?" * len(MEMBERSHIP_FIELDS))
    later = db.execute(
        "select c.source, c.item_id, c.from_value, c.to_value from main.changes c"
        " join temp.items i on i.source = c.source and i.id = c.item_id"
        f" where c.at >= ? and c.field in ({marks}) order by c.at desc, c.change_id desc",
        [cutoff, *MEMBERSHIP_FIELDS],
    ).fetchall()
    for source, item_id, left, joined in later:
        for milestone_id in ids.get((source, joined), ()) if joined else ():
            db.execute(
                "delete from temp.item_milestones"
                " where source = ? and item_id = ? and milestone_id = ?",
                [source, item_id, milestone_id],
            )
        for milestone_id in ids.get((source, left), ()) if left else ():
            db.execute(
                "insert or ignore into temp.item_milestones (source, item_id, milestone_id)"
                " values (?, ?, ?)",
                [source, item_id, milestone_id],
            )


def drop_rewound(store: Store) -> None:
    store.db.conn.execute("drop table if exists temp.items")
    store.db.conn.execute("drop table if exists temp.item_milestones")


def _later_history(db: Any, cutoff: str) -> list[tuple[dict[str, Any], list[tuple]]]:
    """Each item with watched history after the moment, and those changes, newest first."""
    history: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in db.execute(
        "select c.source, c.item_id, c.field, c.from_value, c.to_value from main.changes c"
        " join temp.items i on i.source = c.source and i.id = c.item_id"
        " where c.at >= ? and c.field in ('status', 'state', 'labels', 'milestone')"
        " order by c.at desc, c.change_id desc",
        [cutoff],
    ):
        history[(row[0], row[1])].append(row[2:])
    items = []
    for (source, item_id), rows in history.items():
        cursor = db.execute(
            "select source, id, status, labels, milestone_id, type from temp.items"
            " where source = ? and id = ?",
            [source, item_id],
        )
        names = [d[0] for d in cursor.description]
        items.append((dict(zip(names, cursor.fetchone(), strict=True)), rows))
    return items


def _rewound(item: dict[str, Any], later: list[tuple]) -> dict[str, Any]:
    """Undo the later changes, newest first: what is left is the state at the moment."""
    labels = set(json.loads(item["labels"] or "[]"))
    for field, from_value, to_value in later:
        if field == "labels":
            labels.difference_update({to_value} - {None})
            labels.update({from_value} - {None})
        elif field == "status" or (field == "state" and from_value == "open"):
            item["status"] = from_value or item["status"]
        elif field == "state" and not str(item["status"]).startswith("closed"):
            item["status"] = "closed"
        elif field == "milestone":
            item["milestone_title"] = from_value
    item["labels"] = json.dumps(sorted(labels), ensure_ascii=False)
    return item


def _categories(db: Any) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, status, category in db.execute(
        "select distinct source, status, status_category from main.items"
    ):
        found[(source, status)].add(category)
    return found


def _with_category(
    item: dict[str, Any], categories: dict[tuple[str, str], set[str]], doing: set[str]
) -> tuple:
    """The category of the status at the moment; an open GitHub issue (todo or doing by its
    labels) is doing when it then carried a doing label, as its mapping says."""
    status = str(item["status"])
    known = categories.get((item["source"], status), set())
    if status.startswith("closed"):
        category = "done"
    elif len(known) == 1:
        category = next(iter(known))
    elif item["type"] == "pull_request" or doing & {
        label.casefold() for label in json.loads(item["labels"])
    }:
        category = "doing"
    else:
        category = "todo"
    return (
        status,
        category,
        item["labels"],
        item["milestone_id"],
        category,
        item["source"],
        item["id"],
    )
