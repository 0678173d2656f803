"""The GitHub cases of the corpus: requirements (issues labelled ``requirement``), plain issues
and pull requests, milestones; English and Chinese text. Each case labels what it builds."""

from __future__ import annotations

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
from sandbox.github import GitHubSandbox

SOURCE = "corpus-github"
COMPLETE = "Export the monthly report as CSV for finance.\n\n## Acceptance\n- a CSV downloads"
COMPLETE_ZH = "按月导出报销报表，供财务部门核对使用。\n\n**验收标准**：能下载 CSV 文件"
REQ = ["requirement", "P1"]  # a requirement with a priority: never incomplete when COMPLETE


class GitHubCases:
    def __init__(self, gh: GitHubSandbox, labels: Labels) -> None:
        self.gh, self.labels = gh, labels

    def key(self, number: int) -> str:
        return f"{self.gh.repo}#{number}"

    def expect(self, number: int, case: str, *fires: str, known: str = "") -> None:
        self.labels.expect(SOURCE, self.key(number), case, *fires, known=known)

    def requirement(
        self, labels: tuple[str, ...] | list[str] = (), body: str = COMPLETE, created: str = t(10)
    ) -> int:
        return self.gh.add_issue("Requirement", body, labels=[*REQ, *labels], created_at=created)[
            "number"
        ]

    def started(self) -> int:
        return self.requirement(["in progress"])

    def confirmed_then_renamed(self) -> int:
        """Confirmed by label on the 4th, renamed by a developer on the 6th."""
        number = self.requirement(created=t(2))
        issue = self.gh.issues[number]
        self.gh.edit_issue(
            number, actor="pm", at=t(4), labels=[*issue["labels"], "client-confirmed"]
        )
        self.gh.edit_issue(number, actor="dev", at=t(6), title="Requirement, and PDF too")
        return number


def seed_github(gh: GitHubSandbox, labels: Labels) -> None:
    cases = GitHubCases(gh, labels)
    client_comments(cases)
    changes(cases)
    closed_and_pulls(cases)
    edges(cases)
    conversations(cases)
    milestones(cases)


def client_comments(c: GitHubCases) -> None:
    """Work started on each; the client's comment confirms it or does not."""
    for body, confirms in (
        ("Not yet approved.", False),
        ("Is this confirmed?", False),
        ("待确认", False),
        ("Still pending approval", False),
        ("Unconfirmed.", False),
        ("没问题，确认。", True),
        ("Confirmed, no changes.", True),
    ):
        number = c.started()
        c.gh.add_comment(number, body, user=CLIENT, at=t(11))
        # a client comment that does not confirm is also a question nobody answered
        fires = () if confirms else (UNCONFIRMED, UNANSWERED)
        c.expect(number, f"started; the client says {body!r}", *fires)
    own = c.started()
    c.gh.add_comment(own, "Confirmed.", user="tracker-bot", at=t(11))
    c.expect(own, "started; only the service's own comment says 'Confirmed.'", UNCONFIRMED)
    marked = c.started()
    c.gh.add_comment(marked, "Confirmed. <!-- tracker-sync:v1 -->", user=CLIENT, at=t(11))
    c.expect(marked, "started; the client's 'Confirmed.' holds the service's marker", UNCONFIRMED)
    other = c.started()
    c.gh.add_comment(other, "Confirmed.", user="dev", at=t(11))
    c.expect(other, "started; 'Confirmed.' by a developer, not the client", UNCONFIRMED)
    cased = c.requirement(created=t(15))
    c.gh.edit_issue(cased, at=t(16), labels=[*REQ, "In Progress"])
    c.expect(cased, "a doing label in another case starts work", UNCONFIRMED)


def changes(c: GitHubCases) -> None:
    """Confirmed on the 4th, renamed on the 6th: documented or not."""
    after = c.confirmed_then_renamed()
    c.gh.add_comment(after, "Approved, including the new title.", user=CLIENT, at=t(7))
    c.expect(after, "the client confirms again after the rename", UNDOCUMENTED)
    cr = c.gh.add_issue("CR: PDF export", labels=["change-request"], created_at=t(5))["number"]
    c.expect(cr, "a change-request issue (not a requirement)")
    for comment, documented in (
        (f"变更单：https://github.com/{c.gh.repo}/issues/{cr}", True),
        (f"详见#{cr}。", True),
        ("Per change request from the client.", True),
        ("已走变更流程", True),
        ("未走变更", False),
        ("No change request for this.", False),
        ("See SCR-7.", False),
    ):
        number = c.confirmed_then_renamed()
        c.gh.add_comment(number, comment, user="pm", at=t(6, 12))
        fires = () if documented else (UNDOCUMENTED, UNCONFIRMED)  # the rename voids the label
        c.expect(number, f"renamed after confirmation; then {comment!r}", *fires)
    labelled = c.confirmed_then_renamed()
    c.gh.edit_issue(
        labelled,
        actor="pm",
        at=t(7),
        labels=[*c.gh.issues[labelled]["labels"], "change-documented"],
    )
    c.expect(labelled, "change-documented label added after the rename")
    drafted = c.requirement(created=t(1))
    c.gh.edit_issue(drafted, actor="pm", at=t(2), title="Requirement, drafted")
    c.gh.edit_issue(drafted, actor="pm", at=t(3), labels=[*REQ, "client-confirmed"])
    c.expect(drafted, "renamed before confirmation: drafting")


