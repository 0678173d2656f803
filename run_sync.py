"""tracker-sync command line: parse flags, load settings, run the pipeline.

Logs go to stderr; stdout carries only the report. Exit codes: 0 all sources ok, 1 some source
failed (the others completed and were saved), 2 usage or configuration error, 75 another run
holds the lock.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from datetime import date

from sync.lock import LockHeld, RunLock
from sync.report.run_report import write_json, write_text
from sync.run import EXIT_LOCKED, EXIT_USAGE, RunOptions, run_once
from sync.settings import ConfigError, load_settings, resolve_secrets, select_sources

log = logging.getLogger("tracker_sync")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="tracker-sync",
        description="Sync Jira, GitHub and Worktile/PingCode into one store; flag unconfirmed "
        "requirements, undocumented changes and slipping milestones; comment back.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--demo", action="store_true", help="run against local sandbox trackers")
    mode.add_argument("--daemon", action="store_true", help="run every [daemon].interval_minutes")
    parser.add_argument("--dry-run", action="store_true", help="pull and evaluate; write nothing")
    parser.add_argument(
        "--config", help="config file (default: $TRACKER_SYNC_CONFIG or config.toml)"
    )
    parser.add_argument("--db", help="store path (overrides [store].path)")
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
        "--as-of", type=_parse_date, metavar="YYYY-MM-DD", help="evaluate rules as of that day"
    )
    parser.add_argument(
        "--allow-bulk", action="store_true", help="allow more new comments than max_new_comments"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging, one line per request"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    return parser.parse_args(argv)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # urllib3's own debug lines would print full URLs and nothing we need.
    logging.getLogger("urllib3").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["report"]:
        from sync.report.cli import main as report_main

        return report_main(argv[1:])
    args = parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    options = RunOptions(
        dry_run=args.dry_run,
        full=args.full,
        as_of=args.as_of,
        allow_bulk=args.allow_bulk,
        source_names=args.source,
    )
    if args.demo:
        # The demo is not part of the product: its sandbox package is loaded only when asked.
        demo = importlib.import_module("sandbox.demo")
        return demo.run_demo(options, as_json=args.json, db_path=args.db)
    try:
        settings = load_settings(
            args.config or os.environ.get("TRACKER_SYNC_CONFIG") or "config.toml"
        )
        sources = select_sources(settings, args.source)
        secrets = resolve_secrets(settings, sources)
    except ConfigError as exc:
        print(f"tracker-sync: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db_path = args.db or settings.store.path
    try:
        with RunLock(db_path):
            if args.daemon:
                from sync.daemon import run_daemon

                return run_daemon(settings, sources, secrets, db_path, options)
            report, code = run_once(settings, sources, secrets, db_path, options)
    except LockHeld as exc:
        print(f"tracker-sync: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    if args.json:
        write_json(report, sys.stdout)
    else:
        write_text(report, sys.stdout, settings.writeback.language)
    return code


def main_quietly_piped(argv: list[str] | None = None) -> int:
    """``tracker-sync ... | head`` closes stdout early: end quietly, not with a traceback."""
    try:
        return main(argv)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main_quietly_piped())
