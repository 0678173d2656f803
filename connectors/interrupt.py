"""A requested stop (SIGINT, SIGTERM) as the HTTP layer sees it: every wait it makes, for
pacing or for a tracker's Retry-After, is a wait on this event, so a stop ends it at once
instead of after up to 15 minutes; no request starts after a stop. The process's signal
handler sets it (``sync/stopping.py``)."""

from __future__ import annotations

import threading

STOP = threading.Event()


class Interrupted(Exception):
    """A stop was requested: raised instead of sleeping on, or sending another request."""


def pause(seconds: float) -> None:
    """Sleep ``seconds``, or until a stop is requested; raise ``Interrupted`` then."""
    if STOP.wait(max(0.0, seconds)):
        raise Interrupted("stop requested")


def check_interrupted() -> None:
    if STOP.is_set():
        raise Interrupted("stop requested")
