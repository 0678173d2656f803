"""The second process of ``sync.rules.elsewhere``: it reads its work from stdin and answers on
stdout, both pickled."""

from __future__ import annotations

import logging
import pickle
import signal
import sys
from typing import Any


def main() -> None:
    """Read the work, do it, answer; one line to stderr and an error answer on failure."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # stopping is the parent's decision
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    answer: tuple[str, Any]
    try:
        work, path, settings, as_of = pickle.load(sys.stdin.buffer)
        answer = ("ok", work(path, settings, as_of))
    except Exception as error:  # noqa: BLE001 — reported to the parent, which does it again
        answer = ("error", f"the rules' second process failed: {type(error).__name__}: {error}")
    pickle.dump(answer, sys.stdout.buffer)
