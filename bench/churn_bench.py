"""Issue 15's figure: write requests over 30 simulated quiet days on 1,000 flagged items
across GitHub, Jira and PingCode (an overdue milestone on GitHub, unconfirmed requirements
everywhere). The first day writes each comment once; every later day, with no tracker
activity, must write nothing (goal 0): comments state dates, never ages."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import print_table, save_results
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.worktile import WorktileSandbox
from sync.run import RunOptions, run_once
from sync.settings import build_settings, resolve_secrets

FIRST_DAY = date(2026, 11, 30)


def _seed(items: int) -> tuple[GitHubSandbox, JiraSandbox, WorktileSandbox]:
    gh = GitHubSandbox("acme/portal", tokens={"ghp_churn": "bot"}).start()
    jira = JiraSandbox("ACME", bearer={"jira-churn": "bot"}).start()
    wt = WorktileSandbox("SCR", budget=(1_000_000, 60.0)).start()
    third = items // 3
    milestone = gh.add_milestone("Release 1", due_on="2026-11-20T00:00:00Z")["number"]
    for n in range(items - 2 * third):
        gh.add_issue(f"Requirement {n}", labels=["requirement", "in progress"], milestone=milestone)
    for n in range(third):
        story = jira.add_issue(f"Story {n}", issuetype="Story", created="2026-11-01T09:00:00Z")
        jira.edit_issue(story["key"], author="dev", at="2026-11-02T09:00:00Z", status="In Progress")
    for n in range(third):
        item = wt.add_item(f"需求 {n}", type_id="requirement", created=1793520000)
        wt.edit_item(item["id"], by="dev", at=1793606400, state="in_progress")
    return gh, jira, wt


def _config(gh: GitHubSandbox, jira: JiraSandbox, wt: WorktileSandbox) -> dict[str, Any]:
    return {
        "writeback": {"enabled": True, "max_new_comments": 100_000},
        "sources": [
            {
                "name": "gh",
                "kind": "github",
                "base_url": gh.base_url,
                "repo": "acme/portal",
                "token_env": "CHURN_GH",
                "min_write_interval_seconds": 0,
            },
            {
                "name": "jira",
                "kind": "jira",
                "base_url": jira.base_url,
                "project": "ACME",
                "token_env": "CHURN_JIRA",
            },
            {
                "name": "pingcode",
                "kind": "worktile",
                "base_url": wt.base_url,
                "project": "SCR",
                "client_id_env": "CHURN_ID",
                "client_secret_env": "CHURN_SECRET",
                "requests_per_minute": 1_000_000,
            },
        ],
    }


def bench_churn(items: int = 1000, days: int = 30) -> dict[str, Any]:
    os.environ.update(
        {"CHURN_GH": "ghp_churn", "CHURN_JIRA": "jira-churn"}
        | {"CHURN_ID": "pc-client", "CHURN_SECRET": "pc-secret"}
    )
    sandboxes = _seed(items)
    settings = build_settings(_config(*sandboxes))
    sources = list(settings.sources)
    secrets = resolve_secrets(settings, sources)
    per_day = []
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for day in range(days):
                options = RunOptions(as_of=FIRST_DAY + timedelta(days=day))
                run_once(settings, sources, secrets, Path(tmp) / "churn.db", options)
                per_day.append(sum(len(s.writes_made()) for s in sandboxes))
                for sandbox in sandboxes:
                    sandbox.clear_log()
    finally:
        for sandbox in sandboxes:
            sandbox.stop()
    wall = time.perf_counter() - started
    later = sum(per_day[1:])
    figures = {
        "items": items,
        "days": days,
        "first_day_writes": per_day[0],
        "later_days_writes": later,
        "wall_seconds": round(wall, 1),
    }
    figures["table"] = [
        [f"writes on day 1 ({items} flagged items, 3 trackers)", per_day[0], f"= {items}"],
        [f"writes on days 2–{days}, no tracker activity", later, "0"],
        [f"{days} daily runs, wall time", f"{wall:.0f} s", "—"],
    ]
    print_table("Churn over quiet days", figures["table"])
    save_results("churn", figures)
    return figures
