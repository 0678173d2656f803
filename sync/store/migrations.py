"""The store's schema, one migration per change, applied in order by sqlite-utils."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("tracker-sync")


@migrations()
def m001_initial(db: Database) -> None:
    db["sources"].create(
        {
            "name": str,
            "kind": str,
            "base_url": str,
            "cursors": str,
            "identity": str,
            "last_run_status": str,
            "last_run_at": str,
            "last_error": str,
        },
        pk="name",
    )
    db["items"].create(
        {
            "source": str,
            "id": str,
            "key": str,
            "url": str,
            "kind": str,
            "type": str,
            "title": str,
            "body": str,
            "acceptance": str,
            "status": str,
            "status_category": str,
            "cancelled": int,
            "closed_at": str,
            "assignee": str,
            "reporter": str,
            "labels": str,
            "priority": str,
            "estimate": float,
            "due_date": str,
            "milestone_id": str,
            "parent_key": str,
            "created_at": str,
            "updated_at": str,
            "content_hash": str,
            "raw": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk=("source", "id"),
    )
    db["items"].create_index(["key"])
    db["items"].create_index(["source", "milestone_id"])
    db["item_snapshots"].create(
        {
            "source": str,
            "id": str,
            "content_hash": str,
            "title": str,
            "description": str,
            "acceptance": str,
            "estimate": float,
            "due_date": str,
            "milestone": str,
            "seen_at": str,
        },
        pk=("source", "id", "content_hash"),
    )
    db["changes"].create(
        {
            "source": str,
            "item_id": str,
            "change_id": str,
            "at": str,
            "author": str,
            "field": str,
            "from_value": str,
            "to_value": str,
            "origin": str,
        },
        pk=("source", "item_id", "change_id"),
    )
    db["changes"].create_index(["source", "field", "at"])
    db["comments"].create(
        {
            "source": str,
            "id": str,
            "item_id": str,
            "author": str,
            "author_login": str,
            "body": str,
            "created_at": str,
            "updated_at": str,
            "is_own": int,
            "raw": str,
        },
        pk=("source", "id"),
    )
    db["comments"].create_index(["source", "item_id"])
    db["links"].create(
        {"source": str, "item_id": str, "target_key": str, "type": str},
        pk=("source", "item_id", "target_key", "type"),
    )
    db["links"].create_index(["target_key"])
    db["milestones"].create(
        {
            "source": str,
            "id": str,
            "kind": str,
            "title": str,
            "start_date": str,
            "due_date": str,
            "first_due_date": str,
            "state": str,
            "closed_at": str,
            "url": str,
            "raw": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk=("source", "id"),
    )
    db["findings"].create(
        {
            "rule": str,
            "source": str,
            "subject": str,
            "subject_type": str,
            "severity": str,
            "summary": str,
            "evidence": str,
            "first_seen": str,
            "last_seen": str,
            "resolved_at": str,
        },
        pk=("rule", "source", "subject"),
    )
    db["runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "dry_run": int,
            "as_of": str,
            "status": str,
            "exit_code": int,
            "stats": str,
        },
        pk="id",
    )


@migrations()
def m002_finding_subjects(db: Database) -> None:
    """Findings keep the subject's id and URL beside its key or title, for the write-back."""
    db["findings"].add_column("subject_id", str)
    db["findings"].add_column("url", str)


@migrations()
def m003_items_without_payloads(db: Database) -> None:
    """Every items column but the tracker's payload and the body, in one index: the rules and
    the write-back plan scan and join items by these alone, and a real payload (4 KB and up)
    makes each row a page of its own. From a cold cache the rules over 100k items took
    2.3-2.6 s reading the table, 1.5 s reading this index (12 MB)."""
    db["items"].create_index(
        [
            "source",
            "id",
            "key",
            "kind",
            "status_category",
            "type",
            "created_at",
            "closed_at",
            "cancelled",
            "milestone_id",
            "status",
            "labels",
            "title",
            "url",
            "first_seen",
        ],
        index_name="idx_items_without_payloads",
    )


