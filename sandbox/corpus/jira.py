"""The Jira cases of the corpus, built the same on Jira Cloud (English, ADF) and on Jira Data
Center (Chinese, wiki text): stories (requirements), tasks, versions and sprints."""

from __future__ import annotations

from typing import Any

from sandbox.corpus import (
    CLIENT,
    INCOMPLETE,
    SCOPE,
    SLIPPING,
    UNANSWERED,
    UNCONFIRMED,
    UNDOCUMENTED,
    Labels,
    t,
)
from sandbox.jira import JiraSandbox

TEXT = {
    "en": {
        "complete": "Export the monthly report as CSV for finance.\nAcceptance: a CSV downloads",
        "cr_key": "See {cr}.",
        "other_key": "See X{cr}.",
        "per_cr": "Per change request from the client.",
        "no_cr": "No change request for this.",
        "approve": "Approved, go ahead.",
        "confirm": "Confirmed.",
        "question": "Can you add a totals row?",
        "pending": "Not yet approved.",
    },
    "zh": {
        "complete": "按月导出报表为 CSV 文件，供财务核对使用。\n验收：能下载 CSV 文件",
        "cr_key": "详见{cr}。",
        "other_key": "详见X{cr}。",
        "per_cr": "按客户变更申请调整",
        "no_cr": "未走变更",
        "approve": "需求确认，可以开始开发",
        "confirm": "好的，确认。",
        "question": "能加一行合计吗？",
        "pending": "待确认",
    },
}


def smart_link(url: str) -> dict[str, Any]:
    """A pasted issue URL as Jira Cloud stores it: an ADF inline card."""
    card = {"type": "inlineCard", "attrs": {"url": url}}
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": "CR: "}, card]}
    return {"type": "doc", "version": 1, "content": [paragraph]}


class JiraCases:
    def __init__(self, jira: JiraSandbox, labels: Labels, source: str, language: str) -> None:
        self.jira, self.labels, self.source = jira, labels, source
        self.text = TEXT[language]

    def expect(self, issue: dict[str, Any], case: str, *fires: str) -> None:
        self.labels.expect(self.source, issue["key"], case, *fires)

    def story(self, created: str = t(2), **fields: Any) -> dict[str, Any]:
        return self.jira.add_issue("Story", self.text["complete"], created=created, **fields)

    def confirmed_then_changed(self, **change: Any) -> dict[str, Any]:
        """Confirmed by the client's status on the 4th, in progress on the 5th, changed on the
        6th by a developer."""
        story = self.story(duedate="2026-12-01")
        self.jira.edit_issue(story["key"], author=CLIENT, at=t(4), status="Confirmed")
        self.jira.edit_issue(story["key"], author="dev", at=t(5), status="In Progress")
        self.jira.edit_issue(story["key"], author="dev", at=t(6), **change)
        return story


def seed_jira(jira: JiraSandbox, labels: Labels, source: str, language: str) -> None:
    cases = JiraCases(jira, labels, source, language)
    confirmations(cases)
    changes(cases)
    conversations(cases)
    milestones(cases)


def confirmations(c: JiraCases) -> None:
    j, text = c.jira, c.text
    been = c.story()
    j.edit_issue(been["key"], author=CLIENT, at=t(4), status="Confirmed")
    j.edit_issue(been["key"], author="dev", at=t(5), status="In Progress")
    c.expect(been, "has been Confirmed, now In Progress")
    said = c.story()
    j.add_comment(said["key"], text["approve"], author=CLIENT, at=t(3))
    j.edit_issue(said["key"], author="dev", at=t(4), status="In Progress")
    c.expect(said, f"the client wrote {text['approve']!r}, then work started")
    pending = c.story()
    j.add_comment(pending["key"], text["pending"], author=CLIENT, at=t(3))
    j.edit_issue(pending["key"], author="dev", at=t(4), status="In Progress")
    c.expect(pending, f"the client wrote {text['pending']!r}", UNCONFIRMED, UNANSWERED)
    triage = c.story(status="Triage")
    c.expect(triage, "in a No Category status, 18 days old", UNCONFIRMED)
    epic = j.add_issue("Epic", "Short", issuetype="Epic", priority="None", created=t(2))
    j.edit_issue(epic["key"], author="dev", at=t(3), status="In Progress")
    c.expect(epic, "an epic in progress, no priority, no acceptance", UNCONFIRMED, INCOMPLETE)
    young = c.story(created=t(15))
    child = j.add_issue("Subtask", issuetype="Subtask", parent=young["key"], created=t(16))
    j.edit_issue(young["key"], author="pm", at=t(16, 12), summary="Story, drafted")
    j.edit_issue(child["key"], author="dev", at=t(17), status="In Progress")
    c.expect(young, "its subtask entered In Progress after a drafting edit", UNCONFIRMED)
    c.expect(child, "the subtask")
    dropped = j.add_issue("Dropped", "x", created=t(2))
    j.edit_issue(dropped["key"], author="pm", at=t(3), status="Done", resolution="Won't Do")
    c.expect(dropped, "a bare story closed as Won't Do")


