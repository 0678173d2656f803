"""Issue 5's figures: 3,000 PingCode work items through the sandbox at 20 ms latency: requests
against the floor (list pages per type + transitions of each requirement and of each task
linked to something that has entered work + activities of each item not cancelled), comment
requests against the items whose comments a rule can read (requirements, open items, items in
a version or sprint), wall time, and the minutes PingCode's 200-a-minute budget forces on that
many requests (run with the budget lifted, then derived: a real run is paced to 190 a
minute)."""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import print_table, save_results
from sandbox.scenario import seed_worktile_project
from sandbox.verify import activity_read_items, comment_read_items, started_linked_tasks
from sandbox.worktile import WorktileSandbox
from sync.run import RunOptions, run_once
from sync.settings import build_settings, resolve_secrets


def bench_worktile_pull(items: int = 3000, latency: float = 0.02) -> dict[str, Any]:
    os.environ.update({"B_ID": "pc-client", "B_SECRET": "pc-secret"})
    sandbox = WorktileSandbox("SCR", latency=latency, budget=(1_000_000, 60.0)).start()
    seed_worktile_project(sandbox, items=items, comments_per_requirement=1)
    types = Counter(i["type"] for i in sandbox.items.values())
    requirements = types["requirement"] + types["story"]
    linked_tasks = len(started_linked_tasks(sandbox))  # their transitions: when work started
    histories = len(activity_read_items(sandbox))  # every item not cancelled
    comment_items = len(comment_read_items(sandbox))  # what unanswered_client or scope can read
    floor = sum(math.ceil(n / 100) for n in types.values()) + requirements + linked_tasks
    floor += histories
    config = {
        "name": "pc",
        "kind": "worktile",
        "base_url": sandbox.base_url,
        "project": "SCR",
        "client_id_env": "B_ID",
        "client_secret_env": "B_SECRET",
        "requests_per_minute": 1_000_000,
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = build_settings({"writeback": {"enabled": False}, "sources": [config]})
            secrets = resolve_secrets(settings, list(settings.sources))
            started = time.perf_counter()
            run_once(settings, list(settings.sources), secrets, Path(tmp) / "s.db", RunOptions())
            wall = time.perf_counter() - started
            log = list(sandbox.log)
            sandbox.clear_log()
            run_once(settings, list(settings.sources), secrets, Path(tmp) / "s.db", RunOptions())
            quiet = len(sandbox.log)
    finally:
        sandbox.stop()
    data = [
        r for r in log if r.path.endswith(("/work_items", "/transition_histories", "/activities"))
    ]
    comments = sum(1 for r in log if r.path == "/v1/comments")
    forced_minutes = len(log) / 190
    table = [
        ["work items (requirements)", f"{len(sandbox.items)} ({requirements})", "—"],
        [
            f"floor: list pages + transitions of {requirements} requirements and"
            f" {linked_tasks} linked tasks in work + activities of {histories} items",
            floor,
            "—",
        ],
        ["list + history requests", len(data), f"≤ {math.floor(floor * 1.05)}"],
        ["requests / floor", f"{len(data) / floor:.3f}", "≤ 1.05"],
        [
            "comment requests (requirements, open items, items in a version or sprint)",
            comments,
            f"= {comment_items}",
        ],
        ["all requests of the first sync", len(log), "—"],
        [f"wall time @ {latency * 1000:.0f} ms, budget lifted", f"{wall:.1f} s", "—"],
        ["minutes the 200/min budget forces (at 190/min)", f"{forced_minutes:.1f} min", "—"],
        ["quiet incremental requests", quiet, "—"],
    ]
    figures = {
        "items": len(sandbox.items),
        "requirements": requirements,
        "linked_tasks_in_work": linked_tasks,
        "items_with_activities": histories,
        "items_with_comments": comment_items,
        "floor_requests": floor,
        "data_requests": len(data),
        "comment_requests": comments,
        "all_requests": len(log),
        "wall_seconds": round(wall, 1),
        "budget_minutes": round(forced_minutes, 1),
        "quiet_requests": quiet,
        "table": table,
    }
    print_table(f"PingCode pull, {len(sandbox.items)} work items", table)
    save_results(f"worktile_pull_{items}", figures)
    return figures
