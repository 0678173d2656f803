"""The run report: one JSON object (the public ``--json`` contract) or a human summary."""

from __future__ import annotations

import json
from typing import Any


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


SEVERITY_TITLES = {"high": "HIGH", "warning": "WARNING", "info": "INFO"}


def render_text(report: dict[str, Any]) -> str:
    """The human report: sources, then findings grouped by severity and source with the
    item's URL, then the writes."""
    lines = [
        f"tracker-sync run {report['started_at']} -> {report['finished_at']}"
        + (" (dry run)" if report["dry_run"] else "")
        + f", as of {report['as_of']}",
        "",
    ]
    lines += _table(
        ["source", "kind", "status", "requests", "items", "changes"],
        [
            [s["name"], s["kind"], s["status"], s["requests"], s["items"], s["changes"]]
            for s in report["sources"]
        ],
    )
    for source in report["sources"]:
        if source["error"]:
            lines.append(f"  ! {source['error']}")
    lines.append("")
    lines += render_findings(report.get("findings") or [])
    lines += render_writes(report.get("writes") or [], report["dry_run"])
    return "\n".join(lines)


def render_writes(writes: list[dict[str, Any]], dry_run: bool) -> list[str]:
    """What was (or would be) created, updated, resolved, deleted; in a dry run, every planned
    comment in full."""
    if not writes:
        return ["comments: nothing to write"]
    counts: dict[str, int] = {}
    for write in writes:
        counts[write["action"]] = counts.get(write["action"], 0) + 1
    verb = "planned (dry run, nothing sent)" if dry_run else "written"
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    lines = [f"comments {verb}: {summary}"]
    for write in writes:
        state = "" if dry_run else (" done" if write["done"] else " NOT DONE")
        error = f" ({write['error']})" if write.get("error") else ""
        lines.append(f"  {write['action']:<7} {write['source']} {write['item']}{state}{error}")
        if write.get("comment"):
            lines += ["    | " + line for line in write["comment"].splitlines()]
    return lines


def render_findings(findings: list[dict[str, Any]]) -> list[str]:
    if not findings:
        return ["findings: none"]
    lines = [f"findings: {len(findings)}"]
    for severity in ("high", "warning", "info"):
        group = [f for f in findings if f["severity"] == severity]
        if not group:
            continue
        lines.append(f"\n{SEVERITY_TITLES[severity]} ({len(group)})")
        for source in sorted({f["source"] for f in group}):
            lines.append(f"  {source}")
            for finding in (f for f in group if f["source"] == source):
                lines.append(f"    {finding['subject']}: {finding['summary']}")
                if finding.get("url"):
                    lines.append(f"      {finding['url']}")
    lines.append("")
    return lines


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
