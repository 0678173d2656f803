"""A milestone's verdict on the status report, from facts already gathered: a pure function, so
the report, the chat digests and the tests agree on one reading of DESIGN's definition."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

VERDICTS = ("off_track", "at_risk", "on_track", "no_date", "done")


@dataclass(frozen=True)
class VerdictFacts:
    """What the verdict looks at. ``p50``/``p85`` are the forecast dates (``None`` without a
    forecast: too little history)."""

    open_items: int
    as_of: date
    due: date | None
    p50: date | None = None
    p85: date | None = None
    moved: bool = False
    scope_creep: bool = False
    unconfirmed_started: int = 0


def milestone_verdict(facts: VerdictFacts) -> tuple[str, list[str]]:
    """(verdict, reasons): *done* with no open items; *off track* when overdue with open items
    or the P50 lands after the due date; *at risk* when the P85 does, the date moved, scope
    crept or work started on unconfirmed requirements; *no date* without a due date and none
    of those; else *on track*. The reasons name every condition that held."""
    if facts.open_items == 0:
        return "done", []
    off, risk = [], []
    if facts.due is not None:
        if facts.as_of > facts.due:
            off.append("overdue")
        if facts.p50 is not None and facts.p50 > facts.due:
            off.append("p50_late")
        elif facts.p85 is not None and facts.p85 > facts.due:
            risk.append("p85_late")
    if facts.moved:
        risk.append("moved")
    if facts.scope_creep:
        risk.append("scope_creep")
    if facts.unconfirmed_started:
        risk.append("unconfirmed_started")
    if off:
        return "off_track", off + risk
    if risk:
        return "at_risk", risk
    if facts.due is None:
        return "no_date", []
    return "on_track", []


def verdict_from_findings(
    *,
    due_date: str | None,
    open_items: int,
    as_of: date,
    first_due_date: str | None = None,
    findings: Iterable[dict[str, Any]] = (),
) -> str:
    """The verdict of a milestone known by its stored row and its open findings (each
    ``{"rule", "evidence"}`` as stored): what the chat digests have at hand."""
    due = date.fromisoformat(due_date[:10]) if due_date else None
    facts: dict[str, Any] = {
        "moved": bool(first_due_date and due_date and first_due_date[:10] < due_date[:10])
    }
    unconfirmed = 0
    for finding in findings:
        rule, evidence = finding["rule"], finding.get("evidence") or {}
        if rule == "scope_creep":
            facts["scope_creep"] = True
        elif rule == "unconfirmed_requirement" and evidence.get("work_started"):
            unconfirmed += 1
        elif rule == "slipping_milestone":
            for reason in evidence.get("reasons", []):
                if reason.get("reason") == "forecast":
                    facts["p50"] = _forecast_date(reason.get("p50"))
                    facts["p85"] = _forecast_date(reason.get("p85"))
                elif reason.get("reason") == "moved":
                    facts["moved"] = True
    verdict, _ = milestone_verdict(
        VerdictFacts(open_items, as_of, due, unconfirmed_started=unconfirmed, **facts)
    )
    return verdict


def _forecast_date(text: str | None) -> date | None:
    """A forecast as stored: a date, or "after YYYY-MM-DD" past the horizon (read as the day
    after, which is later than any due date before it)."""
    if not text:
        return None
    if text.startswith("after"):
        return date.fromisoformat(text.split()[-1][:10]) + timedelta(days=1)
    return date.fromisoformat(text[:10])