@migrations()
def m004_history_acks_and_audit(db: Database) -> None:
    """The tables this round's issues fill, created once so each lands on the same schema:
    every milestone an item is in now; the history of each finding; acknowledgements; the
    audit log of every write to a tracker; every chat message sent or refused."""
    db["item_milestones"].create(
        {"source": str, "item_id": str, "milestone_id": str},
        pk=("source", "item_id", "milestone_id"),
    )
    db["item_milestones"].create_index(["source", "milestone_id"])
    db["finding_events"].create(
        {
            "id": int,
            "rule": str,
            "source": str,
            "subject": str,
            "event": str,  # opened | changed | acknowledged | reopened | resolved
            "at": str,
            "run_id": int,
            "by": str,
            "detail": str,
        },
        pk="id",
    )
    db["finding_events"].create_index(["rule", "source", "subject"])
    db["acks"].create(
        {
            "rule": str,
            "source": str,
            "subject": str,
            "by": str,
            "at": str,
            "until": str,
            "reason": str,
            "origin": str,  # comment | cli | deleted_comment
            "digest": str,
        },
        pk=("rule", "source", "subject"),
    )
    db["writes"].create(
        {
            "id": int,
            "run_id": int,
            "source": str,
            "item": str,
            "action": str,
            "comment_id": str,
            "digest": str,
            "status": str,  # done | failed | planned | deferred | intent
            "error": str,
            "at": str,
        },
        pk="id",
    )
    db["writes"].create_index(["source", "item"])
    db["notifications"].create(
        {"id": int, "channel": str, "at": str, "digest": str, "status": str, "error": str},
        pk="id",
    )
    db["notifications"].create_index(["channel", "at"])


@migrations()
def m005_i20_notification_messages(db: Database) -> None:
    """A chat message is retried as it was composed, so its (unsigned) body is kept beside
    its digest; ``last_event`` is the newest finding event it covers (the next digest starts
    after it), ``trigger`` why it was sent, ``verdicts`` the milestone verdicts it told."""
    db["notifications"].add_column("kind", str)
    db["notifications"].add_column("trigger", str)
    db["notifications"].add_column("message", str)
    db["notifications"].add_column("last_event", int)
    db["notifications"].add_column("verdicts", str)


@migrations()
def m005_i15_shown_forecasts(db: Database) -> None:
    """The forecast dates a comment last showed for each milestone: a forecast is rewritten
    only when its P85 moves by ``forecast_update_days`` or its severity changes."""
    db["shown_forecasts"].create(
        {"source": str, "subject": str, "p50": str, "p85": str, "severity": str},
        pk=("source", "subject"),
    )


@migrations()
def m005_i15_write_covers(db: Database) -> None:
    """Which findings (rule, subject, digest) each written comment showed: a person deleting
    that comment acknowledges exactly those."""
    db["writes"].add_column("covers", str)


@migrations()
def m005_i14_item_urls(db: Database) -> None:
    """Items found by URL: a PingCode work item URL pasted in another item names it."""
    db["items"].create_index(["url"], index_name="idx_items_url", if_not_exists=True)


@migrations()
def m006_i17_ack_commands(db: Database) -> None:
    """Each ``/tracker-sync ack|unack`` comment is applied once: its id is remembered with
    what came of it. An ack keeps the severity it acknowledged (a higher one reopens it) and
    the days asked for (more than 90 are held to 90, and the comment says so)."""
    db["ack_commands"].create(
        {"source": str, "comment_id": str, "item": str, "at": str, "outcome": str},
        pk=("source", "comment_id"),
    )
    db["acks"].add_column("severity", str)
    db["acks"].add_column("asked_days", int)


@migrations()
def m005_i18_backfill_item_milestones(db: Database) -> None:
    """Items stored before memberships were kept are in their delivery milestone until their
    next pull says more: the milestone rules count them there, not nowhere."""
    db.execute(
        "insert or ignore into item_milestones (source, item_id, milestone_id)"
        " select source, id, milestone_id from items where milestone_id is not null"
    )
