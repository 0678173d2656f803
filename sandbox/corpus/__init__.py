"""The project's own scenarios, labelled: tracker data in the sandbox trackers (GitHub, Jira
Cloud, Jira Data Center, PingCode), in English and Chinese, where every item and milestone
carries the verdict DESIGN.md's rules give it — which rules must fire on it and, as
important, that every other rule must not. The hard negatives are the cases the design names
(negations, a confirmation after the last change, documented changes, cancelled items and pull
requests, the service's own comments, grace periods and thresholds at their edges, a client
confirmation needing no reply). Each label is written where its data is built and is read from
DESIGN.md, never from the rules' output; ``bench/accuracy.py`` measures the rules against them.

Modules: ``github``, ``jira`` and ``worktile`` build each tracker's cases; ``trackers`` starts
the sandboxes, seeds them and gives the configuration; the demo's own scenarios are labelled
in ``sandbox/demo/seed.py`` (``EXPECTED``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

RULES = (
    "unconfirmed_requirement",
    "undocumented_change",
    "incomplete_requirement",
    "slipping_milestone",
    "scope_creep",
    "unanswered_client",
)
UNCONFIRMED, UNDOCUMENTED, INCOMPLETE, SLIPPING, SCOPE, UNANSWERED = RULES

# The corpus is judged with the clock at noon of 2026-11-20 (UTC): ages, grace periods and reply
# windows are counted back from that moment.
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CLIENT = "client-pm"


def t(day: int, hour: int = 10) -> str:
    """An ISO moment of November 2026 (GitHub, Jira)."""
    return f"2026-11-{day:02d}T{hour:02d}:00:00Z"


def ts(day: int, hour: int = 10) -> int:
    """The same moment in unix seconds (PingCode)."""
    return int(datetime(2026, 11, day, hour, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Label:
    """What the design says of one subject: the rules that fire on it (all others must not)."""

    source: str
    subject: str  # an item's key, or a milestone's title
    fires: frozenset[str]
    case: str  # why, in a person's words: shown beside any mismatch
    # a verdict the pipeline gets wrong today, and why: still counted (the figures stay
    # honest), and the test insists it still fails, so a fix cannot go unnoticed
    known: str = ""


@dataclass
class Labels:
    """Every labelled subject of a corpus, by (source, subject)."""

    by_subject: dict[tuple[str, str], Label] = field(default_factory=dict)

    def expect(self, source: str, subject: str, case: str, *fires: str, known: str = "") -> None:
        unknown = set(fires) - set(RULES)
        if unknown or (source, subject) in self.by_subject:
            raise ValueError(f"bad label for {source} {subject}: {unknown or 'labelled twice'}")
        self.by_subject[(source, subject)] = Label(source, subject, frozenset(fires), case, known)


__all__ = [
    "CLIENT",
    "INCOMPLETE",
    "NOW",
    "RULES",
    "SCOPE",
    "SLIPPING",
    "UNANSWERED",
    "UNCONFIRMED",
    "UNDOCUMENTED",
    "Label",
    "Labels",
    "t",
    "ts",
]
