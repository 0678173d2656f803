"""The fault campaign: for each seed and each tracker, a sandbox injecting 20% faults (429 with
retry hints, 5xx, dropped connections, malformed bodies, slow answers, objects inserted or
edited while paging) is synced until the run succeeds; then the store must equal the sandbox:
no item lost or doubled, every history and comment there, no cursor past the data."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.common import print_table, save_results
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.scenario import seed_github_repo, seed_jira_project, seed_worktile_project
from sandbox.server import FaultPlan
from sandbox.verify import differences, sandbox_state, store_state
from sandbox.worktile import WorktileSandbox
from sync.run import RunOptions, run_once
from sync.settings import build_settings, resolve_secrets

MAX_RUNS = 3


def tracker(kind: str, seed: int, size: int, rate: float) -> tuple[Any, dict[str, Any]]:
    faults = FaultPlan(rate=rate, seed=seed, retry_after=0)
    if kind == "github":
        sandbox = GitHubSandbox(
            "acme/portal",
            tokens={"ghp_f": "bot"},
            faults=faults,
            mid_paging_change="edit" if seed % 2 else "insert",
        ).start()
        seed_github_repo(
            sandbox, issues=size, comments_per_issue=1, events_per_issue=2, milestones=2, seed=seed
        )
        return sandbox, {"kind": "github", "repo": "acme/portal", "token_env": "F_GH"}
    if kind == "jira":
        sandbox = JiraSandbox(
            "ACME", bearer={"jira-f": "bot"}, faults=faults, max_results_cap=25
        ).start()
        seed_jira_project(
            sandbox, issues=size, long_histories=2, history_length=110, versions=2, seed=seed
        )
        return sandbox, {"kind": "jira", "project": "ACME", "token_env": "F_JIRA"}
    sandbox = WorktileSandbox("SCR", faults=faults, budget=(100_000, 60.0)).start()
    seed_worktile_project(sandbox, items=size, seed=seed)
    return sandbox, {
        "kind": "worktile",
        "project": "SCR",
        "client_id_env": "F_ID",
        "client_secret_env": "F_SECRET",
        "requests_per_minute": 100_000,
    }


def campaign_run(kind: str, seed: int, size: int = 400, rate: float = 0.2) -> dict[str, Any]:
    """One seed on one tracker: sync until a run succeeds, then compare store and sandbox."""
    os.environ.update(
        {"F_GH": "ghp_f", "F_JIRA": "jira-f", "F_ID": "pc-client", "F_SECRET": "pc-secret"}
    )
    sandbox, source = tracker(kind, seed, size, rate)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "store.db"
            config = {
                "name": "f",
                "base_url": sandbox.base_url,
                "retry_backoff_seconds": 0.01,
                **source,
            }
            settings = build_settings({"writeback": {"enabled": False}, "sources": [config]})
            secrets = resolve_secrets(settings, list(settings.sources))
            runs, code = 0, 1
            while code != 0 and runs < MAX_RUNS:
                runs += 1
                _, code = run_once(settings, list(settings.sources), secrets, db, RunOptions())
            sandbox.faults.rate = 0.0  # a last quiet sync catches what arrived after its window
            run_once(settings, list(settings.sources), secrets, db, RunOptions())
            diff = differences(sandbox_state(sandbox), store_state(db, "f"))
    finally:
        sandbox.stop()
    injected = sum(1 for r in sandbox.log if r.fault)
    return {
        "kind": kind,
        "seed": seed,
        "runs": runs,
        "requests": len(sandbox.log),
        "faults": injected,
        "converged": not diff,
        "differences": diff,
    }


def bench_faults(seeds: int = 20, latency: float = 0.0) -> dict[str, Any]:
    logging.getLogger().setLevel(logging.ERROR)  # thousands of retries would flood the log
    results = [
        campaign_run(kind, seed) for kind in ("github", "jira", "worktile") for seed in range(seeds)
    ]
    table = []
    for kind in ("github", "jira", "worktile"):
        mine = [r for r in results if r["kind"] == kind]
        table.append(
            [
                f"{kind}: seeds converged",
                f"{sum(r['converged'] for r in mine)} / {len(mine)}",
                "all",
            ]
        )
        table.append([f"{kind}: faults injected (total)", sum(r["faults"] for r in mine), "—"])
        table.append([f"{kind}: runs needed (max)", max(r["runs"] for r in mine), "—"])
    failures = [r for r in results if not r["converged"]]
    figures = {
        "seeds": seeds,
        "fault_rate": 0.2,
        "runs": results,
        "failures": failures,
        "table": table,
    }
    print_table(f"Fault campaign: {seeds} seeds x 20% faults x 3 trackers", table)
    save_results("faults", figures)
    return figures


if __name__ == "__main__":
    bench_faults()
