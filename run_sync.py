"""tracker-sync command line: ``python run_sync.py [COMMAND] …`` is ``tracker-sync [COMMAND] …``
(``run`` by default; ``check``, ``status``; see ``--help``). Logs go to stderr; stdout carries
only the report. Exit codes: 0 all sources ok, 1 some source failed (the others completed and
were saved), 2 usage, configuration or store error, 75 another run holds the lock, 130 a
one-shot run interrupted by SIGINT/SIGTERM.
"""

from __future__ import annotations

import os
import sys

from sync.cli import main


def main_quietly_piped(argv: list[str] | None = None) -> int:
    """``tracker-sync ... | head`` closes stdout early: end quietly, not with a traceback."""
    try:
        return main(argv)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main_quietly_piped())
