"""Each official GitHub example payload maps to the whole expected record."""

from __future__ import annotations

import json

import pytest

from mapping import github as gh
from mapping.model import ChangeRecord, CommentRecord, ItemRecord, MalformedPayload, MilestoneRecord
from tests.conftest import CONTRACTS

EXAMPLES = CONTRACTS / "github"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def test_issue_example_is_a_pull_request_and_never_a_requirement():
    payload = example("issue.json")
    payload["labels"].append({"name": "requirement"})
    mapped = gh.map_issue(payload, source="gh", repo="octocat/Hello-World")
    assert mapped.item == ItemRecord(
        source="gh",
        id="1347",
        key="octocat/Hello-World#1347",
        url="https://github.com/octocat/Hello-World/issues/1347",
        kind="task",
        type="pull_request",
        title="Found a bug",
        body="I'm having a problem with this.",
        status="open",
        status_category="doing",
        created_at="2011-04-22T13:33:48Z",
        updated_at="2011-04-22T13:33:48Z",
        cancelled=False,
        closed_at=None,
        assignee="octocat",
        reporter="octocat",
        labels=["bug", "requirement"],
        milestone_id="1002604",
        parent_key=None,
        raw=payload,
    )
    assert mapped.links == []


def test_plain_issue_with_requirement_label_is_a_todo_requirement():
    payload = example("issue.json")
    del payload["pull_request"]
    payload["labels"] = [{"name": "Requirement"}]
    payload["parent_issue_url"] = "https://api.github.com/repos/octocat/Hello-World/issues/7"
    mapped = gh.map_issue(payload, source="gh", repo="octocat/Hello-World")
    assert (mapped.item.kind, mapped.item.type, mapped.item.status_category) == (
        "requirement",
        "issue",
        "todo",
    )
    assert mapped.item.parent_key == "octocat/Hello-World#7"
    assert [(link.target_key, link.type) for link in mapped.links] == [
        ("octocat/Hello-World#7", "parent")
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"type": {"id": 1, "node_id": "x", "name": "Feature", "description": None}},
            ("requirement", "todo", False),
        ),
        ({"labels": [{"name": "in progress"}]}, ("task", "doing", False)),
        ({"state": "closed", "state_reason": "completed"}, ("task", "done", False)),
        ({"state": "closed", "state_reason": "not_planned"}, ("task", "done", True)),
        ({"state": "closed", "state_reason": "duplicate"}, ("task", "done", True)),
        ({"labels": [{"name": "bug"}]}, ("bug", "todo", False)),
    ],
)
def test_issue_kind_and_status_category(changes, expected):
    payload = example("issue.json")
    del payload["pull_request"]
    payload["labels"] = []
    payload.update(changes)
    item = gh.map_issue(payload, source="gh", repo="o/r").item
    assert (item.kind, item.status_category, item.cancelled) == expected


def test_milestone_example():
    payload = example("milestone.json")
    assert gh.map_milestone(payload, source="gh") == MilestoneRecord(
        source="gh",
        id="1002604",
        title="v1.0",
        state="open",
        start_date=None,
        due_date="2012-10-09",
        closed_at="2013-02-12T13:22:01Z",
        url="https://github.com/octocat/Hello-World/milestones/v1.0",
        kind="milestone",
        raw=payload,
    )


def test_due_on_at_pacific_midnight_keeps_its_date():
    payload = example("milestone.json") | {"due_on": "2026-12-01T08:00:00Z"}
    assert gh.map_milestone(payload, source="gh").due_date == "2026-12-01"


def test_comment_example_links_to_its_issue_through_issue_url():
    payload = example("issue-comment.json")
    assert gh.map_comment(payload, source="gh") == CommentRecord(
        source="gh",
        id="1",
        item_id="1347",
        author="1",
        author_login="octocat",
        body="Me too",
        created_at="2011-04-14T16:00:49Z",
        updated_at="2011-04-14T16:00:49Z",
        raw=payload,
    )


def test_renamed_event_example_is_a_title_change():
    payload = example("issue-event-renamed.json")
    payload["issue"] = {"number": 42}  # the repo-wide endpoint embeds the issue
    assert gh.map_event(payload, source="gh") == ChangeRecord(
        source="gh",
        item_id="42",
        change_id="6635165802",
        at="2022-05-18T19:29:01Z",
        author="github-product-roadmap",
        field="title",
        from_value="Secret scanning: dry-runs for enterprise-level custom patterns (cloud)",
        to_value="Secret scanning: dry-runs for enterprise-level custom patterns",
        origin="tracker",
    )


def test_milestoned_event_example_names_the_milestone_title():
    payload = example("issue-event-milestoned.json")
    change = gh.map_event(payload, source="gh")
    assert (change.item_id, change.field, change.from_value, change.to_value) == (
        str(payload["issue"]["number"]),
        "milestone",
        None,
        "v1.0",
    )


def test_events_that_change_nothing_watched_map_to_none():
    payload = example("issue-event-milestoned.json") | {"event": "subscribed"}
    assert gh.map_event(payload, source="gh") is None


@pytest.mark.parametrize(
    "broken",
    [
        {"number": None},
        {"number": "12"},
        {"title": None},
        {"state": "weird"},
        {"created_at": "yesterday"},
        {"body": {"not": "text"}},
        {"labels": [42]},
    ],
)
def test_malformed_issue_is_refused_with_a_reason(broken):
    payload = example("issue.json") | broken
    with pytest.raises(MalformedPayload):
        gh.map_issue(payload, source="gh", repo="o/r")


def test_every_configurable_kind_has_one_registry_entry():
    """A kind the settings accept but the registry lacks would fail only at run time."""
    from typing import get_args

    from sync.settings import SourceSettings
    from sync.trackers import TRACKERS

    models = get_args(get_args(SourceSettings)[0])
    assert {model.model_fields["kind"].annotation.__args__[0] for model in models} == set(TRACKERS)
    assert {tracker.settings for tracker in TRACKERS.values()} == set(models)
