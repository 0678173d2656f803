"""The PingCode cases of the corpus, mostly in Chinese: requirements and tasks (HTML text, tags,
state transitions, children), a version and sprints."""

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
    ts,
)
from sandbox.worktile import WorktileSandbox

SOURCE = "corpus-pingcode"
COMPLETE = "<p>按月导出报销报表为 CSV 文件，供财务核对使用。</p><h2>验收</h2><p>能下载 CSV</p>"
MARKER = "<!-- tracker-sync:v1 item=PC-1 digest=0123456789abcdef -->"


class WorktileCases:
    def __init__(self, wt: WorktileSandbox, labels: Labels) -> None:
        self.wt, self.labels = wt, labels

    def expect(self, item: dict[str, Any], case: str, *fires: str, known: str = "") -> None:
        self.labels.expect(SOURCE, item["identifier"], case, *fires, known=known)

    def requirement(self, created: int = ts(10), **fields: Any) -> dict[str, Any]:
        fields.setdefault("description", COMPLETE)
        fields.setdefault("priority", "高")
        return self.wt.add_item("需求", created=created, **fields)


def seed_worktile(wt: WorktileSandbox, labels: Labels) -> None:
    cases = WorktileCases(wt, labels)
    requirements(cases)
    conversations(cases)
    milestones(cases)


def requirements(c: WorktileCases) -> None:
    wt = c.wt
    tagged = c.requirement(state="in_progress", tags=["移动端"])
    wt.edit_item(tagged["id"], by=CLIENT, at=ts(12), tags=["移动端", "需求已确认"])
    c.expect(tagged, "in progress; 需求已确认 added beside another tag")
    documented = c.requirement(state="in_progress", tags=["需求已确认"])
    wt.edit_item(documented["id"], by="pm", at=ts(12), title="需求（扩大）")
    wt.edit_item(documented["id"], by="pm", at=ts(13), tags=["需求已确认", "change-documented"])
    c.expect(documented, "renamed, then change-documented added beside 需求已确认")
    undocumented = c.requirement(state="in_progress", tags=["需求已确认"])
    wt.edit_item(undocumented["id"], by="pm", at=ts(12), title="需求（扩大）")
    c.expect(undocumented, "confirmed by tag, then renamed", UNDOCUMENTED, UNCONFIRMED)
    marked = c.requirement(state="in_progress")
    wt.add_comment(marked["id"], f"<p>已确认</p>{MARKER}", by=CLIENT, at=ts(11))
    c.expect(marked, "the client's 已确认 holds the service's hidden marker", UNCONFIRMED)
    parent = c.requirement()
    child = wt.add_item("子任务", type_id="task", created=ts(11), parent=parent["id"])
    wt.edit_item(parent["id"], by="pm", at=ts(13), title="需求（草稿修改）")
    wt.edit_item(child["id"], by="dev", at=ts(15), state="in_progress")
    wt.edit_item(parent["id"], by="pm", at=ts(16), title="需求（开工后修改）")
    c.expect(parent, "a child task started; renamed before and after", UNDOCUMENTED, UNCONFIRMED)
    c.expect(child, "the child task")
    for body, fires in (
        ("<p>还未确认</p>", (UNCONFIRMED, UNANSWERED)),
        ("<p>这个确认了吗？</p>", (UNCONFIRMED, UNANSWERED)),
        ("<p>Confirmed, no changes.</p>", ()),
    ):
        item = c.requirement(state="in_progress")
        wt.add_comment(item["id"], body, by=CLIENT, at=ts(11))
        c.expect(item, f"in progress; the client wrote {body!r}", *fires)
    bare = wt.add_item("需求", state="in_progress", description="<p>短</p>", created=ts(2))
    c.expect(bare, "in progress, no priority, no 验收", UNCONFIRMED, INCOMPLETE)
    closed = wt.add_item("需求", state="closed", description="<p>短</p>", created=ts(2))
    c.expect(closed, "a bare requirement in a closed (cancelled) state")


def conversations(c: WorktileCases) -> None:
    for body, reply, fires in (
        ("<p>这个什么时候能上线？</p>", None, (UNANSWERED,)),
        ("<p>这个什么时候能上线？</p>", "<p>下周五。</p>", ()),
        ("<p>好的，确认。</p>", None, ()),
    ):
        task = c.wt.add_item("任务", type_id="task", created=ts(1))
        c.wt.add_comment(task["id"], body, by=CLIENT, at=ts(12))
        if reply:
            c.wt.add_comment(task["id"], reply, by="dev", at=ts(13))
        c.expect(task, f"a task; the client wrote {body!r}, answered {reply!r}", *fires)


def milestones(c: WorktileCases) -> None:
    wt = c.wt
    far = ts(1) + 212 * 86400  # 2027-06-01: on track by elapsed time

    def task(case: str, **fields: Any) -> dict[str, Any]:
        item = wt.add_item("任务", type_id="task", created=ts(1), **fields)
        c.expect(item, case)
        return item

    def version(name: str) -> dict[str, Any]:
        created = wt.add_version(name, end=far)
        created["start_at"] = ts(2, 0)  # started on Nov 2: committed on Nov 4
        return created

    v20, sprint = version("发布 2.0"), wt.add_sprint("迭代 7", start=ts(2, 0), end=far)
    for _ in range(3):
        task("committed to 发布 2.0 and 迭代 7", version=v20["id"], sprint=sprint["id"])
    late = c.requirement(created=ts(1), tags=["需求已确认"])
    wt.edit_item(late["id"], by="pm", at=ts(5), version=v20["id"])
    wt.edit_item(late["id"], by="pm", at=ts(11), sprint=sprint["id"])
    wt.add_comment(late["id"], "<p>已走变更流程</p>", by="pm", at=ts(11, 12))
    case = "confirmed; joined 发布 2.0 on the 5th unsaid, 迭代 7 on the 11th with 已走变更流程"
    c.expect(late, case, UNDOCUMENTED, UNCONFIRMED)
    c.labels.expect(SOURCE, "发布 2.0", "1 undocumented addition to 3 committed", SCOPE)
    c.labels.expect(SOURCE, "迭代 7", "its one addition is documented")
    v21 = version("发布 2.1")
    for _ in range(4):
        task("committed to 发布 2.1", version=v21["id"])
    joined = task("a task that joined 发布 2.1 on the 10th")
    wt.edit_item(joined["id"], by="pm", at=ts(10), version=v21["id"])
    c.labels.expect(SOURCE, "发布 2.1", "a task joined: 1 of 4", SCOPE)
    overdue = wt.add_sprint("迭代 6", start=ts(1, 0), end=ts(15))
    task("open in 迭代 6", sprint=overdue["id"])
    c.labels.expect(SOURCE, "迭代 6", "a sprint past its end with an open task", SLIPPING)
