"""Send each ``[[notify]]`` channel what is due after a run: first the digests a platform
refused or deferred before (as composed, never dropped), then a new digest when its trigger
fired (``new_high`` after a run opened or reopened a high finding; ``daily`` at ``daily_at``
in the channel's ``timezone``). Every attempt is a row in ``notifications``; the clock is
passed in. One channel failing never stops another."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import requests

from sync.notify import dingtalk, feishu, slack, wecom
from sync.notify.digest import Digest, build_digest, plain_link
from sync.notify.platform import Outcome, post_json, scrub, secret_words
from sync.settings import NotifySettings
from sync.store import Store
from sync.store import notify_queries as q

log = logging.getLogger(__name__)

PLATFORMS: dict[str, ModuleType] = {m.KIND: m for m in (feishu, dingtalk, wecom, slack)}


@dataclass
class ChannelReport:
    name: str
    kind: str
    status: str = "quiet"  # quiet | sent | failed | deferred | dry_run
    error: str | None = None
    sent: int = 0
    messages: list[str] = field(default_factory=list)
    error_kind: str | None = None  # the error's kind and facts, for a report in another
    error_facts: dict[str, Any] | None = None  # language (secrets scrubbed, like ``error``)

    def report(self, dry_run: bool) -> dict[str, Any]:
        entry = {"name": self.name, "kind": self.kind, "status": self.status}
        entry.update({"error": self.error, "sent": self.sent})
        if self.error_kind:  # extensions, never renames
            entry.update({"error_kind": self.error_kind, "error_facts": self.error_facts})
        if dry_run:
            entry["message"] = "\n\n".join(self.messages) or None
        return entry


def notify_channels(
    channels: list[NotifySettings],
    secrets: dict[str, dict[str, str]],
    store: Store,
    *,
    now: datetime,
    as_of: date,
    dry_run: bool,
) -> list[ChannelReport]:
    """Every channel's messages of this run; a dry run composes and prints, sends nothing and
    records nothing."""
    reports = []
    with requests.Session() as session:
        for channel in channels:
            secret = secrets.get(notify_secret_key(channel), {})
            report = ChannelReport(channel.channel, channel.kind)
            try:
                _notify_one(channel, secret, store, session, report, now, as_of, dry_run)
            except Exception as exc:  # a bug in one channel must not stop the others
                report.status, report.error = "failed", scrub(str(exc), secret_words(secret))
                report.error_kind, report.error_facts = "unexpected", {"message": report.error}
            if report.error:
                log.error("notify %s: %s", report.name, report.error)
            reports.append(report)
    return reports


def notify_secret_key(channel: NotifySettings) -> str:
    """Where ``resolve_secrets`` files a channel's secrets (never a source name: a source
    name cannot hold a colon)."""
    return f"notify:{channel.channel}"


def _notify_one(
    channel: NotifySettings,
    secret: dict[str, str],
    store: Store,
    session: requests.Session,
    report: ChannelReport,
    now: datetime,
    as_of: date,
    dry_run: bool,
) -> None:
    platform = PLATFORMS[channel.kind]
    outbox = [_pending(row) for row in q.pending_messages(store, channel.channel)]
    digest = _new_digest(channel, store, now, as_of)
    if digest is not None:
        body = platform.render(digest)
        outbox.append(
            {
                "digest": _hash(body),
                "kind": channel.kind,
                "trigger": digest.trigger,
                "body": body,
                "text": "\n".join(digest.lines(digest.size, plain_link)),
                "last_event": digest.last_event,
                "verdicts": json.dumps(digest.verdicts, sort_keys=True),
            }
        )
    for message in outbox:
        if dry_run:
            report.status = "dry_run"
            report.messages.append(message["text"])
            continue
        _deliver(channel, platform, secret, store, session, report, message, now)


def _new_digest(channel: NotifySettings, store: Store, now: datetime, as_of: date) -> Digest | None:
    """The digest a trigger asks for now, if any changes are there to tell."""
    after = q.channel_watermark(store, channel.channel) or 0
    told = q.last_verdicts(store, channel.channel)
    options = {"language": channel.language, "after_event": after, "sources": channel.sources}
    options.update({"as_of": as_of, "told": told})
    if "new_high" in channel.on:
        digest = build_digest(store, trigger="new_high", **options)
        if digest and any(
            e.severity == "high" and e.change in ("opened", "reopened")
            for g in digest.groups
            for e in g.entries
        ):
            return digest
    if "daily" in channel.on and _daily_due(channel, store, now):
        return build_digest(store, trigger="daily", **options)
    return None


def _daily_due(channel: NotifySettings, store: Store, now: datetime) -> bool:
    """At or after ``daily_at`` in the channel's time zone, with no daily digest yet today."""
    local = now.astimezone(ZoneInfo(channel.timezone))
    hour, minute = (int(part) for part in channel.daily_at.split(":"))
    if (local.hour, local.minute) < (hour, minute):
        return False
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    return not q.daily_done_since(store, channel.channel, _stamp(midnight))


def _deliver(
    channel: NotifySettings,
    platform: ModuleType,
    secret: dict[str, str],
    store: Store,
    session: requests.Session,
    report: ChannelReport,
    message: dict[str, Any],
    now: datetime,
) -> None:
    """Post one message unless it was sent before or the rate limit says wait; record it."""
    row = {
        "channel": channel.channel,
        "at": _stamp(now),
        **{k: message[k] for k in ("digest", "kind", "trigger", "last_event", "verdicts")},
        "message": json.dumps(message["body"], ensure_ascii=False, sort_keys=True),
    }
    if q.digest_was_sent(store, channel.channel, message["digest"]):
        q.record_notification(store, {**row, "status": "duplicate"})
        return
    if _over_rate(platform, store, channel.channel, now):
        q.record_notification(store, {**row, "status": "deferred", "error": "rate limit"})
        report.status = "failed" if report.status == "failed" else "deferred"
        return
    url, body = platform.signed(
        secret["webhook"], secret.get("secret"), message["body"], now.timestamp()
    )
    answer = post_json(url, body, session)
    outcome = answer if isinstance(answer, Outcome) else platform.outcome(answer)
    status, error = outcome.status, outcome.error
    error = scrub(error, secret_words(secret)) if error else None
    facts = outcome.facts
    if facts is not None and isinstance(facts.get("message"), str):
        facts = {**facts, "message": scrub(facts["message"], secret_words(secret))}
    status = "deferred" if status == "rate_limited" else status
    q.record_notification(store, {**row, "status": status, "error": error})
    if status == "sent":
        report.sent += 1
        report.status = "sent" if report.status in ("quiet", "sent") else report.status
    elif status == "deferred":
        report.status = "failed" if report.status == "failed" else "deferred"
        if report.error is None:
            report.error, report.error_kind, report.error_facts = error, outcome.kind, facts
    else:
        report.status, report.error = "failed", error
        report.error_kind, report.error_facts = outcome.kind, facts


def _over_rate(platform: ModuleType, store: Store, channel: str, now: datetime) -> bool:
    return any(
        q.attempts_since(store, channel, _stamp(now - timedelta(seconds=seconds))) >= limit
        for limit, seconds in platform.RATES
    )


def _pending(row: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(row["message"])
    return {
        "digest": row["digest"],
        "kind": row["kind"],
        "trigger": row["trigger"],
        "body": body,
        "text": _body_text(body),
        "last_event": row["last_event"],
        "verdicts": row["verdicts"],
    }


def _body_text(body: dict[str, Any]) -> str:
    """A retried message as printed in a dry run: its body, for it is sent as it was."""
    return json.dumps(body, ensure_ascii=False, indent=2)


def _hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
