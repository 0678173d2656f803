"""The three rules, case by case as DESIGN.md defines them. Every case is tracker data in a
sandbox, pulled by the real pipeline and judged in the JSON report a user would read."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from tests.conftest import github_source, jira_source, rows, sync

AS_OF = "2026-11-20"


def t(day: int, hour: int = 10) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:00:00Z"


def run(tmp_path, *sources, rules=None, as_of=AS_OF, settings=None):
    """One run judged as of ``as_of`` (findings reported, none recorded); ``as_of=None`` is a
    recorded run with the clock frozen at noon of ``AS_OF``."""
    client = {"client_accounts": ["client-pm"]}
    rules = {**(rules or {})}
    rules["unconfirmed_requirement"] = {**client, **rules.get("unconfirmed_requirement", {})}
    settings = {**(settings or {}), "rules": rules}
    if as_of is None:
        with time_machine.travel(datetime.fromisoformat(f"{AS_OF}T12:00:00+00:00"), tick=True):
            report, code = sync(tmp_path / "store.db", *sources, settings=settings)
    else:
        report, code = sync(  # as the CLI's --as-of: judged, not recorded
            tmp_path / "store.db",
            *sources,
            settings=settings,
            as_of=date.fromisoformat(as_of),
            what_if=True,
        )
    assert code == 0, report
    return report


def findings(report, rule):
    return {f["subject"]: f for f in report["findings"] if f["rule"] == rule}


# -- unconfirmed_requirement --------------------------------------------------------------

UNCONFIRMED = [
    # (case, build(sandbox) -> issue number, expected severity or None)
    (
        "work started via doing label",
        lambda gh: gh.add_issue("R", labels=["requirement", "in progress"], created_at=t(15))[
            "number"
        ],
        "high",
    ),
    (
        "young and idle: within grace",
        lambda gh: gh.add_issue("R", labels=["requirement"], created_at=t(15))["number"],
        None,
    ),
    (
        "old and idle: past grace",
        lambda gh: gh.add_issue("R", labels=["requirement"], created_at=t(2))["number"],
        "warning",
    ),
    ("confirmed by label", lambda gh: confirmed_by_label(gh), None),
    (
        "confirmed by a client comment",
        lambda gh: with_comment(gh, "Confirmed, go ahead.", "client-pm"),
        None,
    ),
    ("confirmed in Chinese", lambda gh: with_comment(gh, "需求确认，可以开始", "client-pm"), None),
    (
        "confirming comment from a non-client",
        lambda gh: with_comment(gh, "Confirmed.", "dev"),
        "high",
    ),
    (
        "client says not approved",
        lambda gh: with_comment(gh, "This is not approved yet", "client-pm"),
        "high",
    ),
    (
        "client says unconfirmed",
        lambda gh: with_comment(gh, "Still unconfirmed on our side", "client-pm"),
        "high",
    ),
    ("client says 还未确认", lambda gh: with_comment(gh, "还未确认", "client-pm"), "high"),
    (
        "the bot's own comment never confirms",
        lambda gh: with_comment(gh, "confirmed", "tracker-bot"),
        "high",
    ),
    (
        "a marked comment never confirms",
        lambda gh: with_comment(gh, "confirmed <!-- tracker-sync:v1 -->", "client-pm"),
        "high",
    ),
    (
        "a pull request is never a requirement",
        lambda gh: gh.add_issue("PR", labels=["requirement"], pull_request=True, created_at=t(1))[
            "number"
        ],
        None,
    ),
    ("work started by a linked PR", lambda gh: started_by_pr(gh), "high"),
    ("a cancelled linked item starts nothing", lambda gh: cancelled_link(gh), None),
    ("confirmation voided by a later undocumented rename", lambda gh: voided(gh), "high"),
    ("confirmation after the rename counts", lambda gh: reconfirmed(gh), None),
]


def confirmed_by_label(gh):
    number = gh.add_issue("R", labels=["requirement", "in progress"], created_at=t(10))["number"]
    gh.edit_issue(
        number, actor="pm", at=t(11), labels=["requirement", "in progress", "client-confirmed"]
    )
    return number


def with_comment(gh, body, user):
    number = gh.add_issue("R", labels=["requirement", "in progress"], created_at=t(10))["number"]
    gh.add_comment(number, body, user=user, at=t(11))
    return number


def started_by_pr(gh):
    number = gh.add_issue("R", labels=["requirement"], created_at=t(15))["number"]
    gh.add_issue("Implement it", f"Implements #{number}", pull_request=True, created_at=t(16))
    return number


def cancelled_link(gh):
    number = gh.add_issue("R", labels=["requirement"], created_at=t(15))["number"]
    other = gh.add_issue("Task", f"For #{number}", created_at=t(16))["number"]
    gh.edit_issue(other, at=t(17), state="closed", state_reason="not_planned")
    return number


def voided(gh):
    number = confirmed_by_label(gh)
    gh.edit_issue(number, actor="dev", at=t(12), title="R, and also exports")
    return number


def reconfirmed(gh):
    number = voided(gh)
    gh.add_comment(number, "Approved, the exports too.", user="client-pm", at=t(13))
    return number


@pytest.mark.parametrize(
    ("case", "build", "expected"), UNCONFIRMED, ids=[c[0] for c in UNCONFIRMED]
)
def test_unconfirmed_requirement(make_github, tmp_path, case, build, expected):
    gh = make_github()
    number = build(gh)
    report = run(tmp_path, github_source(gh))
    found = findings(report, "unconfirmed_requirement").get(f"acme/portal#{number}")
    assert (found["severity"] if found else None) == expected, found
    if found and found["severity"] == "high":
        assert found["summary"].startswith("Work has started")


def test_work_started_by_an_item_in_another_tracker(make_github, make_jira, tmp_path):
    jira, gh = make_jira(), make_github()
    story = jira.add_issue("Invoice export", issuetype="Story", created="2026-11-15T09:00:00Z")
    gh.add_issue(
        "Export endpoint", f"Backend for {story['key']}", pull_request=True, created_at=t(16)
    )
    report = run(tmp_path, jira_source(jira), github_source(gh))
    found = findings(report, "unconfirmed_requirement")[story["key"]]
    assert found["severity"] == "high"
    assert found["evidence"]["started_by"] == ["acme/portal#1"]


def test_a_jira_requirement_that_entered_a_confirmed_status_stays_confirmed(make_jira, tmp_path):
    jira = make_jira()
    story = jira.add_issue("Invoice export", issuetype="Story", created="2026-11-01T09:00:00Z")
    jira.edit_issue(story["key"], author="client", at="2026-11-02T09:00:00Z", status="Confirmed")
    jira.edit_issue(story["key"], author="dev", at="2026-11-03T09:00:00Z", status="In Progress")
    other = jira.add_issue("Search", issuetype="Story", created="2026-11-01T09:00:00Z")
    jira.edit_issue(other["key"], author="dev", at="2026-11-03T09:00:00Z", status="In Progress")
    report = run(tmp_path, jira_source(jira))
    unconfirmed = findings(report, "unconfirmed_requirement")
    assert story["key"] not in unconfirmed
    assert unconfirmed[other["key"]]["severity"] == "high"


def test_a_rule_can_be_switched_off(make_github, tmp_path):
    gh = make_github()
    gh.add_issue("R", labels=["requirement", "in progress"], created_at=t(15))
    report = run(tmp_path, github_source(gh), rules={"unconfirmed_requirement": {"enabled": False}})
    assert not findings(report, "unconfirmed_requirement")


# -- undocumented_change ------------------------------------------------------------------


def confirmed_requirement(gh, title="Invoice export"):
    number = gh.add_issue(title, labels=["requirement"], created_at=t(1))["number"]
    gh.edit_issue(number, actor="pm", at=t(3), labels=["requirement", "client-confirmed"])
    return number


UNDOCUMENTED = [
    ("rename before the baseline is drafting", lambda gh: draft(gh), False),
    ("rename after confirmation", lambda gh: renamed(gh), True),
    (
        "documented by a comment in the window",
        lambda gh: renamed(gh, comment=("Per change request from the client", t(6))),
        False,
    ),
    (
        "a comment outside the window documents nothing",
        lambda gh: renamed(gh, comment=("change request", t(9))),
        True,
    ),
    (
        "'no change request' documents nothing",
        lambda gh: renamed(gh, comment=("There is no change request for this", t(6))),
        True,
    ),
    (
        "documented by a comment naming a CR item",
        lambda gh: renamed(gh, comment_cr_key=True),
        False,
    ),
    (
        "documented by a linked change-request item",
        lambda gh: renamed(gh, linked_cr_at=t(6)),
        False,
    ),
    (
        "a CR item created long after documents nothing",
        lambda gh: renamed(gh, linked_cr_at=t(12)),
        True,
    ),
    (
        "documented label added after the change",
        lambda gh: renamed(gh, documented_label_at=t(7)),
        False,
    ),
    ("milestone moved after confirmation", lambda gh: remilestoned(gh), True),
]


def draft(gh):
    number = gh.add_issue("Invoice export", labels=["requirement"], created_at=t(1))["number"]
    gh.edit_issue(number, actor="pm", at=t(2), title="Invoice export as PDF")
    gh.edit_issue(number, actor="pm", at=t(3), labels=["requirement", "client-confirmed"])
    return number


def renamed(gh, comment=None, comment_cr_key=False, linked_cr_at=None, documented_label_at=None):
    number = confirmed_requirement(gh)
    gh.edit_issue(number, actor="dev", at=t(5), title="Invoice export as PDF and CSV")
    if comment:
        gh.add_comment(number, comment[0], user="pm", at=comment[1])
    if comment_cr_key:
        cr = gh.add_issue("CR: add CSV", labels=["change-request"], created_at=t(4))["number"]
        gh.add_comment(number, f"See #{cr}", user="pm", at=t(5, 12))
    if linked_cr_at:
        gh.add_issue(
            "CR: add CSV", f"Changes #{number}", labels=["change-request"], created_at=linked_cr_at
        )
    if documented_label_at:
        issue = gh.issues[number]
        gh.edit_issue(
            number,
            actor="pm",
            at=documented_label_at,
            labels=[*issue["labels"], "change-documented"],
        )
    return number


def remilestoned(gh):
    m1 = gh.add_milestone("R1", due_on="2026-12-01T08:00:00Z")["number"]
    m2 = gh.add_milestone("R2", due_on="2027-01-15T08:00:00Z")["number"]
    number = confirmed_requirement(gh)
    gh.edit_issue(number, actor="pm", at=t(2), milestone=m1)
    gh.edit_issue(number, actor="dev", at=t(6), milestone=m2)
    return number


@pytest.mark.parametrize(
    ("case", "build", "flagged"), UNDOCUMENTED, ids=[c[0] for c in UNDOCUMENTED]
)
def test_undocumented_change(make_github, tmp_path, case, build, flagged):
    gh = make_github()
    number = build(gh)
    report = run(tmp_path, github_source(gh))
    found = findings(report, "undocumented_change").get(f"acme/portal#{number}")
    assert bool(found) == flagged, found
    if found:
        change = found["evidence"]["changes"][0]
        assert change["who"] == "dev" and change["when"] in (t(5), t(6))


def test_undocumented_rename_evidence_reads_like_the_change(make_github, tmp_path):
    gh = make_github()
    number = renamed(gh)
    found = findings(run(tmp_path, github_source(gh)), "undocumented_change")[
        f"acme/portal#{number}"
    ]
    assert found["severity"] == "warning"
    assert found["evidence"]["changes"] == [
        {
            "field": "title",
            "from": "Invoice export",
            "to": "Invoice export as PDF and CSV",
            "who": "dev",
            "when": t(5),
            "origin": "tracker",
        }
    ]
    assert found["summary"] == "1 scope change after confirmation with no change request: title"


def test_body_edit_seen_only_between_two_syncs_is_judged(make_github, tmp_path):
    """GitHub keeps no body history: the edit is found by comparing two syncs."""
    gh = make_github()
    number = gh.add_issue(
        "Invoice export",
        "One PDF per invoice.",
        labels=["requirement"],
        created_at="2026-10-01T10:00:00Z",
    )["number"]
    gh.edit_issue(
        number, actor="pm", at="2026-10-02T10:00:00Z", labels=["requirement", "client-confirmed"]
    )
    today = __import__("datetime").date.today().isoformat()
    run(tmp_path, github_source(gh), as_of=today)
    gh.edit_issue(number, actor="dev", body="One PDF per invoice, plus a ZIP of all of them.")
    report = run(tmp_path, github_source(gh), as_of=today)
    change = findings(report, "undocumented_change")[f"acme/portal#{number}"]["evidence"][
        "changes"
    ][0]
    assert (change["field"], change["origin"]) == ("description", "snapshot")
    assert change["to"] == "One PDF per invoice, plus a ZIP of all of them."


def test_jira_due_date_change_after_work_started(make_jira, tmp_path):
    jira = make_jira()
    story = jira.add_issue(
        "Invoice export", issuetype="Story", duedate="2026-12-01", created="2026-11-01T09:00:00Z"
    )
    jira.edit_issue(story["key"], author="dev", at="2026-11-02T09:00:00Z", status="In Progress")
    jira.edit_issue(story["key"], author="pm", at="2026-11-05T09:00:00Z", duedate="2026-12-20")
    report = run(tmp_path, jira_source(jira))
    change = findings(report, "undocumented_change")[story["key"]]["evidence"]["changes"][0]
    assert (change["field"], change["from"], change["to"], change["who"]) == (
        "due_date",
        "2026-12-01",
        "2026-12-20",
        "pm",
    )


# -- slipping_milestone ---------------------------------------------------------------------


def history(gh, done_per_day: int, days: int = 42):
    """Throughput: ``done_per_day`` issues closed each day of the history window."""
    for day in range(days):
        moment = (
            f"2026-{10 if day < 22 else 11}-{(day + 9) if day < 22 else day - 21:02d}T12:00:00Z"
        )
        for _ in range(done_per_day):
            number = gh.add_issue("done work", created_at="2026-09-01T10:00:00Z")["number"]
            gh.edit_issue(number, at=moment, state="closed")


def milestone_with(gh, title, due, open_items, done_items=0, created="2026-11-01T10:00:00Z"):
    number = gh.add_milestone(title, due_on=f"{due}T08:00:00Z", created_at=created)["number"]
    for n in range(open_items):
        gh.add_issue(f"{title} open {n}", milestone=number, created_at=created)
    for n in range(done_items):
        issue = gh.add_issue(f"{title} done {n}", milestone=number, created_at=created)["number"]
        gh.edit_issue(issue, at="2026-11-10T10:00:00Z", state="closed")
    return number


def test_overdue_milestone_is_high_and_an_empty_one_is_never_flagged(make_github, tmp_path):
    gh = make_github()
    milestone_with(gh, "R1", "2026-11-15", open_items=3)
    milestone_with(gh, "R0", "2026-11-10", open_items=0, done_items=2)
    found = findings(run(tmp_path, github_source(gh)), "slipping_milestone")
    assert set(found) == {"R1"}
    assert found["R1"]["severity"] == "high"
    assert found["R1"]["evidence"]["reasons"][0] == {"reason": "overdue", "days_overdue": 5}


def test_a_milestone_due_today_is_not_yet_overdue(make_github, tmp_path):
    gh = make_github()
    milestone_with(gh, "Today", AS_OF, open_items=1, done_items=4)
    assert not findings(run(tmp_path, github_source(gh)), "slipping_milestone")


def test_forecast_flags_a_milestone_its_throughput_cannot_meet_and_is_reproducible(
    make_github, tmp_path
):
    gh = make_github()
    history(gh, done_per_day=1)
    milestone_with(gh, "Big", "2026-11-27", open_items=30)
    milestone_with(gh, "Small", "2026-12-30", open_items=5)
    found = findings(run(tmp_path, github_source(gh)), "slipping_milestone")
    assert set(found) == {"Big"}
    reason = found["Big"]["evidence"]["reasons"][0]
    assert reason["reason"] == "forecast" and found["Big"]["severity"] == "warning"
    assert reason["p50"] <= reason["p85"] and reason["p85"] > "2026-11-27"
    again = findings(run(tmp_path, github_source(gh)), "slipping_milestone")["Big"]
    assert again["evidence"]["reasons"][0] == reason, "the same store gives the same dates"


def test_only_a_run_that_writes_remembers_the_forecast_dates_it_showed(make_github, tmp_path):
    """A dry run shows nothing on the tracker: the dates a later comment keeps (until the P85
    moves by forecast_update_days) are the ones a real run wrote."""
    gh = make_github()
    history(gh, done_per_day=1)
    milestone_with(gh, "Big", "2026-11-27", open_items=30)
    db = tmp_path / "store.db"
    settings = {"writeback": {"enabled": True, "max_new_comments": 100}}
    with time_machine.travel(datetime.fromisoformat(f"{AS_OF}T12:00:00+00:00"), tick=True):
        sync(db, github_source(gh), settings=settings, dry_run=True)
        assert rows(db, "select subject from shown_forecasts") == []
        sync(db, github_source(gh), settings=settings)
    assert rows(db, "select subject from shown_forecasts") == [{"subject": "Big"}]


def test_thin_history_falls_back_to_elapsed_versus_done(make_github, tmp_path):
    gh = make_github()
    milestone_with(
        gh, "Thin", "2026-11-25", open_items=8, done_items=1, created="2026-11-01T10:00:00Z"
    )
    found = findings(run(tmp_path, github_source(gh)), "slipping_milestone")["Thin"]
    reason = found["evidence"]["reasons"][0]
    assert (
        reason["reason"] == "behind_schedule"
        and reason["done"] == 0.11
        and reason["elapsed"] == 0.79
    )


def test_moved_due_date_is_a_slip_even_when_on_track(make_github, tmp_path):
    gh = make_github()
    number = milestone_with(
        gh, "R2", "2026-12-01", open_items=1, done_items=3, created="2026-11-15T10:00:00Z"
    )
    run(tmp_path, github_source(gh))
    gh.edit_milestone(number, due_on="2026-12-15T08:00:00Z")
    found = findings(run(tmp_path, github_source(gh)), "slipping_milestone")["R2"]
    assert found["severity"] == "warning"
    assert {"reason": "moved", "from": "2026-12-01", "to": "2026-12-15"} in found["evidence"][
        "reasons"
    ]


def test_tracking_item_is_not_counted_and_is_where_the_finding_goes(make_github, tmp_path):
    gh = make_github()
    number = milestone_with(gh, "R3", "2026-11-18", open_items=2)
    tracker = gh.add_issue("Milestone: R3", milestone=number, created_at="2026-11-01T10:00:00Z")[
        "number"
    ]
    found = findings(run(tmp_path, github_source(gh)), "slipping_milestone")["R3"]
    assert found["evidence"]["open_items"] == 2
    assert found["evidence"]["tracking_item"] == f"acme/portal#{tracker}"


def test_jira_overdue_version(make_jira, tmp_path):
    jira = make_jira()
    version = jira.add_version("2.0", release_date="2026-11-12", start_date="2026-10-01")
    jira.add_issue(
        "Work", issuetype="Task", fix_versions=[version["id"]], created="2026-10-02T09:00:00Z"
    )
    found = findings(run(tmp_path, jira_source(jira)), "slipping_milestone")
    assert found["2.0"]["severity"] == "high"


# -- findings lifecycle ----------------------------------------------------------------------


def test_a_finding_that_disappears_is_resolved_and_one_that_returns_is_reopened(
    make_github, tmp_path
):
    gh = make_github()
    number = gh.add_issue("R", labels=["requirement", "in progress"], created_at=t(15))["number"]
    run(tmp_path, github_source(gh), as_of=None)
    gh.edit_issue(number, at=t(16), labels=["requirement", "in progress", "client-confirmed"])
    report = run(tmp_path, github_source(gh), as_of=None)
    assert not findings(report, "unconfirmed_requirement")
    row = rows(
        tmp_path / "store.db", "select * from findings where rule = 'unconfirmed_requirement'"
    )[0]
    assert row["resolved_at"] is not None
    gh.edit_issue(number, at=t(17), labels=["requirement", "in progress"])
    assert findings(run(tmp_path, github_source(gh), as_of=None), "unconfirmed_requirement")
    again = rows(
        tmp_path / "store.db", "select * from findings where rule = 'unconfirmed_requirement'"
    )[0]
    assert again["resolved_at"] is None and again["first_seen"] == row["first_seen"]
