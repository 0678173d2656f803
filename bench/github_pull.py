"""Issue 3's figures: a GitHub repository of N issues (2 comments and 4 events each, 10
milestones) pulled through the sandbox at 20 ms latency: requests against the floor, a quiet
incremental sync, wall time and peak RSS."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from bench.common import print_table, run_sync_process, save_results, write_config
from sandbox.github import GitHubSandbox
from sandbox.scenario import seed_github_repo

TOKEN = "ghp_bench_token"


def bench_github_pull(issues: int = 5000, latency: float = 0.02) -> dict[str, Any]:
    sandbox = GitHubSandbox("acme/portal", tokens={TOKEN: "tracker-bot"})
    seed_github_repo(
        sandbox, issues=issues, comments_per_issue=2, events_per_issue=4, milestones=10
    )
    counts = {
        "issues": len(sandbox.issues),
        "comments": len(sandbox.comments),
        "events": len(sandbox.events),
        "milestones": len(sandbox.milestones),
    }
    floor = sum(math.ceil(n / 100) for n in counts.values())
    sandbox.latency = latency
    sandbox.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(
                Path(tmp) / "config.toml",
                [
                    {
                        "name": "bench-github",
                        "kind": "github",
                        "base_url": sandbox.base_url,
                        "repo": "acme/portal",
                        "token_env": "BENCH_GH",
                    }
                ],
                store={"path": str(Path(tmp) / "bench.db")},
            )
            env = {"BENCH_GH": TOKEN}
            first = run_sync_process(["--config", str(config)], env)
            first_requests = len(sandbox.log)
            sandbox.clear_log()
            quiet = run_sync_process(["--config", str(config)], env)
            quiet_requests = len(sandbox.log)
            quiet_304 = sum(1 for r in sandbox.log if r.status == 304)
    finally:
        sandbox.stop()
    ratio = first_requests / floor
    table = [
        ["objects (issues/comments/events/milestones)", "/".join(map(str, counts.values())), "—"],
        ["floor Σ⌈n/100⌉", floor, "—"],
        ["full sync requests", first_requests, f"≤ {math.floor(floor * 1.05)}"],
        ["requests / floor", f"{ratio:.3f}", "≤ 1.05"],
        ["requests per issue", f"{first_requests / counts['issues']:.3f}", "—"],
        [
            f"full sync wall time @ {latency * 1000:.0f} ms latency",
            f"{first['wall_seconds']} s",
            "—",
        ],
        ["full sync peak RSS", f"{first['peak_rss_mb']} MB", "—"],
        ["quiet incremental requests", quiet_requests, "all 304"],
        ["quiet incremental 304s", quiet_304, f"= {quiet_requests}"],
        ["quiet incremental wall time", f"{quiet['wall_seconds']} s", "—"],
    ]
    figures = {
        "issues": issues,
        "latency_seconds": latency,
        "objects": counts,
        "floor_requests": floor,
        "full_sync_requests": first_requests,
        "requests_over_floor": round(ratio, 4),
        "full_sync_wall_seconds": first["wall_seconds"],
        "full_sync_peak_rss_mb": first["peak_rss_mb"],
        "quiet_sync_requests": quiet_requests,
        "quiet_sync_304": quiet_304,
        "quiet_sync_wall_seconds": quiet["wall_seconds"],
        "table": table,
    }
    print_table(f"GitHub pull, {issues} issues", table)
    save_results(f"github_pull_{issues}", figures)
    return figures
