"""Issue 6's figures, with issue 18's rules: the six rules over a store of N items and 5N
change records (three sources, a fifth of the items requirements, one in 500 a change request,
milestones and Jira sprints with every item in one or two, a tenth joining after creation and a
hundredth after its sprint started, client questions on one item in 40, half of them answered,
comments, cross-tracker mentions): wall time and peak RSS of the evaluation alone, in a child
process (with the second process it starts)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import ROOT, PeakRss, print_table, save_results
from mapping.model import (
    ChangeRecord,
    CommentRecord,
    ItemRecord,
    LinkRecord,
    MappedItem,
    MilestoneRecord,
)
from sync.store import Store

AS_OF = date(2026, 11, 20)
SOURCES = (("gh", "github"), ("jira", "jira"), ("wt", "worktile"))


def build_store(path: Path, items: int, seed: int = 1, milestones: int = 30) -> dict[str, int]:
    """``milestones`` are spread over the sources (30: ten each)."""
    rng = random.Random(seed)
    store = Store(path)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    counts = {"items": 0, "changes": 0, "comments": 0, "milestones": 0}
    per_source = items // len(SOURCES)
    for index, (source, kind) in enumerate(SOURCES):
        store.ensure_source(source, kind, "https://example.invalid")
        per_milestone = milestones // len(SOURCES) + (index < milestones % len(SOURCES))
        records = [
            MilestoneRecord(
                source,
                f"{prefix}{n}",
                f"{source} {name} {n}",
                "open",
                start_date=(AS_OF - timedelta(days=10)).isoformat() if prefix == "s" else None,
                due_date=(AS_OF + timedelta(days=rng.randint(-10, 60))).isoformat(),
            )
            for n in range(per_milestone)
            for prefix, name in (("m", "release"), ("s", "sprint"))
            if prefix == "m" or source == "jira"
        ]
        store.save_milestones(source, records)
        counts["milestones"] += len(records)  # releases, and the Jira sprints beside them
        for block in range(0, per_source, 2000):
            mapped, changes, comments = [], [], []
            for n in range(block, min(per_source, block + 2000)):
                created = start + timedelta(minutes=3 * n)
                key = f"{source.upper()}-{n}" if source != "gh" else f"acme/portal#{n}"
                requirement = n % 5 == 0
                category = rng.choice(["todo", "doing", "done"])
                recent = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 12, tzinfo=UTC)
                closed = recent - timedelta(days=rng.randint(1, 90)) if category == "done" else None
                body = (
                    f"Part of {SOURCES[(n + 1) % 3][0].upper()}-{n - n % 5}"
                    if not requirement
                    else "Spec"
                )
                item = ItemRecord(
                    source=source,
                    id=str(n),
                    key=key,
                    url=None,
                    kind="requirement" if requirement else "task",
                    # one task in 500 a change request: the rules then read every comment
                    # for change-request keys, as on a real project
                    type="Story" if requirement else ("Change Request" if n % 500 == 3 else "Task"),
                    title=f"Item {n}",
                    body=body,
                    status=category,
                    status_category=category,
                    created_at=_s(created),
                    updated_at=_s(created + timedelta(days=1)),
                    closed_at=_s(closed) if closed else None,
                    labels=["client-confirmed"] if requirement and n % 3 == 0 else [],
                    acceptance="Given an invoice, it exports" if n % 50 else None,
                    priority="High" if n % 7 else None,
                    milestone_id=f"m{n % per_milestone}",
                    raw=payload(rng, key),
                )
                links = (
                    [LinkRecord(source, str(n), f"JIRA-{n - n % 5}", "mentions")]
                    if not requirement
                    else []
                )
                memberships = [(f"m{n % per_milestone}", "milestone")]
                if source == "jira":
                    memberships.append((f"s{n % per_milestone}", "sprint"))
                mapped.append(MappedItem(item, links, memberships))
                for c in range(5):
                    at = created + timedelta(hours=6 * (c + 1))
                    field = ("title", "status", "labels", "description", "due_date")[c]
                    if c == 4 and n % 10 == 1:  # joined its milestone after it was created
                        field = "milestone"
                        if n % 100 == 1:  # ... after the sprint had started
                            at = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC)
                            at -= timedelta(days=3)
                            field = "sprint" if source == "jira" else field
                    changes.append(
                        ChangeRecord(
                            source,
                            str(n),
                            f"h{n}:{c}",
                            _s(at),
                            "dev",
                            field,
                            "old value",
                            {
                                "status": "In Progress",
                                "milestone": f"m{n % per_milestone}",
                                "sprint": f"s{n % per_milestone}",
                            }.get(field, "new value"),
                        )
                    )
                if n % 40 == 1:  # the client asks on a task; every other time someone answers
                    comments += client_question(source, n, created, answered=n % 80 == 1)
                if requirement:
                    comments.append(
                        CommentRecord(
                            source,
                            f"c{n}",
                            str(n),
                            "client-pm",
                            "client-pm",
                            rng.choice(["Confirmed.", "Looks good", "not approved"]),
                            _s(created + timedelta(hours=2)),
                            _s(created + timedelta(hours=2)),
                        )
                    )
            store.save_page(
                source,
                mapped,
                history_fields=set(),
                changes=changes,
                comments=comments,
                own_author="bot",
            )
            counts["items"] += len(mapped)
            counts["changes"] += len(changes)
            counts["comments"] += len(comments)
    store.close()
    return counts


def client_question(source: str, n: int, created: datetime, answered: bool) -> list:
    asked = created + timedelta(hours=3)
    thread = [
        CommentRecord(
            source,
            f"q{n}",
            str(n),
            "client-pm",
            "client-pm",
            "When is this done?",
            _s(asked),
            _s(asked),
        )
    ]
    if answered:
        reply = asked + timedelta(hours=5)
        thread.append(
            CommentRecord(source, f"a{n}", str(n), "dev", "dev", "Friday.", _s(reply), _s(reply))
        )
    return thread


def payload(rng: random.Random, key: str) -> dict[str, Any]:
    """A tracker's JSON for the item, about as large as a real one (a Jira issue with its
    fields is 3-10 KB): the rules must never have to read past it."""
    return {
        "key": key,
        "fields": {f"customfield_{n}": rng.randbytes(24).hex() for n in range(60)},
    }


def _s(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def evaluate_in_child(path: Path, watch_memory: bool = False) -> dict[str, Any]:
    """``python -m bench.rules_bench --evaluate PATH`` evaluates and stores the findings, as a
    run does, and prints its wall time and finding counts. With ``watch_memory`` its peak
    memory is watched while it runs; the watch reads /proc (page tables, under the process's
    mmap lock) every few milliseconds on one of the two cores, so timed runs go unwatched."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.rules_bench", "--evaluate", str(path)],
            stdout=out,
            cwd=ROOT,
        )
        peak = PeakRss(process.pid) if watch_memory else None
        os.wait4(process.pid, 0)
        out.seek(0)
        result = json.loads(out.read())
    if peak is not None:
        result["peak_rss_mb"] = peak.megabytes()
    return result


