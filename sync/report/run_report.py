"""The run report: one JSON object (the public ``--json`` contract) or a human summary."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from itertools import groupby
from typing import Any, TextIO
from unicodedata import east_asian_width

from sync.report.problem_text import chat_text, problem_text
from sync.rule_settings import RulesSettings
from sync.spool import Spool
from sync.writeback.catalogue import CATALOGUE
from sync.writeback.explain import EXPLAINERS, finding_blocks


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


def write_text(
    report: dict[str, Any],
    out: TextIO,
    language: str = "en",
    rules: RulesSettings | None = None,
) -> None:
    for line in text_lines(report, language, rules):
        out.write(line + "\n")


def text_lines(
    report: dict[str, Any], language: str = "en", rules: RulesSettings | None = None
) -> Iterator[str]:
    """The human report, in ``language``: sources, then findings grouped by severity and
    source with the item's URL, then the writes; line by line, reading the spools as it
    goes. Tracker names, keys and error messages are shown as they are."""
    words = CATALOGUE[language]
    yield words["report_run"].format(
        started=report["started_at"],
        finished=report["finished_at"],
        dry=words["report_dry"] if report["dry_run"] else "",
        as_of=report["as_of"],
    )
    yield ""
    yield from _table(
        words["report_columns"].split("|"),
        [
            [
                s["name"],
                s["kind"],
                words.get(f"status_{s['status']}", s["status"]),
                s["requests"],
                s["items"],
                s["changes"],
            ]
            for s in report["sources"]
        ],
    )
    for source in report["sources"]:
        if source["error"]:
            kind, facts = source.get("error_kind"), source.get("error_facts")
            yield f"  ! {problem_text(kind, facts, words, source['error'])}"
    yield ""
    findings = report.get("findings") or []
    yield from finding_lines(_Open(findings), words, report["as_of"], rules)
    yield from acknowledged_lines(findings, words)
    yield from write_lines(report.get("writes") or [], report["dry_run"], words)
    yield from notification_lines(report.get("notifications") or [], words)


def write_lines(
    writes: Iterable[dict[str, Any]], dry_run: bool, words: dict[str, str] = CATALOGUE["en"]
) -> Iterator[str]:
    """What was (or would be) created, updated, resolved, deleted, with what was done and
    what was not counted apart; in a dry run, every planned comment in full."""
    counts = Counter(write["action"] for write in writes)
    if not counts:
        yield words["report_no_writes"]
        return
    actions = words["sep"].join(
        words["report_action"].format(n=n, action=words.get(f"action_{action}", action))
        for action, n in sorted(counts.items())
    )
    if dry_run:
        yield words["report_planned"].format(actions=actions)
    else:
        done = sum(1 for write in writes if write["done"])
        total = counts.total()
        yield words["report_counts"].format(
            total=total, done=done, not_done=total - done, actions=actions
        )
    for write in writes:
        action = words.get(f"action_{write['action']}", write["action"])
        state = _state(write, dry_run, words)
        action += " " * (7 - _width(action))  # a CJK character takes two columns
        yield f"  {action} {write['source']} {write['item']}{state}"
        if write.get("comment"):
            yield from ("    | " + line for line in write["comment"].splitlines())


def notification_lines(
    channels: list[dict[str, Any]], words: dict[str, str] = CATALOGUE["en"]
) -> Iterator[str]:
    """Each chat channel's outcome; in a dry run, each message as it would be posted."""
    if not channels:
        return
    yield words["report_chats"]
    for channel in channels:
        error = chat_text(channel.get("error_kind"), channel.get("error_facts"), words, None)
        error = error or channel.get("error")
        error = words["report_error"].format(error) if error else ""
        status = words.get(f"chat_{channel['status']}", channel["status"])
        yield f"  {channel['name']:<10} {channel['kind']:<8} {status}{error}"
        if channel.get("message"):
            yield from ("    | " + line for line in channel["message"].splitlines())


