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
