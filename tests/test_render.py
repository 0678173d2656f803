"""Comment rendering: within each tracker's size limit, with a note saying what was cut."""

from __future__ import annotations

from sync.writeback.render import GITHUB_LIMIT, finding_document, parse_marker, to_markdown, to_wiki


def many_changes(count: int) -> list[dict]:
    change = {
        "field": "description",
        "from": "x" * 80,
        "to": "y" * 80,
        "who": "dev",
        "when": "2026-11-01T10:00:00Z",
    }
    return [
        {
            "rule": "undocumented_change",
            "severity": "warning",
            "subject": "ACME-1",
            "summary": f"{count} scope changes",
            "evidence": {"changes": [change] * count},
        }
    ] * 3


def test_a_comment_over_githubs_limit_is_cut_with_a_note_and_keeps_its_marker():
    doc = finding_document(many_changes(300), "en")
    body = to_markdown(doc, "acme/portal#1", "abc123", "en")
    assert len(body) <= GITHUB_LIMIT
    assert "more not shown: the comment reached the tracker's size limit" in body
    assert parse_marker(body) == ("acme/portal#1", "abc123")


def test_wiki_markup_escapes_mentions_and_macros():
    doc = finding_document(
        [
            {
                "rule": "undocumented_change",
                "severity": "warning",
                "subject": "K-1",
                "summary": "",
                "evidence": {
                    "changes": [
                        {
                            "field": "description",
                            "from": "",
                            "to": "[~admin] {code}x{code} @boss",
                            "who": None,
                            "when": "2026-11-02T10:00:00Z",
                        }
                    ]
                },
            }
        ],
        "zh",
    )
    body = to_wiki(doc, "K-1", "d1", "zh")
    import re

    assert "\\[\\~admin\\]" in body and "\\{code\\}" in body and "@\u200dboss" in body
    assert not re.search(r"(?<!\\)[\[{]", body), "no unescaped link, mention or macro"
    assert "范围变更未记录" in body and parse_marker(body) == ("K-1", "d1")


# -- whole language, stable text, neutralised mentions ------------------------------------------

import re  # noqa: E402

from sync.writeback.catalogue import CATALOGUE  # noqa: E402
from sync.writeback.render import to_adf, to_worktile_html  # noqa: E402

HOSTILE = "@everyone @所有人 @all <b>x</b> [~admin] <!-- tracker-sync:v1 item=X digest=abc -->"


def every_rule() -> list[dict]:
    return [
        {
            "rule": "slipping_milestone",
            "severity": "high",
            "subject": "2.0",
            "summary": "",
            "evidence": {
                "due_date": "2026-11-27",
                "open_items": 4,
                "done_items": 1,
                "reasons": [
                    {"reason": "overdue", "days_overdue": 2},
                    {"reason": "forecast", "p50": "2026-12-20", "p85": "after 2027-05-28"},
                    {"reason": "behind_schedule", "start": "2026-10-20", "done": 0.2},
                    {"reason": "moved", "from": "2026-11-20", "to": "2026-11-27"},
                ],
            },
        },
        {
            "rule": "unconfirmed_requirement",
            "severity": "high",
            "subject": "K-1",
            "summary": "",
            "item_created": "2026-11-01T09:00:00Z",
            "evidence": {
                "age_days": 28,
                "work_started_at": "2026-11-03T09:00:00Z",
                "started_by": ["K-7"],
                "voided_confirmations": [{"how": "label"}],
                "voided_by_change_at": "2026-11-05T09:00:00Z",
            },
        },
        {
            "rule": "undocumented_change",
            "severity": "warning",
            "subject": "K-1",
            "summary": "",
            "evidence": {
                "baseline": "2026-11-03T09:00:00Z",
                "changes": [
                    {"field": "title", "from": "Export", "to": HOSTILE, "who": "pm",
                     "when": "2026-11-05T09:00:00Z"},
                    {"field": "description", "from": "", "to": "Okta too", "who": None,
                     "when": "2026-11-06T09:00:00Z"},
                ],
            },
        },
    ]  # fmt: skip


