"""Carrying out one write as a small state machine, so every failure leaves a known state.

A create is an intent (a ``writes`` row) before it is sent, then done or failed. A create
whose answer never came (a timeout, a dropped connection, a 5xx) is never blindly retried:
the item's comments are read again and the own marked comment adopted if it landed, else it
is created once more. A rerun finding an intent without an outcome (a crash, a kill) adopts
the comment carrying the item's marker and digest made after the intent, and on PingCode
learns the service's identity from it. The comment, the outcome and a newly learnt identity
are recorded in one transaction. Updates and deletes are idempotent (the HTTP layer retries
them); one answering 404 means a person deleted the comment: that is an acknowledgement
(``sync.writeback.acks``), not an error.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from connectors.errors import NotFound, TrackerError, Transient
from mapping.model import CommentRecord
from sync.store import Store
from sync.store.writeback_log import (
    close_stale_intents,
    last_covers,
    open_intents,
    record_outcome,
    record_write,
)
from sync.writeback.acks import acknowledge_deleted
from sync.writeback.target import Target, comment_marker

log = logging.getLogger(__name__)
CLOCK_SLACK = timedelta(minutes=2)  # the tracker's clock against ours


class Outbox:
    """One source's writes in one run."""

    def __init__(
        self,
        store: Store,
        target: Target,
        source: str,
        run_id: int | None,
        as_of: str,
        ack_days: int,
    ) -> None:
        self.store, self.target, self.source = store, target, source
        self.run_id, self.as_of, self.ack_days = run_id, as_of, ack_days
        self.saved_identity = dict(target.identity)

    # -- the writes -----------------------------------------------------------------------

    def carry_out(self, write: Any) -> None:
        """One write; a refusal (403, 404 on the item) fails this item only."""
        try:
            if write.action == "create":
                self.create(write, look_first=True)
            elif write.action in ("update", "resolve") and self.target.can_edit:
                record = self.target.update(
                    write.item_id, write.item, write.comment_id, write.body, write.digest
                )
                self.finish(None, write, [record], status="done")
            elif write.action in ("update", "resolve"):  # PingCode: delete, then create
                self.target.delete(write.item_id, write.item, write.comment_id)
                record_outcome(
                    self.store, None, self.source, status="done", forget=[write.comment_id]
                )
                self.create(write, look_first=False)
            else:
                self.target.delete(write.item_id, write.item, write.comment_id)
                self.finish(None, write, [], status="done", forget=[write.comment_id])
        except NotFound as exc:
            if write.comment_id and write.action != "create":
                self.deleted_by_a_person(write)
            else:
                self.failed(write, exc)
        except TrackerError as exc:
            self.failed(write, exc)

    def create(self, write: Any, *, look_first: bool) -> None:
        if look_first:
            fresh = self.target.fresh_own_comments(write.item_id, write.item)
            if fresh:
                self.adopt(write, fresh)
                return
        intent = record_write(
            self.store, self.run_id, self.source, write.item, "create",
            digest=write.digest, status="intent", covers=_covers(write),
        )  # fmt: skip
        since = datetime.now().astimezone()
        try:
            record = self.target.create(write.item_id, write.item, write.body, write.digest)
        except Transient as exc:
            log.warning(
                "%s: no answer to the create on %s (%s): looking", self.source, write.item, exc
            )
            record = self.landed(write.item_id, write.item, write.digest, since)
            if record is None:
                record = self.target.create(write.item_id, write.item, write.body, write.digest)
        write.write_id = intent
        self.finish(intent, write, [record], status="done")

    def adopt(self, write: Any, fresh: list[CommentRecord]) -> None:
        """Own marked comments already there (a crash came between a create and its record):
        keep the newest, bring it up to date, delete the others."""
        fresh.sort(key=lambda c: (c.created_at, c.id))
        keeper, extras = fresh[-1], fresh[:-1]
        log.info("%s: adopting own comment %s on %s", self.source, keeper.id, write.item)
        for extra in extras:
            self.target.delete(write.item_id, write.item, extra.id)
        marked = comment_marker(keeper)
        write.comment_id = keeper.id
        forget = [extra.id for extra in extras]
        if marked and marked[1] == write.digest:
            self.finish(None, write, [keeper], status="done", forget=forget)
            return
        write.action = "update"
        if self.target.can_edit:
            record = self.target.update(
                write.item_id, write.item, keeper.id, write.body, write.digest
            )
            self.finish(None, write, [record], status="done", forget=forget)
            return
        self.target.delete(write.item_id, write.item, keeper.id)
        record_outcome(self.store, None, self.source, status="done", forget=[*forget, keeper.id])
        self.create(write, look_first=False)

    def landed(
        self, item_id: str, item_key: str, digest: str, since: datetime
    ) -> CommentRecord | None:
        """The comment a create whose answer was lost left on the item, if it landed: marked
        for this item with this digest, made after the intent, by the service (or, while the
        identity is unknown, the newest such: it is learnt from it)."""
        found = []
        for comment in self.target.fetch_comments(item_id, item_key):
            marked = comment_marker(comment)
            if not marked or marked != (item_key, digest):
                continue
            if self.target.identity.get("id") and comment.author != self.target.identity["id"]:
                continue
            created = datetime.fromisoformat(comment.created_at.replace("Z", "+00:00"))
            if created >= since - CLOCK_SLACK:
                found.append(comment)
        if not found:
            return None
        comment = max(found, key=lambda c: (c.created_at, c.id))
        if not self.target.identity.get("id") and comment.author:
            self.target.identity["id"] = comment.author
        return comment

    # -- outcomes -------------------------------------------------------------------------

    def finish(
        self,
        intent: int | None,
        write: Any,
        records: list[CommentRecord],
        *,
        status: str,
        forget: list[str] | tuple[str, ...] = (),
    ) -> None:
        if not self.target.can_edit and write.comment_id and write.action != "create":
            forget = [*forget, write.comment_id]
        forget = [c for c in forget if c not in {r.id for r in records}]
        identity = None
        if self.target.identity != self.saved_identity:
            identity = dict(self.target.identity)  # learnt from this very comment
        if intent is None:
            intent = record_write(
                self.store, self.run_id, self.source, write.item, write.action,
                digest=write.digest, comment_id=write.comment_id, status="sending",
                covers=_covers(write),
            )  # fmt: skip
        record_outcome(
            self.store, intent, self.source, status=status, comments=records, forget=forget,
            own_author=self.target.identity.get("id"), identity=identity,
        )  # fmt: skip
        if identity is not None:
            self.saved_identity = identity
        write.done = True

    def failed(self, write: Any, exc: TrackerError) -> None:
        write.error = str(exc)
        write.error_kind, write.error_facts = exc.kind, exc.report_facts()
        log.error("%s: %s on %s failed: %s", self.source, write.action, write.item, exc)
        record_write(
            self.store, self.run_id, self.source, write.item, write.action,
            digest=write.digest, comment_id=write.comment_id, status="failed", error=str(exc),
        )  # fmt: skip

    def deleted_by_a_person(self, write: Any) -> None:
        """The comment is gone from the tracker: forget it; the findings it showed are
        acknowledged. Findings that changed since (or are new) get a fresh comment now."""
        log.info("%s: own comment on %s was deleted on the tracker", self.source, write.item)
        if write.action in ("delete", "resolve"):  # gone is what was wanted (a retried
            write.done = True  # delete may meet its own first attempt's work)
            record_outcome(self.store, None, self.source, status="done", forget=[write.comment_id])
            record_write(
                self.store, self.run_id, self.source, write.item, write.action,
                comment_id=write.comment_id, status="done", error="already gone",
            )  # fmt: skip
            return
        shown = self.acknowledge_gone(
            write.item, write.comment_id, write.action, "deleted on the tracker", write.digest
        )
        acked = {tuple(c) for c in shown}
        if write.action == "update" and any(tuple(c) not in acked for c in write.covers or []):
            write.action, write.comment_id = "create", None
            self.create(write, look_first=False)
            return
        write.deleted_comment = True

    def gone_from_tracker(self, item: str, comment_id: str) -> None:
        """A whole, fresh read of the item's comments lacked this own comment (the pull saw
        it): a person deleted it — the same answer as an update meeting a 404."""
        log.info("%s: own comment on %s was deleted on the tracker", self.source, item)
        self.acknowledge_gone(item, comment_id, "read", "deleted on the tracker: a fresh read")

    def acknowledge_gone(
        self, item: str, comment_id: str, action: str, why: str, digest: str | None = None
    ) -> list[list[str]]:
        """Forget the comment and acknowledge the findings it showed (for ``ack_days``), with
        a ``writes`` row saying so; returns what it showed."""
        shown = last_covers(self.store, self.source, item)
        record_outcome(self.store, None, self.source, status="done", forget=[comment_id])
        record_write(
            self.store, self.run_id, self.source, item, action, digest=digest,
            comment_id=comment_id, status="skipped", error=why,
        )  # fmt: skip
        acknowledge_deleted(self.store, self.source, shown, self.as_of, self.ack_days)
        return shown

    # -- a rerun after a crash --------------------------------------------------------------

    def recover(self) -> None:
        """Intents an earlier run left without an outcome: adopt what landed."""
        intents = open_intents(self.store, self.source)
        for intent in intents:
            since = datetime.fromisoformat(intent["at"].replace("Z", "+00:00"))
            try:
                found = self.landed(intent["item_id"], intent["item"], intent["digest"], since)
            except TrackerError as exc:
                log.warning(
                    "%s: could not read %s to recover: %s", self.source, intent["item"], exc
                )
                continue
            if found is not None:
                log.info("%s: adopting comment %s an earlier run created", self.source, found.id)
                write = _Recovered(intent["item"], "create", intent["digest"])
                self.finish(intent["id"], write, [found], status="done")
        if intents:
            close_stale_intents(self.store, self.source, "no comment found after the crash")


def _covers(write: Any) -> str | None:
    covers = getattr(write, "covers", None)
    return json.dumps(covers, ensure_ascii=False) if covers else None


class _Recovered:
    def __init__(self, item: str, action: str, digest: str) -> None:
        self.item, self.action, self.digest = item, action, digest
        self.comment_id: str | None = None
        self.done = False
