"""The SQL of the noise controls: ack commands read from the comments the pull stored, the
findings an ack covers, the acks and their events, the items an ignore label exempts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sync.store.clock import utc_now
from sync.store.store import Store
from sync.store.writeback_queries import ITEM_FINDINGS_SQL

COMMAND_PREFIX = "/tracker-sync"


def pending_commands(store: Store, source: str) -> list[dict[str, Any]]:
    """Human comments starting with the command word, not applied yet, oldest first."""
    return store.query(
        "select c.id, c.author, c.author_login, c.body, c.created_at, i.key as item"
        " from comments c join items i on i.source = c.source and i.id = c.item_id"
        " where c.source = ? and coalesce(c.is_own, 0) = 0 and ltrim(c.body) like ?"
        " and not exists (select 1 from ack_commands a where a.source = c.source"
        " and a.comment_id = c.id) order by c.created_at, c.id",
        [source, COMMAND_PREFIX + "%"],
    )


def mark_command(store: Store, source: str, comment_id: str, item: str, outcome: str) -> None:
    with store.transaction():
        store.db.execute(
            "insert or replace into ack_commands (source, comment_id, item, at, outcome)"
            " values (?, ?, ?, ?, ?)",
            [source, comment_id, item, utc_now(), outcome],
        )


def item_findings(store: Store, source: str, key: str) -> list[dict[str, Any]]:
    """The open findings shown on one item: its own, and its milestones' (on the tracking
    item, or on each open item of a milestone without one)."""
    rows = store.db.execute(
        f"select * from ({ITEM_FINDINGS_SQL}) where key = :key", {"source": source, "key": key}
    )
    names = [d[0] for d in rows.description]
    found = [dict(zip(names, row, strict=True)) for row in rows.fetchall()]
    for finding in found:
        if finding["subject_type"] == "milestone":  # the fan-out leaves its evidence apart
            finding["evidence"] = store.db.execute(
                "select evidence from findings where rule = ? and source = ? and subject = ?",
                [finding["rule"], finding["source"], finding["subject"]],
            ).fetchone()[0]
    return [_finding(finding) for finding in found]


def milestone_findings(store: Store, source: str, title: str) -> list[dict[str, Any]]:
    rows = store.query(
        "select * from findings where source = ? and subject_type = 'milestone'"
        " and subject = ? and resolved_at is null",
        [source, title],
    )
    return [_finding(row) for row in rows]


def _finding(row: dict[str, Any]) -> dict[str, Any]:
    row["evidence"] = json.loads(row.get("evidence") or "{}")
    return row


def subject_sources(store: Store, subject: str) -> dict[str, str]:
    """source -> "item" or "milestone", for every source knowing ``subject``."""
    found: dict[str, str] = {}
    for row in store.query(
        "select source, 'milestone' as kind from milestones where title = ?"
        " union select source, 'item' from items where key = ?",
        [subject, subject],
    ):
        found.setdefault(row["source"], row["kind"])
    return found


def save_ack_rows(store: Store, acks: Sequence[dict[str, Any]], events: Sequence[dict]) -> None:
    """Acks and their ``acknowledged`` events, at once."""
    with store.transaction():
        if acks:
            store.db["acks"].upsert_all(acks, pk=("rule", "source", "subject"))
        if events:
            store.db["finding_events"].insert_all(events)


def end_acks(store: Store, keys: Sequence[tuple[str, str, str]], events: Sequence[dict]) -> None:
    """Remove the acks (rule, source, subject) and record why, at once."""
    with store.transaction():
        for key in keys:
            store.db.execute(
                "delete from acks where rule = ? and source = ? and subject = ?", list(key)
            )
        if events:
            store.db["finding_events"].insert_all(events)


def acked_open_findings(store: Store, today: str) -> list[dict[str, Any]]:
    """Each running ack with the open finding it covers, as it is now."""
    rows = store.query(
        "select a.rule, a.source, a.subject, a.digest as acked_digest,"
        " a.severity as acked_severity, f.severity, f.evidence from acks a join findings f"
        " on f.rule = a.rule and f.source = a.source and f.subject = a.subject"
        " where f.resolved_at is null and a.until >= ?",
        [today],
    )
    return [_finding(row) for row in rows]


def running_acks(store: Store, today: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(rule, source, subject) -> the ack running on ``today``."""
    rows = store.query("select * from acks where until >= ?", [today])
    return {(r["rule"], r["source"], r["subject"]): r for r in rows}


def ignored_items(store: Store, labels: Sequence[str]) -> set[tuple[str, str]]:
    """(source, item key) of every item carrying one of ``labels``, case-insensitively."""
    if not labels:
        return set()
    folded = sorted({label.casefold() for label in labels})
    marks = ", ".join("?" * len(folded))
    rows = store.db.execute(
        "select distinct i.source, i.key from items i, json_each(i.labels) l"
        f" where json_valid(i.labels) and lower(l.value) in ({marks})",
        folded,
    )
    return {(row[0], row[1]) for row in rows}
