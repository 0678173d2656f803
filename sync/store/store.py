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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from sync.store.clock import utc_now
from sync.store.findings import FindingWrites
from sync.store.items import ItemWrites
from sync.store.migrations import migrations

BUSY_TIMEOUT_MS = 30_000


class Store(ItemWrites, FindingWrites):
    """One connection to the store; open one per thread. Its writes are grouped by subject in
    the mixins it is made of (``items``, ``findings``); the connection, sources, runs and
    working sets are here."""

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
        fill_temp_table(self.db, name, columns, rows)

    def fill_temp_table_from(
        self, name: str, columns: str, select: str, params: Sequence[Any] = ()
    ) -> None:
        """A working set filled by a query, without a round trip through Python."""
        self.db.execute(f"create temp table if not exists {name} ({columns})")
        with self.db.conn:  # the temp schema only: no write lock on the store
            self.db.execute(f"delete from {name}")
            self.db.execute(f"insert into {name} {select}", list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, list(params)))


def fill_temp_table(db: Database, name: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
    """A connection-private table of keys to join against (the rules' working sets). It lives
    in the connection's temp schema, so it takes no write lock and works on a read-only store
    (the status report computes scope the way the scope_creep rule does)."""
    db.execute(f"create temp table if not exists {name} ({columns})")
    with db.conn:
        db.execute(f"delete from {name}")
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            db.conn.executemany(f"insert into {name} values ({marks})", rows)


def on_own_connection(path: str | os.PathLike[str], work: Callable[..., Any], *args: Any) -> Any:
    """``work(store, *args)`` on a connection of its own, closed after: a thread's share of
    the rules (SQLite releases the GIL while it works, so connections run in parallel)."""
    store = Store(path)
    try:
        return work(store, *args)
    finally:
        store.close()


def create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite opens it: it holds
    clients' requirements. An existing file keeps the mode its owner chose."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
