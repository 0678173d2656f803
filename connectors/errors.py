"""The typed error tree every connector raises, so callers can tell 401 from 503.

One root, ``TrackerError``, carries the source, HTTP status and URL; ``from_response`` is the
only place that turns an HTTP answer into an error, so every tracker's error body is read the
same way.
"""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests


class TrackerError(Exception):
    """A tracker answered with an error, or could not be reached. Besides the English text
    (``str``, what logs and cron mails are grepped for), it carries a ``kind`` and the
    ``facts`` it was made of (the host, the tracker's own message, …), so a report can say
    the same thing in another language."""

    KIND = "http_error"

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        status: int | None = None,
        url: str | None = None,
        kind: str | None = None,
        facts: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.status = status
        self.url = url
        self.kind = kind or self.KIND
        self.facts = dict(facts) if facts is not None else {"message": message}

    def report_facts(self) -> dict[str, Any]:
        """What a report needs to say this error in any language: never a secret (the URL is
        already redacted; only its host is kept)."""
        host = host_of(self.url) if self.url else None
        found = {"source": self.source, "status": self.status, "host": host}
        return {**found, **{k: v for k, v in self.facts.items() if v is not None}}

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        status = f"HTTP {self.status}: " if self.status else ""
        return f"{where}{status}{self.message}"


class AuthError(TrackerError):
    """401/403: bad or missing credentials or permission. Never retried."""

    KIND = "auth"


class NotFound(TrackerError):
    """404/410: the project, repository or item does not exist (or is hidden from us)."""

    KIND = "not_found"


class InvalidRequest(TrackerError):
    """400/422: the tracker rejected what we asked (bad JQL, unknown field, too-long body)."""

    KIND = "invalid"


class RateLimited(TrackerError):
    """429, or 403 with a rate-limit signal; ``retry_after`` is seconds to wait, when known."""

    KIND = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class Transient(TrackerError):
    """5xx, a dropped connection, a timeout or a garbled body: worth another try."""

    KIND = "server_error"


def error_message(response: requests.Response) -> str:
    """The tracker's own words: GitHub ``message``, Jira ``errorMessages``/``errors``,
    Worktile ``{code, message}``; else the start of the body."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        text = (response.text or "").strip()
        return text[:200] or response.reason or "no message"
    if isinstance(body, dict):
        parts: list[str] = []
        if body.get("message"):
            code = body.get("code")
            parts.append(f"{body['message']} (code {code})" if code else str(body["message"]))
        parts.extend(str(m) for m in body.get("errorMessages") or [])
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts.extend(f"{k}: {v}" for k, v in errors.items())
        if parts:
            return "; ".join(parts)
    return json.dumps(body)[:200]


def parse_retry_after(response: requests.Response) -> float | None:
    """Seconds to wait from ``Retry-After``, ``x-pc-retry-after`` or an exhausted
    ``x-ratelimit-reset`` (epoch seconds), whichever the tracker sent."""
    for header in ("retry-after", "x-pc-retry-after"):
        value = response.headers.get(header)
        if value is not None:
            try:
                return max(0.0, float(value))
            except ValueError:
                try:
                    return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
                except (TypeError, ValueError):
                    return None
    if response.headers.get("x-ratelimit-remaining") == "0":
        reset = response.headers.get("x-ratelimit-reset")
        if reset and reset.isdigit():
            return max(0.0, int(reset) - time.time() + 1)
    return None


def from_response(response: requests.Response, source: str = "") -> TrackerError:
    """Classify an error response. A 403 is a rate limit only when the tracker says so
    (``retry-after`` or ``x-ratelimit-remaining: 0``), as GitHub's secondary limits do."""
    status = response.status_code
    context: dict[str, Any] = {"source": source, "status": status, "url": _safe_url(response)}
    message = error_message(response)
    retry_after = parse_retry_after(response)
    if status == 429 or (status == 403 and retry_after is not None):
        return RateLimited(message, retry_after=retry_after, **context)
    if status in (401, 403):
        return AuthError(message, **context)
    if status in (404, 410):
        return NotFound(message, **context)
    if status in (400, 409, 422):
        return InvalidRequest(message, **context)
    if status >= 500 or status == 408:
        return Transient(message, **context)
    return TrackerError(message, **context)


DEFAULT_PORTS = {"http": 80, "https": 443}
# (what the exception says, the cause's key, worth another try)
_CAUSES = (
    ("CERTIFICATE_VERIFY_FAILED", "tls_verify", False),
    ("certificate verify failed", "tls_verify", False),
    ("Name or service not known", "name", True),
    ("nodename nor servname", "name", True),
    ("Temporary failure in name resolution", "name", True),
    ("No address associated with hostname", "name", True),
    ("getaddrinfo failed", "name", True),
    ("NameResolutionError", "name", True),
    ("Connection refused", "refused", True),
    ("Network is unreachable", "network", True),
    ("No route to host", "route", True),
)
# what a person reads for each cause (the catalogue in sync/ says it in every language)
CAUSE_TEXT = {
    "tls_verify": "TLS certificate verify failed",
    "name": "name not known",
    "refused": "connection refused",
    "network": "network unreachable",
    "route": "no route to host",
    "timed_out": "timed out",
    "tls": "TLS error",
    "failed": "connection failed",
}


def host_of(url: str) -> str:
    """The host, and the port when it is not the scheme's default."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def describe_unreachable(
    exc: requests.RequestException, url: str
) -> tuple[str, bool, str, dict[str, Any]]:
    """What went wrong on the wire, in a person's words, naming the host (and the port when it
    is not the scheme's default); whether another try could help; and the kind and facts the
    words were made of. A certificate that fails verification will fail again: not retried."""
    host = host_of(url)
    kind, cause, retry = _unreachable(exc)
    facts: dict[str, Any] = {"host": host, "cause": cause}
    if kind == "cut_short":
        return f"{host} cut its answer short", True, kind, facts
    if kind == "no_answer":
        return f"{host} did not answer in time", True, kind, facts
    if kind == "dropped":
        return f"{host} dropped the connection", True, kind, facts
    if kind == "cannot_connect":
        return f"cannot connect to {host}: {CAUSE_TEXT[cause]}", retry, kind, facts
    facts["exception"] = type(exc).__name__
    return f"{host}: {type(exc).__name__}", False, kind, facts


def _unreachable(exc: requests.RequestException) -> tuple[str, str | None, bool]:
    """(kind, cause, worth another try) of a request that got no usable answer."""
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return "cut_short", None, True
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no_answer", None, True
    text = repr(exc)
    for needle, cause, retry in _CAUSES:
        if needle in text:
            return "cannot_connect", cause, retry
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "cannot_connect", "timed_out", True
    if isinstance(exc, requests.exceptions.SSLError):
        return "cannot_connect", "tls", False
    if "reset" in text.lower() or "aborted" in text.lower() or "RemoteDisconnected" in text:
        return "dropped", None, True
    if isinstance(exc, requests.ConnectionError):
        return "cannot_connect", "failed", True
    return "unreachable", None, False


SECRET_QUERY_KEYS = ("client_id", "client_secret", "token", "access_token", "password")


def _safe_url(response: requests.Response) -> str:
    return redact_url(response.url or "")


def redact_url(url: str) -> str:
    """The URL with secret-bearing query values replaced, for logs and error messages."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, "***" if k.lower() in SECRET_QUERY_KEYS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*:,")))
