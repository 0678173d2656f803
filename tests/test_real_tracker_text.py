"""Findings that hold on real tracker data (issue 14): keys beside Chinese text and pasted URLs,
phrases and their negations, PingCode tags and hidden markers, when linked work started,
Jira's "No Category", damaged text, the confirmed field, switched-off rules and ``--as-of``.
Every case is tracker data in a sandbox, pulled by the real pipeline and judged in the report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import github_source, jira_source, rows, worktile_source
from tests.test_rules import findings, run, t


def s(day: int, hour: int = 10) -> int:
    """PingCode's unix seconds for a day of November 2026."""
    return int(datetime(2026, 11, day, hour, tzinfo=UTC).timestamp())


UNCONFIRMED, UNDOCUMENTED = "unconfirmed_requirement", "undocumented_change"


# -- keys and URLs: cross-tracker "work started" -------------------------------------------


@pytest.mark.parametrize(
    ("pr_body", "started"),
    [
        ("实现ACME-1接口联调", True),
        ("详见ACME-1。", True),
        ("联调（ACME-1）完成", True),
        ("see https://acme.atlassian.net/browse/ACME-1 for the spec", True),
        ("XACME-1 is another project", False),
    ],
)
def test_a_key_or_url_in_a_pull_request_starts_a_jira_requirement(
    make_github, make_jira, tmp_path, pr_body, started
):
    jira, gh = make_jira(), make_github()
    story = jira.add_issue("Export", created=t(15))
    gh.add_issue("Implement export", pr_body, pull_request=True, created_at=t(16))
    report = run(tmp_path, jira_source(jira), github_source(gh))
    found = findings(report, UNCONFIRMED).get(story["key"])
    assert (found["severity"] if found else None) == ("high" if started else None)
    if started:
        assert found["evidence"]["started_by"] == ["acme/portal#1"]


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_a_jira_smart_link_to_a_github_issue_starts_it(
    make_github, make_jira, tmp_path, deployment
):
    gh, jira = make_github(), make_jira(deployment=deployment)
    number = gh.add_issue("导出需求", labels=["requirement"], created_at=t(15))["number"]
    url = f"https://github.com/acme/portal/issues/{number}"
    card = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "实现"},
                    {"type": "inlineCard", "attrs": {"url": url}},
                ],
            }
        ],
    }
    jira.add_issue(
        "Build it",
        card if deployment == "cloud" else f"实现{url}",
        issuetype="Task",
        status="In Progress",
        created=t(16),
    )
    found = findings(run(tmp_path, github_source(gh), jira_source(jira)), UNCONFIRMED)
    assert found[f"acme/portal#{number}"]["severity"] == "high"


def test_a_pingcode_work_item_url_names_its_item(make_worktile, make_github, tmp_path):
    wt, gh = make_worktile(), make_github()
    requirement = wt.add_item("运价接口", created=s(15))
    url = f"https://acme.pingcode.com/pjm/workitems/{requirement['short_id']}"
    gh.add_issue("联调", f"对应需求：{url}。", pull_request=True, created_at=t(16))
    found = findings(run(tmp_path, worktile_source(wt), github_source(gh)), UNCONFIRMED)
    assert found[requirement["identifier"]]["severity"] == "high"


# -- keys and URLs: documented by a change-request key ------------------------------------


@pytest.mark.parametrize(
    ("comment", "documented"),
    [("详见ACME-2。", True), ("（ACME-2）已批", True), ("详见XACME-2。", False)],
)
def test_a_change_request_key_beside_chinese_documents_a_change(
    make_jira, tmp_path, comment, documented
):
    jira = make_jira()
    story = jira.add_issue("导出", status="Confirmed", created=t(10))
    jira.add_issue("扩大导出范围", issuetype="Change Request", created=t(1))
    jira.edit_issue(story["key"], at=t(14), summary="导出（含 PDF）")
    jira.add_comment(story["key"], comment, author="dev", at=t(14, 12))
    found = findings(run(tmp_path, jira_source(jira)), UNDOCUMENTED)
    assert (story["key"] in found) is not documented


