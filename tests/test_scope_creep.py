"""scope_creep and milestone membership, as DESIGN.md defines them: milestones and their items
built in the sandboxes, pulled by the real pipeline, judged in the report and in the comment a
person reads, on GitHub, Jira (Cloud and Data Center, versions and sprints) and PingCode."""

from __future__ import annotations

from tests.conftest import github_source, jira_source, rows, worktile_source
from tests.test_client_rules import findings, run, t, ts


def github_milestone(gh, committed=5, title="v1"):
    """A milestone created on Nov 1 (no start date: committed on Nov 3 10:00) with
    ``committed`` items in it from the start."""
    number = gh.add_milestone(title, due_on="2026-12-20T00:00:00Z", created_at=t(1))["number"]
    for n in range(committed):
        gh.add_issue(f"Committed {n}", milestone=number, created_at=t(1))
    return number


def join(gh, milestone, at, **issue):
    number = gh.add_issue("Joins later", "x", created_at=t(1), **issue)["number"]
    gh.edit_issue(number, milestone=milestone, at=at)
    return number


def test_scope_creep_on_github_threshold_and_twice_it(make_github, tmp_path):
    warning, high, below, empty = (make_github(repo=f"acme/r{n}") for n in range(4))
    join(warning, github_milestone(warning), t(10))  # 1 of 5: reaches 0.2
    m = github_milestone(high)
    join(high, m, t(10))
    join(high, m, t(11))  # 2 of 5: 0.4, twice the threshold
    m = github_milestone(below, committed=6)
    join(below, m, t(10))  # 1 of 6
    m = github_milestone(empty, committed=0)
    join(empty, m, t(10))  # committed empty: never flagged
    sources = [github_source(s, name=f"gh{n}") for n, s in enumerate((warning, high, below, empty))]
    report = run(tmp_path, *sources)
    found = {f["source"]: f for f in report["findings"] if f["rule"] == "scope_creep"}
    assert set(found) == {"gh0", "gh1"}
    assert found["gh0"]["severity"] == "warning" and found["gh1"]["severity"] == "high"
    evidence = found["gh0"]["evidence"]
    assert evidence["commitment_time"] == "2026-11-03T10:00:00Z"
    assert evidence["committed"] == 5 and evidence["undocumented"] == 1
    assert evidence["added"] == [{"key": "acme/r0#6", "at": t(10), "documented": False}]
    assert evidence["ratio"] == 0.2 and evidence["tracking_item"] is None


def test_documented_additions_removals_pulls_and_cancelled(make_github, tmp_path):
    gh = make_github()
    m = github_milestone(gh)
    undocumented = join(gh, m, t(10))
    by_comment = join(gh, m, t(11))
    gh.add_comment(by_comment, "Added per change request CR-12.", user="pm", at=t(11, 12))
    negated = join(gh, m, t(11))
    gh.add_comment(negated, "No change request for this one.", user="pm", at=t(11, 12))
    by_label = join(gh, m, t(12))
    gh.edit_issue(by_label, labels=["change-documented"], at=t(12, 11))
    created_in = gh.add_issue("Created in it", milestone=m, created_at=t(13))["number"]
    join(gh, m, t(10), pull_request=True)
    cancelled = join(gh, m, t(10))
    gh.edit_issue(cancelled, state="closed", state_reason="not_planned", at=t(14))
    gh.edit_issue(1, milestone=None, at=t(15))  # a committed item leaves
    report = run(tmp_path, github_source(gh))
    evidence = findings(report, "scope_creep")["v1"]["evidence"]
    added = {a["key"]: (a["at"], a["documented"]) for a in evidence["added"]}
    key = "acme/portal#{}".format
    assert added == {
        key(undocumented): (t(10), False),
        key(by_comment): (t(11), True),
        key(negated): (t(11), False),
        key(by_label): (t(12), True),
        key(created_in): (t(13), False),
    }
    assert evidence["removed"] == [{"key": key(1), "at": t(15)}]
    assert evidence["committed"] == 5 and evidence["undocumented"] == 3


def test_scope_creep_comment_goes_to_the_tracking_item_in_both_languages(make_github, tmp_path):
    for language in ("en", "zh"):
        gh = make_github()
        m = github_milestone(gh)
        tracker = gh.add_issue("Milestone: v1", milestone=m, created_at=t(12))["number"]
        added = join(gh, m, t(10))
        run(tmp_path / language, github_source(gh), writeback=True, language=language)
        body = " ".join(c["body"] for c in gh.comments_on(tracker) if c["user"] == "tracker-bot")
        if language == "en":
            assert "Scope creep (warning)" in body
            assert "committed on 2026-11-03 with 5 items; 1 joined it since" in body
            assert f"acme/portal#{added} joined on 2026-11-10" in body
            assert "link a change request to the added items or move them out" in body
        else:
            assert "范围蔓延" in body and "无变更申请" in body
            assert "为新加入的事项关联变更申请，或将其移出该里程碑" in body
        assert not [c for c in gh.comments_on(added) if c["user"] == "tracker-bot"]


