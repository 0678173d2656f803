"""GitHub end to end: the real pipeline against the sandbox over loopback, into a real SQLite
file. What a user relies on: complete, incremental, cheap when quiet, correct under faults."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

from mapping.github import MAPPED_EVENTS
from sandbox.scenario import seed_github_repo
from tests.conftest import github_source, rows, sync


def assert_store_matches(db, sandbox, source="acme-github"):
    """The store holds exactly the sandbox's issues, comments, milestones and event history."""
    items = {
        r["id"]: r
        for r in rows(
            db,
            "select id, title, body, labels, milestone_id, status_category, type from items"
            " where source = ?",
            (source,),
        )
    }
    with sandbox.state_lock:
        expected_items = {
            str(n): {
                "title": i["title"],
                "body": i["body"] or "",
                "labels": i["labels"],
                "milestone_id": str(sandbox.milestones[i["milestone"]]["id"])
                if i["milestone"]
                else None,
                "status_category": "done"
                if i["state"] == "closed"
                else ("doing" if i["pull_request"] else "todo"),
                "type": "pull_request" if i["pull_request"] else "issue",
            }
            for n, i in sandbox.issues.items()
        }
        expected_comments = {
            str(c["id"]): (str(c["issue"]), c["body"]) for c in sandbox.comments.values()
        }
        expected_milestones = {str(m["id"]): m["title"] for m in sandbox.milestones.values()}
        expected_events = {
            str(e["id"]) for e in sandbox.events.values() if e["event"] in MAPPED_EVENTS
        }
    stored_items = {
        k: {
            **{f: v[f] for f in ("title", "body", "milestone_id", "status_category", "type")},
            "labels": json.loads(v["labels"]),
        }
        for k, v in items.items()
    }
    assert stored_items == expected_items
    comments = {
        r["id"]: (r["item_id"], r["body"])
        for r in rows(db, "select * from comments where source = ?", (source,))
    }
    assert comments == expected_comments
    milestones = {
        r["id"]: r["title"]
        for r in rows(db, "select * from milestones where source = ?", (source,))
    }
    assert milestones == expected_milestones
    events = {
        r["change_id"]
        for r in rows(
            db, "select change_id from changes where source = ? and origin = 'tracker'", (source,)
        )
    }
    assert events == expected_events


def issue_requests(sandbox):
    return [r for r in sandbox.log if r.path.endswith("/issues")]


def test_full_sync_of_a_multi_page_repo_equals_the_sandbox(make_github, tmp_path):
    sandbox = make_github()
    seed_github_repo(sandbox, issues=260, comments_per_issue=2, events_per_issue=4, milestones=3)
    db = tmp_path / "store.db"
    report, code = sync(db, github_source(sandbox))
    assert code == 0, report
    source = report["sources"][0]
    assert (source["status"], source["items"]) == ("ok", 260)
    assert_store_matches(db, sandbox)
    # every list was paged through Link headers at 100 a page
    pages = [r for r in issue_requests(sandbox) if "since" not in r.query]
    assert [r.query.get("page") for r in pages] == [None, "2", "3"]
    assert all(r.query["per_page"] == "100" and r.query["state"] == "all" for r in pages)
    # the store file is private to its owner
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert rows(db, "select count(*) n from runs where status = 'ok'")[0]["n"] == 1


def test_second_sync_with_nothing_changed_is_all_304(make_github, tmp_path):
    sandbox = make_github()
    seed_github_repo(sandbox, issues=150, comments_per_issue=1, events_per_issue=2, milestones=2)
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))
    sandbox.clear_log()
    report, code = sync(db, github_source(sandbox))
    assert code == 0
    assert sandbox.log, "the second sync asked nothing"
    assert all(r.conditional and r.status == 304 for r in sandbox.log), [
        (r.path, r.query, r.status) for r in sandbox.log if r.status != 304
    ]
    assert report["sources"][0]["items"] == 0