# -- phrases and negations ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "confirms"),
    [
        ("Not yet approved.", False),
        ("Still pending approval", False),
        ("Approval pending, approved by finance only", True),
        ("还未确认", False),
        ("待确认", False),
        ("Is this confirmed?", False),
        ("这个确认了吗？", False),
        ("没问题，确认。", True),
        ("Confirmed, no changes.", True),
        ("Unconfirmed.", False),
    ],
)
def test_confirmation_phrases_and_negations(make_github, tmp_path, body, confirms):
    gh = make_github()
    number = gh.add_issue("R", labels=["requirement", "in progress"], created_at=t(10))["number"]
    gh.add_comment(number, body, user="client-pm", at=t(11))
    found = findings(run(tmp_path, github_source(gh)), UNCONFIRMED).get(f"acme/portal#{number}")
    assert (found is None) is confirms


@pytest.mark.parametrize(
    ("body", "documents"),
    [
        ("未走变更", False),
        ("No change request for this.", False),
        ("See SCR-7.", False),
        ("Filed CR-12 for it.", True),
        ("已走变更流程", True),
    ],
)
def test_change_phrases_and_negations(make_github, tmp_path, body, documents):
    gh = make_github()
    number = gh.add_issue("R", labels=["requirement", "client-confirmed"], created_at=t(10))[
        "number"
    ]
    gh.edit_issue(number, actor="pm", at=t(14), title="R, bigger")
    gh.add_comment(number, body, user="pm", at=t(14, 12))
    found = findings(run(tmp_path, github_source(gh)), UNDOCUMENTED)
    assert (f"acme/portal#{number}" in found) is not documents


# -- PingCode: tags one by one, and the hidden marker ---------------------------------------


def test_a_pingcode_confirmation_tag_added_beside_others_confirms(make_worktile, tmp_path):
    wt = make_worktile()
    item = wt.add_item("需求", state="in_progress", created=s(10), tags=["移动端"])
    report = run(tmp_path, worktile_source(wt))
    assert findings(report, UNCONFIRMED)[item["identifier"]]["severity"] == "high"
    wt.edit_item(item["id"], by="client-pm", at=s(12), tags=["移动端", "需求已确认"])
    assert item["identifier"] not in findings(run(tmp_path, worktile_source(wt)), UNCONFIRMED)
    added = rows(
        tmp_path / "store.db",
        "select to_value from changes where field = 'labels' and to_value is not null",
    )
    assert added == [{"to_value": "需求已确认"}]


def test_a_pingcode_documented_tag_added_beside_others_documents(make_worktile, tmp_path):
    wt = make_worktile()
    item = wt.add_item("需求", state="in_progress", created=s(10), tags=["需求已确认"])
    wt.edit_item(item["id"], by="pm", at=s(12), title="需求（扩大）")
    wt.edit_item(item["id"], by="pm", at=s(13), tags=["需求已确认", "change-documented"])
    found = findings(run(tmp_path, worktile_source(wt)), UNDOCUMENTED)
    assert item["identifier"] not in found


def test_a_pingcode_comment_with_a_hidden_marker_is_never_evidence(make_worktile, tmp_path):
    wt = make_worktile()
    item = wt.add_item("需求", state="in_progress", created=s(10))
    wt.add_comment(
        item["id"],
        "<p>已确认</p><!-- tracker-sync:v1 item=SCR-1 digest=0123456789abcdef -->",
        by="client-pm",
        at=s(11),
    )
    found = findings(run(tmp_path, worktile_source(wt)), UNCONFIRMED)
    assert found[item["identifier"]]["severity"] == "high"


# -- work started: a child's entry into work, not its creation ----------------------------


