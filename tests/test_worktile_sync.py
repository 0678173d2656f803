"""Worktile / PingCode end to end against the sandbox: token, paging per type, incremental
with and without server support for updated_between, history and comments for changed items
only (what no rule reads is skipped), the request budget, clear errors, faults survived."""

from __future__ import annotations

import json

import pytest

from mapping import worktile as wm
from sandbox.scenario import seed_worktile_project
from sandbox.verify import (
    activity_read_items,
    comment_read_items,
    requirement_items,
    started_linked_tasks,
)
from tests.conftest import CONTRACTS, rows, sync, worktile_source

EXAMPLES = CONTRACTS / "worktile"


def assert_store_matches(db, sandbox, source="acme-pingcode"):
    with sandbox.state_lock:
        expected = {
            i["id"]: (
                i["identifier"],
                i["title"],
                i["type"],
                {"pending": "todo", "in_progress": "doing", "completed": "done"}[i["state"]],
            )
            for i in sandbox.items.values()
        }
        history = {
            (iid, f"transition:{t['id']}")
            for iid in requirement_items(sandbox) | started_linked_tasks(sandbox)
            for t in sandbox.transitions[iid]
        }
        history |= {
            (iid, f"activity:{a['id']}")
            for iid in activity_read_items(sandbox)
            for a in sandbox.activities[iid]
        }
        comments = {
            c["id"]
            for c in sandbox.comments.values()
            if not c["is_deleted"] and c["item"] in comment_read_items(sandbox)
        }
    stored = {
        r["id"]: (r["key"], r["title"], r["type"], r["status_category"])
        for r in rows(db, "select * from items where source = ?", (source,))
    }
    assert stored == expected
    assert {
        (r["item_id"], r["change_id"])
        for r in rows(
            db, "select * from changes where source = ? and origin = 'tracker'", (source,)
        )
    } == history
    assert {
        r["id"] for r in rows(db, "select id from comments where source = ?", (source,))
    } == comments


def lists(sandbox):
    return [r for r in sandbox.log if r.path.endswith("/work_items") or r.path.endswith("/search")]


def test_official_work_item_example_maps_whole():
    payload = json.loads((EXAMPLES / "work-item.json").read_text())
    mapped = wm.map_work_item(payload, source="pc", type_id="bug", timezone="Asia/Shanghai")
    item = mapped.item
    assert (item.id, item.key, item.kind, item.type, item.title) == (
        "5edca524cad2fa1125cb0630",
        "SCR-5",
        "bug",
        "bug",
        "这是一个缺陷",
    )
    assert (item.status, item.status_category, item.body, item.estimate) == (
        "新建",
        "todo",
        "这是一个缺陷的描述",
        1.0,
    )
    assert (item.created_at, item.due_date, item.parent_key) == (
        "2020-03-04T02:51:40Z",
        "2020-03-04",
        "SCR-3",
    )
    assert item.milestone_id == "5eb623487ea47001f6a70571"  # the unreleased version
    assert [(link.target_key, link.type) for link in mapped.links] == [("SCR-3", "parent")]


def test_official_comment_activity_and_sprint_examples():
    comment = wm.map_comment(
        json.loads((EXAMPLES / "comment.json").read_text()), source="pc", item_id="w1"
    )
    assert (comment.id, comment.body, comment.author_login, comment.created_at) == (
        "59f72dfaeadb5b5197b7da6d",
        "这是一个工作项评论",
        "john",
        "2019-08-08T09:15:12Z",
    )
    activity = json.loads((EXAMPLES / "activity.json").read_text())["values"][0]
    change = wm.map_activity(activity, source="pc", item_id="i1")
    assert (change.field, change.from_value, change.to_value, change.author) == (
        "yinyongduoxuan",
        None,
        "REST API 产品",
        "john",
    )
    sprint = wm.map_sprint(
        json.loads((EXAMPLES / "sprint-or-version.json").read_text()), source="pc"
    )
    assert (sprint.title, sprint.state, sprint.kind) == ("Sprint 1", "closed", "sprint")
    assert (
        wm.map_comment(
            {"id": "x", "created_at": 1, "is_deleted": 1, "content": ""}, source="pc", item_id="w"
        )
        is None
    )


def test_html_descriptions_become_text():
    assert (
        wm.html_to_text("<p>Export &amp; import</p><ul><li>PDF</li><li>CSV</li></ul>")
        == "Export & import\n- PDF\n- CSV"
    )


def test_full_sync_pages_per_type_and_equals_the_sandbox(make_worktile, tmp_path):
    sandbox = make_worktile()
    seed_worktile_project(sandbox, items=520)
    db = tmp_path / "store.db"
    report, code = sync(db, worktile_source(sandbox))
    assert code == 0, report
    pages = lists(sandbox)
    assert {r.query["type_id"] for r in pages} == {
        "requirement",
        "story",
        "task",
        "bug",
        "milestone",
    }
    task_pages = [r.query["page_index"] for r in pages if r.query["type_id"] == "task"]
    assert task_pages == ["0", "1", "2"], "208 tasks at 100 a page, from page 0"
    assert all(r.query["page_size"] == "100" for r in pages)
    assert_store_matches(db, sandbox)
    milestones = {r["title"]: r["kind"] for r in rows(db, "select * from milestones")}
    assert milestones == {"Sprint 1": "sprint", "1.0": "version", "Milestone: 1.0": "milestone"}


