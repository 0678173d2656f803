"""``tracker-sync ack SUBJECT [--days N] [--reason TEXT]`` and ``tracker-sync unack SUBJECT``:
acknowledge a subject's open findings from the shell, or end its acks. SUBJECT is an item key
or a milestone title (``--source`` when two sources know it). Recorded with origin ``cli`` and
the OS user; only the store is written: the next run updates the item's comment."""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.cli.common import (
    EXIT_OK,
    command_parser,
    configure_logging,
    fail,
    load_config,
)
from sync.settings import ConfigError
from sync.store import Store, StoreError, check_store
from sync.store.ack_queries import item_findings, milestone_findings, running_acks, subject_sources
from sync.writeback.acks import MAX_ACK_DAYS, acknowledge, end_acknowledgements


def _parser(command: str, description: str) -> argparse.ArgumentParser:
    parser = command_parser(command, description)
    parser.add_argument(
        "subject", help="an item key (ACME-12, acme/portal#12) or a milestone title"
    )
    parser.add_argument("--source", metavar="NAME", help="the source, when several know SUBJECT")
    return parser


def ack_command(argv: list[str]) -> int:
    parser = _parser("ack", "Acknowledge the open findings of an item or a milestone.")
    parser.add_argument("--days", type=_days, help="for N days (default [rules] ack_days; ≤ 90)")
    parser.add_argument("--reason", help="why: shown in the item's comment and the reports")
    return _run(parser.parse_args(argv), unack=False)


def unack_command(argv: list[str]) -> int:
    return _run(_parser("unack", "End the acks of an item or a milestone.").parse_args(argv), True)


def _days(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {value!r}")
    return int(value)


def _run(args: argparse.Namespace, unack: bool) -> int:
    """Exit 0 done (or nothing to do), 2 on an unknown or ambiguous subject or a bad store."""
    configure_logging(args.verbose, args.quiet)
    try:
        settings = load_config(args)
    except ConfigError as exc:
        return fail(str(exc))
    db_path = args.db or settings.store.path
    if not Path(db_path).exists():
        return fail(f"store {db_path}: does not exist yet (no run has used it)")
    try:
        check_store(db_path)
        store = Store(db_path)
    except StoreError as exc:
        return fail(str(exc))
    try:
        found = _subject(store, args.subject, args.source)
        if isinstance(found, str):
            return fail(found)
        source, kind = found
        if kind == "item":
            findings = item_findings(store, source, args.subject)
        else:
            findings = milestone_findings(store, source, args.subject)
        today = datetime.now(UTC).date().isoformat()
        if unack:
            return _unack(store, findings, args.subject, source, today)
        return _ack(store, settings, findings, args, source, today)
    finally:
        store.close()


def _subject(store: Store, subject: str, source: str | None) -> tuple[str, str] | str:
    """(source, "item" or "milestone"), or the one line saying why not."""
    known = subject_sources(store, subject)
    if source is not None:
        known = {name: kind for name, kind in known.items() if name == source}
    if not known:
        where = f" in source {source}" if source else ""
        return f"unknown subject {subject!r}{where}: neither an item key nor a milestone title"
    if len(known) > 1:
        names = ", ".join(sorted(known))
        return f"{subject!r} is in several sources ({names}): name one with --source"
    return next(iter(known.items()))


def _ack(
    store: Store,
    settings: Any,
    findings: list[dict[str, Any]],
    args: argparse.Namespace,
    source: str,
    today: str,
) -> int:
    if not findings:
        print(f"{args.subject} ({source}): no open finding to acknowledge")
        return EXIT_OK
    asked = args.days or settings.rules.ack_days
    by = getpass.getuser()
    held = acknowledge(
        store, findings, by=by, origin="cli", as_of=today, days=asked, reason=args.reason
    )
    rules = ", ".join(sorted({f["rule"] for f in findings}))
    print(
        f"{args.subject} ({source}): {len(findings)} acknowledged by {by} for {held} days ({rules})"
    )
    if asked > MAX_ACK_DAYS:
        print(f"{asked} days asked for: held to {MAX_ACK_DAYS}, the longest acknowledgement")
    return EXIT_OK


def _unack(
    store: Store, findings: list[dict[str, Any]], subject: str, source: str, today: str
) -> int:
    running = running_acks(store, today)
    acked = [f for f in findings if (f["rule"], f["source"], f["subject"]) in running]
    end_acknowledgements(store, acked, by=getpass.getuser(), detail="unack (cli)")
    print(f"{subject} ({source}): {len(acked)} acknowledgements ended")
    return EXIT_OK
