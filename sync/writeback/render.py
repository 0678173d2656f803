"""Findings as the comment a person reads in each tracker: GitHub Markdown, Jira Cloud ADF,
Jira Data Center wiki markup, Worktile/PingCode HTML, in English or Chinese.

A comment is built once as a neutral document (headings, paragraphs, bullet lists), then
rendered per tracker with that format's escaping, so tracker text quoted in it can neither
mention anyone, inject markup, nor forge the service's marker.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sync.rules.text import MARKER_TOKEN
from sync.writeback import render_client as client_rules

GITHUB_LIMIT = 65_536
JIRA_LIMIT = 32_000
WORKTILE_LIMIT = 30_000
PROPERTY_KEY = "tracker-sync"
MARKER_PATTERN = re.compile(re.escape(MARKER_TOKEN) + r" item=(\S+) digest=([0-9a-f]+|resolved)")

TEXT = {
    "en": {
        "title": "tracker-sync findings",
        "intro": "Automated check of this item against what was agreed with the client.",
        "unconfirmed_requirement": "Unconfirmed requirement",
        "undocumented_change": "Undocumented scope change",
        "slipping_milestone": "Slipping milestone",
        "fix_unconfirmed_requirement": "To resolve: have the client confirm it (the confirmed label or status, or a confirming comment from a client account).",
        "fix_undocumented_change": "To resolve: link a change request, explain the change in a comment naming the change request, or add the change-documented label.",
        "fix_slipping_milestone": "To resolve: re-plan the milestone with the client, or move open work out of it.",
        "severity": {"high": "high", "warning": "warning"},
        "change": "{field}: “{old}” → “{new}” ({who}, {when})",
        "nobody": "someone",
        "resolved": "All tracker-sync findings on this item are resolved.",
        "truncated": "(…{n} more not shown: the comment reached the tracker's size limit.)",
        "footer": "Written by tracker-sync; edited on each run, never duplicated.",
    },
    "zh": {
        "title": "tracker-sync 检查结果",
        "intro": "根据与客户的约定对本事项的自动检查。",
        "unconfirmed_requirement": "需求未经客户确认",
        "undocumented_change": "范围变更未记录",
        "slipping_milestone": "里程碑延期风险",
        "fix_unconfirmed_requirement": "解决方法：请客户确认（已确认标签或状态，或客户账号的确认评论）。",
        "fix_undocumented_change": "解决方法：关联变更申请，或在评论中说明并注明变更申请编号，或添加 change-documented 标签。",
        "fix_slipping_milestone": "解决方法：与客户重新规划里程碑，或将未完成的工作移出。",
        "severity": {"high": "高", "warning": "警告"},
        "change": "{field}：“{old}” → “{new}”（{who}，{when}）",
        "nobody": "某人",
        "resolved": "本事项的 tracker-sync 检查问题均已解决。",
        "truncated": "（……另有 {n} 条未显示：评论已达到长度上限。）",
        "footer": "由 tracker-sync 生成；每次运行时更新，不会重复发布。",
    },
}


@dataclass
class Document:
    """Blocks: ("heading", text), ("para", text), ("bullets", [text, ...]), ("note", text)."""

    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def add(self, kind: str, value: Any) -> None:
        self.blocks.append((kind, value))


def finding_document(findings: list[dict[str, Any]], language: str) -> Document:
    words = TEXT[language]
    doc = Document()
    doc.add("heading", words["title"])
    doc.add("para", words["intro"])
    for finding in findings:
        rule = finding["rule"]
        severity = words["severity"].get(finding["severity"], finding["severity"])
        section = client_rules.SECTIONS.get(rule)
        if section is not None:  # the client-relationship rules build their own section
            summary, bullets, fix = section(finding.get("evidence") or {}, language)
            title = client_rules.TEXT[language][rule]
        else:
            summary, bullets, fix = finding["summary"], evidence_lines(finding, words), None
            title = words[rule]
        doc.add("heading", f"{title} ({severity})")
        doc.add("para", summary)
        if bullets:
            doc.add("bullets", bullets)
        doc.add("note", fix or words[f"fix_{rule}"])
    return doc


def resolved_document(language: str) -> Document:
    doc = Document()
    doc.add("para", TEXT[language]["resolved"])
    return doc


def evidence_lines(finding: dict[str, Any], words: dict[str, Any]) -> list[str]:
    evidence = finding.get("evidence") or {}
    if finding["rule"] == "undocumented_change":
        return [
            words["change"].format(
                field=c["field"],
                old=c["from"] or "—",
                new=c["to"] or "—",
                who=c["who"] or words["nobody"],
                when=c["when"],
            )
            for c in evidence.get("changes", [])
        ]
    if finding["rule"] == "slipping_milestone":
        return [milestone_reason(reason, words) for reason in evidence.get("reasons", [])]
    if finding["rule"] == "unconfirmed_requirement" and evidence.get("started_by"):
        return [f"started by: {', '.join(evidence['started_by'])}"]
    return []


REASONS = {
    "en": {
        "overdue": "overdue by {days_overdue} days",
        "forecast": "at the team's recent pace: P50 {p50}, P85 {p85}; due {due}",
        "behind_schedule": "{done_pct}% of its items done with {elapsed_pct}% of its time gone",
        "moved": "due date moved from {from} to {to}",
    },
    "zh": {
        "overdue": "已逾期 {days_overdue} 天",
        "forecast": "按团队近期速度预测：P50 {p50}，P85 {p85}；截止 {due}",
        "behind_schedule": "已完成 {done_pct}% 的事项，时间已过去 {elapsed_pct}%",
        "moved": "截止日期从 {from} 改为 {to}",
    },
}


def milestone_reason(reason: dict[str, Any], words: dict[str, Any]) -> str:
    language = "zh" if words is TEXT["zh"] else "en"
    template = REASONS[language].get(reason.get("reason", ""))
    values = {
        **reason,
        "done_pct": round(reason.get("done", 0) * 100),
        "elapsed_pct": round(reason.get("elapsed", 0) * 100),
    }
    return (
        template.format(**values) if template else ", ".join(f"{k}: {v}" for k, v in reason.items())
    )


def digest_of(doc: Document) -> str:
    canonical = json.dumps(doc.blocks, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def marker(item_key: str, digest: str) -> str:
    return f"{MARKER_TOKEN} item={item_key} digest={digest}"


def parse_marker(text: str) -> tuple[str, str] | None:
    """The (item key, digest) the service wrote into a comment, if any."""
    match = MARKER_PATTERN.search(text or "")
    return (match.group(1), match.group(2)) if match else None


def defuse(text: str) -> str:
    """Quoted tracker text can never carry a working marker."""
    return str(text).replace(MARKER_TOKEN, MARKER_TOKEN.replace(":", "\u2236"))


# -- GitHub Markdown ---------------------------------------------------------------------------

# What can act in running text once brackets are escaped: emphasis, code, links, HTML
# (a forged "<!--" marker included), tables, strikethrough.
MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")


def md_escape(text: str) -> str:
    """Markdown-escaped, with @mentions and #references broken by a zero-width joiner."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", defuse(text))
    return escaped.replace("@", "@\u200d")


