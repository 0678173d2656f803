"""The daemon as a real process: cycles on schedule, SIGTERM exits 0 within seconds, a
second instance on the same store exits 75 at once, and every cycle lands in ``runs``."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from sandbox.scenario import seed_github_repo
from tests.conftest import GITHUB_TOKEN, ROOT, rows, write_config


def finished_runs(db) -> int:
    """0 until the store exists and its tables are made (the file comes first, mode 0600)."""
    try:
        return len(rows(db, "select id from runs where finished_at is not null"))
    except sqlite3.OperationalError:
        return 0


def test_daemon_cycles_stops_on_sigterm_and_locks_out_a_second_instance(make_github, tmp_path):
    gh = make_github(latency=0.005)
    seed_github_repo(gh, issues=60, comments_per_issue=1, events_per_issue=1, milestones=1)
    db = tmp_path / "store.db"
    config = write_config(
        tmp_path / "config.toml",
        f"""
[store]
path = "{db}"
[daemon]
interval_minutes = 0.02
[writeback]
enabled = false
[[sources]]
name = "acme-github"
kind = "github"
base_url = "{gh.base_url}"
repo = "acme/portal"
token_env = "T"
""",
    )
    env = {**os.environ, "T": GITHUB_TOKEN}
    daemon = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config), "--daemon"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and finished_runs(db) < 2:
            time.sleep(0.1)
        second = subprocess.run(
            [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 75, second.stderr
        assert "another tracker-sync run holds" in second.stderr
        sent = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=10)
        assert code == 0
        assert time.monotonic() - sent < 5
    finally:
        if daemon.poll() is None:
            daemon.kill()
    stderr = daemon.stderr.read()
    assert "daemon: cycle 1 exit 0: acme-github ok" in stderr
    assert "daemon: cycle 2 exit 0" in stderr
    assert "Traceback" not in stderr
    runs = rows(db, "select status, exit_code from runs where finished_at is not null")
    assert len(runs) >= 2 and all(r["exit_code"] == 0 for r in runs)
    conn_check = rows(db, "pragma integrity_check")
    assert conn_check[0]["integrity_check"] == "ok"
