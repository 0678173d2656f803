"""Slack incoming webhook: Block Kit blocks posted to the webhook URL (the URL is the secret).

Contract, from Slack's docs (https://api.slack.com/messaging/webhooks, https://api.slack.com/
reference/block-kit/blocks, https://api.slack.com/docs/rate-limits):
- ``{"text": fallback, "blocks": [...]}``; at most 50 blocks; a section's text at most 3,000
  characters; a header's plain text at most 150;
- success is HTTP 200 with the body ``ok``; errors are an HTTP status with a short text body:
  400 ``invalid_payload`` / ``invalid_blocks``, 403 ``action_prohibited``, 404 ``no_service``
  (webhook disabled or unknown), 410 ``channel_is_archived``;
- about one message a second per webhook; past it, HTTP 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from sync.notify.digest import Digest, fit
from sync.notify.platform import Answer, Outcome, retry_after

KIND = "slack"
RATES = ((60, 60),)  # "one a second", bursts allowed: an average, not a gap
MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_HEADER_CHARS = 150


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(text: str, url: str | None) -> str:
    return f"<{url}|{_escape(text)}>" if url else _escape(text)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _blocks(digest: Digest, shown: int) -> dict[str, Any]:
    sections, hidden = digest.sections(shown, _link)
    title = digest.title()[:MAX_HEADER_CHARS]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        _section(_escape(digest.counts())),
    ]
    for heading, entries in sections:
        blocks.append(_section("\n".join([f"*{heading}*", *("• " + e for e in entries)])))
    if hidden:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": digest.more(hidden)}]}
        )
    return {"text": f"{title}: {digest.counts()}", "blocks": blocks}


def _fits(body: dict[str, Any]) -> bool:
    sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    return len(body["blocks"]) <= MAX_BLOCKS and all(
        len(text) <= MAX_SECTION_CHARS for text in sections
    )


def render(digest: Digest) -> dict[str, Any]:
    return fit(lambda shown: _blocks(digest, shown), digest.size, _fits)


def signed(
    webhook: str, secret: str | None, body: dict[str, Any], now: float
) -> tuple[str, dict[str, Any]]:
    return webhook, body


def outcome(answer: Answer) -> Outcome:
    if answer.status == 200:
        return Outcome("sent")
    message = answer.text.strip()
    error = f"Slack HTTP {answer.status}: {message}"
    facts = {"platform": "Slack", "status": answer.status, "message": message}
    if answer.status == 429:
        return Outcome(
            "rate_limited", error, retry_after(answer.headers), kind="http_text", facts=facts
        )
    return Outcome("failed", error, kind="http_text", facts=facts)
