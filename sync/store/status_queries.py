"""What ``tracker-sync status`` reads, on a read-only connection: each source's last pull, the
last runs, open findings counted by rule and severity, and acknowledgements in force. It never
creates, migrates or writes the store."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def read_status(path: str | os.PathLike[str], runs: int = 5) -> dict[str, Any]:
    """The store's state at a glance; the caller has checked it is a tracker-sync store."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        tables = {row[0] for row in conn.execute("select name from sqlite_master")}
        if "sources" not in tables:
            return {"sources": [], "runs": [], "findings": [], "acks": 0}
        sources = conn.execute(
            "select name, kind, last_run_status, last_run_at, last_error from sources order by name"
        ).fetchall()
        last_runs = conn.execute(
            "select id, started_at, finished_at, dry_run, as_of, status, exit_code from runs"
            " order by id desc limit ?",
            [runs],
        ).fetchall()
        findings = conn.execute(
            "select rule, severity, count(*) as open from findings where resolved_at is null"
            " group by rule, severity order by rule, severity"
        ).fetchall()
        acks = 0
        today = datetime.now(UTC).date().isoformat()
        if "acks" in tables:
            acks = conn.execute(
                "select count(*) from acks where until is null or until >= ?", [today]
            ).fetchone()[0]
        return {
            "sources": [dict(row) for row in sources],
            "runs": [dict(row) for row in last_runs],
            "findings": [dict(row) for row in findings],
            "acks": acks,
            "by_rule": _by_source_and_rule(conn, "acks" in tables, today),
        }
    finally:
        conn.close()


def _by_source_and_rule(
    conn: sqlite3.Connection, with_acks: bool, today: str
) -> list[dict[str, Any]]:
    """Per source and rule: open findings, how many of them are acknowledged, and how many
    were resolved in the last 7 days."""
    since = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S")
    acked = (
        "exists (select 1 from acks a where a.rule = f.rule and a.source = f.source"
        " and a.subject = f.subject and (a.until is null or a.until >= :today))"
        if with_acks
        else "0"
    )
    rows = conn.execute(
        "select f.source, f.rule, sum(f.resolved_at is null) as open,"
        f" sum(f.resolved_at is null and {acked}) as acknowledged,"
        " coalesce(sum(f.resolved_at >= :since), 0) as resolved from findings f"
        " group by f.source, f.rule order by f.source, f.rule",
        {"today": today, "since": since},
    ).fetchall()
    return [dict(row) for row in rows if row["open"] or row["resolved"]]


def source_names(path: str | os.PathLike[str]) -> list[str]:
    """The sources a store holds (an empty or new store holds none)."""
    file = Path(path)
    if not file.exists() or file.stat().st_size == 0:
        return []
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        tables = {row[0] for row in conn.execute("select name from sqlite_master")}
        if "sources" not in tables:
            return []
        return [row[0] for row in conn.execute("select name from sources order by name")]
    finally:
        conn.close()
