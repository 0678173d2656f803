"""slipping_milestone: overdue, forecast to miss its date on the team's own throughput, or its
due date quietly moved. One finding per milestone, with every reason that applies."""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from sync.rule_settings import SlippingMilestoneRule
from sync.rules.finding import Finding
from sync.rules.scope import Scope
from sync.store import Store
from sync.store import rule_queries as q

RULE = "slipping_milestone"
HORIZON_DAYS = 730  # a forecast further out than this is reported as "beyond"


@dataclass
class MilestoneFacts:
    source: str
    id: str
    title: str
    url: str | None
    start_date: str | None
    due_date: str
    first_due_date: str | None
    open_items: int
    done_items: int
    first_created: str | None
    tracking_item: str | None


def slipping_findings(
    store: Store, rule: SlippingMilestoneRule, as_of: date, scopes: dict[tuple[str, str], Scope]
) -> list[Finding]:
    """``scopes`` (``milestone_scopes``, over the items as they were at the end of ``as_of``)
    hold each open milestone's member counts."""
    milestones = load_milestones(store, scopes)
    throughput = load_throughput(store, rule, as_of, {m.source for m in milestones})
    cache: dict[tuple[str, int], tuple[int, int] | None] = {}
    findings = []
    for milestone in milestones:
        if milestone.open_items == 0:
            continue  # a milestone with no open items is never flagged
        reasons = []
        due = date.fromisoformat(milestone.due_date)
        if as_of > due:
            reasons.append(("high", "overdue", {"days_overdue": (as_of - due).days}))
        samples = throughput.get(milestone.source, [0] * rule.history_days)
        if sum(samples) >= rule.min_history_items:
            key = (milestone.source, milestone.open_items)
            if key not in cache:
                cache[key] = forecast_days(samples, milestone.open_items, rule)
            reason = forecast_reason(cache[key], as_of, due, samples)
        else:
            reason = fallback_reason(milestone, as_of, due, rule, sum(samples))
        if reason:
            reasons.append(reason)
        if milestone.first_due_date and milestone.first_due_date < milestone.due_date:
            reasons.append(
                ("warning", "moved", {"from": milestone.first_due_date, "to": milestone.due_date})
            )
        if reasons:
            findings.append(milestone_finding(milestone, reasons))
    return findings


def load_milestones(store: Store, scopes: dict[tuple[str, str], Scope]) -> list[MilestoneFacts]:
    """Open milestones with a due date and their item counts, excluding pull requests,
    cancelled items and the milestone's own tracking item."""
    milestones = []
    for row in q.open_milestone_rows(store):
        scope = scopes.get((row[0], row[1]))
        counts = (
            (scope.open_items, scope.done_items, scope.first_created, scope.tracking_item)
            if scope
            else (0, 0, None, None)
        )
        milestones.append(MilestoneFacts(*row, *counts))
    return milestones


def load_throughput(
    store: Store, rule: SlippingMilestoneRule, as_of: date, sources: set[str]
) -> dict[str, list[int]]:
    """Items (not pull requests, not cancelled) that became done on each of the
    ``history_days`` UTC days ending yesterday, per source; days with none count as 0."""
    first = as_of - timedelta(days=rule.history_days)
    rows = q.throughput_rows(store, first.isoformat(), as_of.isoformat())
    days = [(first + timedelta(days=n)).isoformat() for n in range(rule.history_days)]
    counts: dict[str, dict[str, int]] = {source: {} for source in sources}
    for source, day, count in rows:
        counts.setdefault(source, {})[day] = count
    return {source: [per_day.get(day, 0) for day in days] for source, per_day in counts.items()}


