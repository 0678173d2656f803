"""Issue 7's figures: write requests for 1,000 flagged items on GitHub and Jira (goal: exactly
1,000 each), for the steady state after (goal: 0), and the time GitHub's one-second pacing
adds (measured on a small paced sample, as 1,000 paced writes would take 17 minutes)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import print_table, save_results
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sync.run import RunOptions, run_once
from sync.settings import build_settings, resolve_secrets


def _run(sources: list[dict[str, Any]], db: Path) -> dict[str, Any]:
    settings = build_settings(
        {
            "writeback": {"enabled": True, "max_new_comments": 100_000},
            "sources": sources,
        }
    )
    secrets = resolve_secrets(settings, list(settings.sources))
    return run_once(settings, list(settings.sources), secrets, db, RunOptions())[0]


def _flagged_github(count: int) -> GitHubSandbox:
    gh = GitHubSandbox("acme/portal", tokens={"ghp_bench": "bot"}).start()
    for n in range(count):
        gh.add_issue(f"Requirement {n}", labels=["requirement", "in progress"])
    return gh


def _flagged_jira(count: int) -> JiraSandbox:
    jira = JiraSandbox("ACME", bearer={"jira-bench": "bot"}).start()
    for n in range(count):
        story = jira.add_issue(f"Story {n}", issuetype="Story", created="2026-11-01T09:00:00Z")
        jira.edit_issue(story["key"], author="dev", at="2026-11-02T09:00:00Z", status="In Progress")
    return jira


def bench_writeback(items: int = 1000, latency: float = 0.0) -> dict[str, Any]:
    os.environ["BENCH_GH"], os.environ["BENCH_JIRA"] = "ghp_bench", "jira-bench"
    figures: dict[str, Any] = {"items": items}
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, make, source in (
            (
                "github",
                _flagged_github,
                {
                    "kind": "github",
                    "repo": "acme/portal",
                    "token_env": "BENCH_GH",
                    "min_write_interval_seconds": 0,
                },
            ),
            ("jira", _flagged_jira, {"kind": "jira", "project": "ACME", "token_env": "BENCH_JIRA"}),
        ):
            sandbox = make(items)
            config = {"name": f"bench-{kind}", "base_url": sandbox.base_url, **source}
            db = Path(tmp) / f"{kind}.db"
            try:
                _run([config], db)
                first = len(sandbox.writes_made())
                sandbox.clear_log()
                _run([config], db)
                steady = len(sandbox.writes_made())
            finally:
                sandbox.stop()
            figures[f"{kind}_first_run_writes"] = first
            figures[f"{kind}_steady_state_writes"] = steady
            table += [
                [f"{kind}: writes for {items} flagged items", first, f"= {items}"],
                [f"{kind}: writes in the steady state", steady, "0"],
            ]
        sample = 10
        gh = _flagged_github(sample)
        try:
            config = {
                "name": "paced",
                "base_url": gh.base_url,
                "kind": "github",
                "repo": "acme/portal",
                "token_env": "BENCH_GH",
                "min_write_interval_seconds": 1.0,
            }
            started = time.perf_counter()
            _run([config], Path(tmp) / "paced.db")
            paced = time.perf_counter() - started
            posts = [r.at for r in gh.log if r.method == "POST"]
        finally:
            gh.stop()
        gaps = [b - a for a, b in zip(posts, posts[1:], strict=False)]
    figures.update(
        {
            "paced_sample": sample,
            "paced_wall_seconds": round(paced, 2),
            "min_gap_seconds": round(min(gaps), 3),
            "pacing_for_1000_seconds": items - 1,
        }
    )
    table += [
        [f"github: {sample} creates paced 1 s apart, wall time", f"{paced:.1f} s", "—"],
        ["github: smallest gap between two creates", f"{min(gaps):.3f} s", "≥ 1 s"],
        [
            f"github: pacing adds for {items} creates",
            f"{items - 1} s (≈{(items - 1) / 60:.0f} min)",
            "—",
        ],
    ]
    figures["table"] = table
    print_table("Write-back", table)
    save_results("writeback", figures)
    return figures
