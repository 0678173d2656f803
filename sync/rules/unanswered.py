"""unanswered_client: the client asked on an item and nobody from the team answered. The
latest human comment on an open item (never a pull request) is by a client account, older
than ``reply_hours``; a client's confirmation needs no answer."""

from __future__ import annotations

from datetime import date

from sync.rules.facts import cutoff_of, moment_of, parse_time
from sync.rules.finding import Finding
from sync.rules.text import MARKER_TOKEN, contains_phrase
from sync.settings import Settings
from sync.store import Store
from sync.store import milestone_queries as mq

RULE = "unanswered_client"
QUESTION_CHARS = 200


class _Item:
    """Enough of an item for ``Finding.about_item``."""

    def __init__(self, source: str, item_id: str, key: str, url: str | None) -> None:
        self.source, self.id, self.key, self.url = source, item_id, key, url


def unanswered_findings(store: Store, settings: Settings, as_of: date) -> list[Finding]:
    rules = settings.rules
    rule = rules.unanswered_client
    clients = {c.casefold() for c in rules.clients}
    if not clients:
        return []
    confirm = rules.unconfirmed_requirement.confirm_phrases
    now = moment_of(as_of)
    findings = []
    rows = mq.latest_human_comment_rows(store, MARKER_TOKEN, cutoff_of(as_of))
    for source, item_id, key, url, author, login, body, at in rows:
        if not ({(author or "").casefold(), (login or "").casefold()} & clients):
            continue
        hours = (now - parse_time(at)).total_seconds() / 3600
        if hours <= rule.reply_hours:
            continue
        if contains_phrase(body or "", confirm, rules.negations):
            continue  # a confirmation needs no answer
        who = login or author or ""
        evidence = {"who": who, "asked_at": at, "question": (body or "")[:QUESTION_CHARS]}
        severity = "high" if hours > rule.high_after_hours else "warning"
        summary = f"The client ({who}) asked on {at[:10]} and nobody from the team answered"
        findings.append(
            Finding.about_item(RULE, _Item(source, item_id, key, url), severity, summary, evidence)
        )
    return findings