def forecast_days(
    samples: list[int], remaining: int, rule: SlippingMilestoneRule
) -> tuple[int, int] | None:
    """Monte Carlo: each trial draws a past day's throughput per future day until the open
    items are done. Returns the P50 and ``confidence`` percentile in days (day 1 is tomorrow).
    Seeded by the history and the remaining count, so the same store gives the same dates."""
    rng = random.Random(f"{rule.seed}:{remaining}:{','.join(map(str, samples))}")
    if max(samples) < 256 and len(samples) <= 256:
        finished = _trials_in_blocks(rng, samples, remaining, rule.trials)
    else:
        finished = [_trial_days(rng, samples, remaining) for _ in range(rule.trials)]
    finished.sort()
    p50 = finished[rule.trials // 2]
    pct = finished[min(rule.trials - 1, math.ceil(rule.confidence * rule.trials) - 1)]
    return (p50, pct)


def _trials_in_blocks(
    rng: random.Random, samples: list[int], remaining: int, trials: int
) -> list[int]:
    """Trials with their daily draws done in C: random bytes (those that would bias the choice
    dropped) mapped to past days' counts, a running sum over a block of trials at once, and one
    bisect per trial for the day its sum reaches the open items. A trial that needs more days
    than its slot holds finishes one day at a time."""
    size = len(samples)
    table, drop = _byte_tables(tuple(samples))
    mean = max(sum(samples) / size, 1e-9)
    slot = min(HORIZON_DAYS, int(remaining / mean * 1.2) + 4)
    per_block = max(1, 200_000 // slot)
    keep = 256 - len(drop)
    finished: list[int] = []
    while len(finished) < trials:
        count = min(per_block, trials - len(finished))
        need = count * slot
        draws = b""
        while len(draws) < need:
            draws += rng.randbytes((need - len(draws)) * 256 // keep + 64).translate(table, drop)
        sums = list(accumulate(draws[:need], initial=0))
        for trial in range(count):
            base = trial * slot
            index = bisect_left(sums, sums[base] + remaining, base + 1, base + slot + 1)
            if index <= base + slot:
                finished.append(index - base)
            else:
                finished.append(
                    _trial_days(rng, samples, remaining - (sums[base + slot] - sums[base]), slot)
                )
    return finished


def _trial_days(rng: random.Random, samples: list[int], remaining: int, day: int = 0) -> int:
    left = remaining
    while day < HORIZON_DAYS:
        day += 1
        left -= samples[int(rng.random() * len(samples))]
        if left <= 0:
            return day
    return HORIZON_DAYS + 1


_TABLES: dict[tuple[int, ...], tuple[bytes, bytes]] = {}


def _byte_tables(samples: tuple[int, ...]) -> tuple[bytes, bytes]:
    if samples not in _TABLES:
        usable = 256 - 256 % len(samples)
        table = bytes(samples[b % len(samples)] if b < usable else 0 for b in range(256))
        _TABLES[samples] = (table, bytes(range(usable, 256)))
    return _TABLES[samples]


def forecast_reason(
    days: tuple[int, int] | None, as_of: date, due: date, samples: list[int]
) -> tuple[str, str, dict[str, Any]] | None:
    p50, pct = days or (HORIZON_DAYS + 1, HORIZON_DAYS + 1)
    pct_date = as_of + timedelta(days=pct)
    if pct_date <= due:
        return None

    def shown(n: int) -> str:
        return (
            (as_of + timedelta(days=n)).isoformat()
            if n <= HORIZON_DAYS
            else f"after {(as_of + timedelta(days=HORIZON_DAYS)).isoformat()}"
        )

    return (
        "warning",
        "forecast",
        {
            "p50": shown(p50),
            "p85": shown(pct),
            "due": due.isoformat(),
            "throughput_per_day": round(sum(samples) / len(samples), 2),
        },
    )


def fallback_reason(
    milestone: MilestoneFacts,
    as_of: date,
    due: date,
    rule: SlippingMilestoneRule,
    done_in_window: int,
) -> tuple[str, str, dict[str, Any]] | None:
    """Too little history for a forecast: flag when the share of items done trails the share
    of time elapsed since the milestone's start by more than ``fallback_margin``."""
    start_text = milestone.start_date or (milestone.first_created or "")[:10]
    if not start_text:
        return None
    start = date.fromisoformat(start_text)
    if due <= start:
        return None
    elapsed = min(1.0, max(0.0, (as_of - start).days / (due - start).days))
    total = milestone.open_items + milestone.done_items
    done = milestone.done_items / total if total else 1.0
    if elapsed - done <= rule.fallback_margin:
        return None
    return (
        "warning",
        "behind_schedule",
        {
            "elapsed": round(elapsed, 2),
            "done": round(done, 2),
            "start": start.isoformat(),
            "history_items": done_in_window,
        },
    )


def milestone_finding(
    milestone: MilestoneFacts, reasons: list[tuple[str, str, dict[str, Any]]]
) -> Finding:
    severity = "high" if any(level == "high" for level, _, _ in reasons) else "warning"
    parts = []
    for _, kind, detail in reasons:
        if kind == "overdue":
            parts.append(
                f"{detail['days_overdue']} days overdue with {milestone.open_items} open items"
            )
        elif kind == "forecast":
            parts.append(
                f"forecast to finish {detail['p85']} (P85), after its due date {detail['due']}"
            )
        elif kind == "behind_schedule":
            done, gone = round(detail["done"] * 100), round(detail["elapsed"] * 100)
            parts.append(f"{done}% done with {gone}% of its time gone")
        elif kind == "moved":
            parts.append(f"due date moved from {detail['from']} to {detail['to']}")
    evidence = {
        "due_date": milestone.due_date,
        "open_items": milestone.open_items,
        "done_items": milestone.done_items,
        "tracking_item": milestone.tracking_item,
        "reasons": [{"reason": kind, **detail} for _, kind, detail in reasons],
    }
    summary = f"Milestone {milestone.title}: " + "; ".join(parts)
    return Finding.about_milestone(RULE, milestone, severity, summary, evidence)
