"""The milestone verdict, DESIGN's definition case by case, and the report's catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from sync.report.strings import TEXT
from sync.report.verdict import VERDICTS, VerdictFacts, milestone_verdict

TODAY = date(2026, 11, 20)
DUE = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (VerdictFacts(0, TODAY, date(2026, 11, 1), moved=True), ("done", [])),
        (VerdictFacts(3, date(2026, 12, 2), DUE), ("off_track", ["overdue"])),
        (
            VerdictFacts(3, TODAY, DUE, date(2026, 12, 2), date(2026, 12, 9)),
            ("off_track", ["p50_late"]),
        ),
        (
            VerdictFacts(3, TODAY, DUE, date(2026, 11, 28), date(2026, 12, 2)),
            ("at_risk", ["p85_late"]),
        ),
        (VerdictFacts(3, TODAY, DUE, date(2026, 11, 28), DUE), ("on_track", [])),
        (VerdictFacts(3, TODAY, DUE, moved=True), ("at_risk", ["moved"])),
        (VerdictFacts(3, TODAY, DUE, scope_creep=True), ("at_risk", ["scope_creep"])),
        (VerdictFacts(3, TODAY, DUE, unconfirmed_started=2), ("at_risk", ["unconfirmed_started"])),
        (VerdictFacts(3, TODAY, None), ("no_date", [])),
        (VerdictFacts(3, TODAY, None, scope_creep=True), ("at_risk", ["scope_creep"])),
        (VerdictFacts(3, TODAY, DUE), ("on_track", [])),
        (
            VerdictFacts(3, date(2026, 12, 5), DUE, moved=True, unconfirmed_started=1),
            ("off_track", ["overdue", "moved", "unconfirmed_started"]),
        ),
    ],
)
def test_verdict(facts, expected):
    assert milestone_verdict(facts) == expected


def test_catalogue_has_both_languages_for_every_word():
    assert set(TEXT["en"]) == set(TEXT["zh"])
    for lang in ("en", "zh"):
        for verdict in VERDICTS:
            assert TEXT[lang][verdict]
        for reason in ("overdue", "p50_late", "p85_late", "moved", "scope_creep"):
            assert TEXT[lang][f"r_{reason}"]
