"""The normalized SQLite store: the only module that talks to sqlite-utils.

A page of records and the cursor that follows it commit in one transaction, so a run killed at
any point resumes where it stopped. Raw payloads are kept beside the records so they can be
re-mapped without a re-pull. History the trackers do not keep (body edits) is derived here, by
comparing a new version of an item with the stored one.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from mapping.model import (
    WATCHED_FIELDS,
    ChangeRecord,
    CommentRecord,
    MappedItem,
    MilestoneRecord,
    shallow_row,
)
from sync.store.migrations import migrations

BUSY_TIMEOUT_MS = 30_000


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class PageCounts:
    changes: int = 0
    updated_ids: list[str] = field(default_factory=list)  # new, or updated since stored


class Store:
    """One connection to the store; open one per thread."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        create_private_file(self.path)
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
        self.db = Database(conn)
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        # The rules scan the items (milestones, throughput) and seek through every open
        # requirement's history: a 16 MiB page cache per connection, not SQLite's 2 MiB.
        self.db.execute("PRAGMA cache_size = -16384")
        with self._migration_lock():
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """Two threads opening a new store at once must not both create the tables."""
        import fcntl

        with open(f"{self.path}.migrate-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN IMMEDIATE: take the write lock up front, so concurrent sources wait for each
        other instead of failing a read-then-write upgrade with SQLITE_BUSY."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()

    # -- sources and cursors --------------------------------------------------------------

    def ensure_source(self, name: str, kind: str, base_url: str) -> None:
        with self.transaction():
            table = self.db["sources"]
            if table.count_where("name = ?", [name]):
                table.update(name, {"kind": kind, "base_url": base_url})
            else:
                table.insert({"name": name, "kind": kind, "base_url": base_url, "cursors": "{}"})

    def cursors(self, name: str) -> dict[str, Any]:
        row = self._source_row(name)
        return json.loads(row.get("cursors") or "{}") if row else {}

    def identity(self, name: str) -> dict[str, Any]:
        row = self._source_row(name)
        return json.loads(row.get("identity") or "{}") if row else {}

    def _source_row(self, name: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from sources where name = ?", [name]))
        return rows[0] if rows else None

    def _write_cursors(self, source: str, cursors: dict[str, Any] | None) -> None:
        if cursors is not None:
            self.db["sources"].update(source, {"cursors": json.dumps(cursors, sort_keys=True)})

    def save_cursors(self, source: str, cursors: dict[str, Any]) -> None:
        with self.transaction():
            self._write_cursors(source, cursors)

    def save_identity(self, source: str, identity: dict[str, Any]) -> None:
        with self.transaction():
            self.db["sources"].update(source, {"identity": json.dumps(identity, sort_keys=True)})

    def record_source_status(self, source: str, status: str, error: str | None) -> None:
        with self.transaction():
            self.db["sources"].update(
                source, {"last_run_status": status, "last_run_at": utc_now(), "last_error": error}
            )

    # -- items, with snapshot history -----------------------------------------------------

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
        if changes:
            self.db["changes"].upsert_all(changes, pk=("source", "item_id", "change_id"))
        self._replace_links(source, mapped)
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
        now = utc_now()
        with self.transaction():
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
            self._write_cursors(source, cursors)
        return len(rows)

    # -- findings -------------------------------------------------------------------------

    def save_findings(self, findings: Iterable[Any], rules: Collection[str]) -> dict[str, int]:
        """Record this evaluation: new findings are inserted, returning ones updated (and
        reopened when they had been resolved), and open findings of the evaluated ``rules``
        that are gone are resolved, never deleted. The findings are taken as the rules yield
        them, into a connection-private table, before the write lock is taken."""
        self.db.execute(
            "create temp table if not exists run_findings (rule text, source text, subject text,"
            " subject_type text, subject_id text, url text, severity text, summary text,"
            " evidence text, primary key (rule, source, subject))"
        )
        conn = self.db.conn
        conn.execute("delete from run_findings")
        conn.commit()  # each write to the temp table is committed at once: the rules may
        # fill their own temp tables (BEGIN IMMEDIATE) between two batches
        insert = "insert or replace into run_findings values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        for batch in _batches(findings, 1000):
            conn.executemany(
                insert,
                [
                    (
                        finding.rule,
                        finding.source,
                        finding.subject,
                        finding.subject_type,
                        finding.subject_id,
                        finding.url,
                        finding.severity,
                        finding.summary,
                        json.dumps(finding.evidence, ensure_ascii=False, sort_keys=True),
                    )
                    for finding in batch
                ],
            )
            conn.commit()
        now = utc_now()
        marks = ", ".join("?" * len(rules)) or "null"
        with self.transaction():
            opened, new, reopened = conn.execute(
                "select count(*), count(*) - count(f.rule), count(f.resolved_at)"
                " from run_findings r left join findings f"
                " on f.rule = r.rule and f.source = r.source and f.subject = r.subject"
            ).fetchone()
            conn.execute(
                "insert into findings (rule, source, subject, subject_type, subject_id, url,"
                " severity, summary, evidence, first_seen, last_seen, resolved_at)"
                " select rule, source, subject, subject_type, subject_id, url, severity, summary,"
                " evidence, ?, ?, null from run_findings where true"
                " on conflict (rule, source, subject) do update set"
                " subject_type = excluded.subject_type, subject_id = excluded.subject_id,"
                " url = excluded.url, severity = excluded.severity, summary = excluded.summary,"
                " evidence = excluded.evidence, last_seen = excluded.last_seen, resolved_at = null",
                [now, now],
            )
            resolved = conn.execute(
                "update findings set resolved_at = ? where resolved_at is null"
                f" and rule in ({marks}) and not exists (select 1 from run_findings r"
                " where r.rule = findings.rule and r.source = findings.source"
                " and r.subject = findings.subject)",
                [now, *rules],
            ).rowcount
        return {"new": new, "open": opened, "reopened": reopened, "resolved": resolved}

    def open_findings(
        self, rules: Collection[str], severity_order: dict[str, int]
    ) -> Iterator[dict[str, Any]]:
        """The unresolved findings of ``rules``: by severity (as ranked by ``severity_order``,
        unknown ones last), then source, rule and subject."""
        marks = ", ".join("?" * len(rules)) or "null"
        ranks = " ".join("when ? then ?" for _ in severity_order)
        cursor = self.db.execute(
            "select rule, source, subject_type, subject, subject_id, severity, summary, evidence,"
            f" url from findings where resolved_at is null and rule in ({marks}) order by"
            f" case severity {ranks} else {len(severity_order)} end, source, rule, subject",
            [*rules, *(value for pair in severity_order.items() for value in pair)],
        )
        names = [d[0] for d in cursor.description]
        for row in cursor:
            finding = dict(zip(names, row, strict=True))
            finding["evidence"] = json.loads(finding["evidence"] or "{}")
            yield finding

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, *, dry_run: bool, as_of: str | None) -> int:
        with self.transaction():
            table = self.db["runs"].insert(
                {
                    "started_at": utc_now(),
                    "dry_run": int(dry_run),
                    "as_of": as_of,
                    "status": "running",
                }
            )
        return int(table.last_pk)

    def finish_run(self, run_id: int, *, status: str, exit_code: int, stats: Any) -> None:
        with self.transaction():
            self.db["runs"].update(
                run_id,
                {
                    "finished_at": utc_now(),
                    "status": status,
                    "exit_code": exit_code,
                    "stats": json.dumps(stats, ensure_ascii=False),
                },
            )

    def fill_temp_table(self, name: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        """A connection-private table of keys to join against (the rules' working sets)."""
        self.db.execute(f"create temp table if not exists {name} ({columns})")
        with self.transaction():
            self.db.execute(f"delete from {name}")
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                self.db.conn.executemany(f"insert into {name} values ({marks})", rows)

    def fill_temp_table_from(
        self, name: str, columns: str, select: str, params: Sequence[Any] = ()
    ) -> None:
        """The same, filled by a query, without a round trip through Python."""
        self.db.execute(f"create temp table if not exists {name} ({columns})")
        with self.transaction():
            self.db.execute(f"delete from {name}")
            self.db.execute(f"insert into {name} {select}", list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, list(params)))


def on_own_connection(path: str | os.PathLike[str], work: Callable[..., Any], *args: Any) -> Any:
    """``work(store, *args)`` on a connection of its own, closed after: a thread's share of
    the rules (SQLite releases the GIL while it works, so connections run in parallel)."""
    store = Store(path)
    try:
        return work(store, *args)
    finally:
        store.close()


def _batches(values: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``itertools.batched`` of Python 3.12."""
    it = iter(values)
    while batch := list(islice(it, size)):
        yield batch


def create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite opens it: it holds
    clients' requirements. An existing file keeps the mode its owner chose."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


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


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)
