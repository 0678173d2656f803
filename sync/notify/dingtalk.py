"""DingTalk custom robot ("自定义机器人"): a Markdown message posted to the webhook URL, signed
in the query string.

Contract, from DingTalk's custom robot guide (https://open.dingtalk.com/document/group/
custom-robot-access, https://open.dingtalk.com/document/orgapp/customize-robot-security-
settings):
- with "加签" on, the URL gets ``timestamp`` (milliseconds, within one hour) and ``sign``:
  HMAC-SHA256 of ``"{timestamp}\\n{secret}"`` keyed with the secret, base64-encoded, then
  URL-encoded; a mismatch answers ``{"errcode": 310000, "errmsg": "sign not match, ..."}``;
- ``errcode`` is 0 on success, anything else is an error (HTTP 200 all the same);
- each robot may send 20 messages a minute; past it, errcode 130101 ("send too fast") and
  the robot is throttled for 10 minutes;
- a message body of up to 20,000 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote_plus

from sync.notify.digest import Digest, fit
from sync.notify.platform import Answer, Outcome, body_bytes, errcode_outcome

KIND = "dingtalk"
RATES = ((20, 60),)
MAX_BODY_BYTES = 20_000
RATE_LIMITED = 130101


def sign(secret: str, timestamp_ms: int) -> str:
    """Base64 of the HMAC; the caller URL-encodes it."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def _link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def _markdown(digest: Digest, shown: int) -> dict[str, Any]:
    lines = digest.lines(shown, _link)
    text = "\n\n".join([f"### {lines[0]}", *(line for line in lines[1:] if line)])
    return {"msgtype": "markdown", "markdown": {"title": lines[0], "text": text}}


def render(digest: Digest) -> dict[str, Any]:
    return fit(
        lambda shown: _markdown(digest, shown),
        digest.size,
        lambda body: body_bytes(body) <= MAX_BODY_BYTES,
    )


def signed(
    webhook: str, secret: str | None, body: dict[str, Any], now: float
) -> tuple[str, dict[str, Any]]:
    if not secret:
        return webhook, body
    timestamp = int(now * 1000)
    joiner = "&" if "?" in webhook else "?"
    query = f"timestamp={timestamp}&sign={quote_plus(sign(secret, timestamp))}"
    return f"{webhook}{joiner}{query}", body


def outcome(answer: Answer) -> Outcome:
    return errcode_outcome(answer, "DingTalk", RATE_LIMITED)
