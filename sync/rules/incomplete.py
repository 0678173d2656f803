"""incomplete_requirement: work started on (or ``grace_days`` passed for) a requirement that
lacks an element of ``required`` — acceptance criteria, a priority, a description, an estimate
(需求文档应包括需求描述、优先级、依赖关系和验收标准)."""

from __future__ import annotations

import json
import re
from datetime import date
from fnmatch import fnmatchcase

from sync.rules.facts import cutoff_of, older_than, parse_time
from sync.rules.finding import Finding
from sync.rules.requirements import RequirementState
from sync.settings import Settings
from sync.store import Store
from sync.store import milestone_queries as mq

RULE = "incomplete_requirement"
# What may stand before a heading's first word: Markdown heading, quote, list and bold marks.
_LEAD = re.compile(r"^[\s#>*_+\-]*(?:\d+[.)]\s*)?[\s*_]*")
_HEADING = re.compile(r"^\s*(#{1,6}\s|h[1-6]\.\s)")


def missing_elements(store: Store, settings: Settings, as_of: date) -> dict[tuple[str, str], list]:
    """(source, id) -> the required elements each open requirement lacks; complete ones are
    left out, so only the incomplete ones are held in memory."""
    rule = settings.rules.incomplete_requirement
    headings = tuple(h.casefold() for h in rule.acceptance_headings if h)
    unset = {p.casefold() for p in rule.unset_priorities}
    patterns = [p.casefold() for p in rule.priority_labels]
    missing: dict[tuple[str, str], list] = {}
    for (
        source,
        item_id,
        body,
        acceptance,
        priority,
        labels,
        estimate,
    ) in mq.open_requirement_element_rows(store, cutoff_of(as_of)):
        description, has_section = split_acceptance(body or "", headings)
        lacks = []
        for element in rule.required:
            if element == "acceptance":
                absent = not (acceptance or "").strip() and not has_section
            elif element == "priority":
                absent = (priority or "").strip().casefold() in unset and not any(
                    fnmatchcase(label.casefold(), p)
                    for label in json.loads(labels or "[]")
                    for p in patterns
                )
            elif element == "description":
                absent = len(description) < rule.min_description_chars
            else:
                absent = estimate is None
            if absent:
                lacks.append(element)
        if lacks:
            missing[(source, item_id)] = lacks
    return missing


def split_acceptance(body: str, headings: tuple[str, ...]) -> tuple[str, bool]:
    """The body's text outside its acceptance section, and whether it has one: a line that
    begins, after Markdown marks, with an acceptance heading; the section ends at the next
    Markdown heading."""
    outside: list[str] = []
    found = inside = False
    for line in body.splitlines():
        lead = _LEAD.sub("", line).casefold()
        if headings and lead.startswith(headings):
            found = inside = True
            continue
        if inside and _HEADING.match(line):
            inside = False
        if not inside:
            outside.append(line)
    return " ".join(" ".join(outside).split()), found


def incomplete_finding(
    state: RequirementState, lacks: list | None, settings: Settings, as_of: date
) -> Finding | None:
    if not lacks:
        return None
    rule = settings.rules.incomplete_requirement
    item = state.item
    age_days = (as_of - parse_time(item.created_at).date()).days
    if not state.work_started and not older_than(item.created_at, rule.grace_days, as_of):
        return None
    summary = "Requirement lacks " + ", ".join(lacks)
    summary += " (work has started)" if state.work_started else f" after {age_days} days"
    evidence = {
        "missing": list(lacks),
        "work_started_at": state.work_started_at,
        "created_at": item.created_at,
    }
    return Finding.about_item(RULE, item, "warning", summary, evidence)
