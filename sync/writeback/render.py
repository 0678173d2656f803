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

from sync.rule_settings import RulesSettings
from sync.rules.text import MARKER_TOKEN
from sync.writeback.catalogue import CATALOGUE
from sync.writeback.explain import acknowledged_blocks, finding_blocks

GITHUB_LIMIT = 65_536
JIRA_LIMIT = 32_000
WORKTILE_LIMIT = 30_000
PROPERTY_KEY = "tracker-sync"
MARKER_PATTERN = re.compile(re.escape(MARKER_TOKEN) + r" item=(\S+) digest=([0-9a-f]+|resolved)")

TEXT = CATALOGUE  # the en/zh catalogue (sync.writeback.catalogue)


@dataclass
class Document:
    """Blocks: ("heading", text), ("para", text), ("bullets", [text, ...]), ("note", text)."""

    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def add(self, kind: str, value: Any) -> None:
        self.blocks.append((kind, value))


def finding_document(
    findings: list[dict[str, Any]],
    language: str,
    rules: RulesSettings | None = None,
    acks: dict[tuple[str, str], dict[str, Any]] | None = None,
) -> Document:
    """All of an item's findings, each explained (an acknowledged one: who, until, why), then
    how to acknowledge them. ``acks``: (rule, subject) -> the ack covering that finding."""
    words = TEXT[language]
    rules = rules or RulesSettings()
    acks = acks or {}
    doc = Document()
    doc.add("heading", words["title"])
    doc.add("para", words["intro"])
    for finding in findings:
        ack = acks.get((finding["rule"], finding["subject"]))
        blocks = (
            acknowledged_blocks(finding, ack, words)
            if ack
            else finding_blocks(finding, words, rules)
        )
        for kind, value in blocks:
            doc.add(kind, value)
    doc.add("para", words["ack"].format(days=rules.ack_days))
    return doc


def resolved_document(language: str) -> Document:
    doc = Document()
    doc.add("para", TEXT[language]["resolved"])
    return doc


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
    """Quoted tracker text can never carry a working marker nor mention anyone (``@name``,
    ``@everyone``, ``@所有人``): every format breaks the ``@`` with a zero-width joiner."""
    text = str(text).replace(MARKER_TOKEN, MARKER_TOKEN.replace(":", "\u2236"))
    return text.replace("@", "@\u200d")


# -- GitHub Markdown ---------------------------------------------------------------------------

# What can act in running text once brackets are escaped: emphasis, code, links, HTML
# (a forged "<!--" marker included), tables, strikethrough.
MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")


def md_escape(text: str) -> str:
    """Markdown-escaped, with @mentions and #references broken by a zero-width joiner."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", defuse(text))


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
    return re.sub(r"(^|\s)-", r"\1\\-", escaped)


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
