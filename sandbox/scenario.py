"""Seeded tracker data for tests, the demo and benchmarks: the same seed gives the same data."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.worktile import WorktileSandbox

SEED_START = datetime(2026, 6, 1, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_github_repo(
    sandbox: GitHubSandbox,
    *,
    issues: int = 300,
    comments_per_issue: int = 2,
    events_per_issue: int = 4,
    milestones: int = 10,
    seed: int = 1,
    start: datetime = SEED_START,
) -> None:
    """A repository with requirements, tasks, bugs and pull requests spread over milestones;
    every issue gets ``events_per_issue`` events (labeled, milestoned, renamed, closed, in
    turn) and ``comments_per_issue`` comments, all dated in the past."""
    rng = random.Random(seed)
    numbers = [
        sandbox.add_milestone(
            f"Sprint {k + 1}",
            due_on=stamp(start + timedelta(days=14 * (k + 1), hours=7)),
            created_at=stamp(start),
        )["number"]
        for k in range(milestones)
    ]
    for index in range(issues):
        created = start + timedelta(seconds=37 * index)
        is_pull = index % 10 == 9
        labels = []
        if not is_pull and index % 4 == 0:
            labels.append("requirement")
        elif not is_pull and index % 7 == 0:
            labels.append("bug")
        body = f"Refs #{max(1, index - 3)}. " + " ".join(rng.choice(_WORDS) for _ in range(12))
        issue = sandbox.add_issue(
            f"{'Implement' if index % 4 else 'Requirement:'} {rng.choice(_WORDS)} {index}",
            body,
            user=rng.choice(["dev", "alice", "bob", "client-pm"]),
            labels=labels,
            pull_request=is_pull,
            created_at=stamp(created),
        )
        moment = created
        for step in range(events_per_issue):
            moment += timedelta(minutes=1)
            at = stamp(moment)
            kind = step % 4
            if kind == 0:
                sandbox.edit_issue(
                    issue["number"], actor="alice", at=at, labels=[*issue["labels"], f"area-{step}"]
                )
            elif kind == 1 and numbers:
                sandbox.edit_issue(
                    issue["number"], actor="alice", at=at, milestone=rng.choice(numbers)
                )
            elif kind == 2:
                sandbox.edit_issue(
                    issue["number"], actor="bob", at=at, title=f"{issue['title']} (v{step})"
                )
            else:
                state = "open" if issue["state"] == "closed" else "closed"
                if kind == 3 and index % 3 != 0:
                    sandbox.edit_issue(issue["number"], actor="bob", at=at, state=state)
                else:
                    sandbox.edit_issue(
                        issue["number"], actor="bob", at=at, labels=[*issue["labels"], f"x-{step}"]
                    )
        for step in range(comments_per_issue):
            moment += timedelta(minutes=1)
            sandbox.add_comment(
                issue["number"],
                f"Comment {step} on #{issue['number']}: {rng.choice(_WORDS)}",
                user=rng.choice(["dev", "alice", "client-pm"]),
                at=stamp(moment),
            )


_WORDS = (
    "login checkout invoice export search report dashboard payment onboarding audit sync "
    "profile billing upload notification settings permissions archive import calendar"
).split()


def seed_jira_project(
    sandbox: JiraSandbox,
    *,
    issues: int = 300,
    comments_per_issue: int = 1,
    long_histories: int = 0,
    history_length: int = 150,
    versions: int = 4,
    seed: int = 1,
    start: datetime = SEED_START,
) -> None:
    """Stories, tasks and bugs over versions, each edited a little (status, summary, due
    date), with ``long_histories`` issues whose history outgrows Jira's embedded cap."""
    rng = random.Random(seed)
    version_ids = [
        sandbox.add_version(
            f"{1 + k // 2}.{k % 2}",
            release_date=(start + timedelta(days=30 * (k + 1))).date().isoformat(),
        )["id"]
        for k in range(versions)
    ]
    for index in range(issues):
        created = start + timedelta(seconds=41 * index)
        kind = "Story" if index % 3 == 0 else "Bug" if index % 7 == 0 else "Task"
        issue = sandbox.add_issue(
            f"{kind} {rng.choice(_WORDS)} {index}",
            "Acceptance: " + " ".join(rng.choice(_WORDS) for _ in range(10)),
            issuetype=kind,
            labels=["requirement"] if kind == "Story" else [],
            fix_versions=[rng.choice(version_ids)] if version_ids else [],
            points=float(rng.choice([1, 2, 3, 5, 8])),
            created=stamp(created),
        )
        moment = created + timedelta(minutes=1)
        sandbox.edit_issue(issue["key"], author="bot", at=stamp(moment), status="In Progress")
        if index % 2:
            moment += timedelta(minutes=1)
            sandbox.edit_issue(
                issue["key"], author="bot", at=stamp(moment), summary=f"{issue['summary']} (v2)"
            )
        if index % 5 == 0:
            moment += timedelta(minutes=1)
            due = (created + timedelta(days=20)).date().isoformat()
            sandbox.edit_issue(issue["key"], author="dev", at=stamp(moment), duedate=due)
        for step in range(comments_per_issue):
            moment += timedelta(minutes=1)
            sandbox.add_comment(
                issue["key"], f"Note {step} on {issue['key']}", author="alice", at=stamp(moment)
            )
        if index < long_histories:
            sandbox.add_history(issue["key"], history_length)


def seed_worktile_project(
    sandbox: WorktileSandbox,
    *,
    items: int = 300,
    comments_per_requirement: int = 1,
    seed: int = 1,
    start: datetime = SEED_START,
) -> None:
    """Requirements, stories, tasks and bugs in sprints and versions, a milestone item, with
    state transitions and property edits on the requirements."""
    rng = random.Random(seed)
    base = int(start.timestamp())
    sprint = sandbox.add_sprint("Sprint 1", start=base, end=base + 14 * 86400)["id"]
    version = sandbox.add_version("1.0", end=base + 60 * 86400)["id"]
    milestone = sandbox.add_item(
        "Milestone: 1.0", type_id="milestone", end_at=base + 60 * 86400, created=base
    )["id"]
    types = ("requirement", "story", "task", "task", "bug")
    for index in range(items):
        created = base + 53 * index
        type_id = types[index % len(types)]
        item = sandbox.add_item(
            f"{type_id} {rng.choice(_WORDS)} {index}",
            type_id=type_id,
            description=f"<p>Acceptance: {rng.choice(_WORDS)} &amp; {rng.choice(_WORDS)}</p>",
            created=created,
            points=float(rng.choice([1, 2, 3, 5])),
            sprint=sprint if index % 2 else None,
            version=version if index % 3 == 0 else None,
            parent=milestone if index % 7 == 0 else None,
            end_at=created + 20 * 86400,
        )
        if type_id in ("requirement", "story"):
            sandbox.edit_item(item["id"], by="dev", at=created + 60, state="in_progress")
            if index % 2:
                sandbox.edit_item(
                    item["id"], by="pm", at=created + 120, title=f"{item['title']} (v2)"
                )
            for n in range(comments_per_requirement):
                sandbox.add_comment(item["id"], f"<p>note {n}</p>", by="pm", at=created + 180 + n)
        elif index % 4 == 0:
            sandbox.edit_item(item["id"], by="dev", at=created + 60, state="completed")
