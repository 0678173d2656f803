"""``tracker-sync report``: the status report from the store(s) alone, with no tracker call.
Prints the index's path on stdout. Exit codes: 0 written, 2 usage, configuration or store
error (one line on stderr)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from sync.report.html import report_data, write_report
from sync.report.status_data import gather_store
from sync.settings import ConfigError, Settings, load_settings
from sync.store.report_queries import ReadOnlyStore, StoreUnreadable

EXIT_OK, EXIT_USAGE = 0, 2


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="tracker-sync report",
        description="Write the status report: index.html, one page per open milestone and "
        "report.json, from the store alone (opened read-only).",
    )
    parser.add_argument("--out", default="reports", help="output directory (default: reports/)")
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="PATH",
        help="a store; repeat for a portfolio over several (default: [store].path)",
    )
    parser.add_argument("--milestone", metavar="TITLE", help="only the milestone(s) with TITLE")
    parser.add_argument("--lang", choices=("en", "zh"), help="default: [writeback].language")
    parser.add_argument("--as-of", type=iso_day, metavar="YYYY-MM-DD", help="default: today (UTC)")
    parser.add_argument(
        "--config", help="config file (default: $TRACKER_SYNC_CONFIG or config.toml, if present)"
    )
    return parser.parse_args(argv)


def iso_day(value: str) -> date:
    """An argparse type for YYYY-MM-DD (``--as-of`` of ``run`` and ``report``)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def report_settings(path: str | None) -> Settings:
    """The named config; else the default one when it exists; else the defaults (a report
    needs no credentials, only the rules' parameters and the language)."""
    path = path or os.environ.get("TRACKER_SYNC_CONFIG")
    if path is None and Path("config.toml").is_file():
        path = "config.toml"
    return load_settings(path) if path else Settings()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        settings = report_settings(args.config)
    except ConfigError as exc:
        print(f"tracker-sync: {exc}", file=sys.stderr)
        return EXIT_USAGE
    as_of = args.as_of or datetime.now(UTC).date()
    lang = args.lang or settings.writeback.language
    paths = args.db or [settings.store.path]
    stores, used = [], set()
    try:
        for path in paths:
            store = ReadOnlyStore(path)
            try:
                stores.append(gather_store(store, settings, as_of, args.milestone, used))
            finally:
                store.close()
    except StoreUnreadable as exc:
        print(f"tracker-sync: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        index = write_report(report_data(stores, as_of, lang), Path(args.out), as_of)
    except OSError as exc:
        print(f"tracker-sync: cannot write the report to {args.out}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(index)
    return EXIT_OK