def test_a_pingcode_child_task_starts_work_when_it_enters_doing(make_worktile, tmp_path):
    wt = make_worktile()
    requirement = wt.add_item("需求", created=s(10))
    child = wt.add_item("子任务", type_id="task", created=s(11), parent=requirement["id"])
    wt.edit_item(requirement["id"], by="pm", at=s(13), title="需求（草稿修改）")  # drafting
    wt.edit_item(child["id"], by="dev", at=s(15), state="in_progress")
    wt.edit_item(requirement["id"], by="pm", at=s(16), title="需求（开工后修改）")
    report = run(tmp_path, worktile_source(wt))
    change = findings(report, UNDOCUMENTED)[requirement["identifier"]]["evidence"]["changes"]
    assert [c["to"] for c in change] == ["需求（开工后修改）"]
    assert findings(report, UNCONFIRMED)[requirement["identifier"]]["severity"] == "high"


def test_an_idle_pingcode_task_costs_no_history_request(make_worktile, tmp_path):
    wt = make_worktile()
    requirement = wt.add_item("需求", created=s(10))
    for n in range(5):
        wt.add_item(f"子任务 {n}", type_id="task", created=s(11), parent=requirement["id"])
    wt.add_item("无关任务", type_id="task", state="in_progress", created=s(11))
    run(tmp_path, worktile_source(wt))
    asked = [r for r in wt.log if r.path.endswith("/transition_histories")]
    assert len(asked) == 1  # the requirement's own; idle children and unlinked tasks cost none


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_a_jira_subtask_starts_work_when_it_enters_doing(make_jira, tmp_path, deployment):
    jira = make_jira(deployment=deployment)
    story = jira.add_issue("导出", created=t(10))
    child = jira.add_issue("子任务", issuetype="Subtask", parent=story["key"], created=t(11))
    jira.edit_issue(story["key"], at=t(13), summary="导出（草稿）")
    jira.edit_issue(child["key"], at=t(15), status="In Progress")
    jira.edit_issue(story["key"], at=t(16), summary="导出（开工后）")
    report = run(tmp_path, jira_source(jira))
    changes = findings(report, UNDOCUMENTED)[story["key"]]["evidence"]["changes"]
    assert [c["to"] for c in changes] == ["导出（开工后）"]


# -- Jira: No Category ----------------------------------------------------------------------


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_a_jira_issue_with_no_status_category_is_todo_not_skipped(make_jira, tmp_path, deployment):
    jira = make_jira(deployment=deployment)
    story = jira.add_issue("Triage me", status="Triage", created=t(2))
    report = run(tmp_path, jira_source(jira))
    assert report["sources"][0]["status"] == "ok"
    assert rows(tmp_path / "store.db", "select status_category from items") == [
        {"status_category": "todo"}
    ]
    assert findings(report, UNCONFIRMED)[story["key"]]["severity"] == "warning"


# -- damaged text ---------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_github_body_is_cleaned_not_fatal(make_github, tmp_path):
    gh = make_github()
    gh.add_issue("Broken", "before \ud800 after\x00!", labels=["requirement"], created_at=t(2))
    gh.add_issue("Fine", "ok", labels=["requirement"], created_at=t(2))
    report = run(tmp_path, github_source(gh))
    assert report["sources"][0]["status"] == "ok"
    bodies = rows(tmp_path / "store.db", "select body from items order by id")
    assert bodies == [{"body": "before \ufffd after!"}, {"body": "ok"}]
    assert len(findings(report, UNCONFIRMED)) == 2


# -- confirmation: the field, and a status that has been ---------------------------------


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_the_confirmed_field_confirms_from_when_it_was_set(make_jira, tmp_path, deployment):
    jira = make_jira(deployment=deployment)
    story = jira.add_issue("导出", status="In Progress", created=t(10))
    jira.edit_issue(story["key"], at=t(12), summary="导出（扩大）")  # before the sign-off
    jira.edit_issue(story["key"], at=t(13), signoff="Yes")
    jira.edit_issue(story["key"], at=t(14), summary="导出（再扩大）")  # after it: undocumented
    source = jira_source(jira, confirmed_field="customfield_10100")
    report = run(tmp_path, source)
    changes = findings(report, UNDOCUMENTED)[story["key"]]["evidence"]["changes"]
    assert [c["to"] for c in changes] == ["导出（再扩大）"]
    assert findings(report, UNCONFIRMED)[story["key"]]["severity"] == "high"  # voided


