"""Shared fixtures: sandbox trackers on loopback and a one-call sync against them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sandbox.demo import SECRETS, apply_demo_edits, demo_config, start_demo_trackers
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.server import FaultPlan
from sandbox.worktile import WorktileSandbox
from sync.run import RunOptions, run_once
from sync.settings import Settings, build_settings, resolve_secrets

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = Path(__file__).resolve().parent / "contracts"
GITHUB_TOKEN = "ghp_sandbox_token"
JIRA_EMAIL, JIRA_TOKEN, JIRA_PAT = "bot@acme.example", "jira-api-token", "jira-pat"


@pytest.fixture
def github():
    sandbox = GitHubSandbox("acme/portal", tokens={GITHUB_TOKEN: "tracker-bot"}).start()
    yield sandbox
    sandbox.stop()


def sandbox_factory(cls: type, name_arg: str, default_name: str, **defaults: Any):
    """A fixture body: ``make(**kwargs)`` starts a sandbox (faults may be a dict), and every
    sandbox started is stopped after the test."""
    started: list[Any] = []

    def make(**kwargs: Any) -> Any:
        for key, value in defaults.items():
            kwargs.setdefault(key, value)
        if isinstance(kwargs.get("faults"), dict):
            kwargs["faults"] = FaultPlan(**kwargs["faults"])
        sandbox = cls(kwargs.pop(name_arg, default_name), **kwargs).start()
        started.append(sandbox)
        return sandbox

    return make, started


@pytest.fixture
def make_github():
    make, started = sandbox_factory(
        GitHubSandbox, "repo", "acme/portal", tokens={GITHUB_TOKEN: "tracker-bot"}
    )
    yield make
    for sandbox in started:
        sandbox.stop()


def github_source(sandbox: GitHubSandbox, name: str = "acme-github", **overrides: Any) -> dict:
    source = {
        "name": name,
        "kind": "github",
        "base_url": sandbox.base_url,
        "repo": sandbox.repo,
        "token_env": "TEST_GITHUB_TOKEN",
        "retry_backoff_seconds": 0.01,
        "min_write_interval_seconds": 0,
    }
    source.update(overrides)
    return source


@pytest.fixture
def make_jira():
    make, started = sandbox_factory(JiraSandbox, "project", "ACME")
    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def make_worktile():
    make, started = sandbox_factory(WorktileSandbox, "identifier", "SCR", budget=(200, 1.0))
    yield make
    for sandbox in started:
        sandbox.stop()


def worktile_source(
    sandbox: WorktileSandbox, name: str = "acme-pingcode", **overrides: Any
) -> dict:
    """PingCode's 200 requests a minute, run as 200 a second so tests stay fast."""
    source = {
        "name": name,
        "kind": "worktile",
        "base_url": sandbox.base_url,
        "api_prefix": sandbox.prefix,
        "project": sandbox.identifier,
        "client_id_env": "TEST_PC_ID",
        "client_secret_env": "TEST_PC_SECRET",
        "requests_per_minute": 12000,
        "rate_window_seconds": 1,
        "retry_backoff_seconds": 0.01,
    }
    source.update(overrides)
    return source


def jira_source(sandbox: JiraSandbox, name: str = "acme-jira", **overrides: Any) -> dict:
    cloud = sandbox.deployment == "cloud"
    source = {
        "name": name,
        "kind": "jira",
        "base_url": sandbox.base_url,
        "api_version": 3 if cloud else 2,
        "project": sandbox.project,
        "token_env": "TEST_JIRA_TOKEN" if cloud else "TEST_JIRA_PAT",
        "retry_backoff_seconds": 0.01,
    }
    if cloud:
        source["email"] = JIRA_EMAIL
    source.update(overrides)
    return source


@pytest.fixture(autouse=True)
def tracker_token_env(monkeypatch):
    monkeypatch.setenv("TEST_GITHUB_TOKEN", GITHUB_TOKEN)
    monkeypatch.setenv("TEST_JIRA_TOKEN", JIRA_TOKEN)
    monkeypatch.setenv("TEST_JIRA_PAT", JIRA_PAT)
    monkeypatch.setenv("TEST_PC_ID", "pc-client")
    monkeypatch.setenv("TEST_PC_SECRET", "pc-secret")


def sync(
    db: Path, *sources: dict, settings: dict | None = None, **options: Any
) -> tuple[dict, int]:
    """One run of the real pipeline in-process, as ``run_sync.py`` does it. Write-back is off
    unless the test's settings turn it on: a pull test writes nothing to trackers."""
    merged = {"writeback": {"enabled": False}, **(settings or {}), "sources": list(sources)}
    config: Settings = build_settings(merged)
    secrets = resolve_secrets(config, list(config.sources))
    report, code = run_once(config, list(config.sources), secrets, db, RunOptions(**options))
    # the CLI streams the spools; tests read them as lists
    return {**report, "findings": list(report["findings"]), "writes": list(report["writes"])}, code


def rows(db: Path, sql: str, params: tuple = ()) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 120):
    """``python run_sync.py ARGS`` as a real process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "run_sync.py"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def synced_demo(
    db: Path, between_runs: Callable[..., None] = lambda *sandboxes: None
) -> Iterator[tuple[Settings, tuple]]:
    """The demo's store as ``--demo`` leaves it: its three sandbox trackers seeded, synced
    twice with the team's edits between (``between_runs(github, jira, worktile)`` sees the
    trackers before the edits). Yields the settings and the running sandboxes."""
    github, jira, worktile = sandboxes = start_demo_trackers()
    before = {name: os.environ.get(name) for name in SECRETS}
    try:
        os.environ.update(SECRETS)
        settings = build_settings(demo_config(github, jira, worktile))
        secrets = resolve_secrets(settings, list(settings.sources))
        run_once(settings, list(settings.sources), secrets, db, RunOptions())
        between_runs(github, jira, worktile)
        apply_demo_edits(github, worktile)
        run_once(settings, list(settings.sources), secrets, db, RunOptions())
        yield settings, sandboxes
    finally:
        for sandbox in sandboxes:
            sandbox.stop()
        for name, value in before.items():  # the demo's secrets stay the demo's
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def kill_run_when(config: Path, env: dict[str, str], reached: Callable[[], bool]) -> None:
    """Run the CLI on ``config`` as a real process and SIGKILL it the moment ``reached()``
    holds (or after 30 s): a crash at that point, as the OOM killer or a reboot would."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config), "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not reached() and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
