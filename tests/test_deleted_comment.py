"""A person deleting the service's comment, noticed by the pull: where a tracker's normal pull
reads an item's whole comment list (Jira: the issue's embedded comments, or every page of them;
PingCode: a work item's comments), an own comment missing from it is an answer — an ack with
origin ``deleted_comment``, recorded once — and no comment comes back until a finding changes.
GitHub lists comments ``since`` a time: that list is never taken as proof of a deletion."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sync.report.run_report import text_lines
from tests.conftest import github_source, jira_source, rows, worktile_source
from tests.test_report_language import assert_no_english_word
from tests.test_writeback import flag_github, flag_jira, flag_worktile, own, run


def later(minutes: int) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def acks(db) -> list[dict]:
    return rows(db, "select rule, subject, origin from acks where origin = 'deleted_comment'")


def noticed(db) -> list[dict]:
    return rows(db, "select item, action, status from writes where action = 'read'")


def test_jira_a_comment_deleted_by_a_person_is_an_ack_noticed_by_the_pull(make_jira, tmp_path):
    jira = make_jira()
    key = flag_jira(jira, 1)[0]
    source = jira_source(jira)
    report, code = run(tmp_path, source)
    assert code == 0 and [w["action"] for w in report["writes"]] == ["create"]
    with jira.state_lock:  # a person deletes it; Jira bumps the issue's ``updated``
        issue = jira.issue_by_key(key)
        for cid in jira.comment_ids_of.pop(issue["id"]):
            del jira.comments[cid]
    jira.edit_issue(key, author="dev", at=iso(later(2)))
    report, code = run(tmp_path, source)
    assert code == 0 and report["writes"] == [], "not recreated, nothing sent"
    db = tmp_path / "store.db"
    assert acks(db) == [
        {"rule": "unconfirmed_requirement", "subject": key, "origin": "deleted_comment"}
    ]
    assert noticed(db) == [{"item": key, "action": "read", "status": "skipped"}]
    report = run(tmp_path, source)[0]
    assert report["writes"] == [] and len(acks(db)) == 1, "once"
    assert jira.comments_on(key) == []
    text = "\n".join(text_lines(report, "zh"))
    assert f"  acme-jira {key}：需求未经客户确认——删除评论的人确认知悉，至 " in text, text
    assert_no_english_word(text, names=("acme-jira", "jira", key))
    # the scope changes: a new finding, so the comment comes back, once
    jira.edit_issue(key, author="dev", at=iso(later(4)), summary="Story 0, with Excel export")
    report, code = run(tmp_path, source)
    assert [(w["action"], w["done"]) for w in report["writes"]] == [("create", True)]
    assert len(jira.comments_on(key)) == 1 and len(noticed(db)) == 1


def test_pingcode_a_comment_deleted_by_a_person_is_an_ack_noticed_by_the_pull(
    make_worktile, tmp_path
):
    wt = make_worktile()
    item = flag_worktile(wt, 1)[0]
    source = worktile_source(wt)
    assert run(tmp_path, source)[1] == 0
    (comment,) = wt.live_comments(item)
    with wt.state_lock:  # deleted in the web app: listed on as ``is_deleted: 1``
        comment.update(is_deleted=1, content="")
    wt.edit_item(item, by="pm", at=int(time.time()) + 120)  # the item is read again
    report, code = run(tmp_path, source)
    assert code == 0 and report["writes"] == []
    db = tmp_path / "store.db"
    key = noticed(db)[0]["item"]
    assert acks(db) == [
        {"rule": "unconfirmed_requirement", "subject": key, "origin": "deleted_comment"}
    ]
    assert run(tmp_path, source)[0]["writes"] == [] and len(acks(db)) == 1
    assert wt.live_comments(item) == []
    wt.edit_item(item, by="dev", at=int(time.time()) + 240, title="需求 0：导出 Excel")
    report, code = run(tmp_path, source)
    assert [(w["action"], w["done"]) for w in report["writes"]] == [("create", True)]
    assert len(wt.live_comments(item)) == 1


def test_a_dry_run_notices_nothing(make_jira, tmp_path):
    jira = make_jira()
    key = flag_jira(jira, 1)[0]
    source = jira_source(jira)
    run(tmp_path, source)
    with jira.state_lock:
        issue = jira.issue_by_key(key)
        for cid in jira.comment_ids_of.pop(issue["id"]):
            del jira.comments[cid]
    jira.edit_issue(key, author="dev", at=iso(later(2)))
    run(tmp_path, source, dry_run=True)
    assert acks(tmp_path / "store.db") == [] and noticed(tmp_path / "store.db") == []


def test_github_since_listing_is_never_proof_of_a_deletion(make_github, tmp_path):
    """GitHub's pull lists comments changed since the cursor: an item re-read with its comment
    gone shows nothing missing, so only the next update's 404 tells (its own test)."""
    gh = make_github()
    number = flag_github(gh, 1)[0]
    source = github_source(gh, min_write_interval_seconds=0)
    run(tmp_path, source)
    assert len(own(gh.comments_on(number))) == 1
    with gh.state_lock:
        for cid in gh.comment_ids_of[number]:
            del gh.comments[cid]
        gh.comment_ids_of[number] = []
    stamp = later(2).strftime("%Y-%m-%dT%H:%M:%SZ")
    gh.edit_issue(number, actor="dev", labels=["requirement", "in progress", "ui"], at=stamp)
    report, code = run(tmp_path, source)
    assert code == 0 and acks(tmp_path / "store.db") == [] and report["writes"] == []
    assert noticed(tmp_path / "store.db") == []


def test_jira_a_capped_embedded_page_is_read_to_the_end_before_anything_is_inferred(
    make_jira, tmp_path
):
    """The service's comment sits past the issue's embedded comment page: the pull reads every
    page of the comment endpoint, finds it there and infers nothing; once it is really gone,
    the whole list lacks it."""
    jira = make_jira()
    key = flag_jira(jira, 1)[0]
    for n in range(3):
        jira.add_comment(key, f"Note {n}", author="dev", at="2026-11-03T09:00:00.000+0000")
    source = jira_source(jira)
    assert [w["action"] for w in run(tmp_path, source)[0]["writes"]] == ["create"]
    jira.embedded_comment_cap = 2  # the service's comment is the fourth
    jira.edit_issue(key, author="dev", at=iso(later(2)))
    db = tmp_path / "store.db"
    assert run(tmp_path, source)[0]["writes"] == [] and acks(db) == []
    assert any("/comment" in r.path and r.method == "GET" for r in jira.log)
    with jira.state_lock:
        issue = jira.issue_by_key(key)
        ours = [c for c in jira.comment_ids_of[issue["id"]] if jira.comments[c]["author"] != "dev"]
        for cid in ours:
            jira.comment_ids_of[issue["id"]].remove(cid)
            del jira.comments[cid]
    jira.edit_issue(key, author="dev", at=iso(later(4)))
    assert run(tmp_path, source)[0]["writes"] == [] and len(acks(db)) == 1