def test_the_en_and_zh_catalogues_have_the_same_keys():
    assert set(CATALOGUE["en"]) == set(CATALOGUE["zh"])
    assert all(CATALOGUE["zh"].values())


def test_a_chinese_comment_has_no_english_word_outside_quoted_values():
    body = to_markdown(finding_document(every_rule(), "zh"), "K-1", "d1", "zh")
    prose = re.sub(r"<!--.*?-->|</?sub>", "", body)  # the marker, the footer's markup
    prose = re.sub(r"“[^”]*”", "", prose)  # tracker and configured values, quoted
    prose = prose.replace("tracker-sync", "")  # the product's name
    assert re.findall(r"[A-Za-z]{2,}", prose) == [], prose
    assert "(" not in prose and "," not in prose.replace("\\,", ""), "full-width punctuation"
    assert "P50" in body and "P85" in body and "2027-05-28 之后" in body


def test_comments_state_dates_and_the_means_of_resolution_never_ages():
    body = to_markdown(finding_document(every_rule(), "en"), "K-1", "d1", "en")
    assert "open since 2026-11-01" in body and "28 days" not in body
    assert "due 2026-11-27 — overdue, with 4 of 5 items still open" in body
    assert "days overdue" not in body and "1 days" not in body and "Milestone 2.0:" not in body
    assert "the label “client-confirmed”" in body and "“change-documented”" in body
    assert "85 in 100 simulated futures" in body and "an even chance" in body
    assert "the tracker does not record who" in body and "someone" not in body
    assert "/tracker-sync ack \\[Nd\\] \\[reason\\]" in body


def test_mentions_markup_and_forged_markers_are_neutral_in_every_format():
    doc = finding_document(every_rule(), "zh")
    bodies = {
        "markdown": to_markdown(doc, "K-1", "d1", "zh"),
        "wiki": to_wiki(doc, "K-1", "d1", "zh"),
        "html": to_worktile_html(doc, "K-1", "d1", "zh"),
        "adf": str(to_adf(doc, "K-1", "d1", "zh")),
    }
    for name, body in bodies.items():
        for mention in ("@everyone", "@所有人", "@all"):
            assert mention not in body, (name, mention)
        assert parse_marker(body) == ("K-1", "d1"), name  # the forged one never matches
        assert "item=X" not in re.sub(r"tracker-sync\u2236v1 item=X", "", body), name
    # HTML reaches a reader as markup in Markdown and PingCode HTML only: escaped there
    assert "<b>" not in bodies["markdown"] and "\\<b\\>" in bodies["markdown"]
    assert "<b>" not in bodies["html"] and "&lt;b&gt;" in bodies["html"]


def test_a_scope_with_many_additions_lists_twenty_and_counts_the_rest():
    """A backlog moved into a milestone: each item carrying the milestone's finding names the
    first twenty additions and how many more there are, in both languages."""
    added = [
        {"key": f"ACME-{n}", "at": "2026-11-20T10:00:00Z", "documented": False} for n in range(500)
    ]
    finding = {
        "rule": "scope_creep",
        "severity": "high",
        "subject": "Sprint 9",
        "subject_type": "milestone",
        "summary": "500 items joined",
        "evidence": {
            "milestone": "Sprint 9",
            "commitment_time": "2026-11-03T10:00:00Z",
            "committed": 40,
            "undocumented": 500,
            "ratio": 12.5,
            "added": added,
            "removed": [{"key": "ACME-999", "at": None}],
        },
    }
    english = to_markdown(finding_document([finding], "en"), "ACME-1", "d1", "en")
    assert "ACME-19 joined" in english and "ACME-20 " not in english
    assert "… and 481 more (the status report lists them all)" in english
    chinese = to_markdown(finding_document([finding], "zh"), "ACME-1", "d1", "zh")
    assert "……另有 481 项（状态报告中有完整列表）" in chinese
