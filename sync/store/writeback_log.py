"""The write-back's records: the ``writes`` audit log (an intent before each create, the
outcome after), the acknowledgements a deleted comment gives, and the forecast dates a comment
last showed. A write's outcome, the comment it made and the identity it taught are recorded in
one transaction, so a crash never keeps one without the others."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from mapping.model import CommentRecord, shallow_row
from sync.store.clock import utc_now
from sync.store.store import Store


def record_write(
    store: Store, run_id: int | None, source: str, item: str, action: str, **fields: Any
) -> int:
    """One row of ``writes`` (status ``intent`` before a create is sent); returns its id."""
    row = {"run_id": run_id, "source": source, "item": item, "action": action, "at": utc_now()}
    row.update(fields)
    with store.transaction():
        return int(store.db["writes"].insert(row).last_pk)


def record_outcome(
    store: Store,
    write_id: int | None,
    source: str,
    *,
    status: str,
    comments: Sequence[CommentRecord] = (),
    forget: Iterable[str] = (),
    own_author: str | None = None,
    identity: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Close a write: its status, the comments it made or adopted, the ones it removed and,
    on PingCode, the identity learnt from the first of them, all at once."""
    with store.transaction():
        for comment_id in forget:
            store.db.execute(
                "delete from comments where source = ? and id = ?", [source, comment_id]
            )
        for comment in comments:  # plain SQL: sqlite-utils' upsert would commit mid-way
            row = shallow_row(comment)
            row["raw"] = json.dumps(comment.raw, ensure_ascii=False)
            row["is_own"] = int(own_author is not None and comment.author == own_author)
            names = ", ".join(row)
            store.db.execute(
                f"insert or replace into comments ({names}) values ({', '.join('?' * len(row))})",
                list(row.values()),
            )
        if identity is not None:
            store.db.execute(
                "update sources set identity = ? where name = ?",
                [json.dumps(identity, sort_keys=True), source],
            )
        if write_id is not None:
            last = comments[-1].id if comments else None
            store.db.execute(
                "update writes set status = ?, error = ?, comment_id = coalesce(?, comment_id)"
                " where id = ?",
                [status, error, last, write_id],
            )


def open_intents(store: Store, source: str) -> list[dict[str, Any]]:
    """Creates sent by an earlier run whose outcome was never recorded (a crash, a kill),
    with the item's id to read its comments by."""
    return store.query(
        "select w.id, w.item, w.digest, w.at, i.id as item_id from writes w"
        " join items i on i.source = w.source and i.key = w.item"
        " where w.source = ? and w.status = 'intent' order by w.id",
        [source],
    )


def last_covers(store: Store, source: str, item: str) -> list[list[str]]:
    """The findings the item's last written comment showed."""
    rows = store.query(
        "select covers from writes where source = ? and item = ? and status = 'done'"
        " and covers is not null order by id desc limit 1",
        [source, item],
    )
    return json.loads(rows[0]["covers"]) if rows else []


def close_stale_intents(store: Store, source: str, error: str) -> None:
    with store.transaction():
        store.db.execute(
            "update writes set status = 'failed', error = ? where source = ? and status = 'intent'",
            [error, source],
        )


# -- acknowledgements (written by sync.store.ack_queries) --------------------------------------


def active_acks(store: Store, source: str, today: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(rule, subject) -> the ack still running on ``today`` (an ISO date)."""
    rows = store.query(
        "select * from acks where source = ? and until >= ?",
        [source, today],
    )
    return {(row["rule"], row["subject"]): row for row in rows}


# -- forecast dates last shown ----------------------------------------------------------------


def shown_forecasts(store: Store, source: str) -> dict[str, dict[str, Any]]:
    rows = store.query("select * from shown_forecasts where source = ?", [source])
    return {row["subject"]: row for row in rows}


def save_shown_forecasts(store: Store, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        with store.transaction():
            store.db["shown_forecasts"].upsert_all(rows, pk=("source", "subject"))
