"""The program as users and cron run it: a real process, its exit codes, its stdout and
stderr, and what it leaves on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sandbox.scenario import seed_github_repo
from sync.lock import RunLock
from tests.conftest import GITHUB_TOKEN, run_cli, write_config


def github_config(tmp_path, sandbox, *, token_env="CLI_GITHUB_TOKEN", extra=""):
    return write_config(
        tmp_path / "config.toml",
        f"""
[store]
path = "{tmp_path / "store.db"}"

[[sources]]
name = "acme-github"
kind = "github"
base_url = "{sandbox.base_url}"
repo = "acme/portal"
token_env = "{token_env}"
retry_backoff_seconds = 0.01
min_write_interval_seconds = 0
{extra}
""",
    )


def test_json_report_is_the_only_thing_on_stdout(tmp_path, github):
    seed_github_repo(github, issues=30, comments_per_issue=1, events_per_issue=2, milestones=2)
    config = github_config(tmp_path, github)
    result = run_cli(
        "--config",
        str(config),
        "--json",
        "--dry-run",
        env={"CLI_GITHUB_TOKEN": GITHUB_TOKEN},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {
        "started_at",
        "finished_at",
        "dry_run",
        "as_of",
        "sources",
        "findings",
        "writes",
        "notifications",
    }
    assert report["dry_run"] is True
    assert report["findings"] and report["writes"]
    assert {"rule", "source", "subject_type", "subject", "severity", "summary", "evidence"} <= set(
        report["findings"][0]
    )
    assert all(w["done"] is False for w in report["writes"])
    assert report["sources"] == [
        {
            "name": "acme-github",
            "kind": "github",
            "status": "ok",
            "error": None,
            "requests": report["sources"][0]["requests"],
            "items": 30,
            "changes": report["sources"][0]["changes"],
        }
    ]
    assert report["sources"][0]["changes"] > 0 and report["sources"][0]["requests"] >= 6
    assert "acme-github: ok" in result.stderr, "logs belong on stderr"


def test_human_summary_by_default(tmp_path, github):
    seed_github_repo(github, issues=5, comments_per_issue=0, events_per_issue=0, milestones=0)
    result = run_cli(
        "--config", str(github_config(tmp_path, github)), env={"CLI_GITHUB_TOKEN": GITHUB_TOKEN}
    )
    assert result.returncode == 0
    assert "acme-github  github  ok" in result.stdout


def test_config_error_is_one_line_naming_the_key_exit_2(tmp_path):
    config = write_config(
        tmp_path / "c.toml", '[[sources]]\nname = "gh"\nkind = "github"\ntoken_env = "X"\n'
    )
    result = run_cli("--config", str(config))
    assert result.returncode == 2
    assert result.stderr.strip() == "tracker-sync: config: sources[gh].repo: field required"
    assert result.stdout == ""


def test_missing_config_file_and_missing_secret_exit_2(tmp_path, github):
    missing = run_cli("--config", str(tmp_path / "nope.toml"))
    assert (
        missing.returncode == 2
        and "cannot read" in missing.stderr
        and "Traceback" not in missing.stderr
    )
    no_secret = run_cli(
        "--config", str(github_config(tmp_path, github, token_env="UNSET_VAR_FOR_TEST"))
    )
    assert no_secret.returncode == 2
    assert (
        "sources[acme-github].token_env: environment variable UNSET_VAR_FOR_TEST is not set"
        in no_secret.stderr
    )


def test_usage_errors_exit_2(tmp_path, github):
    config = str(github_config(tmp_path, github))
    env = {"CLI_GITHUB_TOKEN": GITHUB_TOKEN}
    assert run_cli("--config", config, "--as-of", "23/11/2026", env=env).returncode == 2
    unknown = run_cli("--config", config, "--source", "nope", env=env)
    assert unknown.returncode == 2 and "--source: no source named 'nope'" in unknown.stderr


def test_bad_token_exits_1_naming_the_source(tmp_path, github):
    result = run_cli(
        "--config",
        str(github_config(tmp_path, github)),
        "--json",
        env={"CLI_GITHUB_TOKEN": "ghp_revoked"},
    )
    assert result.returncode == 1
    source = json.loads(result.stdout)["sources"][0]
    assert source["status"] == "failed" and source["error"].startswith(
        "acme-github: HTTP 401: Bad credentials"
    )
    assert "acme-github: HTTP 401: Bad credentials" in result.stderr
    assert "Traceback" not in result.stderr


def test_token_appears_nowhere(tmp_path, github):
    seed_github_repo(github, issues=20, comments_per_issue=1, events_per_issue=1, milestones=1)
    config = github_config(tmp_path, github)
    env = {"CLI_GITHUB_TOKEN": GITHUB_TOKEN}
    outputs = []
    for args in (["-v", "--json", "--allow-bulk"], ["-v"], ["-v", "--full"]):
        result = run_cli("--config", str(config), *args, env=env)
        assert result.returncode == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    (tmp_path / "run.log").write_text("\n".join(outputs))
    assert "GET" in outputs[1], "-v should log one line per request"
    for path in tmp_path.iterdir():
        assert GITHUB_TOKEN.encode() not in path.read_bytes(), f"token leaked into {path.name}"


def test_second_process_exits_75_while_the_lock_is_held(tmp_path, github):
    config = github_config(tmp_path, github)
    with RunLock(tmp_path / "store.db"):
        result = run_cli("--config", str(config), env={"CLI_GITHUB_TOKEN": GITHUB_TOKEN})
    assert result.returncode == 75
    assert "another tracker-sync run holds" in result.stderr


def test_demo_runs_with_no_config_and_no_credentials(tmp_path):
    result = run_cli("--demo", "--json", cwd=tmp_path, env={"TRACKER_SYNC_CONFIG": ""})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(s["kind"], s["status"]) for s in report["sources"]] == [
        ("jira", "ok"),
        ("github", "ok"),
        ("worktile", "ok"),
    ]
    found = {(f["rule"], f["source"]) for f in report["findings"]}
    for rule in ("unconfirmed_requirement", "undocumented_change", "slipping_milestone"):
        for source in ("demo-jira", "demo-github", "demo-pingcode"):
            assert (rule, source) in found, (rule, source)
    assert ("incomplete_requirement", "demo-jira") in found
    assert ("scope_creep", "demo-github") in found
    assert {("unanswered_client", "demo-jira"), ("unanswered_client", "demo-pingcode")} <= found
    assert report["writes"] and all(w["done"] for w in report["writes"])
    assert list(tmp_path.iterdir()) == [], "the demo must leave nothing behind"


def test_demo_human_output_shows_comments_as_people_read_them(tmp_path):
    result = run_cli("--demo", cwd=tmp_path, env={"TRACKER_SYNC_CONFIG": ""})
    assert result.returncode == 0, result.stderr
    for tracker in ("--- GitHub acme/portal#", "--- Jira ACME-", "--- PingCode SCR-"):
        assert tracker in result.stdout
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("Status report for the client: ") and last.endswith("index.html")
    index = Path(last.split(": ", 1)[1])
    assert "Sprint 12" in index.read_text() and (index.parent / "report.json").is_file()
    shutil.rmtree(index.parent)
    dry = run_cli("--demo", "--dry-run", cwd=tmp_path, env={"TRACKER_SYNC_CONFIG": ""})
    assert dry.returncode == 0 and "planned (dry run, nothing sent)" in dry.stdout
    assert "The comments, as people see them" not in dry.stdout


def test_console_script_is_the_same_program():
    import tomllib

    from tests.conftest import ROOT

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"tracker-sync": "run_sync:main_quietly_piped"}


def test_progress_line_on_a_terminal_and_none_off_it(tmp_path, make_github):
    import os
    import pty
    import subprocess
    import sys

    from tests.conftest import ROOT

    gh = make_github(latency=0.1)
    seed_github_repo(gh, issues=400, comments_per_issue=1, events_per_issue=1, milestones=1)
    config = github_config(tmp_path, gh, extra="")
    env = {**os.environ, "CLI_GITHUB_TOKEN": GITHUB_TOKEN}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config), "--dry-run"],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=60)
    assert b"\r\x1b[Kacme-github: " in seen and b" items, " in seen and b" pages, " in seen
    off = run_cli(
        "--config", str(config), "--dry-run", "--full", env={"CLI_GITHUB_TOKEN": GITHUB_TOKEN}
    )
    assert "\r" not in off.stderr and " pages, " not in off.stderr
