"""``tracker-sync status``: the store at a glance, for a person at a terminal. Each source's
last pull, the last runs, open findings by rule and severity, and acknowledgements in force
(when there are any). Reads only: never creates, migrates or locks the store."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sync.rules.finding import SEVERITY_ORDER


def status_lines(path: str, status: dict[str, Any]) -> Iterator[str]:
    yield f"store {path}"
    yield from _source_lines(status["sources"])
    yield from _run_lines(status["runs"])
    yield from _finding_lines(status["findings"])
    yield from _rule_lines(status.get("by_rule") or [])
    if status["acks"]:
        yield f"acknowledged: {status['acks']}"


def _source_lines(sources: list[dict[str, Any]]) -> Iterator[str]:
    if not sources:
        yield "sources: none pulled yet"
        return
    yield "sources (last pull):"
    width = max(len(s["name"]) for s in sources)
    for source in sources:
        state = source["last_run_status"] or "never"
        when = source["last_run_at"] or "-"
        line = f"  {source['name']:<{width}}  {source['kind']:<8}  {state:<11}  {when}"
        yield line.rstrip()
        if source["last_error"] and state != "ok":
            yield f"    ! {source['last_error']}"


def _run_lines(runs: list[dict[str, Any]]) -> Iterator[str]:
    if not runs:
        yield "runs: none yet"
        return
    yield "last runs:"
    for run in runs:
        mode = " (dry run)" if run["dry_run"] else ""
        code = "" if run["exit_code"] is None else f", exit {run['exit_code']}"
        yield (
            f"  #{run['id']}  {run['started_at']} -> {run['finished_at'] or '…'}"
            f"  {run['status']}{code}{mode}, as of {run['as_of']}"
        )


def _finding_lines(findings: list[dict[str, Any]]) -> Iterator[str]:
    total = sum(row["open"] for row in findings)
    yield f"open findings: {total}"
    rank = len(SEVERITY_ORDER)
    for rule, rows in groupby(findings, key=lambda row: row["rule"]):
        ordered = sorted(rows, key=lambda row: SEVERITY_ORDER.get(row["severity"], rank))
        counts = ", ".join(f"{row['severity']} {row['open']}" for row in ordered)
        yield f"  {rule}: {counts}"


def _rule_lines(rows: list[dict[str, Any]]) -> Iterator[str]:
    """Per source and rule: open, acknowledged (of the open), resolved in the last 7 days."""
    if not rows:
        return
    yield "findings by source and rule (open, acked, resolved in the last 7 days):"
    source_width = max(len(row["source"]) for row in rows)
    rule_width = max(len(row["rule"]) for row in rows)
    for row in rows:
        yield (
            f"  {row['source']:<{source_width}}  {row['rule']:<{rule_width}}"
            f"  open {row['open']}, acked {row['acknowledged']}, resolved {row['resolved']}"
        )
