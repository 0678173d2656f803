"""A milestone's verdict, as DESIGN "Status report" defines it; one pure function shared by the
chat digests and the status report, so both tell a client the same thing.

- *done*: no open items;
- *off track*: overdue with open items, or P50 after the due date;
- *at risk*: P85 after the due date, the due date moved, scope creep, or work started on
  unconfirmed requirements;
- *no date*: no due date and none of the at-risk reasons;
- else *on track*.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

VERDICTS = ("done", "off_track", "at_risk", "no_date", "on_track")


def milestone_verdict(
    *,
    due_date: str | None,
    open_items: int,
    as_of: date,
    first_due_date: str | None = None,
    findings: Iterable[dict[str, Any]] = (),
) -> str:
    """The verdict key (one of ``VERDICTS``) of one milestone. ``findings`` are the open
    findings on the milestone or its items, each ``{"rule", "evidence"}`` as stored."""
    if open_items <= 0:
        return "done"
    due = due_date[:10] if due_date else None
    reasons = _reasons(findings)
    if due and due < as_of.isoformat():
        return "off_track"
    if due and _after(reasons.get("p50"), due):
        return "off_track"
    moved = bool(first_due_date and due and first_due_date[:10] != due) or reasons["moved"]
    if (
        (due and _after(reasons.get("p85"), due))
        or moved
        or reasons["scope_creep"]
        or reasons["unconfirmed_started"]
    ):
        return "at_risk"
    return "no_date" if not due else "on_track"


def _reasons(findings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """What the rules' evidence says about the milestone: the forecast, a moved date, scope
    creep, started work on an unconfirmed requirement."""
    seen: dict[str, Any] = {"moved": False, "scope_creep": False, "unconfirmed_started": False}
    for finding in findings:
        rule, evidence = finding["rule"], finding.get("evidence") or {}
        if rule == "scope_creep":
            seen["scope_creep"] = True
        elif rule == "unconfirmed_requirement" and evidence.get("work_started"):
            seen["unconfirmed_started"] = True
        elif rule == "slipping_milestone":
            for reason in evidence.get("reasons", []):
                if reason.get("reason") == "forecast":
                    seen["p50"], seen["p85"] = reason.get("p50"), reason.get("p85")
                elif reason.get("reason") == "moved":
                    seen["moved"] = True
    return seen


def _after(forecast: str | None, due: str) -> bool:
    """A forecast date (or "after YYYY-MM-DD", past the horizon) later than ``due``."""
    if not forecast:
        return False
    return forecast.startswith("after") or forecast[:10] > due
