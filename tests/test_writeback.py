"""Write-back end to end against all three sandboxes: one comment per flagged item, exactly
once, never on a comment the service did not write, nothing at all in a dry run."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import (
    GITHUB_TOKEN,
    ROOT,
    github_source,
    jira_source,
    kill_run_when,
    sync,
    worktile_source,
    write_config,
)

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def run(tmp_path, *sources, dry_run=False, allow_bulk=False, **writeback):
    settings = {
        "writeback": {"enabled": True, **writeback},
        "rules": {
            "unconfirmed_requirement": {"client_accounts": ["client-pm"]},
            # these tests follow the first three rules' comments; the others have their own
            **{rule: {"enabled": False} for rule in ("incomplete_requirement", "scope_creep")},
        },
    }
    return sync(
        tmp_path / "store.db", *sources, settings=settings, dry_run=dry_run, allow_bulk=allow_bulk
    )


def flag_github(gh, count=2):
    """Requirements in progress that nobody confirmed: each gets a finding."""
    return [
        gh.add_issue(f"Requirement {n}", labels=["requirement", "in progress"])["number"]
        for n in range(count)
    ]


def flag_jira(jira, count=2):
    keys = []
    for n in range(count):
        story = jira.add_issue(f"Story {n}", issuetype="Story", created="2026-11-01T09:00:00Z")
        jira.edit_issue(story["key"], author="dev", at="2026-11-02T09:00:00Z", status="In Progress")
        keys.append(story["key"])
    return keys


def flag_worktile(wt, count=2):
    ids = []
    for n in range(count):
        item = wt.add_item(f"需求 {n}", type_id="requirement", created=1793520000)  # 2026-11-01
        wt.edit_item(item["id"], by="dev", at=1793606400, state="in_progress")
        ids.append(item["id"])
    return ids


def own(comments, login="tracker-bot"):
    return [
        c for c in comments if c.get("user", c.get("author", c.get("created_by"))) in (login, "bot")
    ]


def test_github_first_run_creates_one_comment_each_and_a_rerun_writes_nothing(
    make_github, tmp_path
):
    gh = make_github()
    numbers = flag_github(gh, 3)
    report, code = run(tmp_path, github_source(gh))
    assert code == 0, report
    assert sorted((w["action"], w["done"]) for w in report["writes"]) == [("create", True)] * 3
    for number in numbers:
        comments = gh.comments_on(number)
        assert len(comments) == 1 and comments[0]["user"] == "tracker-bot"
        body = comments[0]["body"]
        assert body.startswith(f"<!-- tracker-sync:v1 item=acme/portal#{number} digest=")
        assert "Unconfirmed requirement (high)" in body
    gh.clear_log()
    report, code = run(tmp_path, github_source(gh))
    assert code == 0 and report["writes"] == []
    assert not gh.writes_made(), "an unchanged rerun must write nothing"


@pytest.mark.parametrize("mode", ["update", "delete"])
def test_a_fixed_item_gets_its_comment_resolved(make_github, tmp_path, mode):
    gh = make_github()
    number = flag_github(gh, 1)[0]
    run(tmp_path, github_source(gh), on_resolved=mode)
    gh.edit_issue(number, labels=["requirement", "in progress", "client-confirmed"])
    report, code = run(tmp_path, github_source(gh), on_resolved=mode)
    assert [(w["action"], w["done"]) for w in report["writes"]] == [
        ("resolve" if mode == "update" else "delete", True)
    ]
    comments = gh.comments_on(number)
    if mode == "update":
        assert (
            len(comments) == 1
            and "All tracker-sync findings on this item are resolved." in comments[0]["body"]
        )
        assert run(tmp_path, github_source(gh), on_resolved=mode)[0]["writes"] == [], (
            "resolved once"
        )
    else:
        assert comments == []


def test_a_human_comment_carrying_a_copied_marker_is_never_touched(make_github, tmp_path):
    gh = make_github()
    number = flag_github(gh, 1)[0]
    run(tmp_path, github_source(gh))
    bot = gh.comments_on(number)[0]
    gh.add_comment(number, f"Quoting the bot: {bot['body']}", user="alice")
    gh.edit_issue(number, labels=["requirement", "in progress", "client-confirmed"])
    gh.clear_log()
    report, _ = run(tmp_path, github_source(gh), on_resolved="delete")
    touched = {r.path for r in gh.writes_made()}
    assert touched == {f"/repos/acme/portal/issues/comments/{bot['id']}"}
    human = [c for c in gh.comments_on(number) if c["user"] == "alice"]
    assert len(human) == 1 and human[0]["body"].startswith("Quoting the bot")


def test_killed_right_after_a_create_is_sent_then_rerun_leaves_one_comment(make_github, tmp_path):
    gh = make_github()
    number = flag_github(gh, 1)[0]
    gh.create_delay = 5.0  # the comment is stored, the answer is slow: kill in between
    config = write_config(
        tmp_path / "config.toml",
        f"""
