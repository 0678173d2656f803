"""The comment sections of the client-relationship rules (incomplete requirement, scope
creep, unanswered client), in English and Chinese: their catalogue entries and one builder per
rule, turning a finding's evidence into the sentence, the evidence lines and what resolves it.
Self-contained, so the catalogue can move without touching the rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Section = tuple[str, list[str], str]  # summary, evidence lines, what resolves it

TEXT = {
    "en": {
        "incomplete_requirement": "Incomplete requirement",
        "scope_creep": "Scope creep",
        "unanswered_client": "Unanswered client question",
        "elements": {
            "acceptance": "acceptance criteria",
            "priority": "priority",
            "description": "description",
            "estimate": "estimate",
        },
        "incomplete_started": "This requirement lacks {missing}, and work on it started on {day}.",
        "incomplete_waiting": "This requirement lacks {missing}; it is open since {day}.",
        "fix_parts": {
            "acceptance": "add an 'Acceptance' section or fill the Acceptance Criteria field",
            "priority": "set a priority (or a priority label such as P1)",
            "description": "describe the requirement in its description",
            "estimate": "give it an estimate",
        },
        "fix_incomplete": "To resolve: {parts}.",
        "scope_summary": "Milestone “{milestone}” was committed on {day} with {committed} "
        "items; {undocumented} joined it since with no change request ({pct}% of the "
        "committed scope).",
        "scope_added": "{key} joined on {day} — {state}",
        "scope_documented": "documented",
        "scope_undocumented": "no change request",
        "scope_removed": "{key} left on {day}",
        "scope_removed_undated": "{key} left the milestone",
        "fix_scope_creep": "To resolve: link a change request to the added items or move "
        "them out of the milestone.",
        "unanswered_summary": "The client ({who}) asked on {day} and nobody from the team has "
        "answered yet:",
        "fix_unanswered_client": "To resolve: answer the client in a comment on this item.",
    },
    "zh": {
        "incomplete_requirement": "需求不完整",
        "scope_creep": "范围蔓延",
        "unanswered_client": "客户问题未答复",
        "elements": {
            "acceptance": "验收标准",
            "priority": "优先级",
            "description": "需求描述",
            "estimate": "估算",
        },
        "incomplete_started": "本需求缺少{missing}，而工作已于 {day} 开始。",
        "incomplete_waiting": "本需求缺少{missing}；自 {day} 起未完善。",
        "fix_parts": {
            "acceptance": "添加“验收”（Acceptance）段落或填写验收标准字段",
            "priority": "设置优先级（或 P1 等优先级标签）",
            "description": "在描述中写明需求",
            "estimate": "填写估算",
        },
        "fix_incomplete": "解决方法：{parts}。",
        "scope_summary": "里程碑“{milestone}”于 {day} 承诺了 {committed} 个事项；此后有 "
        "{undocumented} 个事项未经变更申请加入（占承诺范围的 {pct}%）。",
        "scope_added": "{key} 于 {day} 加入——{state}",
        "scope_documented": "已记录变更",
        "scope_undocumented": "无变更申请",
        "scope_removed": "{key} 于 {day} 移出",
        "scope_removed_undated": "{key} 已移出该里程碑",
        "fix_scope_creep": "解决方法：为新加入的事项关联变更申请，或将其移出该里程碑。",
        "unanswered_summary": "客户（{who}）于 {day} 提问，团队尚未答复：",
        "fix_unanswered_client": "解决方法：在本事项的评论中答复客户。",
    },
}


def _day(stamp: Any) -> str:
    return str(stamp or "")[:10]


def incomplete_section(evidence: dict[str, Any], language: str) -> Section:
    words = TEXT[language]
    missing = evidence.get("missing") or []
    joiner = "、" if language == "zh" else ", "
    names = joiner.join(words["elements"].get(m, m) for m in missing)
    if evidence.get("work_started_at"):
        summary = words["incomplete_started"].format(
            missing=names, day=_day(evidence["work_started_at"])
        )
    else:
        summary = words["incomplete_waiting"].format(
            missing=names, day=_day(evidence.get("created_at"))
        )
    parts = ("；" if language == "zh" else "; ").join(words["fix_parts"].get(m, m) for m in missing)
    return summary, [], words["fix_incomplete"].format(parts=parts)


def scope_creep_section(evidence: dict[str, Any], language: str) -> Section:
    words = TEXT[language]
    summary = words["scope_summary"].format(
        milestone=evidence.get("milestone", ""),
        day=_day(evidence.get("commitment_time")),
        committed=evidence.get("committed", 0),
        undocumented=evidence.get("undocumented", 0),
        pct=round(float(evidence.get("ratio") or 0) * 100),
    )
    lines = [
        words["scope_added"].format(
            key=a["key"],
            day=_day(a["at"]),
            state=words["scope_documented" if a["documented"] else "scope_undocumented"],
        )
        for a in evidence.get("added", [])
    ]
    for removed in evidence.get("removed", []):
        template = "scope_removed" if removed.get("at") else "scope_removed_undated"
        lines.append(words[template].format(key=removed["key"], day=_day(removed.get("at"))))
    return summary, lines, words["fix_scope_creep"]


def unanswered_section(evidence: dict[str, Any], language: str) -> Section:
    words = TEXT[language]
    summary = words["unanswered_summary"].format(
        who=evidence.get("who", ""), day=_day(evidence.get("asked_at"))
    )
    question = " ".join(str(evidence.get("question") or "").split())
    return summary, [f"“{question}”"], words["fix_unanswered_client"]


SECTIONS: dict[str, Callable[[dict[str, Any], str], Section]] = {
    "incomplete_requirement": incomplete_section,
    "scope_creep": scope_creep_section,
    "unanswered_client": unanswered_section,
}
