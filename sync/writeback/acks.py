"""Acknowledgements as the write-back sees them. An ack covers a finding as it was when it was
given (its digest: what the finding says, without what grows by itself, like an age or a
forecast's dates) at its severity or lower. A person deleting the service's comment is an
answer too: the item's current findings are acknowledged (origin ``deleted_comment``) for
``ack_days``. The tracker command (``sync.writeback.commands``) and the CLI add the others.
A finding that changes under its ack — a new undocumented change, a new reason, a higher
severity — is reopened: the ack ends, the other acks of the item stay."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

from sync.rules.finding import SEVERITY_ORDER
from sync.store import Store
from sync.store.ack_queries import acked_open_findings, end_acks, save_ack_rows
from sync.store.clock import utc_now
from sync.store.writeback_log import active_acks

DELETED_COMMENT = "deleted_comment"
MAX_ACK_DAYS = 90


def finding_digest(finding: dict[str, Any]) -> str:
    """What an ack covers: the finding's evidence without what moves by itself (an age; a
    forecast's dates — of a milestone, only which reasons put it at risk)."""
    evidence = dict(finding.get("evidence") or {})
    if finding["rule"] == "slipping_milestone":
        stable: Any = sorted(str(r.get("reason")) for r in evidence.get("reasons") or [])
    else:
        evidence.pop("age_days", None)
        stable = evidence
    canonical = json.dumps([finding["rule"], finding["subject"], stable], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def higher(severity: str | None, than: str | None) -> bool:
    if not severity or not than:
        return False
    rank = len(SEVERITY_ORDER)
    return SEVERITY_ORDER.get(severity, rank) < SEVERITY_ORDER.get(than, rank)


def acknowledge(
    store: Store,
    findings: list[dict[str, Any]],
    *,
    by: str | None,
    origin: str,
    as_of: str,
    days: int,
    reason: str | None = None,
    run_id: int | None = None,
) -> int:
    """Acknowledge ``findings`` for ``days`` (held to 90) from ``as_of``; returns the days."""
    held = min(days, MAX_ACK_DAYS)
    until = (date.fromisoformat(as_of) + timedelta(days=held)).isoformat()
    now = utc_now()
    acks, events = [], []
    for finding in findings:
        key = {"rule": finding["rule"], "source": finding["source"], "subject": finding["subject"]}
        acks.append(
            {
                **key, "by": by, "at": now, "until": until, "reason": reason, "origin": origin,
                "digest": finding_digest(finding), "severity": finding.get("severity"),
                "asked_days": days,
            }
        )  # fmt: skip
        detail = json.dumps({"until": until, "reason": reason, "origin": origin})
        event = {"event": "acknowledged", "at": now, "run_id": run_id, "by": by}
        events.append({**key, **event, "detail": detail})
    save_ack_rows(store, acks, events)
    return held


def end_acknowledgements(
    store: Store,
    findings: list[dict[str, Any]],
    *,
    by: str | None,
    detail: str,
    run_id: int | None = None,
) -> None:
    """The acks of ``findings`` end (an unack, or a change): each is reopened."""
    now = utc_now()
    keys = [(f["rule"], f["source"], f["subject"]) for f in findings]
    events = [
        {
            "rule": rule, "source": source, "subject": subject, "event": "reopened", "at": now,
            "run_id": run_id, "by": by, "detail": detail,
        }
        for rule, source, subject in keys
    ]  # fmt: skip
    end_acks(store, keys, events)


def reopen_changed(store: Store, as_of: str, run_id: int | None = None) -> int:
    """Running acks whose finding changed since (its digest, or a higher severity) end now,
    each with a ``reopened`` event; returns how many."""
    changed = [
        row
        for row in acked_open_findings(store, as_of)
        if (row["acked_digest"] and row["acked_digest"] != finding_digest(row))
        or higher(row["severity"], row["acked_severity"])
    ]
    detail = "changed since acknowledged"
    end_acknowledgements(store, changed, by=None, detail=detail, run_id=run_id)
    return len(changed)


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
    save_ack_rows(store, rows, [])


class Acks:
    """The acks running on ``as_of`` for one source."""

    def __init__(self, store: Store, source: str, as_of: str) -> None:
        self.running: dict[tuple[str, str], dict[str, Any]] = active_acks(store, source, as_of)

    def get(self, finding: dict[str, Any], digest: str | None = None) -> dict[str, Any] | None:
        """The ack covering ``finding`` as it is now, if any (``digest``: the finding's, when
        the caller has it already)."""
        ack = self.running.get((finding["rule"], finding["subject"]))
        if ack is None or ack.get("digest") not in (None, digest or finding_digest(finding)):
            return None
        return None if higher(finding.get("severity"), ack.get("severity")) else ack

    def covers(self, rule: str, subject: str, digest: str) -> bool:
        """Acknowledged, and unchanged since: a changed finding is shown again."""
        ack = self.running.get((rule, subject))
        return ack is not None and ack.get("digest") in (None, digest)

    def all_covered(self, findings: list[tuple[str, str, str]]) -> bool:
        return bool(findings) and all(self.covers(*f) for f in findings)
