"""Issue 4's figures: a Jira Cloud project of N issues, 30 of them with more than 100
histories, through the sandbox at 20 ms latency: requests against the floor, a quiet
incremental sync, wall time and peak RSS."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from bench.common import print_table, run_sync_process, save_results, write_config
from sandbox.jira import EMBEDDED_HISTORY_CAP, JiraSandbox
from sandbox.scenario import seed_jira_project

LONG_ISSUES, LONG_HISTORY = 30, 150


def bench_jira_pull(issues: int = 5000, latency: float = 0.02) -> dict[str, Any]:
    sandbox = JiraSandbox("ACME", bearer={"bench-pat": "bot"})
    seed_jira_project(
        sandbox,
        issues=issues,
        comments_per_issue=1,
        long_histories=LONG_ISSUES,
        history_length=LONG_HISTORY,
        versions=6,
    )
    page = sandbox.max_results_cap
    # Cloud's search embeds the newest 40 histories: an issue with more has its changelog
    # paged (100 a page) from the changelog endpoint
    changelog_pages = sum(
        math.ceil(len(i["histories"]) / 100)
        for i in sandbox.issues.values()
        if len(i["histories"]) > EMBEDDED_HISTORY_CAP
    )
    floor = math.ceil(issues / page) + changelog_pages
    sandbox.latency = latency
    sandbox.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(
                Path(tmp) / "config.toml",
                [
                    {
                        "name": "bench-jira",
                        "kind": "jira",
                        "base_url": sandbox.base_url,
                        "project": "ACME",
                        "token_env": "BENCH_JIRA",
                    }
                ],
                store={"path": str(Path(tmp) / "bench.db")},
            )
            env = {"BENCH_JIRA": "bench-pat"}
            first = run_sync_process(["--config", str(config)], env)
            first_log = list(sandbox.log)
            sandbox.clear_log()
            quiet = run_sync_process(["--config", str(config)], env)
            quiet_log = list(sandbox.log)
    finally:
        sandbox.stop()
    data_requests = [r for r in first_log if "/search" in r.path or r.path.endswith("/changelog")]
    overhead = len(first_log) - len(data_requests)
    quiet_searches = sum(1 for r in quiet_log if "/search" in r.path)
    ratio = len(data_requests) / floor
    table = [
        ["issues (with > 100 histories)", f"{issues} ({LONG_ISSUES})", "—"],
        [f"floor ⌈n/{page}⌉ + changelog pages", floor, "—"],
        ["search + changelog requests", len(data_requests), f"≤ {math.floor(floor * 1.05)}"],
        ["requests / floor", f"{ratio:.3f}", "≤ 1.05"],
        ["other requests (myself, field, versions, comment properties)", overhead, "—"],
        [
            f"full sync wall time @ {latency * 1000:.0f} ms latency",
            f"{first['wall_seconds']} s",
            "—",
        ],
        ["full sync peak RSS", f"{first['peak_rss_mb']} MB", "—"],
        ["quiet incremental search requests", quiet_searches, "1"],
        ["quiet incremental requests in all", len(quiet_log), "—"],
        ["quiet incremental wall time", f"{quiet['wall_seconds']} s", "—"],
    ]
    figures = {
        "issues": issues,
        "latency_seconds": latency,
        "floor_requests": floor,
        "full_sync_data_requests": len(data_requests),
        "full_sync_other_requests": overhead,
        "requests_over_floor": round(ratio, 4),
        "full_sync_wall_seconds": first["wall_seconds"],
        "full_sync_peak_rss_mb": first["peak_rss_mb"],
        "quiet_sync_search_requests": quiet_searches,
        "quiet_sync_requests": len(quiet_log),
        "quiet_sync_wall_seconds": quiet["wall_seconds"],
        "table": table,
    }
    print_table(f"Jira pull, {issues} issues", table)
    save_results(f"jira_pull_{issues}", figures)
    return figures
