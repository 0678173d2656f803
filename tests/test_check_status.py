"""``tracker-sync check`` and ``status`` as real processes against the sandboxes, and
``--source`` narrowing the findings shown. ``check``: exit 0 when all is well; a wrong token, a
missing project, an unreachable host, a token without write scope each exit 1 naming the source
and the cause, in one or two requests per source, never a write."""

from __future__ import annotations

import json
import socket
import sqlite3

import pytest

from sandbox.scenario import seed_github_repo
from tests.conftest import github_source, jira_source, run_cli, worktile_source
from tests.operator_helpers import config_file, table, writes_to


@pytest.fixture
def trackers(github, make_jira, make_worktile):
    return github, make_jira(), make_worktile()


def sources_of(github, jira, worktile, **overrides):
    made = [github_source(github), jira_source(jira), worktile_source(worktile)]
    for source in made:
        source.update(overrides.get(source["name"], {}))
    return made


def check(tmp_path, *sources, settings=None, env=None):
    result = run_cli(
        "check", "--config", config_file(tmp_path, *sources, settings=settings), env=env
    )
    assert "Traceback" not in result.stderr
    return result, dict(line.split(": ", 1) for line in result.stdout.splitlines()[1:])


def assert_read_only_and_cheap(*sandboxes):
    for sandbox in sandboxes:
        assert writes_to(sandbox) == [], sandbox
        assert 1 <= len(sandbox.log) <= 2, [(r.method, r.path) for r in sandbox.log]


def test_check_passes_every_source_in_two_reads_each(tmp_path, trackers):
    result, lines = check(tmp_path, *sources_of(*trackers))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].endswith(": ok (3 sources)")
    assert lines["acme-github"] == "ok (github, as tracker-bot, acme/portal visible; can comment)"
    assert lines["acme-jira"] == "ok (jira, as bot@acme.example, ACME visible; can comment)"
    assert lines["acme-pingcode"] == (
        "ok (worktile, SCR visible; write scope: this tracker cannot tell before a write)"
    )
    assert_read_only_and_cheap(*trackers)
    assert not (tmp_path / "store.db").exists(), "check never touches the store"


def test_check_names_a_wrong_token(tmp_path, trackers, monkeypatch):
    monkeypatch.setenv("TEST_GITHUB_TOKEN", "ghp_revoked")
    result, lines = check(tmp_path, *sources_of(*trackers))
    assert result.returncode == 1
    assert lines["acme-github"].startswith("HTTP 401: Bad credentials")
    assert lines["acme-jira"].startswith("ok") and lines["acme-pingcode"].startswith("ok")
    assert_read_only_and_cheap(*trackers)


def test_check_names_a_missing_project_or_repository(tmp_path, trackers):
    github, jira, worktile = trackers
    overrides = {
        "acme-github": {"repo": "acme/nope"},
        "acme-jira": {"project": "NOPE"},
        "acme-pingcode": {"project": "NOPE"},
    }
    result, lines = check(tmp_path, *sources_of(*trackers, **overrides))
    assert result.returncode == 1
    assert lines["acme-github"].startswith("HTTP 404: Not Found (check the repository")
    assert "No project could be found with key 'NOPE'" in lines["acme-jira"]
    assert "no project 'NOPE' is visible" in lines["acme-pingcode"]
    assert_read_only_and_cheap(github, jira)
    assert writes_to(worktile) == []


def test_check_names_an_unreachable_host_after_one_try(tmp_path, trackers):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    github, jira, worktile = trackers
    overrides = {"acme-jira": {"base_url": f"http://127.0.0.1:{port}"}}
    result, lines = check(tmp_path, *sources_of(*trackers, **overrides))
    assert result.returncode == 1
    assert lines["acme-jira"] == f"cannot connect to 127.0.0.1:{port}: connection refused"
    assert jira.log == []


def test_check_reads_write_scope_and_never_tries_it(tmp_path, trackers):
    github, jira, worktile = trackers
    github.read_only.add("tracker-bot")
    jira.read_only.add("bot")
    result, lines = check(tmp_path, *sources_of(*trackers))
    assert result.returncode == 1
    for name, target in (("acme-github", "acme/portal"), ("acme-jira", "ACME")):
        assert lines[name] == (
            f"no write scope: the token can read {target} but may not comment there"
            " (give it write access, or set [writeback] enabled = false)"
        )
    assert_read_only_and_cheap(*trackers)
    permissions = [r for r in jira.log if r.path.endswith("/mypermissions")]
    assert permissions[0].query == {
        "projectKey": "ACME",
        "permissions": "BROWSE_PROJECTS,ADD_COMMENTS",
    }
    # a service told never to write is fine with a read-only token
    quiet, lines = check(
        tmp_path, *sources_of(*trackers), settings={"writeback": {"enabled": False}}
    )
    assert quiet.returncode == 0, quiet.stdout
    assert "read-only, and [writeback] enabled = false" in lines["acme-github"]


def test_check_config_error_exits_2(tmp_path, trackers):
    source = github_source(trackers[0], token_env="NOT_SET_ANYWHERE")
    result = run_cli("check", "--config", config_file(tmp_path, source))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "tracker-sync: config: sources[acme-github].token_env: environment variable"
        " NOT_SET_ANYWHERE is not set"
    )
    assert trackers[0].log == []


def test_status_shows_last_runs_findings_and_acks(tmp_path, github):
    seed_github_repo(github, issues=30, comments_per_issue=1, events_per_issue=2, milestones=2)
    config = config_file(tmp_path, github_source(github))
    assert run_cli("--config", config, "--dry-run", "-q").returncode == 0
    db = tmp_path / "store.db"
    github.clear_log()
    result = run_cli("status", "--config", config)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"store {db}" in out and "acme-github  github" in out
    (open_findings,) = table(db, "select count(*) from findings where resolved_at is null")[0]
    assert f"open findings: {open_findings}" in out and open_findings > 0
    assert "unconfirmed_requirement: warning" in out and "slipping_milestone: high" in out
    assert "(dry run)" in out
    assert "acknowledged" not in out
    assert github.log == []
    conn = sqlite3.connect(db)
    conn.execute(
        "insert into acks (rule, source, subject, by, at) values"
        " ('unconfirmed_requirement', 'acme-github', 'acme/portal#1', 'pm', '2026-11-01')"
    )
    conn.commit()
    conn.close()
    assert "acknowledged: 1" in run_cli("status", "--db", str(db)).stdout
    missing = run_cli("status", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "does not exist yet" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_source_narrows_the_findings_shown(tmp_path, make_github, monkeypatch):
    portal, mobile = make_github(), make_github(repo="acme/mobile")
    for sandbox in (portal, mobile):
        seed_github_repo(sandbox, issues=20, comments_per_issue=1, events_per_issue=2, milestones=1)
    sources = [github_source(portal), github_source(mobile, name="acme-mobile")]
    config = config_file(tmp_path, *sources, settings={"writeback": {"enabled": False}})
    both = run_cli("--config", config, "--json", "-q")
    assert {f["source"] for f in json.loads(both.stdout)["findings"]} == {
        "acme-github",
        "acme-mobile",
    }
    one = run_cli("--config", config, "--json", "-q", "--source", "acme-mobile")
    assert one.returncode == 0, one.stderr
    report = json.loads(one.stdout)
    assert report["findings"] and {f["source"] for f in report["findings"]} == {"acme-mobile"}
    assert [s["name"] for s in report["sources"]] == ["acme-mobile"]
