"""The report is streamed from spools; what a script reads must be exactly what
``json.dumps(report, indent=2)`` gave before, and the human report keeps its grouping."""

from __future__ import annotations

import io
import json

from sync.report.run_report import write_json, write_text
from sync.spool import Spool

FINDINGS = [
    {"severity": "high", "source": "gh", "subject": "acme/portal#1", "summary": "Work started"},
    {"severity": "high", "source": "jira", "subject": "ACME-2", "summary": "Not confirmed"},
    {"severity": "warning", "source": "gh", "subject": "acme/portal#3", "summary": "Edited 中文"},
]
WRITES = [
    {"source": "gh", "item": "acme/portal#1", "action": "create", "done": False, "comment": "a\nb"}
]


def report(findings: list | Spool, writes: list | Spool) -> dict:
    return {
        "started_at": "2026-11-23T10:00:00Z",
        "finished_at": "2026-11-23T10:00:05Z",
        "dry_run": True,
        "as_of": "2026-11-23",
        "sources": [
            {
                "name": "gh",
                "kind": "github",
                "status": "ok",
                "requests": 3,
                "items": 2,
                "changes": 0,
                "error": None,
            }
        ],
        "findings": findings,
        "writes": writes,
    }


def test_streamed_json_is_byte_for_byte_the_plain_dump():
    for findings, writes in ((FINDINGS, WRITES), ([], [])):
        out = io.StringIO()
        write_json(report(Spool(findings), Spool(writes)), out)
        expected = json.dumps(report(findings, writes), ensure_ascii=False, indent=2) + "\n"
        assert out.getvalue() == expected


def test_human_report_groups_streamed_findings_by_severity_then_source():
    out = io.StringIO()
    write_text(report(Spool(FINDINGS), Spool(WRITES)), out)
    text = out.getvalue()
    assert "findings: 3\n\nHIGH (2)\n  gh\n    acme/portal#1: Work started\n  jira\n" in text
    assert "\nWARNING (1)\n  gh\n    acme/portal#3: Edited 中文\n" in text
    assert "comments planned (dry run, nothing sent): 1 create\n" in text
    assert "    | a\n    | b\n" in text
