"""A requested stop (SIGTERM, SIGINT): pulls check it between pages, so the page in hand is
committed with its cursor and the next run resumes from there."""

from __future__ import annotations

import threading

STOP = threading.Event()


class StopRequested(Exception):
    """Raised at a page boundary after a stop was requested."""


def check_stop() -> None:
    if STOP.is_set():
        raise StopRequested("stop requested")