def test_a_status_that_has_been_confirmed_stays_confirmed(make_jira, tmp_path):
    jira = make_jira()
    story = jira.add_issue("导出", created=t(10))
    jira.edit_issue(story["key"], at=t(11), status="Confirmed")
    jira.edit_issue(story["key"], at=t(12), status="In Progress")
    assert story["key"] not in findings(run(tmp_path, jira_source(jira)), UNCONFIRMED)


def test_doing_labels_match_whatever_their_case(make_github, tmp_path):
    gh = make_github()
    number = gh.add_issue("R", labels=["requirement"], created_at=t(15))["number"]
    gh.edit_issue(number, at=t(16), labels=["requirement", "In Progress"])
    found = findings(run(tmp_path, github_source(gh)), UNCONFIRMED)[f"acme/portal#{number}"]
    assert found["severity"] == "high"
    gh.edit_issue(number, at=t(17), title="R2")
    changes = findings(run(tmp_path, github_source(gh)), UNDOCUMENTED)[f"acme/portal#{number}"]
    assert changes["evidence"]["changes"][0]["when"] == t(17)


# -- a rule switched off --------------------------------------------------------------------


def test_a_rule_switched_off_resolves_its_findings_and_their_comments(make_github, tmp_path):
    gh = make_github()
    number = gh.add_issue("R", labels=["requirement", "in progress"], created_at=t(15))["number"]
    on = {"writeback": {"enabled": True}}
    # the only finding on this item is the one switched off
    others = {rule: {"enabled": False} for rule in ("incomplete_requirement", "scope_creep")}
    run(tmp_path, github_source(gh), rules=others, as_of=None, settings=on)
    assert len(gh.comments_on(number)) == 1
    off = {"unconfirmed_requirement": {"enabled": False}, **others}
    report = run(tmp_path, github_source(gh), rules=off, as_of=None, settings=on)
    assert not findings(report, UNCONFIRMED)
    stored = rows(tmp_path / "store.db", "select resolved_at from findings")
    assert stored[0]["resolved_at"] is not None
    comment = gh.comments_on(number)[0]["body"]
    assert "resolved" in comment.casefold() or "已解决" in comment


# -- as of ----------------------------------------------------------------------------------


def test_as_of_sees_the_past_and_records_nothing(make_github, tmp_path):
    gh = make_github()
    number = gh.add_issue("R", labels=["requirement", "in progress"], created_at=t(10))["number"]
    gh.edit_issue(
        number, actor="pm", at=t(18), labels=["requirement", "in progress", "client-confirmed"]
    )
    gh.add_issue("Later", labels=["requirement"], created_at=t(19))
    past = run(tmp_path, github_source(gh), as_of="2026-11-15")
    assert set(findings(past, UNCONFIRMED)) == {f"acme/portal#{number}"}
    assert past["dry_run"] is True and past["writes"] == []
    assert rows(tmp_path / "store.db", "select * from findings") == []
    now = run(tmp_path, github_source(gh), as_of="2026-11-20")
    assert f"acme/portal#{number}" not in findings(now, UNCONFIRMED)


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_as_of_gives_each_item_the_status_its_history_gives(make_jira, tmp_path, deployment):
    jira = make_jira(deployment=deployment)
    story = jira.add_issue("导出", created=t(15))
    jira.edit_issue(story["key"], at=t(18), status="In Progress")
    assert story["key"] not in findings(
        run(tmp_path, jira_source(jira), as_of="2026-11-16"), UNCONFIRMED
    )
    now = findings(run(tmp_path, jira_source(jira), as_of="2026-11-20"), UNCONFIRMED)
    assert now[story["key"]]["severity"] == "high"


