"""The demo's scenarios as labelled cases: every item and milestone of its three trackers, with
the rules ``sandbox.demo.seed.EXPECTED`` says fire on it (none for those it does not name)."""

from __future__ import annotations

from sandbox.corpus import SCOPE, SLIPPING, Labels
from sandbox.demo.seed import EXPECTED
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.worktile import WorktileSandbox

MILESTONE_RULES = {SLIPPING, SCOPE}


def demo_labels(github: GitHubSandbox, jira: JiraSandbox, worktile: WorktileSandbox) -> Labels:
    """Subjects as the trackers name them now: items by key, milestones by title. A PingCode
    milestone-type work item is both: an item, and a milestone named by its title."""
    items = {
        "demo-github": {i["title"]: f"{github.repo}#{n}" for n, i in github.issues.items()},
        "demo-jira": {i["summary"]: i["key"] for i in jira.issues.values()},
        "demo-pingcode": {i["title"]: i["identifier"] for i in worktile.items.values()},
    }
    milestones = {
        "demo-github": [m["title"] for m in github.milestones.values()],
        "demo-jira": [v["name"] for v in jira.versions.values()],
        "demo-pingcode": [i["title"] for i in worktile.items.values() if i["type"] == "milestone"],
    }
    labels = Labels()
    for source, expected in EXPECTED.items():
        unknown = set(expected) - set(items[source]) - set(milestones[source])
        if unknown:
            raise ValueError(f"EXPECTED names what the demo does not hold: {sorted(unknown)}")
        for title, key in items[source].items():
            fires = set(expected.get(title, ())) - MILESTONE_RULES
            labels.expect(source, key, f"demo item: {title}", *sorted(fires))
        for title in milestones[source]:
            fires = set(expected.get(title, ())) & MILESTONE_RULES
            labels.expect(source, title, f"demo milestone: {title}", *sorted(fires))
    return labels
