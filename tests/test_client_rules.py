"""incomplete_requirement and unanswered_client, as DESIGN.md defines them: tracker data in the
sandboxes, pulled by the real pipeline, judged in the report and in the comment a person reads
(English and Chinese), on GitHub, Jira (Cloud and Data Center) and PingCode."""

from __future__ import annotations

import json
from datetime import date

from tests.conftest import github_source, jira_source, sync, worktile_source

AS_OF = "2026-11-20"
DAY = 86400
NOV1 = 1793491200  # 2026-11-01T00:00:00Z


def t(day: int, hour: int = 10) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:00:00Z"


def ts(day: int, hour: int = 10) -> int:
    return NOV1 + (day - 1) * DAY + hour * 3600


def run(tmp_path, *sources, rules=None, writeback=False, language="en", as_of=AS_OF):
    settings = {
        "rules": {"client_accounts": ["client-pm"], **(rules or {})},
        "writeback": {"enabled": writeback, "language": language, "max_new_comments": 100},
    }
    report, code = sync(
        tmp_path / "store.db", *sources, settings=settings, as_of=date.fromisoformat(as_of)
    )
    assert code == 0, report
    return report


def findings(report, rule):
    return {f["subject"]: f for f in report["findings"] if f["rule"] == rule}


def own_comment(gh, number):
    bodies = [c["body"] for c in gh.comments_on(number) if c["user"] == "tracker-bot"]
    assert len(bodies) == 1, bodies
    return bodies[0]


# -- incomplete_requirement ---------------------------------------------------------------

COMPLETE = "Export the monthly report as CSV for finance.\n\n## Acceptance\n- a CSV downloads"


def test_incomplete_requirement_on_github(make_github, tmp_path):
    gh = make_github()
    req = ["requirement"]
    started = gh.add_issue("Started, bare", "Short", labels=[*req, "in progress"], created_at=t(19))
    complete = gh.add_issue("Complete", COMPLETE, labels=[*req, "P1"], created_at=t(2))
    bold = gh.add_issue(
        "Bold heading",
        "Long enough description here.\n**验收标准**：导出成功",
        labels=[*req, "priority:high"],
        created_at=t(2),
    )
    # judged at the end of Nov 20: created at midnight on the 18th it is exactly three days old
    at_grace = gh.add_issue("Three days old", "x", labels=req, created_at=t(18, 0))
    past_grace = gh.add_issue("Four days old", "x", labels=[*req, "P2"], created_at=t(16))
    pull = gh.add_issue("PR", "x", labels=req, pull_request=True, created_at=t(2))
    cancelled = gh.add_issue(
        "Dropped", "x", labels=req, state="closed", state_reason="not_planned", created_at=t(2)
    )
    ignored = gh.add_issue("Ignored", "x", labels=[*req, "不检查"], created_at=t(2))
    found = findings(run(tmp_path, github_source(gh)), "incomplete_requirement")
    key = "acme/portal#{}".format
    assert set(found) == {key(started["number"]), key(past_grace["number"])}
    first = found[key(started["number"])]
    assert first["severity"] == "warning"
    assert first["evidence"]["missing"] == ["acceptance", "priority"]
    assert first["evidence"]["work_started_at"] and first["evidence"]["created_at"] == t(19)
    assert found[key(past_grace["number"])]["evidence"] == {
        "missing": ["acceptance"],
        "work_started_at": None,
        "created_at": t(16),
    }
    for quiet in (complete, bold, at_grace, pull, cancelled, ignored):
        assert key(quiet["number"]) not in found


def test_incomplete_requirement_comment_in_both_languages(make_github, tmp_path):
    gh = make_github()
    issue = gh.add_issue("Bare", "Short", labels=["requirement"], created_at=t(2))["number"]
    run(tmp_path / "en", github_source(gh), writeback=True)
    body = own_comment(gh, issue)
    assert "Incomplete requirement (warning)" in body
    assert "lacks acceptance criteria, a priority; it is open since 2026-11-02" in body
    assert "Acceptance Criteria field" in body and "Acceptance" in body
    zh = make_github()
    issue = zh.add_issue("Bare", "Short", labels=["requirement"], created_at=t(2))["number"]
    run(tmp_path / "zh", github_source(zh), writeback=True, language="zh")
    body = own_comment(zh, issue)
    assert "需求不完整（警告）" in body or "需求不完整 (警告)" in body
    assert "缺少验收标准、优先级" in body and "验收标准字段" in body


