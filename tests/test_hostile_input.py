"""Hostile input, as a table: bad configs give one line naming the key and exit 2; broken
tracker payloads are skipped and logged while everything else is stored; nothing raises a
traceback, and nothing already stored is lost."""

from __future__ import annotations

import pytest

from sandbox.scenario import seed_github_repo, seed_jira_project, seed_worktile_project
from tests.conftest import (
    github_source,
    jira_source,
    rows,
    run_cli,
    sync,
    worktile_source,
    write_config,
)

GH = 'name = "gh"\nkind = "github"\nrepo = "acme/portal"\ntoken_env = "GH"\n'
WT = 'name = "w"\nkind = "worktile"\nproject = "S"\nclient_id_env = "A"\nclient_secret_env = "B"\n'
INJECTION = "@all <script>x</script> [a](javascript:x) <!-- tracker-sync:v1 item=x digest=1 -->"
CONFIGS = [
    (
        "missing key",
        f"[[sources]]\n{GH.replace('repo = ' + chr(34) + 'acme/portal' + chr(34) + chr(10), '')}",
        "sources[gh].repo: field required",
    ),
    ("wrong type", '[daemon]\ninterval_minutes = "soon"\n', "daemon.interval_minutes"),
    (
        "unknown kind",
        '[[sources]]\nname = "x"\nkind = "gitlab"\n',
        "sources[x].kind: unknown kind 'gitlab'",
    ),
    (
        "token in the file",
        f'[[sources]]\n{GH}token = "ghp_x"\n',
        "sources[gh].token: secrets are not read",
    ),
    (
        "client secret in the file",
        f'[[sources]]\n{WT}client_secret = "s"\n',
        "sources[w].client_secret: secrets are not read",
    ),
    ("TOML syntax", "[store\n", "config: "),
    ("unknown top-level key", "colour = 1\n", "colour: unknown key"),
    ("unknown source key", f"[[sources]]\n{GH}colour = 1\n", "sources[gh].colour: unknown key"),
    ("duplicate source names", f"[[sources]]\n{GH}[[sources]]\n{GH}", "two sources are named 'gh'"),
    (
        "base_url without scheme",
        f'[[sources]]\n{GH}base_url = "api.github.com"\n',
        "sources[gh].base_url",
    ),
    ("negative limit", "[writeback]\nmax_new_comments = -1\n", "writeback.max_new_comments"),
    ("unknown language", '[writeback]\nlanguage = "fr"\n', "writeback.language"),
    (
        "unknown time zone",
        f'[[sources]]\n{WT}timezone = "Mars/Olympus"\n',
        "sources[w].timezone",
    ),
    (
        "bad repo name",
        '[[sources]]\nname = "gh"\nkind = "github"\nrepo = "no-slash"\ntoken_env = "GH"\n',
        "sources[gh].repo",
    ),
    ("list where a table belongs", "store = [1, 2]\n", "store:"),
]


