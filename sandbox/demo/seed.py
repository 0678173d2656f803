"""The demo's delivery project, spread over the three trackers the way teams really split it:
requirements in Jira and PingCode, engineering in GitHub. It holds the usual trouble: work
started on requirements nobody confirmed or wrote acceptance criteria for, scope edited after
sign-off (once with a change request, once without), a release past its date, a sprint its own
pace cannot meet and that grew after it started, client questions nobody answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.worktile import WorktileSandbox

NOW = datetime.now(UTC)

# What DESIGN.md's rules make of the demo after its two runs, by source and by title (an item's
# title after the edits, or a milestone's): the rules that fire on it. Every other item and
# milestone of the demo, and every other rule, must stay quiet. ``bench/accuracy.py`` holds
# the pipeline to it; written from the design, never from the rules' output.
UNCONFIRMED, UNDOCUMENTED, INCOMPLETE = (
    "unconfirmed_requirement",
    "undocumented_change",
    "incomplete_requirement",
)
EXPECTED = {
    "demo-jira": {
        # confirmed on day -20, renamed on day -3 with no change request: the rename voids it
        "Invoice export as PDF and CSV, batched": {UNCONFIRMED, UNDOCUMENTED, INCOMPLETE},
        "Audit log of approvals": {UNCONFIRMED, INCOMPLETE, "unanswered_client"},
        # its due date moved with the change request's key in a comment: documented
        "Customer search": {INCOMPLETE},
        "2.0": {"slipping_milestone"},  # released two days ago in plan, items open
    },
    "demo-github": {
        # 18 open items at ~0.2 done a day, due date moved; 4 of 14 joined after it began
        "Sprint 12": {"slipping_milestone", "scope_creep"},
        # in progress, never confirmed, its body grew between the runs
        "Single sign-on with Azure AD": {UNCONFIRMED, UNDOCUMENTED, INCOMPLETE},
    },
    "demo-pingcode": {
        "里程碑：一期上线": {"slipping_milestone"},
        "移动端审批（含批量审批）": {UNCONFIRMED, UNDOCUMENTED, INCOMPLETE},
        "报表导出": {UNCONFIRMED, INCOMPLETE, "unanswered_client"},  # 12 days old, a question
    },
}


def at(days: float) -> str:
    return (NOW + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(days: int) -> str:
    return (NOW + timedelta(days=days)).date().isoformat()


def unix(days: float) -> int:
    return int((NOW + timedelta(days=days)).timestamp())


def seed_demo_jira(jira: JiraSandbox) -> None:
    release = jira.add_version("2.0", release_date=day(-2), start_date=day(-40))["id"]
    later = jira.add_version("2.1", release_date=day(30), start_date=day(-5))["id"]
    pdf = jira.add_issue(
        "Invoice export as PDF",
        "Every invoice exports to a one-page PDF.",
        issuetype="Story",
        fix_versions=[release],
        created=at(-30),
        reporter="pm",
    )
    jira.add_comment(
        pdf["key"], "Confirmed, this is what we need for the audit.", author="client-pm", at=at(-20)
    )
    jira.edit_issue(pdf["key"], author="dev", at=at(-18), status="In Progress")
    jira.edit_issue(
        pdf["key"], author="pm", at=at(-3), summary="Invoice export as PDF and CSV, batched"
    )
    audit = jira.add_issue(
        "Audit log of approvals",
        "Who approved what, when.",
        issuetype="Story",
        fix_versions=[release],
        created=at(-25),
        reporter="pm",
    )
    jira.edit_issue(audit["key"], author="dev", at=at(-12), status="In Progress")
    jira.add_comment(
        audit["key"],
        "Will the audit log also list rejected approvals?",
        author="client-pm",
        at=at(-4),
    )
    cr = jira.add_issue(
        "Change request: customer search by VAT number",
        "Requested by the client on the call.",
        issuetype="Change Request",
        created=at(-6),
        reporter="pm",
    )
    search = jira.add_issue(
        "Customer search",
        "Search customers by name.",
        issuetype="Story",
        fix_versions=[later],
        duedate=day(20),
        created=at(-20),
        reporter="pm",
    )
    jira.edit_issue(search["key"], author="client-pm", at=at(-15), status="Confirmed")
    jira.edit_issue(search["key"], author="dev", at=at(-10), status="In Progress")
    jira.edit_issue(search["key"], author="pm", at=at(-5), duedate=day(27))
    jira.add_comment(
        search["key"], f"Moved per {cr['key']}: VAT search added.", author="pm", at=at(-5)
    )
    for n in range(3):
        task = jira.add_issue(
            f"Release 2.0 task {n + 1}", issuetype="Task", fix_versions=[release], created=at(-30)
        )
        if n == 0:
            jira.edit_issue(task["key"], author="dev", at=at(-9), status="Done")


def seed_demo_github(gh: GitHubSandbox, jira_keys: list[str]) -> None:
    sprint = gh.add_milestone("Sprint 12", due_on=f"{day(5)}T07:00:00Z", created_at=at(-9))[
        "number"
    ]
    for n in range(8):  # the team closes a few issues a week
        done = gh.add_issue(f"Done work {n + 1}", created_at=at(-40))["number"]
        gh.edit_issue(done, actor="dev", at=at(-36 + 4 * n), state="closed")
    for n in range(14):
        gh.add_issue(f"Sprint 12 task {n + 1}", milestone=sprint, created_at=at(-9))
    for n in range(4):  # pulled into the running sprint, no change request
        extra = gh.add_issue(f"Urgent extra {n + 1}", created_at=at(-20))["number"]
        gh.edit_issue(extra, actor="pm", at=at(-3), milestone=sprint)
    gh.add_issue(
        "Implement PDF export",
        f"Backend for {jira_keys[0]}.",
        user="dev",
        pull_request=True,
        created_at=at(-17),
    )
    sso = gh.add_issue(
        "Single sign-on with Azure AD",
        "Users sign in with their corporate account.",
        user="pm",
        labels=["requirement"],
        created_at=at(-14),
    )["number"]
    gh.edit_issue(sso, actor="dev", at=at(-6), labels=["requirement", "in progress"])


def seed_demo_worktile(wt: WorktileSandbox) -> None:
    # due two days ago: a PingCode date is a Shanghai date, and one day ago is still today
    # there after 16:00 UTC (the demo would say "due today" or "overdue" by the hour)
    launch = wt.add_item(
        "里程碑：一期上线", type_id="milestone", end_at=unix(-2), created=unix(-30)
    )["id"]
    approve = wt.add_item(
        "移动端审批",
        type_id="requirement",
        created=unix(-20),
        parent=launch,
        description="<p>经理可在手机上审批报销。</p>",
    )
    wt.add_comment(approve["id"], "<p>需求确认，可以开始开发。</p>", by="client-pm", at=unix(-19))
    wt.edit_item(approve["id"], by="dev", at=unix(-15), state="in_progress")
    wt.edit_item(approve["id"], by="pm", at=unix(-4), title="移动端审批（含批量审批）")
    export = wt.add_item(
        "报表导出",
        type_id="requirement",
        created=unix(-12),
        parent=launch,
        description="<p>按月导出报销报表。</p>",
    )
    wt.add_comment(export["id"], "<p>报表能按部门汇总吗？</p>", by="client-pm", at=unix(-5))
    wt.add_item("审批通知", type_id="task", created=unix(-10), parent=launch)


def apply_demo_edits(gh: GitHubSandbox, wt: WorktileSandbox) -> None:
    """What happens between two syncs: the SSO scope grows in the issue body (GitHub keeps no
    history of it) and the sprint's due date quietly moves."""
    gh.edit_issue(
        gh.issues[max(gh.issues)]["number"],
        actor="dev",
        body="Users sign in with their corporate account. Also Okta, and SCIM provisioning.",
    )
    gh.edit_milestone(1, due_on=f"{day(9)}T07:00:00Z")
