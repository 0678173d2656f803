"""The queries the status report reads, on a store opened read-only: the report may run beside
a sync, or over shards mounted read-only, and must never change a store it reads."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlite_utils import Database

from sync.store.rule_queries import LABEL_LIKE, label_like
from sync.store.store import fill_temp_table


class StoreUnreadable(Exception):
    """The path is missing, unreadable or not a tracker-sync store: one line, exit 2."""


class ReadOnlyStore:
    """A connection with SQLite's ``mode=ro``: no migration, no WAL switch, no write. A shard
    on a read-only volume in WAL mode whose ``-shm`` cannot be created is opened immutable."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreUnreadable(f"store {self.path}: no such file")
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        try:
            self.db = self._open(uri)
        except sqlite3.OperationalError:
            try:
                self.db = self._open(uri + "&immutable=1")
            except sqlite3.DatabaseError as exc:
                raise StoreUnreadable(f"store {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreUnreadable(f"store {self.path}: {exc}") from None

    @staticmethod
    def _open(uri: str) -> Database:
        conn = sqlite3.connect(uri, uri=True)
        tables = {row[0] for row in conn.execute("select name from sqlite_master")}
        if not {"items", "milestones", "findings", "sources"} <= tables:
            conn.close()
            raise sqlite3.DatabaseError("not a tracker-sync store")
        return Database(conn)

    def fill_temp_table(self, name: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        fill_temp_table(self.db, name, columns, rows)

    def has_table(self, name: str) -> bool:
        return bool(
            self.db.execute("select 1 from sqlite_master where name = ?", [name]).fetchone()
        )

    def close(self) -> None:
        self.db.close()


def source_rows(store: ReadOnlyStore) -> list[tuple]:
    """(name, kind, last run status, last run at) per source."""
    return store.db.execute(
        "select name, kind, last_run_status, last_run_at from sources order by name"
    ).fetchall()


def milestone_rows(store: ReadOnlyStore) -> list[tuple]:
    """Open milestones: (source, id, title, url, start_date, due_date, first_due_date)."""
    return store.db.execute(
        "select source, id, title, url, start_date, due_date, first_due_date from milestones"
        " where state = 'open' order by source, id"
    ).fetchall()


def member_rows(
    store: ReadOnlyStore, tracking_label: str, prefix: str, suffix: str, cutoff: str
) -> list[tuple]:
    """Every counted member of every open milestone, as the milestone rules count them (no pull
    request, no cancelled item, no tracking item, created before ``cutoff``): (source,
    milestone id, key, kind, status category, created_at, closed_at). Membership is
    ``item_milestones`` for a source that has rows there, else ``items.milestone_id``."""
    member_source = (
        "select source, item_id, milestone_id from item_milestones"
        " union all select i.source, i.id, i.milestone_id from items i"
        " where i.milestone_id is not null and not exists"
        " (select 1 from item_milestones x where x.source = i.source)"
        if store.has_table("item_milestones")
        else "select source, id, milestone_id from items where milestone_id is not null"
    )
    return store.db.execute(
        f"with membership(source, item_id, milestone_id) as ({member_source})"
        " select i.source, mb.milestone_id, i.key, i.kind, i.status_category, i.created_at,"
        " i.closed_at from membership mb"
        " join milestones m on m.source = mb.source and m.id = mb.milestone_id"
        " join items i on i.source = mb.source and i.id = mb.item_id"
        " where m.state = 'open' and i.type != 'pull_request' and i.cancelled = 0"
        f" and i.created_at < ? and not (i.labels {LABEL_LIKE} or i.title = ? || m.title || ?)",
        [cutoff, label_like(tracking_label), prefix, suffix],
    ).fetchall()


def due_change_rows(store: ReadOnlyStore, cutoff: str) -> list[tuple]:
    """Due-date changes recorded on milestones that are work items themselves (PingCode):
    (source, milestone id, at, author, from, to)."""
    return store.db.execute(
        "select c.source, c.item_id, c.at, c.author, c.from_value, c.to_value from changes c"
        " join milestones m on m.source = c.source and m.id = c.item_id"
        " where c.field = 'due_date' and c.at < ? order by c.at",
        [cutoff],
    ).fetchall()


def open_finding_rows(store: ReadOnlyStore) -> list[tuple]:
    """Open findings: (rule, source, subject, subject_type, subject_id, severity, summary,
    evidence JSON, url, first_seen)."""
    return store.db.execute(
        "select rule, source, subject, subject_type, subject_id, severity, summary, evidence,"
        " url, first_seen from findings where resolved_at is null order by rule, source, subject"
    ).fetchall()


def ack_rows(store: ReadOnlyStore) -> list[tuple]:
    """(rule, source, subject, by, at, until, reason, origin); none in a store without acks."""
    if not store.has_table("acks"):
        return []
    return store.db.execute(
        'select rule, source, subject, "by", at, until, reason, origin from acks'
        " order by source, subject, rule"
    ).fetchall()


def item_title_rows(store: ReadOnlyStore, keys: list[str]) -> dict[str, tuple[str, str]]:
    """key → (title, url) for the items the report names."""
    if not keys:
        return {}
    rows = store.db.execute(
        "select key, title, url from items where key in (select value from json_each(?))",
        [json.dumps(keys)],
    ).fetchall()
    return {key: (title, url) for key, title, url in rows}
