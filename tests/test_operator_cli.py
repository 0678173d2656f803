"""The operator's first hour, each mistake as a real process: exit code, one line on stderr
(no traceback), and nothing lost or written. Config mistakes, store mistakes, the demo kept
apart from a real store, ``--as-of`` never writing, ``--version`` and ``--help``."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from sandbox.scenario import seed_github_repo
from sync.store import Store
from tests.conftest import github_source, jira_source, run_cli, worktile_source
from tests.operator_helpers import config_file, one_line, table, writes_to

# -- configuration -------------------------------------------------------------------------


def test_every_config_problem_at_once_by_source_name_with_the_closest_key(tmp_path, github):
    source = github_source(github)
    source["tokn_env"] = source.pop("token_env")
    settings = {"writeback": {"enabled": True, "languag": "en"}}
    result = run_cli("--config", config_file(tmp_path, source, settings=settings))
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert "tracker-sync: config: sources[acme-github].tokn_env: unknown key (did you mean" in (
        result.stderr
    )
    assert any(line.endswith("tokn_env: unknown key (did you mean token_env?)") for line in lines)
    assert "tracker-sync: config: sources[acme-github].token_env: field required" in lines
    assert "tracker-sync: config: writeback.languag: unknown key (did you mean language?)" in lines
    assert "[0]" not in result.stderr
    assert github.log == [], "nothing is asked of a tracker before the config is right"


def test_every_missing_secret_variable_is_listed(tmp_path, github, make_jira, make_worktile):
    jira, worktile = make_jira(), make_worktile()
    sources = [
        github_source(github, token_env="MISSING_GH"),
        jira_source(jira, token_env="MISSING_JIRA"),
        worktile_source(
            worktile, client_id_env="MISSING_PC_ID", client_secret_env="MISSING_PC_SECRET"
        ),
    ]
    result = run_cli("--config", config_file(tmp_path, *sources))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "tracker-sync: config: sources[acme-github].token_env: environment variable"
        " MISSING_GH is not set",
        "tracker-sync: config: sources[acme-jira].token_env: environment variable"
        " MISSING_JIRA is not set",
        "tracker-sync: config: sources[acme-pingcode].client_id_env: environment variable"
        " MISSING_PC_ID is not set",
        "tracker-sync: config: sources[acme-pingcode].client_secret_env: environment variable"
        " MISSING_PC_SECRET is not set",
    ]


def test_a_token_pasted_where_a_variable_name_belongs_is_never_echoed(tmp_path, github):
    pasted = "ghp_R3alLookingT0kenValue9876543210abcd"
    result = run_cli("--config", config_file(tmp_path, github_source(github, token_env=pasted)))
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("tracker-sync: config: sources[acme-github].token_env: this looks like")
    assert pasted not in result.stderr + result.stdout
    assert pasted[4:12] not in result.stderr


def test_no_sources_is_a_config_error_and_touches_no_store(tmp_path):
    db = tmp_path / "store.db"
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{db}"\n')
    result = run_cli("--config", str(config))
    assert result.returncode == 2
    assert one_line(result.stderr) == (
        "tracker-sync: config: sources: no sources configured (add a [[sources]] table)"
    )
    assert not db.exists()


# -- the store -----------------------------------------------------------------------------


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder no store can be created in: mode bits for a user; for root (whom they do not
    bind), a pseudo-filesystem that takes no new files."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def _junk(tmp_path: Path) -> Path:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is a shopping list, not a database\n" * 50)
    return path


def _other_app(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("create table photos (id integer primary key, caption text)")
    conn.commit()
    conn.close()
    return path


def _newer(tmp_path: Path) -> Path:
    path = tmp_path / "newer.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at)"
        " values ('tracker-sync', 'm099_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    return path


def _damaged(tmp_path: Path) -> Path:
    path = tmp_path / "damaged.db"
    store = Store(path)
    store.db["items"].insert_all(
        [{"source": "s", "id": str(n), "title": "x" * 200} for n in range(400)]
    )
    store.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 6 : page * 8] = b"\xa5" * (2 * page)  # two pages of an index or table, garbled
    path.write_bytes(bytes(data))
    return path


STORE_CASES = {
    "read-only folder": (lambda tmp: _read_only_folder(tmp) / "store.db", "cannot be created"),
    "directory": (lambda tmp: tmp, "is a directory"),
    "junk file": (_junk, "not a tracker-sync store (not an SQLite database)"),
    "another application's SQLite file": (
        _other_app,
        "not a tracker-sync store (another application's SQLite file)",
    ),
    "newer schema": (_newer, "made by a newer tracker-sync (schema m099_from_the_future"),
    "damaged": (_damaged, ""),
}


@pytest.mark.parametrize("case", list(STORE_CASES))
def test_a_store_that_cannot_be_used_stops_before_any_request(tmp_path, github, case):
    make, cause = STORE_CASES[case]
    path = make(tmp_path)
    config = config_file(tmp_path, github_source(github))
    result = run_cli("--config", config, "--db", str(path))
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert line.startswith(f"tracker-sync: store {path}: "), line
    assert cause in line
    if case == "damaged":
        assert "damaged" in line or "malformed" in line, line
    assert github.log == [], "a request was sent before the store was checked"
    assert result.stdout == ""


# -- the demo keeps to itself ----------------------------------------------------------------


def test_demo_refuses_a_real_store_and_leaves_its_cursors_alone(tmp_path, github):
    seed_github_repo(github, issues=10, comments_per_issue=0, events_per_issue=0, milestones=0)
    db = tmp_path / "store.db"
    first = run_cli("--config", config_file(tmp_path, github_source(github)), "--dry-run")
    assert first.returncode == 0, first.stderr
    before = table(db, "select name, cursors from sources")
    result = run_cli("--demo", "--db", str(db), cwd=tmp_path, env={"TRACKER_SYNC_CONFIG": ""})
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "holds other sources (acme-github)" in line and str(db) in line
    assert table(db, "select name, cursors from sources") == before
    assert table(db, "select count(*) from runs") == [(1,)]


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--config", "config.toml"], "--config"),
        (["--source", "x"], "--source"),
        (["--daemon"], "--daemon"),
    ],
)
def test_demo_refuses_flags_that_mean_nothing_to_it(tmp_path, flags, named):
    result = run_cli("--demo", *flags, cwd=tmp_path, env={"TRACKER_SYNC_CONFIG": ""})
    assert result.returncode == 2
    assert one_line(result.stderr) == (
        f"tracker-sync: --demo runs on its own sandbox trackers; it does not take {named}"
    )
    assert list(tmp_path.iterdir()) == []


def test_demo_with_a_new_db_keeps_its_own_source_names(tmp_path):
    db = tmp_path / "demo.db"
    result = run_cli(
        "--demo", "--json", "--db", str(db), cwd=tmp_path, env={"TRACKER_SYNC_CONFIG": ""}
    )
    assert result.returncode == 0, result.stderr
    assert {s["name"] for s in json.loads(result.stdout)["sources"]} == {
        "demo-github",
        "demo-jira",
        "demo-pingcode",
    }
    assert {name for (name,) in table(db, "select name from sources")} == {
        "demo-github",
        "demo-jira",
        "demo-pingcode",
    }
    junk = _junk(tmp_path)
    refused = run_cli("--demo", "--db", str(junk), cwd=tmp_path, env={"TRACKER_SYNC_CONFIG": ""})
    assert refused.returncode == 2
    assert one_line(refused.stderr).startswith(f"tracker-sync: store {junk}: not a tracker-sync")


# -- --as-of never writes --------------------------------------------------------------------


def test_as_of_never_writes_and_records_no_findings(tmp_path, github):
    seed_github_repo(github, issues=40, comments_per_issue=1, events_per_issue=2, milestones=2)
    settings = {"writeback": {"enabled": True, "max_new_comments": 500}}
    config = config_file(tmp_path, github_source(github), settings=settings)
    result = run_cli("--config", config, "--as-of", "2027-06-01", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dry_run"] is True and report["as_of"] == "2027-06-01"
    assert report["findings"], "the hypothetical future is still shown"
    assert report["writes"] == []
    assert writes_to(github) == []
    db = tmp_path / "store.db"
    assert table(db, "select count(*) from findings") == [(0,)]
    assert table(db, "select dry_run, as_of, status from runs") == [(1, "2027-06-01", "ok")]


# -- --version and --help ----------------------------------------------------------------


def test_version_and_help_list_the_commands_and_exit_codes():
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("tracker-sync 0.")
    assert run_cli("check", "--version").stdout == version.stdout
    helped = run_cli("--help")
    assert helped.returncode == 0
    for word in ("check", "status", "run", "exit codes:", "75", "130"):
        assert word in helped.stdout, word
    usage = run_cli("--no-such-flag")
    assert usage.returncode == 2
    assert one_line(usage.stderr).startswith("tracker-sync: unrecognized arguments: --no-such-flag")
