"""Real-shaped tracker text mapped as a person reads it: ADF nodes from the ADF schema, Jira's
"No Category" status, keys and URLs beside Chinese text, PingCode tag activities and hidden
markers, damaged JSON text."""

from __future__ import annotations

import copy
import json

import pytest

from connectors.clean import clean_json
from mapping import jira as jm
from mapping import worktile as wm
from mapping.keys import mentioned_keys
from tests.conftest import CONTRACTS


def paragraph(*content: dict) -> dict:
    return {"type": "paragraph", "content": list(content)}


def text(value: str) -> dict:
    return {"type": "text", "text": value}


# Node shapes as the ADF schema (doc_node.json) defines them.
ADF_DOC = {
    "type": "doc",
    "version": 1,
    "content": [
        paragraph(
            text("Owner "),
            {"type": "mention", "attrs": {"id": "5b10ac8d82e05b22cc7d4ef5", "text": "@Ada"}},
            text(" by "),
            {"type": "date", "attrs": {"timestamp": "1794960000000"}},
            text(" is "),
            {
                "type": "status",
                "attrs": {"text": "IN REVIEW", "color": "blue", "localId": "s1", "style": ""},
            },
        ),
        {
            "type": "taskList",
            "attrs": {"localId": "t"},
            "content": [
                {
                    "type": "taskItem",
                    "attrs": {"localId": "t1", "state": "TODO"},
                    "content": [text("验收：导出 PDF")],
                },
                {
                    "type": "taskItem",
                    "attrs": {"localId": "t2", "state": "DONE"},
                    "content": [text("Sign-off")],
                },
            ],
        },
        {
            "type": "decisionList",
            "attrs": {"localId": "d"},
            "content": [
                {
                    "type": "decisionItem",
                    "attrs": {"localId": "d1", "state": "DECIDED"},
                    "content": [text("CSV first")],
                }
            ],
        },
        {
            "type": "expand",
            "attrs": {"title": "Acceptance criteria"},
            "content": [paragraph(text("Given an order"))],
        },
        paragraph(
            text("详见"),
            {"type": "inlineCard", "attrs": {"url": "https://acme.atlassian.net/browse/ACME-31"}},
            text("。"),
        ),
        {"type": "blockCard", "attrs": {"url": "https://github.com/acme/portal/issues/12"}},
    ],
}


def test_adf_nodes_that_carry_text_read_as_a_person_sees_them():
    assert jm.rich_text(ADF_DOC) == (
        "Owner @Ada by 2026-11-18 is IN REVIEW\n"
        "- [ ] 验收：导出 PDF\n"
        "- [x] Sign-off\n"
        "- CSV first\n"
        "Acceptance criteria\n"
        "Given an order\n"
        "详见https://acme.atlassian.net/browse/ACME-31。\n"
        "https://github.com/acme/portal/issues/12"
    )


def test_smart_links_in_a_description_link_their_items():
    payload = json.loads((CONTRACTS / "jira" / "search-jql.json").read_text())["issues"][0]
    payload = copy.deepcopy(payload)
    payload["fields"]["description"] = ADF_DOC
    mapped = jm.map_issue(payload, source="j", base_url="https://acme.atlassian.net")
    named = {link.target_key for link in mapped.links if link.type == "mentions"}
    assert {"ACME-31", "acme/portal#12"} <= named


