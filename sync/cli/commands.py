"""``tracker-sync check`` and ``tracker-sync status``: the read-only commands beside ``run``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sync.check import check_sources
from sync.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOURCE_FAILED,
    command_parser,
    config_path,
    configure_logging,
    fail,
    load_config,
    load_sources,
    stop_on_signals,
)
from sync.settings import ConfigError
from sync.status import status_lines
from sync.stopping import STOP
from sync.store import StoreError, check_store, read_status


def _parser(command: str, description: str) -> argparse.ArgumentParser:
    return command_parser(command, description)


def check_command(argv: list[str]) -> int:
    """Exit 0 when every source passes, 1 when one fails, 2 on a configuration error."""
    parser = _parser(
        "check",
        "Check the configuration, then each source with one or two read-only requests: "
        "reachable, credentials, project or repository visible, identity, write scope.",
    )
    parser.add_argument(
        "--source", action="append", default=[], metavar="NAME", help="only this source"
    )
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    stop_on_signals()
    try:
        settings, sources, secrets = load_sources(args)
    except ConfigError as exc:
        return fail(str(exc))
    print(f"config {config_path(args)}: ok ({len(sources)} sources)", flush=True)
    results = check_sources(settings, sources, secrets)
    for result in results:
        print(result.line, flush=True)
    if STOP.is_set():
        return fail("interrupted", EXIT_INTERRUPTED)
    return EXIT_OK if all(r.ok for r in results) else EXIT_SOURCE_FAILED


def status_command(argv: list[str]) -> int:
    parser = _parser(
        "status", "Last runs per source, open findings by rule and severity, acknowledgements."
    )
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    db_path = args.db
    if db_path is None:
        try:
            db_path = load_config(args).store.path
        except ConfigError as exc:
            return fail(str(exc))
    if not Path(db_path).exists():
        return fail(f"store {db_path}: does not exist yet (no run has used it)")
    try:
        check_store(db_path)
    except StoreError as exc:
        return fail(str(exc))
    for line in status_lines(str(db_path), read_status(db_path)):
        print(line)
    return EXIT_OK
