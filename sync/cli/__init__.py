"""The command line: ``tracker-sync [COMMAND] [options]``, ``run`` by default. Each command is
one entry in ``COMMANDS`` (name → a function of its arguments returning the exit code), so a
new one (``report``, ``ack``) is a module and a line here."""

from __future__ import annotations

import sys
from collections.abc import Callable

from sync.cli.ack_command import ack_command, unack_command
from sync.cli.commands import check_command, status_command
from sync.cli.run_command import run_command
from sync.report.cli import main as report_command

COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "run": run_command,
    "check": check_command,
    "status": status_command,
    "report": report_command,
    "ack": ack_command,
    "unack": unack_command,
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args and args[0] in COMMANDS else "run"
    return COMMANDS[command](args)
