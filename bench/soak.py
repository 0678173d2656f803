"""The soak: the daemon as a real process at a very short interval, against a sandbox with
faults, for N cycles: its memory stays flat (within 10%), its open file descriptors do not
grow, and no two runs overlap (from the ``runs`` table)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, print_table, save_results, write_config
from sandbox.github import GitHubSandbox
from sandbox.scenario import seed_github_repo
from sandbox.server import FaultPlan


def sample(pid: int) -> tuple[int, int]:
    """(RSS in kB, open file descriptors) of a live process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def finished_runs(db: Path) -> list[tuple[str, str]]:
    try:
        conn = sqlite3.connect(db, timeout=5)
        try:
            return conn.execute(
                "select started_at, finished_at from runs where finished_at is not null order by id"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return []


def soak(cycles: int = 500, timeout: float = 1200) -> dict[str, Any]:
    figures = run_soak(cycles, timeout)
    print_table(f"Soak: the daemon for {figures['cycles']} cycles", figures["table"])
    save_results("soak", figures)
    return figures


def run_soak(cycles: int, timeout: float) -> dict[str, Any]:
    sandbox = GitHubSandbox(
        "acme/portal", tokens={"ghp_soak": "bot"}, faults=FaultPlan(rate=0.1, seed=9, retry_after=0)
    ).start()
    seed_github_repo(sandbox, issues=60, comments_per_issue=1, events_per_issue=1, milestones=2)
    samples: list[tuple[int, int, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.db"
        config = write_config(
            Path(tmp) / "config.toml",
            [
                {
                    "name": "s",
                    "kind": "github",
                    "base_url": sandbox.base_url,
                    "repo": "acme/portal",
                    "token_env": "T",
                    "retry_backoff_seconds": 0.01,
                }
            ],
            store={"path": str(db)},
            daemon={"interval_minutes": 0.001},
            writeback={"enabled": False},
        )
        daemon = subprocess.Popen(
            [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config), "--daemon", "-q"],
            env={**os.environ, "T": "ghp_soak"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started = time.monotonic()
        done = 0
        try:
            while done < cycles and time.monotonic() - started < timeout and daemon.poll() is None:
                time.sleep(0.5)
                done = len(finished_runs(db))
                if daemon.poll() is None:
                    samples.append((done, *sample(daemon.pid)))
                if done and done % 50 == 0:  # the team keeps working between cycles
                    sandbox.edit_issue(1 + done % 60, body=f"edited in cycle {done}")
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(timeout=30)
        finally:
            if daemon.poll() is None:
                daemon.kill()
            sandbox.stop()
        runs = finished_runs(db)
    overlaps = sum(1 for a, b in zip(runs, runs[1:], strict=False) if b[0] < a[1])
    warm = [s for s in samples if s[0] >= max(10, cycles // 10)]
    early, late = warm[: max(1, len(warm) // 10)], warm[-max(1, len(warm) // 10) :]
    rss_early = sorted(s[1] for s in early)[len(early) // 2]
    rss_late = sorted(s[1] for s in late)[len(late) // 2]
    fds_early, fds_late = max(s[2] for s in early), max(s[2] for s in late)
    growth = (rss_late - rss_early) / rss_early
    table = [
        ["cycles completed", len(runs), f"≥ {cycles}"],
        ["exit code on SIGTERM", code, "0"],
        [
            "RSS after warm-up → at the end",
            f"{rss_early / 1024:.1f} → {rss_late / 1024:.1f} MB",
            "within 10%",
        ],
        ["RSS growth", f"{growth * 100:+.1f}%", "≤ +10%"],
        ["open file descriptors, early → late (max)", f"{fds_early} → {fds_late}", "no growth"],
        ["overlapping runs", overlaps, "0"],
        ["faults injected", sum(1 for r in sandbox.log if r.fault), "—"],
    ]
    figures = {
        "cycles": len(runs),
        "exit_code": code,
        "rss_early_kb": rss_early,
        "rss_late_kb": rss_late,
        "rss_growth": round(growth, 4),
        "fds_early": fds_early,
        "fds_late": fds_late,
        "overlaps": overlaps,
        "table": table,
    }
    return figures
