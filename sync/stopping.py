"""A requested stop (SIGTERM, SIGINT): pulls check it between pages, so the page in hand is
committed with its cursor and the next run resumes from there. The event is the HTTP layer's
own (``connectors/interrupt.py``), so its pacing and Retry-After waits end at once too."""

from __future__ import annotations

from connectors.interrupt import STOP, Interrupted

__all__ = ["STOP", "StopRequested", "check_stop"]


class StopRequested(Interrupted):
    """Raised at a page boundary after a stop was requested."""


def check_stop() -> None:
    if STOP.is_set():
        raise StopRequested("stop requested")
