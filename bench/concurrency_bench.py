"""Issue 8's figure: three sources (GitHub, Jira, PingCode) at 20 ms latency, pulled together,
against the slowest of them pulled alone (goal: at most 1.2 times)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import print_table, save_results
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.scenario import seed_github_repo, seed_jira_project, seed_worktile_project
from sandbox.worktile import WorktileSandbox
from sync.run import RunOptions, run_once
from sync.settings import build_settings, resolve_secrets


def bench_concurrency(items: int = 1000, latency: float = 0.02) -> dict[str, Any]:
    os.environ.update(
        {"B_GH": "ghp_b", "B_JIRA": "jira-b", "B_ID": "pc-client", "B_SECRET": "pc-secret"}
    )
    gh = GitHubSandbox("acme/portal", tokens={"ghp_b": "bot"}, latency=latency)
    jira = JiraSandbox("ACME", bearer={"jira-b": "bot"}, latency=latency)
    wt = WorktileSandbox("SCR", latency=latency, budget=(100_000, 60.0))
    for sandbox in (gh, jira, wt):
        sandbox.start()
    seed_github_repo(gh, issues=items, comments_per_issue=1, events_per_issue=2, milestones=3)
    seed_jira_project(jira, issues=items, versions=3)
    seed_worktile_project(wt, items=items // 3, comments_per_requirement=0)
    sources = {
        "github": {
            "name": "gh",
            "kind": "github",
            "base_url": gh.base_url,
            "repo": "acme/portal",
            "token_env": "B_GH",
        },
        "jira": {
            "name": "jira",
            "kind": "jira",
            "base_url": jira.base_url,
            "project": "ACME",
            "token_env": "B_JIRA",
        },
        "worktile": {
            "name": "pc",
            "kind": "worktile",
            "base_url": wt.base_url,
            "project": "SCR",
            "client_id_env": "B_ID",
            "client_secret_env": "B_SECRET",
            "requests_per_minute": 100_000,
        },
    }

    def timed(configs: list[dict[str, Any]]) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            settings = build_settings({"writeback": {"enabled": False}, "sources": configs})
            secrets = resolve_secrets(settings, list(settings.sources))
            started = time.perf_counter()
            run_once(settings, list(settings.sources), secrets, Path(tmp) / "s.db", RunOptions())
            return time.perf_counter() - started

    try:
        alone = {kind: timed([config]) for kind, config in sources.items()}
        together = timed(list(sources.values()))
    finally:
        for sandbox in (gh, jira, wt):
            sandbox.stop()
    slowest = max(alone.values())
    ratio = together / slowest
    table = [[f"{kind} alone", f"{seconds:.2f} s", "—"] for kind, seconds in alone.items()]
    table += [
        ["sum of the three", f"{sum(alone.values()):.2f} s", "—"],
        ["all three in parallel", f"{together:.2f} s", f"≤ {1.2 * slowest:.2f} s"],
        ["parallel / slowest single", f"{ratio:.2f}", "≤ 1.2"],
    ]
    figures = {
        "latency_seconds": latency,
        "alone_seconds": {k: round(v, 2) for k, v in alone.items()},
        "parallel_seconds": round(together, 2),
        "ratio_to_slowest": round(ratio, 3),
        "table": table,
    }
    print_table(f"Three sources in parallel @ {latency * 1000:.0f} ms", table)
    save_results("concurrency", figures)
    return figures