def to_markdown(
    doc: Document, item_key: str, digest: str, language: str, limit: int = GITHUB_LIMIT
) -> str:
    head = f"<!-- {marker(item_key, digest)} -->\n"
    footer = f"\n\n<sub>{md_escape(TEXT[language]['footer'])}</sub>"
    parts = text_blocks(doc, "markdown")
    return head + fit(parts, "\n\n", limit - len(head) - len(footer) - 200, language) + footer


def text_blocks(doc: Document, markup: str) -> list[str]:
    """The document's blocks in a line-based markup, every piece of text escaped for it."""
    templates, escape = TEXT_MARKUPS[markup]
    parts = []
    for kind, value in doc.blocks:
        if kind == "bullets":
            parts.append("\n".join(templates["bullet"].format(escape(line)) for line in value))
        else:
            parts.append(templates[kind].format(escape(value)))
    return parts


# -- Worktile / PingCode HTML --------------------------------------------------------------------


def to_worktile_html(doc: Document, item_key: str, digest: str, language: str) -> str:
    parts = []
    for kind, value in doc.blocks:
        if kind == "heading":
            parts.append(f"<h3>{html.escape(defuse(value))}</h3>")
        elif kind == "bullets":
            items = "".join(f"<li>{html.escape(defuse(line))}</li>" for line in value)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{html.escape(defuse(value))}</p>")
    body = fit(parts, "", WORKTILE_LIMIT - 400, language, wrap=lambda t: f"<p>{html.escape(t)}</p>")
    footer = f"<p><small>{html.escape(TEXT[language]['footer'])}</small></p>"
    return f"<!-- {marker(item_key, digest)} -->{body}{footer}"


