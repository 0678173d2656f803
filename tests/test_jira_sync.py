"""Jira end to end against the sandbox (Cloud v3 and Data Center v2): complete, incremental,
histories whole, every time zone safe, faults survived, errors loud."""

from __future__ import annotations

import json

from sandbox.jira import STATUSES
from sandbox.scenario import seed_jira_project
from tests.conftest import jira_source, rows, sync


def assert_store_matches(db, sandbox, source="acme-jira"):
    """The store holds exactly the sandbox's issues, their whole histories and comments."""
    with sandbox.state_lock:
        expected = {
            str(i["id"]): {
                "key": i["key"],
                "title": i["summary"],
                "body": i["description"].strip(),
                "labels": i["labels"],
                "status_category": {"new": "todo", "indeterminate": "doing", "done": "done"}[
                    STATUSES[i["status"]]
                ],
                "due_date": i["duedate"],
                "estimate": i["points"],
            }
            for i in sandbox.issues.values()
        }
        histories = {
            (str(i["id"]), change_id)
            for i in sandbox.issues.values()
            for h in i["histories"]
            for n, entry in enumerate(h["items"])
            for change_id in expected_change_ids(f"{h['id']}:{n}", entry)
        }
        comments = {str(c["id"]): str(c["issue"]) for c in sandbox.comments.values()}
        versions = {str(v["id"]): v["name"] for v in sandbox.versions.values()}
    stored = {
        r["id"]: {
            "key": r["key"],
            "title": r["title"],
            "body": r["body"],
            "labels": json.loads(r["labels"]),
            "status_category": r["status_category"],
            "due_date": r["due_date"],
            "estimate": r["estimate"],
        }
        for r in rows(db, "select * from items where source = ?", (source,))
    }
    assert stored == expected
    assert {
        (r["item_id"], r["change_id"])
        for r in rows(db, "select * from changes where source = ?", (source,))
    } == histories
    assert {
        r["id"]: r["item_id"]
        for r in rows(db, "select * from comments where source = ?", (source,))
    } == comments
    milestones = {
        r["id"]: r["title"]
        for r in rows(
            db, "select * from milestones where source = ? and kind = 'version'", (source,)
        )
    }
    assert milestones == versions


def expected_change_ids(base: str, entry: dict) -> list[str]:
    """One change per history item; labels, one per label added or removed."""
    if entry["fieldId"] != "labels":
        return [base]
    before, after = set((entry["fromString"] or "").split()), set((entry["toString"] or "").split())
    return [f"{base}:+{n}" for n in after - before] + [f"{base}:-{n}" for n in before - after]


def searches(sandbox):
    return [r for r in sandbox.log if "/search" in r.path]


def test_cloud_paging_across_many_pages_by_next_page_token(make_jira, tmp_path):
    sandbox = make_jira(max_results_cap=40)
    seed_jira_project(sandbox, issues=230, comments_per_issue=1, versions=3)
    db = tmp_path / "store.db"
    report, code = sync(db, jira_source(sandbox))
    assert code == 0, report
    assert report["sources"][0]["items"] == 230
    pages = [r for r in searches(sandbox) if r.status == 200]
    assert len(pages) >= 6, "230 issues at 40 a page"
    assert all(r.path == "/rest/api/3/search/jql" for r in searches(sandbox)), (
        "never the removed /search"
    )
    assert "nextPageToken" not in pages[0].query and "nextPageToken" in pages[1].query
    assert_store_matches(db, sandbox)


def test_quiet_incremental_sync_is_one_search_request(make_jira, tmp_path):
    sandbox = make_jira()
    seed_jira_project(sandbox, issues=150, versions=2)
    db = tmp_path / "store.db"
    sync(db, jira_source(sandbox))
    sandbox.clear_log()
    report, code = sync(db, jira_source(sandbox))
    assert code == 0
    assert len(searches(sandbox)) == 1
    assert report["sources"][0]["items"] == 0 and report["sources"][0]["changes"] == 0


