"""``tracker-sync [run]``: one run (cron), ``--daemon``, or ``--demo``. Every check that can
fail without a tracker (configuration, secrets, the store) is done before any request."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from sync.cli.common import (
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    Parser,
    add_common_flags,
    configure_logging,
    fail,
    load_sources,
    stop_on_signals,
)
from sync.lock import LockHeld, RunLock
from sync.report.cli import iso_day
from sync.report.run_report import write_json, write_json_line, write_text
from sync.run import RunOptions, run_once
from sync.settings import ConfigError, Settings
from sync.store import StoreError, check_store, source_names

COMMANDS_HELP = """commands:
  run        (the default) pull, evaluate the rules, write back; see the flags above
  check      check the config, then each source with read-only requests
  status     last runs per source, open findings by rule and severity, acks
  report     the status report for the client: HTML pages and report.json, from the store
  ack        acknowledge a finding: tracker-sync ack SUBJECT [--days N] [--reason TEXT]
  unack      end an acknowledgement: tracker-sync unack SUBJECT"""

INTERRUPTED = (
    "interrupted: stopped at a page boundary; the run is recorded as interrupted and the"
    " next run resumes where it stopped"
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tracker-sync",
        usage="tracker-sync [run|check|status] [options]",
        description="Sync Jira, GitHub and Worktile/PingCode into one store; flag unconfirmed "
        "requirements, undocumented changes and slipping milestones; comment back.",
        epilog=f"{COMMANDS_HELP}\n\n{EXIT_CODES_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--demo", action="store_true", help="run against local sandbox trackers")
    parser.add_argument("--daemon", action="store_true", help="run every [daemon].interval_minutes")
    parser.add_argument("--dry-run", action="store_true", help="pull and evaluate; write nothing")
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="only this source (repeatable)",
    )
    parser.add_argument("--full", action="store_true", help="ignore cursors: pull everything again")
    parser.add_argument("--json", action="store_true", help="print one JSON report on stdout")
    parser.add_argument(
        "--as-of",
        type=iso_day,
        metavar="YYYY-MM-DD",
        help="evaluate the rules as of that day (never writes: implies --dry-run)",
    )
    parser.add_argument(
        "--allow-bulk", action="store_true", help="allow more new comments than max_new_comments"
    )
    add_common_flags(parser)
    return parser


def run_command(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    stop_on_signals()
    options = RunOptions(
        dry_run=args.dry_run or args.as_of is not None,
        full=args.full,
        as_of=args.as_of,
        allow_bulk=args.allow_bulk,
        source_names=args.source,
        what_if=args.as_of is not None,
    )
    if args.demo:
        return demo_command(args, options)
    try:
        settings, sources, secrets = load_sources(args)
    except ConfigError as exc:
        return fail(str(exc))
    db_path = args.db or settings.store.path
    try:
        check_store(db_path)
        with RunLock(db_path):
            if args.daemon:
                from sync.daemon import run_daemon

                emit = (lambda report: write_json_line(report, sys.stdout)) if args.json else None
                return run_daemon(settings, sources, secrets, db_path, options, emit)
            report, code = run_once(settings, sources, secrets, db_path, options)
    except StoreError as exc:
        return fail(str(exc))
    except LockHeld as exc:
        return fail(str(exc), EXIT_LOCKED)
    except OSError as exc:  # the lock file beside the store could not be made
        return fail(f"store {db_path}: {exc.strerror or exc}")
    return finish(report, code, as_json=args.json, settings=settings)


def finish(report: dict[str, Any], code: int, *, as_json: bool, settings: Settings) -> int:
    if as_json:
        write_json(report, sys.stdout)
    else:  # the findings explained with the configured rules (labels, windows), in its language
        write_text(report, sys.stdout, settings.writeback.language, settings.rules)
    if code == EXIT_INTERRUPTED:
        return fail(INTERRUPTED, EXIT_INTERRUPTED)
    return code


def demo_command(args: argparse.Namespace, options: RunOptions) -> int:
    """The demo has its own trackers, sources and store; flags that would point it at real
    ones are refused, and a store holding any other source is never touched."""
    refused = [flag for flag, given in _real_flags(args) if given]
    if refused:
        return fail(f"--demo runs on its own sandbox trackers; it does not take {refused[0]}")
    # The demo is not part of the product: its sandbox package is loaded only when asked.
    demo = importlib.import_module("sandbox.demo")
    if args.db:
        try:
            check_store(args.db)
        except StoreError as exc:
            return fail(str(exc))
        foreign = demo.foreign_sources(source_names(args.db))
        if foreign:
            return fail(
                f"--demo --db {args.db}: this store holds other sources ({', '.join(foreign)});"
                " the demo keeps its own store: leave out --db or give a new path"
            )
    code = demo.run_demo(options, as_json=args.json, db_path=args.db)
    return fail(INTERRUPTED, EXIT_INTERRUPTED) if code == EXIT_INTERRUPTED else code


def _real_flags(args: argparse.Namespace) -> list[tuple[str, bool]]:
    return [
        ("--config", bool(args.config)),
        ("--source", bool(args.source)),
        ("--daemon", args.daemon),
    ]