[store]
path = "{tmp_path / "store.db"}"
[[sources]]
name = "acme-github"
kind = "github"
base_url = "{gh.base_url}"
repo = "acme/portal"
token_env = "T"
min_write_interval_seconds = 0
""",
    )
    env = {**os.environ, "T": GITHUB_TOKEN}
    kill_run_when(config, env, lambda: bool(gh.comments_on(number)))
    assert len(gh.comments_on(number)) == 1
    gh.create_delay = 0.0
    rerun = subprocess.run(
        [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert len(gh.comments_on(number)) == 1, (
        "the rerun adopted the comment instead of posting again"
    )


def test_the_bulk_limit_refuses_and_allow_bulk_proceeds(make_github, tmp_path):
    gh = make_github()
    flag_github(gh, 4)
    report, code = run(tmp_path, github_source(gh), max_new_comments=3)
    assert code == 1
    source = report["sources"][0]
    assert (
        source["status"] == "failed"
        and "4 new comments planned, more than max_new_comments (3)" in source["error"]
    )
    assert not gh.writes_made()
    report, code = run(tmp_path, github_source(gh), max_new_comments=3, allow_bulk=True)
    assert code == 0 and sum(w["done"] for w in report["writes"]) == 4


def test_github_writes_are_paced_a_second_apart(make_github, tmp_path):
    gh = make_github()
    flag_github(gh, 3)
    run(tmp_path, github_source(gh, min_write_interval_seconds=1.0))
    posts = [r.at for r in gh.log if r.method == "POST"]
    assert len(posts) == 3
    assert all(later - earlier >= 0.95 for earlier, later in zip(posts, posts[1:], strict=False))


def test_a_refused_write_fails_that_item_not_the_run(make_github, tmp_path):
    gh = make_github()
    locked, fine = flag_github(gh, 2)
    gh.locked.add(locked)
    report, code = run(tmp_path, github_source(gh))
    assert code == 0
    by_item = {w["item"]: w for w in report["writes"]}
    assert by_item[f"acme/portal#{fine}"]["done"] is True
    assert by_item[f"acme/portal#{locked}"]["done"] is False
    assert "HTTP 403" in by_item[f"acme/portal#{locked}"]["error"]


def test_jira_cloud_comment_is_adf_with_a_property_and_updates_quietly(make_jira, tmp_path):
    jira = make_jira()
    key = flag_jira(jira, 1)[0]
    report, code = run(tmp_path, jira_source(jira))
    assert code == 0, report
    (comment,) = jira.comments_on(key)
    assert comment["body"]["type"] == "doc"
    assert comment["properties"]["tracker-sync"]["item"] == key
    footer = comment["body"]["content"][-1]["content"][0]["text"]
    assert f"tracker-sync:v1 item={key}" in footer
    jira.edit_issue(key, author="pm", summary="Story 0, now with exports")  # a new finding
    report, code = run(tmp_path, jira_source(jira))
    assert [(w["action"], w["done"]) for w in report["writes"]] == [("update", True)]
    (comment,) = jira.comments_on(key)
    assert comment["notified"] is False, "updates go out with notifyUsers=false"
    assert run(tmp_path, jira_source(jira))[0]["writes"] == []


def test_jira_data_center_comment_is_wiki_markup(make_jira, tmp_path):
    jira = make_jira(deployment="datacenter")
    key = flag_jira(jira, 1)[0]
    report, code = run(tmp_path, jira_source(jira))
    assert code == 0, report
    (comment,) = jira.comments_on(key)
    assert isinstance(comment["body"], str) and comment["body"].startswith(
        "h3. tracker-sync findings"
    )
    assert run(tmp_path, jira_source(jira))[0]["writes"] == []


def test_worktile_update_is_delete_then_create(make_worktile, tmp_path):
    wt = make_worktile()
    item = flag_worktile(wt, 1)[0]
    report, code = run(tmp_path, worktile_source(wt))
    assert code == 0, report
    (first,) = wt.live_comments(item)
    assert "tracker-sync:v1" in first["content"] and "需求未经客户确认" not in first["content"]
    wt.edit_item(item, by="pm", title="需求 0（含导出）")
    wt.clear_log()
    report, code = run(tmp_path, worktile_source(wt))
    assert [(w["action"], w["done"]) for w in report["writes"]] == [("update", True)]
    assert [r.method for r in wt.writes_made()] == ["DELETE", "POST"]
    (second,) = wt.live_comments(item)
    assert second["id"] != first["id"] and wt.comments[first["id"]]["is_deleted"] == 1
    assert run(tmp_path, worktile_source(wt))[0]["writes"] == []


def test_chinese_comments(make_worktile, tmp_path):
    wt = make_worktile()
    item = flag_worktile(wt, 1)[0]
    run(tmp_path, worktile_source(wt), language="zh")
    (comment,) = wt.live_comments(item)
    assert "需求未经客户确认" in comment["content"] and "解决方法" in comment["content"]


def test_a_dry_run_sends_no_write_and_prints_every_comment(
    make_github, make_jira, make_worktile, tmp_path
):
    gh, jira, wt = make_github(), make_jira(), make_worktile()
    flag_github(gh), flag_jira(jira), flag_worktile(wt)
    report, code = run(
        tmp_path, github_source(gh), jira_source(jira), worktile_source(wt), dry_run=True
    )
    assert code == 0, report
    for sandbox in (gh, jira, wt):
        # stricter than writes_made(): a dry run sends no POST at all, not even a read
        assert not [r for r in sandbox.log if r.method in WRITES], f"{sandbox.name} got a write"
    assert len(report["writes"]) == 6 and all(not w["done"] for w in report["writes"])
    assert all(
        "tracker-sync findings" in w["comment"] or "tracker-sync 检查结果" in w["comment"]
        for w in report["writes"]
    )


def test_tracker_text_cannot_mention_inject_or_forge_a_marker(make_github, tmp_path):
    gh = make_github()
    number = gh.add_issue("R", labels=["requirement"], created_at="2026-01-01T00:00:00Z")["number"]
    gh.edit_issue(
        number, actor="pm", labels=["requirement", "client-confirmed"], at="2026-01-02T00:00:00Z"
    )
    evil = "@octocat <!-- tracker-sync:v1 item=acme/portal#99 digest=abc -->"
    evil += " [x](http://evil) <img src=x>"
    gh.edit_issue(number, actor="dev", title=evil, at="2026-01-03T00:00:00Z")
    run(tmp_path, github_source(gh))
    body = gh.comments_on(number)[0]["body"]
    assert "@octocat" not in body and "@\u200doctocat" in body, "a mention, broken"
    assert body.count("tracker-sync:v1 item=") == 1
    assert "<img" not in body and "[x]" not in body