@pytest.mark.parametrize(
    ("honour", "has_search", "mode"),
    [(True, True, "updated_between"), (False, True, "search"), (False, False, "full")],
)
def test_incremental_after_edits_with_and_without_server_support(
    make_worktile, tmp_path, honour, has_search, mode
):
    sandbox = make_worktile(honour_updated_between=honour, has_search=has_search)
    seed_worktile_project(sandbox, items=150)
    db = tmp_path / "store.db"
    sync(db, worktile_source(sandbox))
    requirement = next(i for i in sandbox.items.values() if i["type"] == "requirement")
    sandbox.edit_item(requirement["id"], by="pm", title="Export invoices as PDF and CSV")
    sandbox.add_comment(requirement["id"], "<p>变更申请 CR-7 已批准</p>", by="client-pm")
    task = next(i for i in sandbox.items.values() if i["type"] == "task" and not i["sprint"])
    sprint = next(iter(sandbox.sprints))
    sandbox.edit_item(task["id"], by="pm", sprint=sprint)
    sandbox.clear_log()
    report, code = sync(db, worktile_source(sandbox))
    assert code == 0, report
    assert report["sources"][0]["items"] == 2
    for path in ("/v1/activities", "/v1/comments"):
        asked = sorted(r.query["principal_id"] for r in sandbox.log if r.path == path)
        assert asked == sorted([requirement["id"], task["id"]]), "only the two that changed"
    joined = rows(db, "select * from changes where item_id = ? and field = 'sprint'", (task["id"],))
    assert [r["to_value"] for r in joined][-1:] == [sprint]
    title = rows(
        db,
        "select * from changes where item_id = ? and field = 'title' order by at desc",
        (requirement["id"],),
    )[0]
    assert (title["to_value"], title["author"]) == ("Export invoices as PDF and CSV", "pm")
    assert rows(
        db,
        "select body from comments where item_id = ? and body like '%CR-7%'",
        (requirement["id"],),
    )
    history_calls = [r for r in sandbox.log if r.path.endswith("/transition_histories")]
    assert len(history_calls) == 1, "history only for the one requirement that changed"
    stored = json.loads(rows(db, "select cursors from sources")[0]["cursors"])
    assert stored.get("incremental", "updated_between") == mode
    assert_store_matches(db, sandbox)


def test_token_expiry_is_handled_by_one_reauthentication(make_worktile, tmp_path):
    for absolute in (True, False):
        sandbox = make_worktile(absolute_expiry=absolute)
        seed_worktile_project(sandbox, items=40)
        db = tmp_path / f"s{absolute}.db"
        sync(db, worktile_source(sandbox))
        sandbox.expire_tokens()  # the app's secret was reset, or 30 days passed
        sandbox.clear_log()
        report, code = sync(db, worktile_source(sandbox))
        assert code == 0, report
        assert len([r for r in sandbox.log if r.path == "/v1/auth/token"]) == 1
        assert len([r for r in sandbox.log if r.status == 401]) <= 1


def test_the_request_budget_is_never_exceeded_by_3000_items(make_worktile, tmp_path):
    sandbox = make_worktile(budget=(200, 1.0))
    seed_worktile_project(sandbox, items=3000, comments_per_requirement=0)
    report, code = sync(tmp_path / "store.db", worktile_source(sandbox))
    assert code == 0, report
    assert sandbox.refused == 0, "the sandbox refused requests over its budget"
    assert len(sandbox.log) > 400, "enough requests to have needed pacing"


def test_bad_credentials_and_unknown_project_fail_clearly(make_worktile, tmp_path, monkeypatch):
    sandbox = make_worktile()
    seed_worktile_project(sandbox, items=10)
    monkeypatch.setenv("WRONG_SECRET", "nope")
    report, code = sync(
        tmp_path / "s.db",
        worktile_source(sandbox, name="bad-secret", client_secret_env="WRONG_SECRET"),
        worktile_source(sandbox, name="bad-project", project="NOPE"),
        worktile_source(sandbox, name="good"),
    )
    assert code == 1
    errors = {s["name"]: s["error"] for s in report["sources"]}
    assert errors["bad-secret"].startswith("bad-secret: HTTP 400: bad client id or secret")
    assert "pc-secret" not in errors["bad-secret"] and "nope" not in errors["bad-secret"]
    assert errors["bad-project"] == "bad-project: no project 'NOPE' is visible to this app"
    assert errors["good"] is None


def test_twenty_percent_faults_converge(make_worktile, tmp_path):
    sandbox = make_worktile(faults={"rate": 0.2, "seed": 4, "retry_after": 0})
    seed_worktile_project(sandbox, items=250)
    db = tmp_path / "store.db"
    report, code = sync(db, worktile_source(sandbox))
    assert code == 0, report
    assert {"429", "502", "drop", "malformed"} <= {r.fault for r in sandbox.log if r.fault}
    sync(db, worktile_source(sandbox))  # items inserted by the fault after their type's pass
    assert_store_matches(db, sandbox)
