"""Writes of what the trackers hold: items (with the snapshot history the trackers do not
keep), comments, changes, links and milestones. A mixin of ``Store``: one job, one module."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from mapping.model import (
    WATCHED_FIELDS,
    ChangeRecord,
    CommentRecord,
    MappedItem,
    MilestoneRecord,
    shallow_row,
)
from sync.store.clock import utc_now


@dataclass
class PageCounts:
    changes: int = 0
    updated_ids: list[str] = field(default_factory=list)  # new, or updated since stored


class ItemWrites:
    def save_page(
        self,
        source: str,
        mapped: Sequence[MappedItem],
        *,
        history_fields: Collection[str],
        changes: Sequence[ChangeRecord] = (),
        comments: Sequence[CommentRecord] = (),
        own_author: str | None = None,
        cursors: dict[str, Any] | None = None,
    ) -> PageCounts:
        """Upsert a page of items with their links, history, comments and the cursor after
        them, in one transaction. An item whose watched fields changed since the last sync gets
        a snapshot, and a change record (origin ``snapshot``) for each changed field the tracker
        keeps no history of itself."""
        with self.transaction():
            counts = self._write_items(source, mapped, history_fields)
            counts.changes += self._write_changes(changes)
            self._write_comments(comments, own_author)
            self._write_cursors(source, cursors)
        return counts

    def updated_at_of(self, source: str, ids: Sequence[str]) -> dict[str, str]:
        """The stored ``updated_at`` of these items: which of a page are new or changed."""
        return {
            row["id"]: row["updated_at"] for row in self._existing_items(source, list(ids)).values()
        }

    def _write_items(
        self, source: str, mapped: Sequence[MappedItem], history_fields: Collection[str]
    ) -> PageCounts:
        counts = PageCounts()
        now = utc_now()
        existing = self._existing_items(source, [m.item.id for m in mapped])
        rows, snapshots, changes = [], [], []
        for entry in mapped:
            item = entry.item
            row = item.row()
            row["labels"] = json.dumps(item.labels, ensure_ascii=False)
            row["raw"] = json.dumps(item.raw, ensure_ascii=False)
            row["cancelled"] = int(item.cancelled)
            row["last_seen"] = now
            old = existing.get(item.id)
            row["first_seen"] = old["first_seen"] if old else now
            rows.append(row)
            if old is None or old["updated_at"] != row["updated_at"]:
                counts.updated_ids.append(item.id)
            if old is None or old["content_hash"] != row["content_hash"]:
                snapshots.append(_snapshot_row(source, item.id, row, now))
            if old is not None and old["content_hash"] != row["content_hash"]:
                changes.extend(_snapshot_changes(source, old, row, history_fields, now))
        if rows:
            self.db["items"].upsert_all(rows, pk=("source", "id"))
        if snapshots:
            self.db["item_snapshots"].insert_all(snapshots, ignore=True)
        self._replace_links(source, mapped)
        changes += self._replace_memberships(source, mapped, existing, history_fields, now)
        if changes:
            self.db["changes"].upsert_all(changes, pk=("source", "item_id", "change_id"))
        counts.changes = len(changes)
        return counts

    def _existing_items(self, source: str, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        columns = ", ".join(["id", "content_hash", "first_seen", "last_seen", "updated_at"])
        columns += ", " + ", ".join(WATCHED_FIELDS.values())
        marks = ", ".join("?" * len(ids))
        sql = f"select {columns} from items where source = ? and id in ({marks})"
        return {row["id"]: row for row in self.db.query(sql, [source, *ids])}

    def _replace_links(self, source: str, mapped: Sequence[MappedItem]) -> None:
        """An item's own links are what its latest version declares: drop the old set first."""
        ids = [m.item.id for m in mapped]
        if not ids:
            return
        marks = ", ".join("?" * len(ids))
        self.db.execute(
            f"delete from links where source = ? and item_id in ({marks})"
            " and type in ('parent', 'mentions')",
            [source, *ids],
        )
        links = [shallow_row(link) for m in mapped for link in m.links]
        if links:
            self.db["links"].insert_all(links, ignore=True)

    def _replace_memberships(
        self,
        source: str,
        mapped: Sequence[MappedItem],
        existing: dict[str, dict[str, Any]],
        history_fields: Collection[str],
        now: str,
    ) -> list[dict[str, Any]]:
        """Every milestone each item is in now (``item_milestones``), and the milestones only
        the items describe (Jira sprints). A join or leave the tracker keeps no history of is
        seen here as a snapshot difference and returned as a change to store."""
        ids = [m.item.id for m in mapped]
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        before: dict[str, set[tuple[str, str]]] = {}
        for item_id, milestone_id in self.db.execute(
            f"select item_id, milestone_id from item_milestones where source = ?"
            f" and item_id in ({marks})",
            [source, *ids],
        ):
            before.setdefault(item_id, set()).add(milestone_id)
        self.db.execute(
            f"delete from item_milestones where source = ? and item_id in ({marks})", [source, *ids]
        )
        rows = [
            {"source": source, "item_id": m.item.id, "milestone_id": milestone_id}
            for m in mapped
            for milestone_id, _ in m.memberships
        ]
        if rows:
            self.db["item_milestones"].insert_all(rows, ignore=True)
        discovered = {r.id: r for m in mapped for r in m.milestones}
        if discovered:
            self._write_milestones(source, list(discovered.values()))
        changes = []
        for entry in mapped:
            old = existing.get(entry.item.id)
            if old is None:
                continue  # created in its milestones: joined at its creation
            changes += _membership_changes(
                source, entry, before.get(entry.item.id, set()), old, history_fields, now
            )
        return changes

    # -- comments, changes, milestones, links -----------------------------------------------

    def save_comments(
        self,
        source: str,
        comments: Sequence[CommentRecord],
        *,
        own_author: str | None,
        cursors: dict[str, Any] | None = None,
    ) -> int:
        with self.transaction():
            count = self._write_comments(comments, own_author)
            self._write_cursors(source, cursors)
        return count

    def _write_comments(self, comments: Sequence[CommentRecord], own_author: str | None) -> int:
        rows = []
        for comment in comments:
            row = shallow_row(comment)
            row["raw"] = json.dumps(comment.raw, ensure_ascii=False)
            row["is_own"] = int(own_author is not None and comment.author == own_author)
            rows.append(row)
        if rows:
            self.db["comments"].upsert_all(rows, pk=("source", "id"))
        return len(rows)

    def delete_comment(self, source: str, comment_id: str) -> None:
        with self.transaction():
            self.db.execute(
                "delete from comments where source = ? and id = ?", [source, comment_id]
            )

    def save_changes(
        self,
        source: str,
        changes: Sequence[ChangeRecord],
        cursors: dict[str, Any] | None = None,
    ) -> int:
        with self.transaction():
            count = self._write_changes(changes)
            self._write_cursors(source, cursors)
        return count

    def _write_changes(self, changes: Sequence[ChangeRecord]) -> int:
        """Upsert change records; return how many were not stored before."""
        if not changes:
            return 0
        known: set[tuple[str, str, str]] = set()
        source = changes[0].source
        item_ids = sorted({c.item_id for c in changes})
        for start in range(0, len(item_ids), 500):
            batch = item_ids[start : start + 500]
            marks = ", ".join("?" * len(batch))
            known.update(
                (source, row["item_id"], row["change_id"])
                for row in self.db.query(
                    "select item_id, change_id from changes"
                    f" where source = ? and item_id in ({marks})",
                    [source, *batch],
                )
            )
        self.db["changes"].upsert_all(
            [shallow_row(c) for c in changes], pk=("source", "item_id", "change_id")
        )
        return sum(1 for c in changes if (c.source, c.item_id, c.change_id) not in known)

    def save_milestones(
        self,
        source: str,
        milestones: Sequence[MilestoneRecord],
        cursors: dict[str, Any] | None = None,
    ) -> int:
        """Upsert milestones, keeping the due date first seen: a moved due date is a slip."""
        with self.transaction():
            count = self._write_milestones(source, milestones)
            self._write_cursors(source, cursors)
        return count

    def _write_milestones(self, source: str, milestones: Sequence[MilestoneRecord]) -> int:
        now = utc_now()
        ids = [m.id for m in milestones]
        known: dict[str, dict[str, Any]] = {}
        if ids:
            marks = ", ".join("?" * len(ids))
            known = {
                row["id"]: row
                for row in self.db.query(
                    f"select id, first_due_date, first_seen from milestones"
                    f" where source = ? and id in ({marks})",
                    [source, *ids],
                )
            }
        rows = []
        for milestone in milestones:
            row = shallow_row(milestone)
            row["raw"] = json.dumps(milestone.raw, ensure_ascii=False)
            old = known.get(milestone.id)
            row["first_due_date"] = (
                old["first_due_date"] if old and old["first_due_date"] else milestone.due_date
            )
            row["first_seen"] = old["first_seen"] if old else now
            row["last_seen"] = now
            rows.append(row)
        if rows:
            self.db["milestones"].upsert_all(rows, pk=("source", "id"))
        return len(rows)