@pytest.mark.parametrize(("case", "toml", "expected"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_bad_config_is_one_line_naming_the_key_exit_2(tmp_path, case, toml, expected):
    result = run_cli("--config", str(write_config(tmp_path / "c.toml", toml)), env={"GH": "x"})
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("tracker-sync: config: ") and expected in line, line
    assert "Traceback" not in result.stderr


def test_unreadable_config_paths_exit_2(tmp_path):
    for path in (tmp_path / "missing.toml", tmp_path):
        result = run_cli("--config", str(path))
        assert result.returncode == 2 and result.stderr.startswith(
            "tracker-sync: config: cannot read"
        )


def mutate_issue(number, change):
    def apply(sandbox):
        original = sandbox.issue_payload

        def payload(n, counts=None):
            data = original(n, counts)
            return change(data) if n == number else data

        sandbox.issue_payload = payload

    return apply


def huge(data):
    return {**data, "body": "x" * 2_000_000}


GITHUB_PAYLOADS = [
    ("title null", mutate_issue(4, lambda d: {**d, "title": None}), {"4"}),
    ("number a string", mutate_issue(4, lambda d: {**d, "number": "4"}), {"4"}),
    ("label not an object", mutate_issue(4, lambda d: {**d, "labels": [42]}), {"4"}),
    ("timestamp not a time", mutate_issue(4, lambda d: {**d, "created_at": "yesterday"}), {"4"}),
    ("unknown state", mutate_issue(4, lambda d: {**d, "state": "weird"}), {"4"}),
    ("body not text", mutate_issue(4, lambda d: {**d, "body": {"html": "<b>"}}), {"4"}),
    ("issue not an object", mutate_issue(4, lambda d: ["not", "an", "issue"]), {"4"}),
    ("user null", mutate_issue(4, lambda d: {**d, "user": None}), set()),
    ("milestone null", mutate_issue(4, lambda d: {**d, "milestone": None}), set()),
    ("two-megabyte body", mutate_issue(4, huge), set()),
    (
        "control characters and NUL",
        mutate_issue(4, lambda d: {**d, "body": "a\x00b\x1bc\u202e"}),
        set(),
    ),
    (
        "markup and mention injection",
        mutate_issue(
            4,
            lambda d: {
                **d,
                "title": INJECTION,
            },
        ),
        set(),
    ),
]


@pytest.mark.parametrize(
    ("case", "breaker", "skipped"), GITHUB_PAYLOADS, ids=[c[0] for c in GITHUB_PAYLOADS]
)
def test_broken_github_payloads_are_skipped_and_the_rest_stored(
    make_github, tmp_path, caplog, case, breaker, skipped
):
    sandbox = make_github()
    seed_github_repo(sandbox, issues=12, comments_per_issue=1, events_per_issue=1, milestones=1)
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))  # what was stored before must survive
    sandbox.edit_issue(4, body="edited, so the broken version is fetched")
    breaker(sandbox)
    report, code = sync(db, github_source(sandbox))
    assert code == 0, report
    stored = {r["id"] for r in rows(db, "select id from items")}
    assert stored == {str(n) for n in sandbox.issues}, "nothing stored was lost"
    if skipped:
        assert any("skipping malformed issue" in m for m in caplog.messages)
    assert not any("Traceback" in m for m in caplog.messages)


def test_broken_jira_and_pingcode_payloads_are_skipped(make_jira, make_worktile, tmp_path, caplog):
    jira, wt = make_jira(), make_worktile()
    seed_jira_project(jira, issues=10, versions=1)
    seed_worktile_project(wt, items=10)
    original_issue, original_item = jira.issue_payload, wt.item_payload

    def broken_issue(iid, api, fields, expand):
        data = original_issue(iid, api, fields, expand)
        if iid == 10003:
            data["fields"]["status"] = {"name": "Odd"}  # no statusCategory
        if iid == 10004:
            data["fields"]["customfield_10016"] = "five"  # story points not a number
        return data

    def broken_item(iid, **kwargs):
        data = original_item(iid, **kwargs)
        if data["identifier"] == "SCR-3":
            data["state"] = "in_progress"  # a string, not an object
        return data

    jira.issue_payload, wt.item_payload = broken_issue, broken_item
    db = tmp_path / "store.db"
    report, code = sync(db, jira_source(jira), worktile_source(wt))
    assert code == 0, report
    keys = {r["key"] for r in rows(db, "select key from items")}
    assert "ACME-3" not in keys and "ACME-4" not in keys and "SCR-3" not in keys
    assert len(keys) == 8 + 10
    assert sum("skipping malformed" in m for m in caplog.messages) == 3


def test_a_tracker_that_only_sends_garbage_fails_that_source_clearly(make_github, tmp_path):
    bad, good = (
        make_github(faults={"rate": 1.0, "kinds": ("malformed",), "seed": 1}),
        make_github(repo="acme/other"),
    )
    seed_github_repo(good, issues=5, comments_per_issue=0, events_per_issue=0, milestones=0)
    report, code = sync(
        tmp_path / "s.db",
        github_source(bad, name="bad", max_attempts=3),
        github_source(good, name="good"),
    )
    assert code == 1
    errors = {s["name"]: s["error"] for s in report["sources"]}
    assert errors["bad"] == "bad: HTTP 200: the tracker sent a malformed JSON body"
    assert errors["good"] is None
