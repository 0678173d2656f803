"""What the operator-experience tests share: a config file from source dicts, the writes a
sandbox received, and "one line on stderr, no traceback"."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sandbox.demo.trackers import config_toml

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def config_file(
    tmp_path: Path, *sources: dict, settings: dict | None = None, db: Path | None = None
) -> str:
    config: dict[str, Any] = {**(settings or {}), "sources": list(sources)}
    path = tmp_path / "config.toml"
    path.write_text(config_toml(config, store_path=str(db or tmp_path / "store.db")))
    return str(path)


def writes_to(sandbox: Any) -> list[Any]:
    """Requests that change a tracker (a read sent as POST, like Jira's search, is not one)."""
    reads = getattr(sandbox, "reads_sent_as_post", ())
    return [
        r
        for r in sandbox.log
        if r.method in WRITE_METHODS and not any(r.path.endswith(p) for p in reads)
    ]


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def table(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
