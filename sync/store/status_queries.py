"""What ``tracker-sync status`` reads, on a read-only connection: each source's last pull, the
last runs, open findings counted by rule and severity, and acknowledgements in force. It never
creates, migrates or writes the store."""

from __future__ import annotations

import os
import sqlite3
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
        if "acks" in tables:
            acks = conn.execute("select count(*) from acks").fetchone()[0]
        return {
            "sources": [dict(row) for row in sources],
            "runs": [dict(row) for row in last_runs],
            "findings": [dict(row) for row in findings],
            "acks": acks,
        }
    finally:
        conn.close()


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
