"""What the chat digests read and write: the finding events since a channel's last message,
the milestones they belong to (with what a verdict needs), and the ``notifications`` log that
remembers every message attempt, so a digest is retried as composed and never sent twice."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sync.store.clock import utc_now

if TYPE_CHECKING:
    from sync.store.store import Store

CHANGES = ("opened", "reopened", "resolved")


def finding_changes(store: Store, after_event: int) -> list[dict[str, Any]]:
    """The findings opened, reopened or resolved after event ``after_event``: one row per
    finding (its latest change), with the milestone it is about or its item is in."""
    rows = store.query(
        "select e.id as event_id, e.event as change, e.rule, e.source, e.subject,"
        " f.subject_type, f.severity, f.summary, f.url,"
        " coalesce(m.id, mi.id) as milestone_id, coalesce(m.title, mi.title) as milestone,"
        " coalesce(m.url, mi.url) as milestone_url"
        " from finding_events e join findings f"
        " on f.rule = e.rule and f.source = e.source and f.subject = e.subject"
        " left join milestones m on f.subject_type = 'milestone'"
        " and m.source = f.source and m.id = f.subject_id"
        " left join items i on f.subject_type = 'item' and i.source = f.source"
        " and i.id = f.subject_id"
        " left join milestones mi on mi.source = i.source and mi.id = i.milestone_id"
        f" where e.id > ? and e.event in ({', '.join('?' * len(CHANGES))}) order by e.id",
        [after_event, *CHANGES],
    )
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        latest[(row["rule"], row["source"], row["subject"])] = row
    return sorted(latest.values(), key=lambda r: r["event_id"])


def milestone_facts(store: Store, source: str, milestone_id: str) -> dict[str, Any] | None:
    """One milestone as a verdict reads it: its dates, its open items (counted as the
    milestone rules count them) and the open findings on it or on its items."""
    found = store.query(
        "select m.source, m.id, m.title, m.url, m.due_date, m.first_due_date, m.state,"
        " (select count(*) from item_milestones im join items i"
        " on i.source = im.source and i.id = im.item_id"
        " where im.source = m.source and im.milestone_id = m.id"
        " and i.cancelled = 0 and i.type != 'pull_request' and i.status_category != 'done')"
        " as open_items from milestones m where m.source = ? and m.id = ?",
        [source, milestone_id],
    )
    if not found:
        return None
    facts = found[0]
    facts["findings"] = [
        {"rule": row["rule"], "evidence": json.loads(row["evidence"] or "{}")}
        for row in store.query(
            "select rule, evidence from findings where resolved_at is null and source = ?"
            " and ((subject_type = 'milestone' and subject_id = ?) or (subject_type = 'item'"
            " and subject_id in (select item_id from item_milestones"
            " where source = ? and milestone_id = ?)))",
            [source, milestone_id, source, milestone_id],
        )
    ]
    return facts


def channel_watermark(store: Store, channel: str) -> int | None:
    """The newest event a digest of ``channel`` has covered (sent, failed or deferred: a
    failed one is retried as it was, so the next digest starts after it); None before the
    channel's first message."""
    row = store.query(
        "select max(last_event) as n from notifications where channel = ?", [channel]
    )[0]
    return row["n"]


def pending_messages(store: Store, channel: str) -> list[dict[str, Any]]:
    """Digests of ``channel`` whose latest attempt failed or was deferred and that were never
    sent: to be tried again, oldest first."""
    return store.query(
        "select n.digest, n.kind, n.trigger, n.message, n.last_event, n.verdicts"
        " from notifications n where n.channel = ? and n.id = (select max(id)"
        " from notifications o where o.channel = n.channel and o.digest = n.digest)"
        " and n.status in ('failed', 'deferred') and not exists (select 1 from notifications s"
        " where s.channel = n.channel and s.digest = n.digest and s.status = 'sent')"
        " order by n.id",
        [channel],
    )


def digest_was_sent(store: Store, channel: str, digest: str) -> bool:
    return bool(
        store.query(
            "select 1 from notifications where channel = ? and digest = ? and status = 'sent'",
            [channel, digest],
        )
    )


def last_verdicts(store: Store, channel: str) -> dict[str, str]:
    """The milestone verdicts the channel's messages have told so far (newest wins)."""
    told: dict[str, str] = {}
    for row in store.query(
        "select verdicts from notifications where channel = ? and verdicts is not null order by id",
        [channel],
    ):
        told.update(json.loads(row["verdicts"]))
    return told


def attempts_since(store: Store, channel: str, since: str) -> int:
    """Messages posted to ``channel`` at or after ``since`` (for its rate limit)."""
    return store.query(
        "select count(*) as n from notifications where channel = ? and at >= ?"
        " and status in ('sent', 'failed')",
        [channel, since],
    )[0]["n"]


def daily_done_since(store: Store, channel: str, since: str) -> bool:
    """Whether a daily digest of ``channel`` was composed at or after ``since``."""
    return bool(
        store.query(
            "select 1 from notifications where channel = ? and trigger = 'daily' and at >= ?",
            [channel, since],
        )
    )


def record_notification(store: Store, row: dict[str, Any]) -> None:
    """One message attempt (sent, failed, deferred or skipped as a duplicate)."""
    with store.transaction() as db:
        db["notifications"].insert({"at": utc_now(), "error": None, **row})