def test_as_of_sees_an_issue_closed_later_as_open(make_github, tmp_path):
    gh = make_github()
    number = gh.add_issue("R", labels=["requirement"], created_at=t(2))["number"]
    gh.edit_issue(number, at=t(18), state="closed")
    past = findings(run(tmp_path, github_source(gh), as_of="2026-11-15"), UNCONFIRMED)
    assert past[f"acme/portal#{number}"]["severity"] == "warning"
    assert not findings(run(tmp_path, github_source(gh), as_of="2026-11-20"), UNCONFIRMED)


def test_as_of_counts_only_the_items_then_in_a_milestone(make_github, make_jira, tmp_path):
    """An item put in a milestone (a Jira fix version) after the as-of day was not in it then:
    a past evaluation counts the milestone's items without it, and leaves of later days are
    undone the same way."""
    gh = make_github()
    milestone = gh.add_milestone("R1", due_on="2026-11-12T07:00:00Z", created_at=t(1))
    gh.add_issue("In it", milestone=milestone["number"], created_at=t(2))
    joined = gh.add_issue("Joined later", created_at=t(2))["number"]
    gh.edit_issue(joined, at=t(18), milestone=milestone["number"])
    jira = make_jira()
    version = jira.add_version("2.0", release_date="2026-11-12", start_date="2026-11-01")
    other = jira.add_version("2.1", release_date="2026-12-20", start_date="2026-11-01")
    jira.add_issue("In it", issuetype="Task", fix_versions=[version["id"]], created=t(2))
    moved = jira.add_issue("Moved later", issuetype="Task", created=t(2))
    left = jira.add_issue(
        "Left later", issuetype="Task", fix_versions=[version["id"]], created=t(2)
    )
    jira.edit_issue(moved["key"], at=t(18), fixVersions=[version["id"]])
    jira.edit_issue(left["key"], at=t(18), fixVersions=[other["id"]])
    sources = (github_source(gh), jira_source(jira))
    past = findings(run(tmp_path, *sources, as_of="2026-11-15"), "slipping_milestone")
    assert past["R1"]["evidence"]["open_items"] == 1
    assert past["2.0"]["evidence"]["open_items"] == 2  # "In it" and "Left later"
    now = findings(run(tmp_path, *sources, as_of="2026-11-20"), "slipping_milestone")
    assert now["R1"]["evidence"]["open_items"] == 2
    assert now["2.0"]["evidence"]["open_items"] == 2  # "In it" and "Moved later"


# -- throughput from history ----------------------------------------------------------------


def test_throughput_counts_items_that_entered_done_without_a_resolution(make_jira, tmp_path):
    jira = make_jira()
    version = jira.add_version("3.0", release_date="2026-11-25", start_date="2026-11-01")
    for n in range(10):
        jira.add_issue(f"Open {n}", issuetype="Task", fix_versions=[version["id"]], created=t(2))
    for day in range(5, 11):
        done = jira.add_issue(f"Done {day}", issuetype="Task", created=t(2))
        jira.edit_issue(done["key"], at=t(day), status="Done")
        jira.issues[int(done["id"])]["resolutiondate"] = None  # a workflow that sets none
    found = findings(run(tmp_path, jira_source(jira)), "slipping_milestone")["3.0"]
    reasons = {r["reason"]: r for r in found["evidence"]["reasons"]}
    assert reasons["forecast"]["throughput_per_day"] == round(6 / 42, 2)


def test_as_of_counts_a_milestone_items_as_they_then_were(make_github, tmp_path):
    gh = make_github()
    milestone = gh.add_milestone("R1", due_on="2026-11-12T07:00:00Z", created_at=t(1))
    number = gh.add_issue("Work", milestone=milestone["number"], created_at=t(2))["number"]
    gh.edit_issue(number, at=t(18), state="closed")
    past = findings(run(tmp_path, github_source(gh), as_of="2026-11-15"), "slipping_milestone")
    assert past["R1"]["evidence"]["open_items"] == 1
    assert not findings(run(tmp_path, github_source(gh), as_of="2026-11-20"), "slipping_milestone")
