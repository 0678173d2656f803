"""A milestone's verdict on the status report, from facts already gathered: a pure function, so
the report, the chat digests and the tests agree on one reading of DESIGN's definition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
