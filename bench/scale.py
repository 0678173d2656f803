"""The scale run (issue 9): N items split over GitHub, Jira and PingCode, pulled in one run of
the real program (a child process) at 1k, 5k, 10k and 100k: wall time, the program's own CPU
time, requests and peak RSS, so the cost curve can be read (it must grow linearly or better;
goal < 300 MB at 100k). Wall time includes the three sandboxes, which share this process."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import print_table, run_sync_process, save_results, write_config
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.scenario import seed_github_repo, seed_jira_project, seed_worktile_project
from sandbox.worktile import WorktileSandbox


def scale_point(total: int) -> dict[str, Any]:
    third = total // 3
    gh = GitHubSandbox("acme/portal", tokens={"ghp_scale": "bot"}).start()
    jira = JiraSandbox("ACME", bearer={"jira-scale": "bot"}).start()
    wt = WorktileSandbox("SCR", budget=(10_000_000, 60.0)).start()
    started = time.perf_counter()
    seed_github_repo(gh, issues=third, comments_per_issue=1, events_per_issue=2, milestones=5)
    seed_jira_project(jira, issues=third, versions=5)
    seed_worktile_project(wt, items=total - 2 * third, comments_per_requirement=1)
    seeding = time.perf_counter() - started
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(
                Path(tmp) / "config.toml",
                [
                    {
                        "name": "gh",
                        "kind": "github",
                        "base_url": gh.base_url,
                        "repo": "acme/portal",
                        "token_env": "S_GH",
                    },
                    {
                        "name": "jira",
                        "kind": "jira",
                        "base_url": jira.base_url,
                        "project": "ACME",
                        "token_env": "S_JIRA",
                    },
                    {
                        "name": "pc",
                        "kind": "worktile",
                        "base_url": wt.base_url,
                        "project": "SCR",
                        "client_id_env": "S_ID",
                        "client_secret_env": "S_SECRET",
                        "requests_per_minute": 10_000_000,
                    },
                ],
                store={"path": str(Path(tmp) / "scale.db")},
                writeback={"enabled": False},
            )
            env = {
                "S_GH": "ghp_scale",
                "S_JIRA": "jira-scale",
                "S_ID": "pc-client",
                "S_SECRET": "pc-secret",
            }
            run = run_sync_process(["--config", str(config)], env)
            db_mb = (Path(tmp) / "scale.db").stat().st_size / 1e6
    finally:
        for sandbox in (gh, jira, wt):
            sandbox.stop()
    report = run["report"]
    return {
        "items": total,
        "seconds": run["wall_seconds"],
        "cpu_seconds": run["cpu_seconds"],
        "requests": sum(s["requests"] for s in report["sources"]),
        "peak_rss_mb": run["peak_rss_mb"],
        "store_mb": round(db_mb, 1),
        "sources_ok": all(s["status"] == "ok" for s in report["sources"]),
        "seeding_seconds": round(seeding, 1),
    }


def bench_scale(sizes: tuple[int, ...] = (1000, 5000, 10_000, 100_000)) -> dict[str, Any]:
    os.environ.setdefault("PYTHONHASHSEED", "0")
    points = [scale_point(size) for size in sizes]
    figures = {"points": points, "table": scale_table(points)}
    print_table("Scale: three trackers in one run", figures["table"])
    save_results("scale", figures)
    return figures


def scale_table(points: list[dict[str, Any]]) -> list[list[str]]:
    table = [
        [
            f"{p['items']} items",
            f"{p['seconds']} s wall, {p['cpu_seconds']} s CPU"
            f" ({1000 * p['cpu_seconds'] / p['items']:.2f} ms an item), {p['requests']} requests,"
            f" {p['peak_rss_mb']} MB RSS, store {p['store_mb']} MB",
            "< 300 MB" if p["items"] >= 100_000 else "—",
        ]
        for p in points
    ]
    for small, big in zip(points, points[1:], strict=False):
        factor = big["items"] / small["items"]
        table.append(
            [
                f"{small['items']} → {big['items']}: wall ×, CPU ×, requests ×",
                f"{big['seconds'] / small['seconds']:.1f},"
                f" {big['cpu_seconds'] / small['cpu_seconds']:.1f},"
                f" {big['requests'] / small['requests']:.1f}",
                f"≈ {factor:.0f} (linear)",
            ]
        )
    return table
