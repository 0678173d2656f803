"""Each official Jira example payload maps to the whole expected record."""

from __future__ import annotations

import json

import pytest

from mapping import jira as jm
from mapping.model import ChangeRecord, CommentRecord, ItemRecord, MalformedPayload, MilestoneRecord
from tests.conftest import CONTRACTS

EXAMPLES = CONTRACTS / "jira"
BASE = "https://your-domain.atlassian.net"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def test_search_issue_maps_to_the_whole_record():
    payload = example("search-jql.json")["issues"][0]
    mapped = jm.map_issue(payload, source="j", base_url=BASE, requirement_types=["Story"])
    assert mapped.item == ItemRecord(
        source="j",
        id="10002",
        key="ED-1",
        url=f"{BASE}/browse/ED-1",
        kind="task",
        type="Task",
        title="Main order flow broken",
        body="Main order flow broken",
        status="In Progress",
        status_category="doing",
        created_at="2021-01-17T12:34:00Z",
        updated_at="2021-01-18T23:45:00Z",
        acceptance=None,
        cancelled=False,
        closed_at=None,
        assignee=None,
        reporter=None,
        labels=["bugfix", "blitz_test"],
        priority="Major",
        estimate=None,
        due_date="2019-05-11",
        milestone_id=None,  # its only fix version is released
        parent_key=None,
        raw=payload,
    )


def test_embedded_changelog_items_keyed_by_field_id_with_nulls():
    payload = example("search-jql.json")["issues"][0]
    changes = jm.map_changelog("10002", payload["changelog"]["histories"], source="j")
    assert changes[0] == ChangeRecord(
        source="j",
        item_id="10002",
        change_id="10002:0",
        at="2021-01-18T23:45:00Z",
        author="5b10a2844c20165700ede21g",
        field="status",
        from_value="To Do",
        to_value="In Progress",
        origin="tracker",
    )
    assert all(c.field for c in changes)


def test_paged_changelog_due_date_strings_become_dates():
    page = example("changelog-page.json")
    changes = jm.map_changelog("1", page["values"], source="j")
    due = next(c for c in changes if c.field == "due_date")
    assert (due.from_value, due.to_value) == ("2019-05-04", "2019-05-11")


def test_old_data_center_items_without_field_id_fall_back_to_the_display_name():
    history = {
        "id": "5",
        "created": "2026-11-01T10:00:00.000+0000",
        "author": {"name": "jdoe", "key": "JIRAUSER1"},
        "items": [
            {
                "field": "Fix Version",
                "from": None,
                "fromString": None,
                "to": "3",
                "toString": "2.0",
            },
            {"field": "summary", "fromString": "Old", "toString": "New"},
        ],
    }
    changes = jm.map_changelog("9", [history], source="j")
    assert [(c.field, c.from_value, c.to_value, c.author) for c in changes] == [
        ("milestone", None, "2.0", "jdoe"),
        ("title", "Old", "New", "jdoe"),
    ]


def test_comment_example_with_adf_body():
    payload = example("comment.json")
    comment = jm.map_comment(payload, source="j", issue_id="10010")
    assert comment == CommentRecord(
        source="j",
        id="10000",
        item_id="10010",
        author="5b10a2844c20165700ede21g",
        author_login="5b10a2844c20165700ede21g",
        body=payload["body"]["content"][0]["content"][0]["text"],
        created_at="2021-01-17T12:34:00Z",
        updated_at="2021-01-18T23:45:00Z",
        raw=payload,
    )


def test_version_example():
    payload = example("version.json")
    assert jm.map_version(payload, source="j", base_url=BASE, project="ED") == MilestoneRecord(
        source="j",
        id="10000",
        title="New Version 1",
        state="closed",
        start_date=None,
        due_date="2010-07-06",
        closed_at=None,
        url=f"{BASE}/projects/ED/versions/10000",
        kind="version",
        raw=payload,
    )


def test_milestone_is_the_earliest_due_unreleased_fix_version_else_the_open_sprint():
    versions = [
        {"id": "1", "released": True, "releaseDate": "2026-01-01"},
        {"id": "2", "released": False, "releaseDate": "2026-12-01"},
        {"id": "3", "released": False, "releaseDate": "2026-11-01"},
        {"id": "4", "released": False, "archived": True, "releaseDate": "2026-10-01"},
    ]
    assert jm.issue_milestone(versions, None) == "3"
    sprints = [{"id": 7, "state": "closed"}, {"id": 8, "state": "active"}]
    assert jm.issue_milestone([versions[0]], sprints) == "sprint-8"


@pytest.mark.parametrize(
    ("category", "resolution", "expected"),
    [
        ("new", None, ("todo", False)),
        ("indeterminate", None, ("doing", False)),
        ("done", "Done", ("done", False)),
        ("done", "Won't Do", ("done", True)),
    ],
)
def test_status_category_never_the_status_name(category, resolution, expected):
    payload = example("search-jql.json")["issues"][0]
    payload["fields"]["status"] = {"name": "Approved", "statusCategory": {"key": category}}
    payload["fields"]["resolution"] = {"name": resolution} if resolution else None
    item = jm.map_issue(payload, source="j", base_url=BASE).item
    assert (item.status_category, item.cancelled) == expected
    assert item.status == "Approved"


def test_adf_lists_mentions_and_breaks_become_text():
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Hi "},
                    {"type": "mention", "attrs": {"id": "x", "text": "@Mia"}},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "next"},
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "one"}]}
                        ],
                    }
                ],
            },
        ],
    }
    assert jm.rich_text(doc) == "Hi @Mia\nnext\n- one"


def test_issue_without_status_category_is_refused():
    payload = example("search-jql.json")["issues"][0]
    payload["fields"]["status"] = {"name": "Weird"}
    with pytest.raises(MalformedPayload):
        jm.map_issue(payload, source="j", base_url=BASE)
