"""Feishu / Lark custom bot ("自定义机器人"): a card posted to the webhook URL, signed in the
JSON body.

Contract, from Feishu's custom bot guide (https://open.feishu.cn/document/client-docs/bot-v3/
add-custom-bot; Lark: https://open.larkoffice.com/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN):
- with signature verification on, the body carries ``timestamp`` (seconds, within one hour of
  the server's clock) and ``sign``: HMAC-SHA256 keyed with ``"{timestamp}\\n{secret}"`` over an
  empty message, base64-encoded; a mismatch answers ``{"code": 19021, "msg": "sign match fail
  or timestamp is not within one hour from current time"}``;
- the answer's ``code`` is 0 on success (older answers: ``StatusCode``); anything else is an
  error, often with HTTP 200;
- the request body may not exceed 20 KB;
- 100 messages a minute and 5 a second per bot; past it, code 11232 ("frequency limited").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from sync.notify.digest import Digest, fit
from sync.notify.platform import Answer, Outcome, body_bytes, json_answer

KIND = "feishu"
RATES = ((5, 1), (100, 60))
MAX_BODY_BYTES = 20 * 1024
SIGNATURE_ROOM = 96  # "timestamp" and "sign" added after the cut
RATE_LIMITED = 11232


def sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def _card(digest: Digest, shown: int) -> dict[str, Any]:
    lines = digest.lines(shown, _link)
    return {
        "msg_type": "interactive",
        "card": {
            "header": {"title": {"tag": "plain_text", "content": lines[0]}},
            "elements": [
                {"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(lines[1:])}}
            ],
        },
    }


def render(digest: Digest) -> dict[str, Any]:
    return fit(
        lambda shown: _card(digest, shown),
        digest.size,
        lambda body: body_bytes(body) + SIGNATURE_ROOM <= MAX_BODY_BYTES,
    )


def signed(
    webhook: str, secret: str | None, body: dict[str, Any], now: float
) -> tuple[str, dict[str, Any]]:
    if not secret:
        return webhook, body
    timestamp = int(now)
    return webhook, {"timestamp": str(timestamp), "sign": sign(secret, timestamp), **body}


def outcome(answer: Answer) -> Outcome:
    found = json_answer(answer.text) or {}
    code = found.get("code", found.get("StatusCode"))
    if answer.status == 200 and code == 0:
        return Outcome("sent")
    message = found.get("msg") or found.get("StatusMessage") or answer.text
    if code is not None:
        error, kind = f"Feishu code {code}: {message}", "code"
        facts = {"platform": "Feishu", "code": code, "message": message}
    else:
        error, kind, facts = f"HTTP {answer.status}", "http", {"status": answer.status}
    status = "rate_limited" if code == RATE_LIMITED or answer.status == 429 else "failed"
    return Outcome(status, error, kind=kind, facts=facts)