def test_the_undefined_status_category_is_todo():
    payload = copy.deepcopy(
        json.loads((CONTRACTS / "jira" / "search-jql.json").read_text())["issues"][0]
    )
    payload["fields"]["status"] = {
        "id": "10100",
        "name": "Triage",
        "statusCategory": {
            "id": 1,
            "key": "undefined",
            "colorName": "medium-gray",
            "name": "No Category",
        },
    }
    item = jm.map_issue(payload, source="j", base_url="https://acme.atlassian.net").item
    assert (item.status, item.status_category, item.closed_at) == ("Triage", "todo", None)


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("ACME-7接口联调", {"ACME-7"}),
        ("详见ACME-31。", {"ACME-31"}),
        ("（ACME-12）", {"ACME-12"}),
        ("JL-12运价接口", {"JL-12"}),
        ("XACME-12", {"XACME-12"}),  # names no ACME item
        ("ACME-12x", set()),
        ("https://acme.atlassian.net/browse/ACME-12", {"ACME-12"}),
        ("https://github.com/acme/portal/issues/12。", {"acme/portal#12"}),
        ("https://github.com/acme/portal/pull/3#issuecomment-9", {"acme/portal#3"}),
        (
            "见 https://acme.pingcode.com/pjm/workitems/aB12cD34，",
            {"https://acme.pingcode.com/pjm/workitems/aB12cD34"},
        ),
        ("修复#4", {"acme/portal#4"}),
    ],
)
def test_keys_count_where_latin_letters_and_digits_end(written, named):
    assert mentioned_keys(written, repo="acme/portal") == named


def test_a_tag_activity_is_a_change_per_tag():
    activity = {
        "id": "a1",
        "created_at": 1795046400,
        "created_by": {"id": "u1", "name": "client-pm"},
        "content": {
            "property_key": "tags",
            "origin": [{"id": "t1", "name": "移动端"}, {"id": "t3", "name": "旧"}],
            "target": [{"id": "t1", "name": "移动端"}, {"id": "t2", "name": "需求已确认"}],
        },
    }
    changes = wm.map_activity_changes(activity, source="pc", item_id="i1")
    assert [(c.change_id, c.field, c.from_value, c.to_value) for c in changes] == [
        ("activity:a1:+需求已确认", "labels", None, "需求已确认"),
        ("activity:a1:-旧", "labels", "旧", None),
    ]


def test_a_hidden_marker_outlives_html_and_other_comments_do_not():
    body = wm.html_to_text(
        "<p>已确认</p><!-- tracker-sync:v1 item=SCR-1 digest=ab12 --><!-- 内部备注 confirmed -->"
    )
    assert body == "已确认<!-- tracker-sync:v1 item=SCR-1 digest=ab12 -->"


def test_lone_surrogates_and_nul_are_cleaned_and_pairs_kept():
    raw = b'{"body": "a\\ud800b\\u0000c \\ud83d\\ude00", "n": [1, "\\udfff"]}'
    assert clean_json(json.loads(raw), raw) == {"body": "a\ufffdbc \U0001f600", "n": [1, "\ufffd"]}
    plain = b'{"body": "fine"}'
    data = json.loads(plain)
    assert clean_json(data, plain) is data


def test_a_link_mark_names_its_item_though_its_text_says_other_words():
    payload = copy.deepcopy(
        json.loads((CONTRACTS / "jira" / "search-jql.json").read_text())["issues"][0]
    )
    link = {"type": "link", "attrs": {"href": "https://acme.atlassian.net/browse/ACME-40"}}
    payload["fields"]["description"] = {
        "type": "doc",
        "version": 1,
        "content": [paragraph(text("按"), {"type": "text", "text": "需求说明", "marks": [link]})],
    }
    mapped = jm.map_issue(payload, source="j", base_url="https://acme.atlassian.net")
    assert mapped.item.body == "按需求说明"
    assert "ACME-40" in {link.target_key for link in mapped.links}


def test_a_pingcode_link_names_its_work_item_though_its_text_says_other_words():
    payload = json.loads((CONTRACTS / "worktile" / "work-item.json").read_text())
    url = "https://acme.pingcode.com/pjm/workitems/aB12cD34"
    payload["description"] = f'<p>详见<a href="{url}">运价需求</a>。</p>'
    mapped = wm.map_work_item(payload, source="pc", type_id="task")
    assert mapped.item.body == "详见运价需求。"
    assert url in {link.target_key for link in mapped.links}
