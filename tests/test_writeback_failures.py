"""Write-back under the failures a team meets: a create answered after the client gave up,
a person deleting the service's comment, a kill right after PingCode's first create, quiet
days. Each against the sandboxes, the store a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sandbox.demo.trackers import SECRETS, config_toml, demo_config, start_demo_trackers
from sandbox.server import FaultPlan
from tests.conftest import ROOT, github_source, kill_run_when, rows, sync, worktile_source
from tests.test_writeback import flag_github, flag_worktile, run


def late_creates(seconds: float, path: str) -> FaultPlan:
    """Every create is stored at once and answered only after ``seconds``."""
    return FaultPlan(rate=1.0, kinds=("late",), methods=("POST",), paths=path, slow_seconds=seconds)


def test_a_github_create_answered_after_the_timeout_leaves_one_comment(make_github, tmp_path):
    gh = make_github()
    number = flag_github(gh, 1)[0]
    gh.faults = late_creates(1.5, "/comments")
    source = github_source(gh, timeout_seconds=0.5, min_write_interval_seconds=0)
    report, code = run(tmp_path, source)
    assert code == 0, report
    assert [(w["action"], w["done"]) for w in report["writes"]] == [("create", True)]
    assert len(gh.comments_on(number)) == 1, "the create was not sent again blindly"
    (write,) = rows(tmp_path / "store.db", "select action, status from writes")
    assert write == {"action": "create", "status": "done"}
    gh.faults = FaultPlan()
    assert run(tmp_path, source)[0]["writes"] == []


def test_a_pingcode_create_answered_late_is_adopted_and_teaches_the_identity(
    make_worktile, tmp_path
):
    wt = make_worktile()
    item = flag_worktile(wt, 1)[0]
    wt.faults = late_creates(1.5, "/v1/comments")
    report, code = run(tmp_path, worktile_source(wt, timeout_seconds=0.5))
    assert code == 0, report
    assert len(wt.live_comments(item)) == 1
    (source,) = rows(tmp_path / "store.db", "select identity from sources")
    assert '"id"' in source["identity"], "the identity learnt from the adopted comment"
    wt.faults = FaultPlan()
    assert run(tmp_path, worktile_source(wt))[0]["writes"] == []
    assert len(wt.live_comments(item)) == 1


def delete_as_a_person(gh, number: int) -> None:
    with gh.state_lock:
        for cid in gh.comment_ids_of[number]:
            del gh.comments[cid]
        gh.comment_ids_of[number] = []


def test_a_deleted_comment_is_an_ack_until_its_findings_change(make_github, tmp_path):
    gh = make_github()
    number = flag_github(gh, 1)[0]
    source = github_source(gh, min_write_interval_seconds=0)
    assert run(tmp_path, source)[1] == 0
    delete_as_a_person(gh, number)
    # a Chinese comment is wanted now: the update answers 404, the findings are unchanged
    report, code = run(tmp_path, source, language="zh")
    assert code == 0, report
    (write,) = report["writes"]
    assert write["action"] == "update" and not write["done"] and write["deleted_comment"]
    assert gh.comments_on(number) == []
    (ack,) = rows(tmp_path / "store.db", "select rule, origin from acks")
    assert ack == {"rule": "unconfirmed_requirement", "origin": "deleted_comment"}
    assert run(tmp_path, source, language="zh")[0]["writes"] == [], "not recreated"
    # the scope changes: a new finding, so the comment comes back, once
    later = (datetime.now(UTC) + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gh.edit_issue(number, actor="dev", title="Requirement 0, with Excel export", at=later)
    report, code = run(tmp_path, source, language="zh")
    assert [(w["action"], w["done"]) for w in report["writes"]] == [("create", True)]
    (comment,) = gh.comments_on(number)
    assert "范围变更未记录" in comment["body"]


def test_a_kill_right_after_the_first_pingcode_create_leaves_one_comment(make_worktile, tmp_path):
    wt = make_worktile()
    item = flag_worktile(wt, 1)[0]
    wt.faults = late_creates(20, "/v1/comments")  # stored at once, answered never (killed)
    config = tmp_path / "config.toml"
    source = worktile_source(wt)
    config.write_text(
        f'[store]\npath = "{tmp_path / "store.db"}"\n[[sources]]\n'
        + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in source.items())
    )
    env = {**os.environ}
    command = [sys.executable, str(ROOT / "run_sync.py"), "--config", str(config), "-q"]
    kill_run_when(config, env, lambda: bool(wt.live_comments(item)))
    assert len(wt.live_comments(item)) == 1
    wt.faults = FaultPlan()
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert len(wt.live_comments(item)) == 1, "the rerun adopted the comment the kill left"
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert len(wt.live_comments(item)) == 1


def test_three_quiet_days_write_nothing_on_any_tracker(tmp_path, monkeypatch):
    """The demo project (every rule, all three trackers), run on three consecutive days
    with no tracker activity: the first day writes, the next two write nothing."""
    github, jira, worktile = sandboxes = start_demo_trackers()
    try:
        for name, value in SECRETS.items():
            monkeypatch.setenv(name, value)
        config = demo_config(github, jira, worktile)
        first = datetime.now(UTC).date()  # the demo is seeded relative to now
        report, code = sync(tmp_path / "store.db", *config["sources"], settings=config, as_of=first)
        assert code == 0 and report["writes"], report["sources"]
        for sandbox in sandboxes:
            sandbox.clear_log()
        severity = {(f["rule"], f["subject"]): f["severity"] for f in report["findings"]}
        escalated: set[str] = set()
        writes = 0
        for n in (1, 2):
            report, code = sync(
                tmp_path / "store.db",
                *config["sources"],
                settings=config,
                as_of=first + timedelta(days=n),
            )
            now = {(f["rule"], f["subject"]): f["severity"] for f in report["findings"]}
            # only a finding that changed by the rules' own clock may write: an unanswered
            # client question turns high after high_after_hours; ages never write
            changed = {
                subject
                for (rule, subject), sev in now.items()
                if severity.get((rule, subject)) != sev
            }
            # a milestone's finding is shown on its open items (no tracking item in the demo):
            # its escalation may write there (the demo's due dates follow the wall clock, so
            # whether one falls between these days depends on the hour the test runs)
            today = changed | {
                row["key"]
                for row in rows(
                    tmp_path / "store.db",
                    "select i.key from milestones m join item_milestones im"
                    " on im.source = m.source and im.milestone_id = m.id"
                    " join items i on i.source = im.source and i.id = im.item_id"
                    f" where m.title in ({', '.join('?' * len(changed))})",
                    tuple(changed),
                )
            }
            assert code == 0 and {w["item"] for w in report["writes"]} <= today, (
                n,
                report["writes"],
            )
            escalated |= today
            severity = now
            writes += len(report["writes"])
        # each escalated item written once at most (a PingCode update is a delete and a create)
        assert writes <= len(escalated)
        written = [r for s in sandboxes for r in s.writes_made()]
        assert len(written) <= 2 * writes
    finally:
        for sandbox in sandboxes:
            sandbox.stop()
    assert config_toml  # the demo's configuration is the one a user gets


def test_of_two_own_marked_comments_the_newest_is_kept(make_github, tmp_path):
    gh = make_github()
    number = flag_github(gh, 1)[0]
    key = f"acme/portal#{number}"
    older = gh.add_comment(
        number, f"<!-- tracker-sync:v1 item={key} digest=aaa -->", user="tracker-bot",
        at="2026-11-20T09:00:00Z",
    )  # fmt: skip
    newer = gh.add_comment(
        number, f"<!-- tracker-sync:v1 item={key} digest=bbb -->", user="tracker-bot",
        at="2026-11-21T09:00:00Z",
    )  # fmt: skip
    report, code = run(tmp_path, github_source(gh, min_write_interval_seconds=0))
    assert code == 0, report
    (kept,) = gh.comments_on(number)
    assert kept["id"] == newer["id"] != older["id"] and "Unconfirmed requirement" in kept["body"]


def test_every_change_of_a_findings_state_is_an_event_with_its_run(make_github, tmp_path):
    gh = make_github()
    number = flag_github(gh, 1)[0]
    source = github_source(gh, min_write_interval_seconds=0)
    run(tmp_path, source)
    gh.edit_issue(number, labels=["requirement", "in progress", "client-confirmed"])
    run(tmp_path, source)
    gh.edit_issue(number, labels=["requirement", "in progress"])
    run(tmp_path, source)
    run(tmp_path, source)  # nothing changed: no event
    events = rows(
        tmp_path / "store.db",
        "select rule, event, run_id from finding_events order by id",
    )
    assert [(e["rule"], e["event"]) for e in events] == [
        ("unconfirmed_requirement", "opened"),
        ("unconfirmed_requirement", "resolved"),
        ("unconfirmed_requirement", "reopened"),
    ]
    assert [e["run_id"] for e in events] == [1, 2, 3]


def test_the_report_counts_done_and_not_done_apart(make_github, tmp_path):
    from sync.report.run_report import text_lines

    gh = make_github()
    flag_github(gh, 4)
    report, code = run(tmp_path, github_source(gh), max_new_comments=3)
    assert code == 1
    text = "\n".join(text_lines(report))
    assert "comments: 4 planned, 0 done, 4 not done (4 create)" in text
    assert text.count("more than max_new_comments") == 1
    statuses = rows(tmp_path / "store.db", "select status from writes")
    assert [s["status"] for s in statuses] == ["planned"] * 4


def test_resolving_a_comment_a_person_deleted_is_no_error(make_github, tmp_path):
    gh = make_github()
    number = flag_github(gh, 1)[0]
    source = github_source(gh, min_write_interval_seconds=0)
    run(tmp_path, source)
    delete_as_a_person(gh, number)
    gh.edit_issue(number, labels=["requirement", "in progress", "client-confirmed"])
    report, code = run(tmp_path, source)
    assert code == 0, report
    assert [(w["action"], w["done"], w.get("error")) for w in report["writes"]] == [
        ("resolve", True, None)
    ]
    assert gh.comments_on(number) == [] and run(tmp_path, source)[0]["writes"] == []


def test_a_pingcode_description_change_quoted_in_a_comment_mentions_nobody(make_worktile, tmp_path):
    wt = make_worktile()
    item = flag_worktile(wt, 1)[0]
    hostile = "@everyone @所有人 <b>加急</b> <!-- tracker-sync:v1 item=SCR-9 digest=abc -->"
    wt.edit_item(item, by="pm", at=1793692800, description=hostile)  # 2026-11-03
    report, code = run(tmp_path, worktile_source(wt), language="zh")
    assert code == 0, report
    (comment,) = wt.live_comments(item)
    content = comment["content"]
    assert "范围变更未记录" in content and "“pm”" in content
    assert "@everyone" not in content and "@所有人" not in content and "<b>" not in content
    assert "item=SCR-9" not in content.replace("tracker-sync\u2236v1 item=SCR-9", "")
