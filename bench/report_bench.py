"""Issue 19's figure: the status report for 100 milestones over 100,000 items (the rules'
bench store, its findings evaluated first, as after a run), rendered by ``tracker-sync report``
as a real process: wall time and peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, PeakRss, print_table, save_results
from bench.rules_bench import AS_OF, build_store, evaluate_in_child


def render_in_child(db: Path, out: Path) -> dict[str, Any]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sync.py"), "report", "--db", str(db)]
        + ["--out", str(out), "--as-of", AS_OF.isoformat()],
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    peak = PeakRss(process.pid)
    _, status, _ = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("tracker-sync report failed")
    return {
        "wall_seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": peak.megabytes(),
    }


def bench_report(items: int = 100_000, milestones: int = 100) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "report.db"
        counts = build_store(db, items, milestones=milestones)
        evaluate_in_child(db)
        runs = [render_in_child(db, Path(tmp) / f"out{n}") for n in range(3)]
        pages = len(list((Path(tmp) / "out0").glob("*--*.html")))
        size = sum(f.stat().st_size for f in (Path(tmp) / "out0").iterdir())
    result = sorted(runs, key=lambda run: run["wall_seconds"])[1]
    walls = ", ".join(str(run["wall_seconds"]) for run in runs)
    table = [
        ["items / milestones (and sprints)", f"{counts['items']} / {counts['milestones']}", "—"],
        ["milestone pages written", str(pages), f"= {counts['milestones']} (one per open one)"],
        ["report wall time (median of 3 runs)", f"{result['wall_seconds']} s ({walls})", "< 10 s"],
        ["report peak RSS", f"{result['peak_rss_mb']} MB", "—"],
        ["report size (pages + report.json)", f"{size / 1e6:.1f} MB", "—"],
    ]
    figures = {**counts, **result, "pages": pages, "runs": runs, "table": table}
    print_table(f"Status report: {milestones} milestones over {counts['items']} items", table)
    save_results("report", figures)
    return figures