def drop_page_cache() -> bool:
    """Evict the store from the OS page cache, as after a reboot (root only)."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def evaluate(path: str) -> None:
    from sync.rules import enabled_rules, evaluate_rules
    from sync.rules.finding import SEVERITY_ORDER
    from sync.settings import build_settings

    settings = build_settings({"rules": {"client_accounts": ["client-pm"]}})
    rules = enabled_rules(settings)
    started = time.perf_counter()
    store = Store(path)
    saved = store.save_findings(evaluate_rules(store, settings, AS_OF), rules)
    wall = time.perf_counter() - started
    by_rule: dict[str, int] = {}
    for finding in store.open_findings(rules, SEVERITY_ORDER):
        by_rule[finding["rule"]] = by_rule.get(finding["rule"], 0) + 1
    print(json.dumps({"wall_seconds": round(wall, 2), "findings": by_rule, "saved": saved}))


def bench_rules(items: int = 100_000, latency: float = 0.0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.db"
        counts = build_store(path, items)
        os.sync()  # the build's dirty pages flushed, as a store at rest between runs is
        runs = [evaluate_in_child(path) for _ in range(3)]
        watched = evaluate_in_child(path, watch_memory=True)
        cold = [evaluate_in_child(path)["wall_seconds"] for _ in range(2) if drop_page_cache()]
    result = sorted(runs, key=lambda run: run["wall_seconds"])[1]
    result["wall_seconds_runs"] = [run["wall_seconds"] for run in runs]
    result["peak_rss_mb"] = watched["peak_rss_mb"]
    result["watched_wall_seconds"] = watched["wall_seconds"]
    result["cold_cache_wall_seconds"] = cold
    table = [
        [
            "items / changes / comments",
            f"{counts['items']} / {counts['changes']} / {counts['comments']}",
            "—",
        ],
        [
            "rules wall time (median of 3 runs)",
            f"{result['wall_seconds']} s ({', '.join(map(str, result['wall_seconds_runs']))})",
            "< 2 s",
        ],
        [
            "rules wall time, store not in the page cache",
            ", ".join(f"{t} s" for t in cold) if cold else "not measured (needs root)",
            "—",
        ],
        [
            "rules peak memory (with the second process; a fourth, watched run)",
            f"{result['peak_rss_mb']} MB ({result['watched_wall_seconds']} s watched)",
            "< 300 MB",
        ],
        [
            "findings by rule",
            ", ".join(f"{k}: {v}" for k, v in sorted(result["findings"].items())),
            "—",
        ],
    ]
    figures = {**counts, **result, "table": table}
    print_table(f"Rules over {counts['items']} items", table)
    save_results(f"rules_{items}", figures)
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--evaluate":
        evaluate(sys.argv[2])