def test_incomplete_requirement_on_jira_cloud_and_data_center(make_jira, tmp_path):
    for deployment in ("cloud", "datacenter"):
        jira = make_jira(deployment=deployment)
        none = jira.add_issue(
            "No priority", "Too short", priority="None", created="2026-11-01T09:00:00Z"
        )
        fine = jira.add_issue("Fine", COMPLETE, priority="High", created="2026-11-01T09:00:00Z")
        jira.edit_issue(none["key"], author="dev", at="2026-11-02T09:00:00Z", status="In Progress")
        found = findings(run(tmp_path / deployment, jira_source(jira)), "incomplete_requirement")
        assert set(found) == {none["key"]}, deployment
        assert found[none["key"]]["evidence"]["missing"] == ["acceptance", "priority"]
        assert found[none["key"]]["evidence"]["work_started_at"] == "2026-11-02T09:00:00Z"
        assert fine["key"] not in found


def test_incomplete_requirement_on_pingcode_with_more_elements(make_worktile, tmp_path):
    wt = make_worktile()
    bare = wt.add_item("导出报表", description="<p>短</p>", created=ts(2))
    full = wt.add_item(
        "导出报表完整",
        description="<p>导出月度报表为 CSV 文件，供财务使用，需要包含全部字段。</p>"
        "<h2>验收</h2><p>下载成功</p>",
        priority="高",
        points=3,
        created=ts(2),
    )
    task = wt.add_item("任务", type_id="task", created=ts(2))
    rules = {
        "incomplete_requirement": {
            "required": ["acceptance", "priority", "description", "estimate"]
        }
    }
    found = findings(run(tmp_path, worktile_source(wt), rules=rules), "incomplete_requirement")
    assert set(found) == {bare["identifier"]}
    assert found[bare["identifier"]]["evidence"]["missing"] == [
        "acceptance",
        "priority",
        "description",
        "estimate",
    ]
    assert full["identifier"] not in found and task["identifier"] not in found


# -- unanswered_client --------------------------------------------------------------------


def test_unanswered_client_on_github(make_github, tmp_path):
    gh = make_github()

    def asked(body, at, *then, **issue):
        number = gh.add_issue("Item", "x", created_at=t(1), **issue)["number"]
        gh.add_comment(number, body, user="client-pm", at=at)
        for user, text, when in then:
            gh.add_comment(number, text, user=user, at=when)
        return f"acme/portal#{number}"

    warning = asked("When will the export be ready?", t(17))  # 86 h before the day's end
    high = asked("Any news on the <b>@all</b> export?", t(15, 9))  # 135 h: past 120
    answered = asked("Is it ready?", t(10), ("dev", "Friday.", t(11)))
    confirmed = asked("Confirmed, go ahead.", t(10))
    not_confirmed = asked("Not confirmed yet: what about totals?", t(10))
    fresh = asked("And the totals?", t(20, 1))  # 23 h
    bot_only = asked("Status?", t(10), ("tracker-bot", "tracker-sync:v1 item=x digest=1", t(11)))
    marker = asked("Status?", t(10), ("dev", "quoting tracker-sync:v1 item=x digest=1", t(11)))
    pull = asked("Review?", t(10), pull_request=True)
    closed = asked("Why?", t(10), state="closed")
    found = findings(run(tmp_path, github_source(gh)), "unanswered_client")
    assert set(found) == {warning, high, not_confirmed, bot_only, marker}
    assert found[warning]["severity"] == "warning" and found[high]["severity"] == "high"
    assert found[warning]["evidence"] == {
        "who": "client-pm",
        "asked_at": t(17),
        "question": "When will the export be ready?",
    }
    for quiet in (answered, confirmed, fresh, pull, closed):
        assert quiet not in found


def test_unanswered_client_comment_quotes_the_question_escaped(make_github, tmp_path):
    gh = make_github()
    number = gh.add_issue("Item", "x", created_at=t(1))["number"]
    gh.add_comment(number, "Hi @all, " + "why? " * 60, user="client-pm", at=t(10))
    report = run(tmp_path, github_source(gh), writeback=True)
    question = findings(report, "unanswered_client")[f"acme/portal#{number}"]["evidence"][
        "question"
    ]
    assert len(question) == 200
    body = own_comment(gh, number)
    assert "Unanswered client question (high)" in body
    assert "The client “client-pm” asked on 2026-11-10" in body
    assert "answer the client" in body
    assert "@all" not in body  # neutralised


