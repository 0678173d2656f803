"""Acknowledgements as the write-back sees them. A person deleting the service's comment is
an answer: the item's current findings are acknowledged (origin ``deleted_comment``) for
``ack_days``, and the comment is not created again until a finding changes (its digest
differs) or the ack expires. The tracker command and the CLI add other origins here."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sync.store import Store
from sync.store.clock import utc_now
from sync.store.writeback_log import active_acks, save_acks

DELETED_COMMENT = "deleted_comment"


def acknowledge_deleted(
    store: Store, source: str, covers: list[list[str]], as_of: str, ack_days: int
) -> None:
    """Acknowledge each (rule, subject, digest) the deleted comment showed."""
    until = (date.fromisoformat(as_of) + timedelta(days=ack_days)).isoformat()
    rows = [
        {
            "rule": rule,
            "source": source,
            "subject": subject,
            "by": None,
            "at": utc_now(),
            "until": until,
            "reason": "the comment was deleted on the tracker",
            "origin": DELETED_COMMENT,
            "digest": digest,
        }
        for rule, subject, digest in covers
    ]
    save_acks(store, rows)


class Acks:
    """The acks running on ``as_of`` for one source."""

    def __init__(self, store: Store, source: str, as_of: str) -> None:
        self.running: dict[tuple[str, str], dict[str, Any]] = active_acks(store, source, as_of)

    def covers(self, rule: str, subject: str, digest: str) -> bool:
        """Acknowledged, and unchanged since: a changed finding is shown again."""
        ack = self.running.get((rule, subject))
        return ack is not None and ack.get("digest") in (None, digest)

    def all_covered(self, findings: list[tuple[str, str, str]]) -> bool:
        return bool(findings) and all(self.covers(*f) for f in findings)
