"""What every chat platform module shares: the outcome of one post, the POST itself (JSON,
with a timeout, never logging the URL), and scrubbing secrets out of any error text.

A platform module provides ``KIND``, ``RATE`` (messages, seconds), ``render(digest)`` (the
unsigned JSON body, cut to the platform's size limit), ``signed(webhook, secret, body, now)``
(the URL and body actually posted) and ``outcome(status, headers, text)``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

TIMEOUT_SECONDS = 15
MAX_ERROR_CHARS = 200


@dataclass
class Outcome:
    status: str  # sent | failed | rate_limited
    error: str | None = None
    retry_after: float | None = None
    kind: str | None = None  # the error's kind and facts, for a report in another language
    facts: dict[str, Any] | None = None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def post_json(url: str, body: dict[str, Any], session: requests.Session) -> Answer | Outcome:
    """POST ``body`` as UTF-8 JSON; the answer, or the failure with a one-line error that
    never contains the URL (a webhook URL carries its key)."""
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        response = session.post(
            url,
            data=payload,
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.Timeout:
        return Outcome("failed", "no answer within the timeout", kind="timeout", facts={})
    except requests.RequestException as exc:
        name = type(exc).__name__
        facts = {"exception": name}
        return Outcome("failed", f"request failed ({name})", kind="request_failed", facts=facts)
    return Answer(response.status_code, dict(response.headers), response.text)


def json_answer(answer_text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(answer_text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def errcode_outcome(answer: Answer, platform: str, rate_limited: int) -> Outcome:
    """The answer of a platform that says ``{"errcode": 0, "errmsg": "ok"}`` (DingTalk, WeCom):
    anything but HTTP 200 with errcode 0 is an error; its rate-limit code defers the message."""
    found = json_answer(answer.text) or {}
    code = found.get("errcode")
    if answer.status == 200 and code == 0:
        return Outcome("sent")
    if code is not None:
        message = str(found.get("errmsg", ""))
        error, kind = f"{platform} errcode {code}: {message}", "errcode"
        facts = {"platform": platform, "code": code, "message": message}
    else:
        error, kind, facts = f"HTTP {answer.status}", "http", {"status": answer.status}
    status = "rate_limited" if code == rate_limited or answer.status == 429 else "failed"
    return Outcome(status, error, kind=kind, facts=facts)


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` cut short and with every secret (and each secret's URL query key) removed."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:MAX_ERROR_CHARS]


def secret_words(secrets: dict[str, str]) -> list[str]:
    """Every secret value and each credential-looking part of a webhook URL (path segments
    and query values: WeCom's key, DingTalk's token, Slack's path), longest first."""
    words = [value for value in secrets.values() if value]
    for value in list(words):
        parts = urlsplit(value)
        if parts.scheme and parts.netloc:
            words += [p for p in parts.path.split("/") if len(p) >= 8]
            words += [v for _, v in parse_qsl(parts.query) if len(v) >= 8]
    return sorted(set(words), key=len, reverse=True)


def body_bytes(body: dict[str, Any]) -> int:
    return len(json.dumps(body, ensure_ascii=False).encode("utf-8"))


def retry_after(headers: dict[str, str]) -> float | None:
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
