"""The sentences of the three rules that judge the relationship with the client: an incomplete
requirement (what it lacks, and how to add each), scope creep (what was committed, what joined
and left, and when) and an unanswered client (who asked, when, what). Like ``explain``: dates,
never ages; tracker and configured values quoted; every other word from the catalogue."""

from __future__ import annotations

from typing import Any

from sync.rule_settings import RulesSettings

Blocks = list[tuple[str, Any]]


def _day(value: Any) -> str:
    return str(value or "")[:10]


def incomplete(finding: dict[str, Any], words: dict[str, str], rules: RulesSettings) -> Blocks:
    evidence = finding.get("evidence") or {}
    missing = list(evidence.get("missing") or [])
    names = words["sep"].join(words.get(f"element_{m}", m) for m in missing)
    started = evidence.get("work_started_at")
    why = words["incomplete_started" if started else "incomplete_waiting"].format(
        missing=names, day=_day(started or evidence.get("created_at"))
    )
    labels = words["sep"].join(
        words["quote"].format(label) for label in rules.incomplete_requirement.priority_labels[:2]
    )
    parts = words["part_sep"].join(
        words.get(f"fix_part_{m}", m).format(labels=labels) for m in missing
    )
    return [("para", why), ("note", words["fix_incomplete_requirement"].format(parts=parts))]


# a comment lists this many additions and removals: a milestone into which a backlog was
# moved would otherwise pass a tracker's comment size limit (GitHub 65,536 characters)
SHOWN_CHANGES = 20


def scope_creep(finding: dict[str, Any], words: dict[str, str], rules: RulesSettings) -> Blocks:
    evidence = finding.get("evidence") or {}
    committed = int(evidence.get("committed") or 0)
    size = words["scope_item"] if committed == 1 else words["scope_items"].format(n=committed)
    why = words["scope_summary"].format(
        milestone=words["quote"].format(evidence.get("milestone", "")),
        day=_day(evidence.get("commitment_time")),
        committed=size,
        undocumented=evidence.get("undocumented", 0),
        pct=round(float(evidence.get("ratio") or 0) * 100),
    )
    added, removed = evidence.get("added", []), evidence.get("removed", [])
    lines = [
        words["scope_added"].format(
            key=entry["key"],
            day=_day(entry["at"]),
            state=words["scope_documented" if entry["documented"] else "scope_undocumented"],
        )
        for entry in added[:SHOWN_CHANGES]
    ]
    for entry in removed[: max(0, SHOWN_CHANGES - len(lines))]:
        template = "scope_removed" if entry.get("at") else "scope_removed_undated"
        lines.append(words[template].format(key=entry["key"], day=_day(entry.get("at"))))
    if len(added) + len(removed) > len(lines):
        lines.append(words["scope_more"].format(n=len(added) + len(removed) - len(lines)))
    blocks: Blocks = [("para", why)]
    if lines:
        blocks.append(("bullets", lines))
    return [*blocks, ("note", words["fix_scope_creep"])]


def unanswered(finding: dict[str, Any], words: dict[str, str], rules: RulesSettings) -> Blocks:
    evidence = finding.get("evidence") or {}
    why = words["unanswered_summary"].format(
        who=words["quote"].format(evidence.get("who", "")), day=_day(evidence.get("asked_at"))
    )
    question = " ".join(str(evidence.get("question") or "").split())
    return [
        ("para", why),
        ("bullets", [words["quote"].format(question)]),
        ("note", words["fix_unanswered_client"]),
    ]


CLIENT_EXPLAINERS = {
    "incomplete_requirement": incomplete,
    "scope_creep": scope_creep,
    "unanswered_client": unanswered,
}