def test_after_three_edits_only_the_changes_are_fetched_and_recorded(make_github, tmp_path):
    sandbox = make_github()
    seed_github_repo(sandbox, issues=250, comments_per_issue=1, events_per_issue=2, milestones=3)
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))
    sync(db, github_source(sandbox))
    cursor = json.loads(rows(db, "select cursors from sources")[0]["cursors"])["issues_since"]
    sandbox.clear_log()
    sandbox.edit_issue(5, actor="alice", body="Scope grew: also export to PDF")
    sandbox.edit_issue(7, actor="bob", title="Checkout v2")
    sandbox.edit_issue(9, actor="carol", milestone=3)
    report, code = sync(db, github_source(sandbox))
    assert code == 0
    assert report["sources"][0]["items"] == 3
    # only the edited issues and the overlap window before the last sync's high-water mark
    # were asked for again: nothing older
    overlap = sum(1 for i in sandbox.issues.values() if i["updated_at"] >= _minus(cursor, 120))
    first_pass = issue_requests(sandbox)[0]
    assert first_pass.returned <= overlap + 3
    assert sum(r.returned or 0 for r in issue_requests(sandbox)) <= 2 * (overlap + 3)
    changed = rows(db, "select id from items where updated_at >= ?", (report["started_at"][:10],))
    assert {r["id"] for r in changed} == {"5", "7", "9"}
    changes = rows(
        db,
        "select item_id, field, from_value, to_value, origin, author from changes"
        " where item_id in ('5', '7', '9') and at >= ? order by item_id, field",
        (report["started_at"][:10],),
    )
    described = {(c["item_id"], c["field"], c["origin"]) for c in changes}
    assert ("5", "description", "snapshot") in described
    assert ("7", "title", "tracker") in described
    assert ("9", "milestone", "tracker") in described
    title = next(c for c in changes if c["field"] == "title")
    assert (title["to_value"], title["author"]) == ("Checkout v2", "bob")
    body = next(c for c in changes if c["field"] == "description")
    assert body["to_value"] == "Scope grew: also export to PDF"
    # the body edit left a snapshot of each version
    assert rows(db, "select count(*) n from item_snapshots where id = '5'")[0]["n"] == 2
    assert_store_matches(db, sandbox)


def test_twenty_percent_faults_converge_to_the_same_store(make_github, tmp_path):
    clean = make_github()
    faulty = make_github(faults={"rate": 0.2, "seed": 7, "retry_after": 0})
    for sandbox in (clean, faulty):
        seed_github_repo(
            sandbox, issues=320, comments_per_issue=2, events_per_issue=3, milestones=4
        )
    clean_db, faulty_db = tmp_path / "clean.db", tmp_path / "faulty.db"
    assert sync(clean_db, github_source(clean))[1] == 0
    report, code = sync(faulty_db, github_source(faulty))
    assert code == 0, report
    faults = {r.fault for r in faulty.log if r.fault}
    assert {"429", "502", "drop", "malformed"} <= faults, faults
    assert_store_matches(faulty_db, faulty)
    assert_store_matches(clean_db, clean)
    inserted = [i for i in faulty.issues.values() if i["title"] == "Inserted while paging"]
    clean_ids = {r["id"] for r in rows(clean_db, "select id from items")}
    faulty_ids = {r["id"] for r in rows(faulty_db, "select id from items")}
    assert faulty_ids == clean_ids | {str(i["number"]) for i in inserted}


def test_an_edit_while_paging_shifts_pages_but_loses_nothing(make_github, tmp_path):
    sandbox = make_github(
        faults={"rate": 1.0, "kinds": ("insert",), "seed": 3}, mid_paging_change="edit"
    )
    seed_github_repo(sandbox, issues=330, comments_per_issue=0, events_per_issue=0, milestones=0)
    sandbox.faults.rate = 0.0
    db = tmp_path / "store.db"
    # one edit exactly while page 2 is served: the oldest issue moves to the end
    sandbox.faults.rate, sandbox.faults.kinds = 1.0, ("insert",)
    original_pick = sandbox.faults.pick
    fired = []

    def once(method):
        kind = original_pick(method)
        if kind and not fired:
            fired.append(kind)
            return kind
        return None

    sandbox.faults.pick = once
    report, code = sync(db, github_source(sandbox))
    assert code == 0 and fired
    assert_store_matches(db, sandbox)


def test_malformed_issue_is_skipped_and_logged_and_the_rest_saved(make_github, tmp_path, caplog):
    sandbox = make_github()
    seed_github_repo(sandbox, issues=20, comments_per_issue=0, events_per_issue=0, milestones=0)
    sandbox.issues[4]["title"] = None  # the API would never, but a proxy or a bug might
    db = tmp_path / "store.db"
    report, code = sync(db, github_source(sandbox))
    assert code == 0
    stored = {r["id"] for r in rows(db, "select id from items")}
    assert "4" not in stored and len(stored) == 19
    assert any("skipping malformed issue" in m for m in caplog.messages)


def test_bad_token_fails_that_source_only_and_names_it(make_github, tmp_path, monkeypatch):
    monkeypatch.setenv("WRONG_TOKEN", "ghp_revoked")
    good, bad = make_github(), make_github(repo="acme/mobile")
    seed_github_repo(good, issues=5, comments_per_issue=0, events_per_issue=0, milestones=0)
    db = tmp_path / "store.db"
    report, code = sync(
        db,
        github_source(good, name="good"),
        github_source(bad, name="broken", token_env="WRONG_TOKEN"),
    )
    assert code == 1
    by_name = {s["name"]: s for s in report["sources"]}
    assert by_name["good"]["status"] == "ok" and by_name["good"]["items"] == 5
    assert by_name["broken"]["status"] == "failed"
    assert by_name["broken"]["error"].startswith("broken: HTTP 401: Bad credentials")
    assert rows(db, "select count(*) n from items where source = 'good'")[0]["n"] == 5
    assert len(bad.log) == 1, "a 401 is never retried"


