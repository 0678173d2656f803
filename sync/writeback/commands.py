"""``/tracker-sync ack [Nd] [reason]`` and ``/tracker-sync unack`` as the first line of a human
comment, read from the comments the pull already stored (no request of its own). A command on
an item acknowledges the findings shown there: its own and its milestones'. Client accounts
cannot acknowledge; when ``ack_accounts`` is set, only those can. The service's comments and
any comment carrying its marker are never commands. Each command is applied once (its comment
id is remembered with the outcome); a malformed one does nothing but log a warning naming the
item."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sync.rules.text import MARKER_TOKEN
from sync.settings import Settings, SourceSettings
from sync.store import Store
from sync.store.ack_queries import item_findings, mark_command, pending_commands, running_acks
from sync.writeback.acks import acknowledge, end_acknowledgements, reopen_changed

log = logging.getLogger(__name__)

COMMAND = re.compile(r"^/tracker-sync[ \t]+(\S+)(?:[ \t]+(.*))?$", re.IGNORECASE)
DAYS = re.compile(r"^(\d{1,5})d$", re.IGNORECASE)
USAGE = "expected “/tracker-sync ack [Nd] [reason]” or “/tracker-sync unack”"


@dataclass(frozen=True)
class Command:
    verb: str  # ack | unack
    days: int | None = None
    reason: str | None = None


class Malformed(ValueError):
    pass


def parse_command(body: str) -> Command | None:
    """The command on the comment's first line; None when it holds none; Malformed when it
    starts with the command word but says nothing this service understands."""
    lines = (body or "").strip().splitlines()
    first = lines[0].strip() if lines else ""
    if not first.lower().startswith("/tracker-sync"):
        return None
    match = COMMAND.match(first)
    if not match:
        raise Malformed(first)
    verb, rest = match.group(1).lower(), (match.group(2) or "").strip()
    if verb == "unack" and not rest:
        return Command("unack")
    if verb != "ack":
        raise Malformed(first)
    if not rest:
        return Command("ack")
    head, _, reason = rest.partition(" ")
    days = DAYS.match(head)
    if not days or int(days.group(1)) < 1:
        raise Malformed(first)
    return Command("ack", int(days.group(1)), reason.strip() or None)


def process_acks(
    store: Store,
    settings: Settings,
    sources: list[SourceSettings],
    as_of: str,
    run_id: int | None = None,
) -> None:
    """Apply each source's new ack commands, then reopen what changed under its ack."""
    for source in sources:
        for row in pending_commands(store, source.name):
            outcome = apply_command(store, settings, source.name, row, as_of, run_id)
            mark_command(store, source.name, row["id"], row["item"], outcome)
    reopen_changed(store, as_of, run_id)


def apply_command(
    store: Store,
    settings: Settings,
    source: str,
    row: dict[str, Any],
    as_of: str,
    run_id: int | None,
) -> str:
    """One comment's command; returns what came of it (kept in ``ack_commands``)."""
    if MARKER_TOKEN in (row["body"] or ""):
        return "ignored: carries the service's marker"
    item = row["item"]
    try:
        command = parse_command(row["body"])
    except Malformed as exc:
        log.warning("%s: %s: malformed command “%s” ignored (%s)", source, item, exc, USAGE)
        return "malformed"
    if command is None:
        return "not a command"
    who = {str(v).casefold() for v in (row["author"], row["author_login"]) if v}
    by = row["author_login"] or row["author"]
    rules = settings.rules
    if who & {c.casefold() for c in rules.clients}:
        log.warning("%s: %s: %s is a client account: command ignored", source, item, by)
        return "refused: client account"
    if rules.ack_accounts is not None and not who & {a.casefold() for a in rules.ack_accounts}:
        log.warning("%s: %s: %s is not in ack_accounts: command ignored", source, item, by)
        return "refused: not in ack_accounts"
    findings = item_findings(store, source, item)
    if command.verb == "unack":
        running = running_acks(store, as_of)
        acked = [f for f in findings if (f["rule"], f["source"], f["subject"]) in running]
        end_acknowledgements(store, acked, by=by, detail="unack", run_id=run_id)
        log.info("%s: %s: %d acknowledgements ended by %s", source, item, len(acked), by)
        return f"unack: {len(acked)}"
    if not findings:
        return "nothing to acknowledge"
    days = acknowledge(
        store, findings, by=by, origin="comment", as_of=as_of,
        days=command.days or rules.ack_days, reason=command.reason, run_id=run_id,
    )  # fmt: skip
    count = len(findings)
    log.info("%s: %s: %d findings acknowledged by %s for %d days", source, item, count, by, days)
    return f"ack: {len(findings)} for {days} days"