def _state(write: dict[str, Any], dry_run: bool, words: dict[str, str]) -> str:
    if dry_run:
        return ""
    if write.get("deleted_comment"):
        return " " + words["report_deleted"]
    if write.get("refused"):
        return " " + words["report_refused"]
    if write.get("deferred"):
        return " " + words["report_deferred"]
    if write.get("error"):
        error = problem_text(write.get("error_kind"), write.get("error_facts"), words, None)
        error = words["report_error"].format(error or write["error"])
        return f" {words['report_not_done']}{error}"
    return " " + words["report_done" if write["done"] else "report_not_done"]


def finding_lines(
    findings: Iterable[dict[str, Any]],
    words: dict[str, str] = CATALOGUE["en"],
    as_of: str = "",
    rules: RulesSettings | None = None,
) -> Iterator[str]:
    """Findings arrive sorted by severity, then source (as the rules return them), so the
    groups are read in one pass after a first pass counts them."""
    rules = rules or RulesSettings()  # the configured ones explain the findings; built once
    counts = Counter(f["severity"] for f in findings)
    if not counts:
        yield words["report_no_findings"]
        return
    yield words["report_findings"].format(n=counts.total())
    for severity, group in groupby(findings, key=lambda f: f["severity"]):
        title = words.get(f"report_severity_{severity}", severity.upper())
        yield "\n" + words["report_group"].format(title=title, n=counts[severity])
        for source, per_source in groupby(group, key=lambda f: f["source"]):
            yield f"  {source}"
            for finding in per_source:
                text = one_line(finding, words, as_of, rules)
                yield "    " + words["report_finding"].format(subject=finding["subject"], text=text)
                if finding.get("url"):
                    yield f"      {finding['url']}"
    yield ""


class _Open:
    """The findings no ack covers, readable twice like the spool they come from."""

    def __init__(self, findings: Iterable[dict[str, Any]]) -> None:
        self.findings = findings

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (f for f in self.findings if not f.get("acknowledged"))


def acknowledged_lines(
    findings: Iterable[dict[str, Any]], words: dict[str, str] = CATALOGUE["en"]
) -> Iterator[str]:
    """Acknowledged findings, apart: who, until when, why."""
    acked = [f for f in findings if f.get("acknowledged")]
    if not acked:
        return
    yield words["report_acknowledged"].format(n=len(acked))
    for finding in acked:
        ack = finding["acknowledged"]
        by, reason = ack.get("by") or ack.get("origin"), ack.get("reason")
        if not ack.get("by") and ack.get("origin") == "deleted_comment":  # our words, not a
            by, reason = words["report_acked_deleted_by"], words["report_acked_deleted_why"]
        reason = f"{words['dash']}{reason}" if reason else ""  # person's: said as they are
        name = words.get(f"rule_{finding['rule']}", finding["rule"])
        line = words["report_acked_line"].format(by=by, until=ack.get("until"), reason=reason)
        subject = f"{finding['source']} {finding['subject']}"
        text = name + words["dash"] + line
        yield "  " + words["report_finding"].format(subject=subject, text=text)
    yield ""


def one_line(
    finding: dict[str, Any], words: dict[str, str], as_of: str, rules: RulesSettings
) -> str:
    """The rule's name and why it was raised, from the catalogue (not the English summary)."""
    if finding.get("rule") not in EXPLAINERS:  # a rule without its sentences yet
        return str(finding.get("summary") or "")
    age = (finding.get("evidence") or {}).get("age_days")
    if as_of and isinstance(age, int):
        finding = {
            **finding,
            "item_created": (date.fromisoformat(as_of) - timedelta(age)).isoformat(),
        }
    blocks = finding_blocks(finding, words, rules)
    why = next((value for kind, value in blocks if kind == "para"), "")
    if why.endswith((":", "：")):  # a milestone: its first reason completes the sentence
        reasons = next((value for kind, value in blocks if kind == "bullets"), [""])
        why = why + (" " if why.endswith(":") else "") + reasons[0]
    name = words.get(f"rule_{finding['rule']}", finding["rule"])
    return f"{name}{words['dash']}{why}" if why else name


def _width(text: str) -> int:
    """Columns on a terminal: a CJK character takes two."""
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]
    return [
        "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
