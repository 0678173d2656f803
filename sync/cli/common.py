"""What every command shares: the flags every command takes (``--config``, ``--db``, ``-v``,
``-q``), logging to stderr, loading the configuration, the exit codes and the one-line error
every failure is reported as."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from importlib import metadata
from types import FrameType
from typing import NoReturn

from sync.run import EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE
from sync.settings import (
    Settings,
    SourceSettings,
    load_settings,
    require_sources,
    resolve_secrets,
    select_sources,
)
from sync.stopping import STOP

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_SOURCE_FAILED",
    "EXIT_USAGE",
    "EXIT_CODES_HELP",
    "Parser",
    "add_common_flags",
    "config_path",
    "configure_logging",
    "fail",
    "load_config",
    "stop_on_signals",
    "version",
]

EXIT_CODES_HELP = """exit codes:
  0    every source ok
  1    a source (or chat channel) failed; the others completed and were saved
  2    usage, configuration or store error (one line on stderr says what)
  75   another run holds the store's lock
  130  a one-shot run interrupted by SIGINT/SIGTERM (the daemon exits 0)"""


class Parser(argparse.ArgumentParser):
    """A usage mistake is one line on stderr and exit 2, like every other error."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see {self.prog} --help)")
        sys.exit(EXIT_USAGE)


def version() -> str:
    try:
        return metadata.version("tracker-sync")
    except metadata.PackageNotFoundError:  # run from a checkout, not installed
        return "0.1.0"


def command_parser(command: str, description: str) -> argparse.ArgumentParser:
    """A subcommand's parser: its name in usage lines, the exit codes in its help, and the
    flags every command takes."""
    parser = Parser(
        prog=f"tracker-sync {command}",
        description=description,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common_flags(parser)
    return parser


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", help="config file (default: $TRACKER_SYNC_CONFIG or config.toml)"
    )
    parser.add_argument("--db", help="store path (overrides [store].path)")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging, one line per request"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    parser.add_argument("--version", action="version", version=f"tracker-sync {version()}")


def configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # urllib3's own debug lines would print full URLs and nothing we need.
    logging.getLogger("urllib3").setLevel(logging.WARNING)


def config_path(args: argparse.Namespace) -> str:
    return args.config or os.environ.get("TRACKER_SYNC_CONFIG") or "config.toml"


def load_config(args: argparse.Namespace) -> Settings:
    """The settings, or ConfigError listing every problem."""
    return load_settings(config_path(args))


def load_sources(
    args: argparse.Namespace,
) -> tuple[Settings, list[SourceSettings], dict[str, dict[str, str]]]:
    """The settings, the sources ``--source`` selects and their secrets; or ConfigError
    listing every problem (none configured, an unknown source, every missing variable)."""
    settings = load_config(args)
    require_sources(settings)
    sources = select_sources(settings, args.source)
    return settings, sources, resolve_secrets(settings, sources)


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """Print each line of ``message`` on stderr, prefixed with the program's name."""
    for line in str(message).splitlines() or [""]:
        print(f"tracker-sync: {line}", file=sys.stderr)
    return code


def stop_on_signals() -> None:
    """SIGINT and SIGTERM ask for a stop: pulls end at the next page boundary, waits end at
    once, nothing more is evaluated or written. No KeyboardInterrupt traceback."""

    def request_stop(signum: int, frame: FrameType | None) -> None:
        logging.getLogger("tracker_sync").info(
            "%s received; stopping at the next page boundary", signal.Signals(signum).name
        )
        STOP.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