def test_unknown_repository_fails_with_not_found(make_github, tmp_path):
    sandbox = make_github()
    report, code = sync(tmp_path / "s.db", github_source(sandbox, repo="acme/nope"))
    assert code == 1
    assert "acme-github: HTTP 404: Not Found" in report["sources"][0]["error"]


def test_github_enterprise_server_base_url(make_github, tmp_path):
    sandbox = make_github(prefix="/api/v3")
    seed_github_repo(sandbox, issues=120, comments_per_issue=1, events_per_issue=1, milestones=1)
    assert sandbox.base_url.endswith("/api/v3")
    db = tmp_path / "store.db"
    report, code = sync(db, github_source(sandbox))
    assert code == 0, report
    assert all(r.path.startswith("/api/v3/") for r in sandbox.log)
    assert_store_matches(db, sandbox)


def test_exhausted_rate_limit_waits_for_reset_instead_of_failing(make_github, tmp_path):
    sandbox = make_github(rate_limit=4, rate_window_seconds=2)
    seed_github_repo(sandbox, issues=250, comments_per_issue=0, events_per_issue=0, milestones=1)
    db = tmp_path / "store.db"
    report, code = sync(db, github_source(sandbox))
    assert code == 0, report
    assert not [r for r in sandbox.log if r.status == 403], (
        "sent a request the budget had no room for"
    )
    assert_store_matches(db, sandbox)


def test_retry_after_is_honoured_never_undercut(make_github, tmp_path):
    sandbox = make_github(faults={"rate": 0.5, "kinds": ("429",), "seed": 1, "retry_after": 1})
    seed_github_repo(sandbox, issues=30, comments_per_issue=0, events_per_issue=0, milestones=0)
    report, code = sync(tmp_path / "s.db", github_source(sandbox))
    assert code == 0
    log = list(sandbox.log)
    limited = [i for i, r in enumerate(log) if r.status == 429]
    assert limited
    for index in limited:
        assert log[index + 1].at - log[index].at >= 1.0


def test_items_record_pull_requests_but_never_as_requirements(make_github, tmp_path):
    sandbox = make_github()
    sandbox.add_issue("Add export", labels=["requirement"], pull_request=True)
    sandbox.add_issue("Export to CSV", labels=["requirement"])
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))
    kinds = {r["title"]: (r["kind"], r["type"]) for r in rows(db, "select * from items")}
    assert kinds == {
        "Add export": ("task", "pull_request"),
        "Export to CSV": ("requirement", "issue"),
    }


def test_own_comments_are_marked_by_the_token_identity(make_github, tmp_path):
    sandbox = make_github()
    issue = sandbox.add_issue("Export to CSV", labels=["requirement"])
    sandbox.add_comment(issue["number"], "bot says hi", user="tracker-bot")
    sandbox.add_comment(issue["number"], "confirmed", user="client-pm")
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))
    own = {r["body"]: r["is_own"] for r in rows(db, "select body, is_own from comments")}
    assert own == {"bot says hi": 1, "confirmed": 0}


def test_a_304_on_user_keeps_the_identity_and_an_old_validator_without_it_is_not_sent(
    make_github, tmp_path
):
    sandbox = make_github()
    issue = sandbox.add_issue("Export to CSV", labels=["requirement"])
    sandbox.add_comment(issue["number"], "bot says hi", user="tracker-bot")
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))
    identity = rows(db, "select identity from sources")[0]["identity"]
    sandbox.clear_log()
    sync(db, github_source(sandbox))
    user = [r for r in sandbox.log if r.path == "/user"]
    assert [(r.conditional, r.status) for r in user] == [(True, 304)]
    assert rows(db, "select identity from sources")[0]["identity"] == identity
    # a store written before the identity was kept with its validator
    conn = sqlite3.connect(db)
    cursors = json.loads(conn.execute("select cursors from sources").fetchone()[0])
    for entry in cursors["etags"].values():
        entry.pop("value", None)
    conn.execute("update sources set cursors = ?, identity = null", [json.dumps(cursors)])
    conn.commit()
    conn.close()
    sandbox.clear_log()
    sync(db, github_source(sandbox))
    user = [r for r in sandbox.log if r.path == "/user"]
    assert [(r.conditional, r.status) for r in user] == [(False, 200)]
    assert rows(db, "select identity from sources")[0]["identity"] == identity
    own = {r["body"]: r["is_own"] for r in rows(db, "select body, is_own from comments")}
    assert own == {"bot says hi": 1}


def test_full_flag_ignores_cursors_and_pulls_everything(make_github, tmp_path):
    sandbox = make_github()
    seed_github_repo(sandbox, issues=40, comments_per_issue=0, events_per_issue=0, milestones=0)
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))
    sandbox.clear_log()
    report, code = sync(db, github_source(sandbox), full=True)
    assert code == 0
    assert sum(r.returned or 0 for r in issue_requests(sandbox)) >= 40
    assert not any(r.conditional for r in sandbox.log)
    assert report["sources"][0]["items"] == 0, "nothing changed, so nothing counts as updated"


def _minus(stamp: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") - timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