def _snapshot_row(source: str, item_id: str, row: dict[str, Any], seen_at: str) -> dict[str, Any]:
    snapshot = {name: row[attr] for name, attr in WATCHED_FIELDS.items()}
    return {
        "source": source,
        "id": item_id,
        "content_hash": row["content_hash"],
        **snapshot,
        "seen_at": seen_at,
    }


def _snapshot_changes(
    source: str,
    old: dict[str, Any],
    new: dict[str, Any],
    history_fields: Collection[str],
    now: str,
) -> list[dict[str, Any]]:
    """Changes seen only by comparing two syncs are dated at the item's ``updated_at`` when it
    lies between the two syncs, else at the later sync."""
    earlier = old.get("last_seen") or ""
    at = new["updated_at"] if earlier <= (new["updated_at"] or "") <= now else now
    changes = []
    for name, attr in WATCHED_FIELDS.items():
        if name in history_fields or old.get(attr) == new.get(attr):
            continue
        changes.append(
            {
                "source": source,
                "item_id": new["id"],
                "change_id": f"snapshot:{name}:{old['content_hash']}:{new['content_hash']}",
                "at": at,
                "author": None,
                "field": name,
                "from_value": _as_text(old.get(attr)),
                "to_value": _as_text(new.get(attr)),
                "origin": "snapshot",
            }
        )
    return changes


def _membership_changes(
    source: str,
    entry: MappedItem,
    before: set[str],
    old: dict[str, Any],
    history_fields: Collection[str],
    now: str,
) -> list[dict[str, Any]]:
    """Joins and leaves seen only by comparing two syncs, for the membership fields the
    tracker keeps no history of; dated as every snapshot difference is."""
    after = {milestone_id: name for milestone_id, name in entry.memberships}
    updated = entry.item.updated_at or ""
    at = updated if (old.get("last_seen") or "") <= updated <= now else now
    changes = []
    for milestone_id in sorted(before ^ set(after)):
        name = after.get(milestone_id) or (
            "sprint" if milestone_id.startswith("sprint-") else "milestone"
        )
        if name in history_fields:
            continue
        joined = milestone_id in after
        changes.append(
            {
                "source": source,
                "item_id": entry.item.id,
                "change_id": f"snapshot:{name}:{milestone_id}:{'+' if joined else '-'}:{at}",
                "at": at,
                "author": None,
                "field": name,
                "from_value": None if joined else milestone_id,
                "to_value": milestone_id if joined else None,
                "origin": "snapshot",
            }
        )
    return changes


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)