def test_jira_versions_and_sprints_with_start_dates(make_jira, tmp_path):
    jira = make_jira()
    version = jira.add_version("2.0", release_date="2026-12-20", start_date="2026-11-02")
    sprint = jira.add_sprint("S7", start="2026-11-02T09:00:00.000Z", end="2026-12-18T09:00:00.000Z")
    committed = [
        jira.add_issue(
            f"C{n}",
            fix_versions=[version["id"]],
            sprints=[sprint["id"]],
            created="2026-11-01T09:00:00Z",
        )
        for n in range(4)
    ]
    late = jira.add_issue("Late", created="2026-11-01T09:00:00Z")
    jira.edit_issue(late["key"], author="dev", at=t(10), fixVersions=[version["id"]])
    jira.edit_issue(late["key"], author="dev", at=t(11), sprints=[sprint["id"]])
    jira.edit_issue(committed[0]["key"], author="dev", at=t(12), sprints=[])
    report = run(tmp_path, jira_source(jira))
    found = findings(report, "scope_creep")
    assert set(found) == {"2.0", "S7"}
    v, s = found["2.0"]["evidence"], found["S7"]["evidence"]
    assert v["commitment_time"] == s["commitment_time"] == "2026-11-04T00:00:00Z"
    assert v["added"] == [{"key": late["key"], "at": t(10), "documented": False}]
    assert s["added"] == [{"key": late["key"], "at": t(11), "documented": False}]
    assert v["committed"] == 4 and s["committed"] == 4
    assert s["removed"] == [{"key": committed[0]["key"], "at": t(12)}]
    assert found["2.0"]["severity"] == "warning"  # 1 of 4 is 0.25: under 0.4
    assert found["S7"]["severity"] == "warning"


def test_a_jira_issue_in_two_versions_and_a_sprint_counts_in_each(make_jira, tmp_path):
    for deployment in ("cloud", "datacenter"):
        jira = make_jira(deployment=deployment)
        a = jira.add_version("1.0", release_date="2026-11-10")
        b = jira.add_version("1.1", release_date="2026-11-12")
        sprint = jira.add_sprint(
            "S7", start="2026-11-02T09:00:00.000Z", end="2026-11-16T09:00:00.000Z"
        )
        issue = jira.add_issue(
            "Both",
            fix_versions=[a["id"], b["id"]],
            sprints=[sprint["id"]],
            created="2026-11-01T09:00:00Z",
        )
        db = tmp_path / deployment
        report = run(db, jira_source(jira))
        member_of = {
            r["title"]: r["due_date"]
            for r in rows(
                db / "store.db",
                "select m.title, m.due_date from item_milestones im join milestones m"
                " on m.source = im.source and m.id = im.milestone_id where im.item_id = ?",
                (str(issue["id"]),),
            )
        }
        assert member_of == {"1.0": "2026-11-10", "1.1": "2026-11-12", "S7": "2026-11-16"}
        slipping = findings(report, "slipping_milestone")
        assert {name: slipping[name]["evidence"]["open_items"] for name in member_of} == {
            "1.0": 1,
            "1.1": 1,
            "S7": 1,
        }, deployment


def test_pingcode_version_and_sprint(make_worktile, tmp_path):
    wt = make_worktile()
    version = wt.add_version("发布 1.0", end=ts(30))  # starts 30 days before: Oct 31
    sprint = wt.add_sprint("迭代 7", start=ts(2, 0), end=ts(28))
    items = [
        wt.add_item(f"需求 {n}", version=version["id"], sprint=sprint["id"], created=ts(1))
        for n in range(3)
    ]
    late = wt.add_item("后加需求", created=ts(1))
    wt.edit_item(late["id"], at=ts(10), version=version["id"])
    wt.edit_item(late["id"], at=ts(11), sprint=sprint["id"])
    db = tmp_path / "store.db"
    report = run(tmp_path, worktile_source(wt))
    memberships = rows(
        db, "select count(*) n from item_milestones where item_id = ?", (items[0]["id"],)
    )
    assert memberships == [{"n": 2}]
    found = findings(report, "scope_creep")
    assert set(found) == {"发布 1.0", "迭代 7"}
    assert found["迭代 7"]["evidence"]["commitment_time"] == "2026-11-04T00:00:00Z"
    assert found["迭代 7"]["evidence"]["added"] == [
        {"key": late["identifier"], "at": t(11), "documented": False}
    ]
    assert found["发布 1.0"]["evidence"]["added"][0]["at"] == t(10)
    assert found["发布 1.0"]["severity"] == "warning"  # 1 of 3 is under 0.4


def test_pingcode_task_joining_a_started_version(make_worktile, tmp_path):
    """A task's version change is read from its activities as a requirement's is: a fifth
    task put into a version started with four is an addition (1/4 ≥ 0.2), not committed scope;
    a cancelled task that joined too is never scope, and its activities are not requested."""
    wt = make_worktile()
    version = wt.add_version("发布 2.1", end=ts(30))
    version["start_at"] = ts(2, 0)  # started on Nov 2: committed on Nov 4
    for n in range(4):
        wt.add_item(f"任务 {n}", type_id="task", version=version["id"], created=ts(1))
    joined = wt.add_item("后加任务", type_id="task", created=ts(1))
    wt.edit_item(joined["id"], by="pm", at=ts(10), version=version["id"])
    dropped = wt.add_item("取消的任务", type_id="task", created=ts(1))
    wt.edit_item(dropped["id"], by="pm", at=ts(10), version=version["id"])
    wt.edit_item(dropped["id"], by="pm", at=ts(11), state="closed")
    found = findings(run(tmp_path, worktile_source(wt)), "scope_creep")
    assert set(found) == {"发布 2.1"}
    evidence = found["发布 2.1"]["evidence"]
    assert evidence["committed"] == 4
    assert evidence["added"] == [{"key": joined["identifier"], "at": t(10), "documented": False}]
    read = {r.query.get("principal_id") for r in wt.log if r.path == "/v1/activities"}
    assert joined["id"] in read and dropped["id"] not in read
