"""The run report: one JSON object (the public ``--json`` contract) or a human summary."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any, TextIO

from sync.spool import Spool


def write_json(report: dict[str, Any], out: TextIO) -> None:
    """The report as ``json.dumps(report, indent=2)`` would print it, written as it is read:
    the findings and writes come from spools and are never all in memory."""
    out.write("{")
    for n, (name, value) in enumerate(report.items()):
        out.write(("," if n else "") + f"\n  {json.dumps(name)}: ")
        if isinstance(value, Spool | list) and value:
            for m, entry in enumerate(value):
                text = json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n    ")
                out.write(("," if m else "[") + "\n    " + text)
            out.write("\n  ]")
        else:
            text = json.dumps(
                [] if isinstance(value, Spool) else value, ensure_ascii=False, indent=2
            )
            out.write(text.replace("\n", "\n  "))
    out.write("\n}\n")


def write_json_line(report: dict[str, Any], out: TextIO) -> None:
    """The same object on one line (``--daemon --json``: one report per cycle, per line)."""
    whole = {k: list(v) if isinstance(v, Spool) else v for k, v in report.items()}
    out.write(json.dumps(whole, ensure_ascii=False, separators=(",", ":")) + "\n")
    out.flush()


SEVERITY_TITLES = {"high": "HIGH", "warning": "WARNING", "info": "INFO"}


def write_text(report: dict[str, Any], out: TextIO) -> None:
    for line in text_lines(report):
        out.write(line + "\n")


def text_lines(report: dict[str, Any]) -> Iterator[str]:
    """The human report: sources, then findings grouped by severity and source with the
    item's URL, then the writes; line by line, reading the spools as it goes."""
    yield (
        f"tracker-sync run {report['started_at']} -> {report['finished_at']}"
        + (" (dry run)" if report["dry_run"] else "")
        + f", as of {report['as_of']}"
    )
    yield ""
    yield from _table(
        ["source", "kind", "status", "requests", "items", "changes"],
        [
            [s["name"], s["kind"], s["status"], s["requests"], s["items"], s["changes"]]
            for s in report["sources"]
        ],
    )
    for source in report["sources"]:
        if source["error"]:
            yield f"  ! {source['error']}"
    yield ""
    yield from finding_lines(report.get("findings") or [])
    yield from write_lines(report.get("writes") or [], report["dry_run"])


def write_lines(writes: Iterable[dict[str, Any]], dry_run: bool) -> Iterator[str]:
    """What was (or would be) created, updated, resolved, deleted; in a dry run, every planned
    comment in full."""
    counts = Counter(write["action"] for write in writes)
    if not counts:
        yield "comments: nothing to write"
        return
    verb = "planned (dry run, nothing sent)" if dry_run else "written"
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    yield f"comments {verb}: {summary}"
    for write in writes:
        state = "" if dry_run else (" done" if write["done"] else " NOT DONE")
        error = f" ({write['error']})" if write.get("error") else ""
        yield f"  {write['action']:<7} {write['source']} {write['item']}{state}{error}"
        if write.get("comment"):
            yield from ("    | " + line for line in write["comment"].splitlines())


def finding_lines(findings: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Findings arrive sorted by severity, then source (as the rules return them), so the
    groups are read in one pass after a first pass counts them."""
    counts = Counter(f["severity"] for f in findings)
    if not counts:
        yield "findings: none"
        return
    yield f"findings: {counts.total()}"
    for severity, group in groupby(findings, key=lambda f: f["severity"]):
        yield f"\n{SEVERITY_TITLES.get(severity, severity.upper())} ({counts[severity]})"
        for source, per_source in groupby(group, key=lambda f: f["source"]):
            yield f"  {source}"
            for finding in per_source:
                yield f"    {finding['subject']}: {finding['summary']}"
                if finding.get("url"):
                    yield f"      {finding['url']}"
    yield ""


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
