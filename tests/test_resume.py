"""A run killed mid-sync (SIGKILL, as the OOM killer or a reboot would) loses nothing: the next
run resumes from the last committed page and the store converges."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from sandbox.scenario import seed_github_repo
from tests.conftest import GITHUB_TOKEN, ROOT, kill_run_when, write_config
from tests.test_github_sync import assert_store_matches


def test_killed_mid_sync_resumes_and_converges(make_github, tmp_path):
    sandbox = make_github(latency=0.01)
    seed_github_repo(sandbox, issues=900, comments_per_issue=1, events_per_issue=1, milestones=2)
    db = tmp_path / "store.db"
    config = write_config(
        tmp_path / "config.toml",
        f'[store]\npath = "{db}"\n[writeback]\nenabled = false\n'
        f'[[sources]]\nname = "acme-github"\nkind = "github"\n'
        f'base_url = "{sandbox.base_url}"\nrepo = "acme/portal"\ntoken_env = "T"\n',
    )
    env = {**os.environ, "T": GITHUB_TOKEN}

    def issue_pages() -> list:
        return [r for r in sandbox.log if r.path.endswith("/issues") and r.status == 200]

    kill_run_when(config, env, lambda: len(issue_pages()) >= 5)
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    stored_before = conn.execute("select count(*) from items").fetchone()[0]
    conn.close()
    assert 0 < stored_before < 900, "the kill should land mid-pull"
    sandbox.clear_log()
    rerun = subprocess.run(
        [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config), "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    resumed_pages = [r for r in sandbox.log if r.path.endswith("/issues") and r.status == 200]
    assert len(resumed_pages) < 9, "the rerun started over instead of resuming"
    assert_store_matches(db, sandbox)