def test_unanswered_client_on_jira_and_pingcode(make_jira, make_worktile, tmp_path):
    jira = make_jira()
    asked = jira.add_issue("Task", issuetype="Task", created="2026-11-01T09:00:00Z")
    jira.add_comment(asked["key"], "Can you add a totals row?", author="client-pm", at=t(12))
    replied = jira.add_issue("Task 2", issuetype="Task", created="2026-11-01T09:00:00Z")
    jira.add_comment(replied["key"], "Can you add a totals row?", author="client-pm", at=t(12))
    jira.add_comment(replied["key"], "Yes, in S8.", author="dev", at=t(13))
    wt = make_worktile()
    item = wt.add_item("需求", created=ts(1), priority="高")
    wt.add_comment(item["id"], "<p>这个什么时候能上线？</p>", by="client-pm", at=ts(12))
    confirmed = wt.add_item("需求二", created=ts(1), priority="高")
    wt.add_comment(confirmed["id"], "<p>好的，确认。</p>", by="client-pm", at=ts(12))
    report = run(tmp_path, jira_source(jira), worktile_source(wt), language="zh", writeback=True)
    found = findings(report, "unanswered_client")
    assert set(found) == {asked["key"], item["identifier"]}
    assert found[item["identifier"]]["evidence"]["question"] == "这个什么时候能上线？"
    assert found[item["identifier"]]["severity"] == "high"
    text = " ".join(c["content"] for c in wt.live_comments(item["id"]))
    assert "客户问题未答复" in text and "在本事项的评论中答复客户" in text
    adf = json.dumps([c["body"] for c in jira.comments_on(asked["key"])], ensure_ascii=False)
    assert "客户问题未答复（高）" in adf and "在本事项的评论中答复客户" in adf, adf
    assert "Can you add a totals row?" in adf
    assert not [
        c
        for c in jira.comments_on(replied["key"])
        if c["author"] != "client-pm" and c["author"] != "dev"
    ]


def test_the_client_rules_speak_both_languages_whole():
    from sync.writeback.catalogue import CATALOGUE

    for rule in ("incomplete_requirement", "scope_creep", "unanswered_client"):
        for language in ("en", "zh"):
            assert f"rule_{rule}" in CATALOGUE[language] and f"fix_{rule}" in CATALOGUE[language]
    assert CATALOGUE["en"].keys() == CATALOGUE["zh"].keys()


def test_unanswered_client_on_a_pingcode_task_and_bug(make_worktile, tmp_path):
    """Tasks and bugs are read as requirements are: a client's question on one is flagged and
    the comment written on it; a done task in no version or sprint costs no comment request."""
    wt = make_worktile()
    task = wt.add_item("导出任务", type_id="task", created=ts(1))
    wt.add_comment(task["id"], "<p>这个什么时候能上线？</p>", by="client-pm", at=ts(12))
    bug = wt.add_item("导出缺陷", type_id="bug", created=ts(1))
    wt.add_comment(bug["id"], "<p>这个什么时候能修好？</p>", by="client-pm", at=ts(12))
    wt.add_comment(bug["id"], "<p>下周五。</p>", by="dev", at=ts(13))
    done = wt.add_item("已完成任务", type_id="task", created=ts(1))
    wt.add_comment(done["id"], "<p>还有问题吗？</p>", by="client-pm", at=ts(12))
    wt.edit_item(done["id"], at=ts(14), state="completed")
    report = run(tmp_path, worktile_source(wt), language="zh", writeback=True)
    found = findings(report, "unanswered_client")
    assert set(found) == {task["identifier"]}
    assert found[task["identifier"]]["evidence"]["question"] == "这个什么时候能上线？"
    text = " ".join(c["content"] for c in wt.live_comments(task["id"]))
    assert "客户问题未答复" in text and "这个什么时候能上线？" in text, text
    assert [c["created_by"] for c in wt.live_comments(bug["id"])] == ["client-pm", "dev"]
    asked = {r.query.get("principal_id") for r in wt.log if r.path == "/v1/comments"}
    assert {task["id"], bug["id"]} <= asked and done["id"] not in asked
