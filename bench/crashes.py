"""The crash campaign: the whole pipeline as a real process, killed with SIGKILL at seeded
random moments (mid-page, mid-commit, between a comment's create and its record), then run
again until it succeeds. After each: ``PRAGMA integrity_check`` is ok, the store equals the
tracker, and every flagged item carries exactly one comment of the service's own."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import ROOT, print_table, save_results, write_config
from sandbox.github import GitHubSandbox
from sandbox.scenario import seed_github_repo
from sandbox.verify import differences, sandbox_state, store_state

TOKEN = "ghp_crash"


def crash_run(seed: int, issues: int = 300) -> dict[str, Any]:
    rng = random.Random(seed)
    sandbox = GitHubSandbox("acme/portal", tokens={TOKEN: "tracker-bot"}, latency=0.005).start()
    seed_github_repo(
        sandbox, issues=issues, comments_per_issue=1, events_per_issue=2, milestones=2, seed=seed
    )
    for n in range(1, 13):  # flagged: requirements in progress nobody confirmed
        sandbox.add_issue(f"Requirement {n}", labels=["requirement", "in progress"])
    sandbox.create_delay = 0.05  # widen the window between a create and its record
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        config = write_config(
            Path(tmp) / "config.toml",
            [
                {
                    "name": "c",
                    "kind": "github",
                    "base_url": sandbox.base_url,
                    "repo": "acme/portal",
                    "token_env": "T",
                    "min_write_interval_seconds": 0,
                }
            ],
            store={"path": str(db)},
            writeback={"max_new_comments": 5000},
        )
        env = {**os.environ, "T": TOKEN}
        command = [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config), "-q"]
        delay = rng.uniform(0.3, 2.5)
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait()
        integrity = (
            sqlite3.connect(db).execute("pragma integrity_check").fetchone()[0]
            if db.exists()
            else "ok"
        )
        sandbox.create_delay = 0.0
        reruns = 0
        while reruns < 3:
            reruns += 1
            if subprocess.run(command, env=env, capture_output=True, timeout=120).returncode == 0:
                break
        subprocess.run(
            command, env=env, capture_output=True, timeout=120
        )  # quiet: nothing to write
        diff = differences(sandbox_state(sandbox), store_state(db, "c"))
        targets = {
            row[0]
            for row in sqlite3.connect(db).execute(
                "select subject from findings where resolved_at is null and subject_type = 'item'"
            )
        }
    own = Counter(c["issue"] for c in sandbox.comments.values() if c["user"] == "tracker-bot")
    sandbox.stop()
    flagged = {int(key.split("#")[1]) for key in targets}
    duplicates = {n: k for n, k in own.items() if k > 1}
    missing = flagged - set(own)
    return {
        "seed": seed,
        "kill_after_seconds": round(delay, 2),
        "killed": killed,
        "integrity": integrity,
        "reruns": reruns,
        "store_equals_tracker": not diff,
        "differences": diff,
        "duplicate_comments": len(duplicates),
        "flagged_without_comment": len(missing),
    }


def bench_crashes(points: int = 20, latency: float = 0.0) -> dict[str, Any]:
    results = [crash_run(seed) for seed in range(points)]
    ok = [
        r
        for r in results
        if r["integrity"] == "ok"
        and r["store_equals_tracker"]
        and not r["duplicate_comments"]
        and not r["flagged_without_comment"]
    ]
    table = [
        [
            "kills (process still running when killed)",
            f"{sum(r['killed'] for r in results)} / {points}",
            "—",
        ],
        ["integrity_check ok", sum(r["integrity"] == "ok" for r in results), points],
        [
            "store equals the tracker after rerun",
            sum(r["store_equals_tracker"] for r in results),
            points,
        ],
        ["items with a duplicated own comment", sum(r["duplicate_comments"] for r in results), 0],
        ["flagged items without a comment", sum(r["flagged_without_comment"] for r in results), 0],
        ["crash points fully recovered", f"{len(ok)} / {points}", "all"],
    ]
    figures = {"points": points, "runs": results, "table": table}
    print_table(f"Crash campaign: {points} SIGKILLs at random moments", table)
    save_results("crashes", figures)
    return figures