def test_incremental_after_edits_records_the_changes(make_jira, tmp_path):
    sandbox = make_jira()
    seed_jira_project(sandbox, issues=120, versions=2)
    db = tmp_path / "store.db"
    sync(db, jira_source(sandbox))
    story = sandbox.issues[10004]
    sandbox.edit_issue(story["key"], author="pm", summary="Export invoices as PDF and CSV")
    sandbox.edit_issue(story["key"], author="pm", duedate="2026-12-24", points=13.0)
    sandbox.add_comment(
        story["key"], "Change request CR-7 approved by the client", author="client-pm"
    )
    sandbox.clear_log()
    report, code = sync(db, jira_source(sandbox))
    assert code == 0
    assert report["sources"][0]["items"] == 1
    fields = {
        r["field"]: (r["from_value"], r["to_value"], r["author"])
        for r in rows(
            db, "select * from changes where item_id = ? and author = 'pm'", (str(story["id"]),)
        )
    }
    assert fields["title"][1:] == ("Export invoices as PDF and CSV", "pm")
    assert fields["due_date"][1] == "2026-12-24"
    assert fields["estimate"][1] == "13.0"
    comment = rows(db, "select * from comments where body like 'Change request%'")[0]
    assert (comment["author"], comment["is_own"]) == ("client-pm", 0)
    assert_store_matches(db, sandbox)


def test_an_issue_with_250_histories_is_stored_whole(make_jira, tmp_path):
    sandbox = make_jira()
    seed_jira_project(sandbox, issues=10, long_histories=1, history_length=250, versions=1)
    db = tmp_path / "store.db"
    report, code = sync(db, jira_source(sandbox))
    assert code == 0
    long_issue = min(sandbox.issues)
    stored = rows(db, "select count(*) n from changes where item_id = ?", (str(long_issue),))[0][
        "n"
    ]
    expected = sum(
        len(expected_change_ids(f"{h['id']}:{n}", entry))
        for h in sandbox.issues[long_issue]["histories"]
        for n, entry in enumerate(h["items"])
    )
    assert stored == expected > 250
    changelog_pages = [r for r in sandbox.log if r.path.endswith("/changelog")]
    assert len(changelog_pages) == 3, "250+ histories at 100 a page, and only for the long issue"
    assert_store_matches(db, sandbox)


def test_users_in_any_time_zone_lose_nothing(make_jira, tmp_path):
    for zone in ("Europe/Moscow", "America/Los_Angeles"):  # UTC+3 and UTC-8
        sandbox = make_jira(users={"bot": {"timeZone": zone}})
        seed_jira_project(sandbox, issues=30, versions=1)
        db = tmp_path / f"{zone.replace('/', '_')}.db"
        sync(db, jira_source(sandbox, overlap_seconds=0))
        sandbox.edit_issue(
            sandbox.issues[10005]["key"], author="pm", summary="Edited seconds after a sync"
        )
        sync(db, jira_source(sandbox, overlap_seconds=0))
        assert_store_matches(db, sandbox)


def test_sandbox_reads_date_literals_in_the_users_zone(make_jira):
    """Why the connector sends epoch milliseconds: a literal in UTC would skip eight hours of
    edits for a user in Los Angeles."""
    sandbox = make_jira(users={"bot": {"timeZone": "America/Los_Angeles"}})
    issue = sandbox.add_issue("edited", created="2026-11-01T10:30:00Z")
    assert issue["id"] in sandbox.run_jql('project = ACME AND updated >= "2026/11/01 02:00"', "bot")
    assert issue["id"] not in sandbox.run_jql(
        'project = ACME AND updated >= "2026/11/01 10:00"', "bot"
    )
    assert issue["id"] in sandbox.run_jql("project = ACME AND updated >= 1793527200000", "bot")


def test_data_center_v2_pages_by_start_at_with_the_granted_page_size(make_jira, tmp_path):
    sandbox = make_jira(deployment="datacenter", max_results_cap=25)
    seed_jira_project(
        sandbox, issues=110, comments_per_issue=1, long_histories=2, history_length=120, versions=2
    )
    db = tmp_path / "store.db"
    report, code = sync(db, jira_source(sandbox))
    assert code == 0, report
    pages = [r for r in searches(sandbox) if r.status == 200]
    assert all(r.path == "/rest/api/2/search" for r in pages)
    assert [int(r.query["startAt"]) for r in pages[:5]] == [0, 25, 50, 75, 100]
    assert not [r for r in sandbox.log if r.path.endswith("/changelog")], (
        "DC embeds whole histories"
    )
    assert_store_matches(db, sandbox)
    author = rows(db, "select author, author_login from comments limit 1")[0]
    assert author["author"].startswith("JIRAUSER") and author["author_login"] == "alice"