def closed_and_pulls(c: GitHubCases) -> None:
    cancelled = c.gh.add_issue("Dropped", "x", labels=["requirement"], created_at=t(2))["number"]
    c.gh.edit_issue(cancelled, at=t(3), state="closed", state_reason="not_planned")
    c.expect(cancelled, "a bare requirement closed as not planned")
    pull = c.gh.add_issue("PR", "x", labels=["requirement"], pull_request=True, created_at=t(2))
    c.gh.add_comment(pull["number"], "Can you review this?", user=CLIENT, at=t(10))
    c.expect(pull["number"], "a bare pull request labelled requirement, a client question on it")
    linked = c.requirement(created=t(15))
    implements = c.gh.add_issue(
        "Implements it", f"实现#{linked}接口", pull_request=True, created_at=t(16)
    )
    c.expect(linked, "work started by a pull request naming it beside Chinese text", UNCONFIRMED)
    c.expect(implements["number"], "the pull request that implements it")


def edges(c: GitHubCases) -> None:
    """Judged at noon of the 20th: grace 7 days (unconfirmed), 3 days (incomplete)."""
    c.expect(c.requirement(created=t(13, 13)), "idle, complete, 6 days 23 hours old")
    c.expect(c.requirement(created=t(12, 23)), "idle, complete, 7 days 13 hours old", UNCONFIRMED)
    c.expect(c.requirement(created=t(13, 11)), "idle, complete, 7 days 1 hour old", UNCONFIRMED)
    for created, case, fires in (
        (t(17, 13), "bare, 2 days 23 hours old", ()),
        (t(16, 23), "bare, 3 days 13 hours old", (INCOMPLETE,)),
        (t(17, 11), "bare, 3 days 1 hour old", (INCOMPLETE,)),
    ):
        bare = c.gh.add_issue("Bare", "x", labels=["requirement"], created_at=created)
        c.expect(bare["number"], case, *fires)
    zh = c.requirement(["进行中"], body=COMPLETE_ZH, created=t(15))
    c.gh.add_comment(zh, "需求确认，可以开始", user=CLIENT, at=t(16))
    c.expect(zh, "started (进行中), bold 验收标准, confirmed in Chinese")


def conversations(c: GitHubCases) -> None:
    """Plain issues (not requirements): only unanswered_client judges them."""

    def asked(body: str, at: str, *then: tuple[str, str, str]) -> int:
        number = c.gh.add_issue("Question", "x", created_at=t(1))["number"]
        c.gh.add_comment(number, body, user=CLIENT, at=at)
        for user, text, when in then:
            c.gh.add_comment(number, text, user=user, at=when)
        return number

    c.expect(asked("And the totals?", t(18, 13)), "asked 47 hours before")
    c.expect(asked("And the totals?", t(18, 11)), "asked 49 hours before", UNANSWERED)
    c.expect(asked("Confirmed, go ahead.", t(10)), "the client confirms: no reply needed")
    c.expect(asked("Ready?", t(10), ("pm", "Friday.", t(11))), "answered by the PM")
    bot = asked("Status?", t(10), ("tracker-bot", "Unanswered client question", t(12)))
    c.expect(bot, "only the service replied", UNANSWERED)
    c.expect(asked("还没确认：合计怎么算？", t(10)), "a negated confirmation asks", UNANSWERED)


def milestones(c: GitHubCases) -> None:
    """Created on Nov 1 (committed Nov 3 10:00), due far off: on track by elapsed time."""

    def milestone(title: str, committed: int, due: str = "2027-06-01T07:00:00Z") -> int:
        number = c.gh.add_milestone(title, due_on=due, created_at=t(1))["number"]
        for _ in range(committed):
            task = c.gh.add_issue(f"{title} task", milestone=number, created_at=t(1))["number"]
            c.expect(task, f"a task committed to {title}")
        return number

    def join(milestone: int, case: str, **issue) -> int:
        number = c.gh.add_issue("Joins later", "x", created_at=t(1), **issue)["number"]
        c.gh.edit_issue(number, actor="pm", milestone=milestone, at=t(10))
        c.expect(number, case)
        return number

    join(milestone("v1", 5), "joins v1 undocumented: 1 of 5 reaches the threshold 0.2")
    c.labels.expect(SOURCE, "v1", "1 undocumented addition to 5 committed", SCOPE)
    join(milestone("v2", 6), "joins v2 undocumented: 1 of 6 is under 0.2")
    c.labels.expect(SOURCE, "v2", "1 undocumented addition to 6 committed")
    by_cr = join(milestone("v3", 5), "joins v3, documented by a CR- comment")
    c.gh.add_comment(by_cr, "Added per change request CR-12.", user="pm", at=t(10, 12))
    c.labels.expect(SOURCE, "v3", "its one addition is documented")
    v4 = milestone("v4", 5)
    join(v4, "a pull request joins v4", pull_request=True)
    dropped = join(v4, "joins v4, then closed as not planned")
    c.gh.edit_issue(dropped, at=t(11), state="closed", state_reason="not_planned")
    c.labels.expect(SOURCE, "v4", "only a pull request and a cancelled issue joined")
    milestone("R-overdue", 2, due="2026-11-15T07:00:00Z")
    c.labels.expect(SOURCE, "R-overdue", "past its due date with open items", SLIPPING)
    closed = c.gh.add_milestone("R-closed", due_on="2026-11-10T07:00:00Z", state="closed")
    left = c.gh.add_issue("Left open", milestone=closed["number"], created_at=t(1))
    c.expect(left["number"], "an open issue of a closed milestone")
    c.labels.expect(SOURCE, "R-closed", "a closed milestone, overdue")
    done = milestone("R-done", 0, due="2026-11-12T07:00:00Z")
    for _ in range(2):
        number = c.gh.add_issue("Finished", milestone=done, created_at=t(1))["number"]
        c.gh.edit_issue(number, at=t(11), state="closed")
        c.expect(number, "a closed task of R-done")
    c.labels.expect(SOURCE, "R-done", "overdue with no open item")