def changes(c: JiraCases) -> None:
    j, text = c.jira, c.text
    cr = j.add_issue("Change request", issuetype="Change Request", created=t(5))
    c.expect(cr, "a change-request issue")
    url = f"https://acme.atlassian.net/browse/{cr['key']}"
    for comment, documented in (
        (text["cr_key"].format(cr=cr["key"]), True),
        (smart_link(url) if j.deployment == "cloud" else f"变更单：{url}", True),
        (text["per_cr"], True),
        (text["other_key"].format(cr=cr["key"]), False),
        (text["no_cr"], False),
    ):
        story = c.confirmed_then_changed(summary="Story, bigger")
        j.add_comment(story["key"], comment, author="pm", at=t(6, 12))
        fires = () if documented else (UNDOCUMENTED, UNCONFIRMED)
        said = "a smart link to the change request" if isinstance(comment, dict) else comment
        c.expect(story, f"renamed after confirmation; then {said!r}", *fires)
    due = c.confirmed_then_changed(duedate="2026-12-20")
    c.expect(due, "due date moved after confirmation, nothing said", UNDOCUMENTED, UNCONFIRMED)


def conversations(c: JiraCases) -> None:
    j, text = c.jira, c.text
    for body, reply, fires in (
        (text["question"], None, (UNANSWERED,)),
        (text["question"], "Yes, in S8.", ()),
        (text["confirm"], None, ()),
    ):
        task = j.add_issue("Task", issuetype="Task", created=t(1))
        j.add_comment(task["key"], body, author=CLIENT, at=t(12))
        if reply:
            j.add_comment(task["key"], reply, author="dev", at=t(13))
        c.expect(
            task, f"the client wrote {body!r}" + (f", answered {reply!r}" if reply else ""), *fires
        )


def milestones(c: JiraCases) -> None:
    j = c.jira

    def task(case: str, **fields: Any) -> dict[str, Any]:
        issue = j.add_issue("Task", issuetype="Task", created=t(1), **fields)
        c.expect(issue, case)
        return issue

    v20 = j.add_version("2.0", release_date="2027-06-01", start_date="2026-11-02")["id"]
    for _ in range(4):
        task("committed to 2.0", fix_versions=[v20])
    late = task("joined 2.0 on the 10th")
    j.edit_issue(late["key"], author="pm", at=t(10), fixVersions=[v20])
    c.labels.expect(c.source, "2.0", "1 undocumented addition to 4 committed", SCOPE)
    v19 = j.add_version("1.9", release_date="2026-11-15", start_date="2026-10-01")["id"]
    task("open in 1.9", fix_versions=[v19])
    c.labels.expect(c.source, "1.9", "released on the 15th in plan, an item still open", SLIPPING)
    v18 = j.add_version("1.8", release_date="2026-11-10", released=True)["id"]
    task("open in 1.8, released", fix_versions=[v18])
    c.labels.expect(c.source, "1.8", "a released version")
    v30 = j.add_version("3.0", release_date="2027-06-01")["id"]
    hotfix = j.add_version("3.0.1", release_date="2026-11-18", start_date="2026-11-01")["id"]
    task("in two fix versions: 3.0 and 3.0.1", fix_versions=[v30, hotfix])
    c.labels.expect(c.source, "3.0", "its one task is on track")
    c.labels.expect(c.source, "3.0.1", "overdue: its task is its second fix version", SLIPPING)
    s7 = j.add_sprint("S7", start="2026-11-02T09:00:00.000Z", end="2026-11-16T09:00:00.000Z")
    for _ in range(2):
        task("in sprint S7", sprints=[s7["id"]])
    c.labels.expect(c.source, "S7", "an active sprint past its end date", SLIPPING)
    s8 = j.add_sprint(
        "S8", state="future", start="2026-11-23T09:00:00.000Z", end="2026-12-07T09:00:00.000Z"
    )
    task("in the future sprint S8", sprints=[s8["id"]])
    c.labels.expect(c.source, "S8", "a future sprint")