# -- Jira: ADF (Cloud v3) and wiki markup (Data Center v2) ------------------------------------


def to_adf(doc: Document, item_key: str, digest: str, language: str) -> dict[str, Any]:
    """ADF text nodes are plain text: nothing in them can mention or format."""
    content: list[dict[str, Any]] = []

    def text(value: str, marks: list[dict[str, str]] | None = None) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "text", "text": defuse(value) or " "}
        if marks:
            node["marks"] = marks
        return node

    for kind, value in doc.blocks:
        if kind == "heading":
            content.append({"type": "heading", "attrs": {"level": 3}, "content": [text(value)]})
        elif kind == "bullets":
            content.append(
                {
                    "type": "bulletList",
                    "content": [
                        {
                            "type": "listItem",
                            "content": [{"type": "paragraph", "content": [text(line)]}],
                        }
                        for line in value
                    ],
                }
            )
        elif kind == "note":
            content.append({"type": "paragraph", "content": [text(value, [{"type": "em"}])]})
        else:
            content.append({"type": "paragraph", "content": [text(value)]})
    footer = f"{TEXT[language]['footer']} {marker(item_key, digest)}"
    content.append(
        {
            "type": "paragraph",
            "content": [
                {
                    "type": "text",
                    "text": footer,
                    "marks": [{"type": "subsup", "attrs": {"type": "sub"}}],
                }
            ],
        }
    )
    while len(json.dumps(content, ensure_ascii=False)) > JIRA_LIMIT and len(content) > 3:
        content.pop(-2)
    return {"type": "doc", "version": 1, "content": content}


WIKI_SPECIAL = re.compile(r"([\\{}\[\]*_?^~|!+#])")


def wiki_escape(text: str) -> str:
    """Macros, links, mentions ([~user]), emphasis; a hyphen only where it can open
    strikethrough or a list: at the start of a word."""
    escaped = WIKI_SPECIAL.sub(r"\\\1", defuse(text))
    return re.sub(r"(^|\s)-", r"\1\\-", escaped).replace("@", "@\u200d")


def to_wiki(doc: Document, item_key: str, digest: str, language: str) -> str:
    body = fit(text_blocks(doc, "wiki"), "\n\n", JIRA_LIMIT - 400, language)
    return f"{body}\n\n~{wiki_escape(TEXT[language]['footer'])} {marker(item_key, digest)}~"


TEXT_MARKUPS = {
    "markdown": ({"heading": "### {}", "bullet": "- {}", "note": "> {}", "para": "{}"}, md_escape),
    "wiki": ({"heading": "h3. {}", "bullet": "* {}", "note": "_{}_", "para": "{}"}, wiki_escape),
}


def jira_properties(item_key: str, digest: str) -> list[dict[str, Any]]:
    return [{"key": PROPERTY_KEY, "value": {"item": item_key, "digest": digest}}]


def fit(parts: list[str], joiner: str, limit: int, language: str, wrap: Any = None) -> str:
    """Whole blocks up to the size limit, then a note saying how many were left out."""
    kept: list[str] = []
    size = 0
    for index, part in enumerate(parts):
        if size + len(part) + len(joiner) > limit:
            note = TEXT[language]["truncated"].format(n=len(parts) - index)
            kept.append(wrap(note) if wrap else note)
            break
        kept.append(part)
        size += len(part) + len(joiner)
    return joiner.join(kept)