def test_bad_credentials_unknown_project_and_bad_jql_fail_loudly(make_jira, tmp_path, monkeypatch):
    sandbox = make_jira()
    seed_jira_project(sandbox, issues=5, versions=1)
    monkeypatch.setenv("WRONG_JIRA", "revoked")
    report, code = sync(
        tmp_path / "s.db",
        jira_source(sandbox, name="bad-token", token_env="WRONG_JIRA"),
        jira_source(sandbox, name="bad-project", project="NOPE"),
        jira_source(sandbox, name="bad-jql", jql_filter="colour = red"),
        jira_source(sandbox, name="good"),
    )
    assert code == 1
    errors = {s["name"]: s["error"] for s in report["sources"]}
    assert errors["bad-token"].startswith("bad-token: HTTP 401: Client must be authenticated")
    assert errors["bad-project"].startswith(
        "bad-project: HTTP 404: No project could be found with key 'NOPE'"
    )
    assert errors["bad-jql"].startswith("bad-jql: HTTP 400: Field 'colour' does not exist")
    assert errors["good"] is None
    assert (
        rows(tmp_path / "s.db", "select count(*) n from items where source = 'good'")[0]["n"] == 5
    )


def test_twenty_percent_faults_converge(make_jira, tmp_path):
    sandbox = make_jira(faults={"rate": 0.2, "seed": 10, "retry_after": 0}, max_results_cap=10)
    seed_jira_project(
        sandbox, issues=200, comments_per_issue=1, long_histories=2, history_length=130, versions=2
    )
    db = tmp_path / "store.db"
    report, code = sync(db, jira_source(sandbox))
    assert code == 0, report
    assert {"429", "502", "drop", "malformed"} <= {r.fault for r in sandbox.log if r.fault}
    assert_store_matches(db, sandbox)


def test_own_comments_carry_their_properties_for_the_write_back(make_jira, tmp_path):
    sandbox = make_jira()
    issue = sandbox.add_issue("Export", issuetype="Story")
    sandbox.add_comment(
        issue["key"], "finding", author="bot", properties={"tracker-sync": {"digest": "abc"}}
    )
    sandbox.add_comment(issue["key"], "human", author="alice")
    db = tmp_path / "store.db"
    sync(db, jira_source(sandbox), settings={"writeback": {"enabled": True}})
    own = {
        r["body"]: (r["is_own"], json.loads(r["raw"]).get("properties"))
        for r in rows(db, "select * from comments")
    }
    assert own["finding"] == (1, [{"key": "tracker-sync", "value": {"digest": "abc"}}])
    assert own["human"] == (0, None)
    lists = [r for r in sandbox.log if r.path.endswith("/comment/list")]
    assert len(lists) == 1


def test_sprints_through_the_agile_api_when_a_board_is_configured(make_jira, tmp_path):
    sandbox = make_jira()
    sandbox.add_sprint(
        "Sprint 7", state="active", start="2026-11-16T09:00:00.000Z", end="2026-11-27T17:00:00.000Z"
    )
    sandbox.add_sprint(
        "Sprint 6", state="closed", start="2026-11-02T09:00:00.000Z", end="2026-11-13T17:00:00.000Z"
    )
    db = tmp_path / "store.db"
    report, code = sync(db, jira_source(sandbox, board_id=1))
    assert code == 0, report
    sprints = {
        r["title"]: (r["state"], r["start_date"], r["due_date"])
        for r in rows(db, "select * from milestones where kind = 'sprint'")
    }
    assert sprints == {
        "Sprint 7": ("open", "2026-11-16", "2026-11-27"),
        "Sprint 6": ("closed", "2026-11-02", "2026-11-13"),
    }
