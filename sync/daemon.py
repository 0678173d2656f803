"""``--daemon``: run now, then every ``[daemon].interval_minutes`` (schedule). A run that
overruns the interval is never started twice (the scheduler runs jobs one at a time); SIGTERM
or SIGINT let the current page commit, then the daemon exits 0. Each cycle is one log line and
one row in ``runs``."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import schedule

from sync.run import EXIT_OK, RunOptions, run_once
from sync.settings import Settings, SourceSettings
from sync.stopping import STOP

log = logging.getLogger(__name__)


def run_daemon(
    settings: Settings,
    sources: list[SourceSettings],
    secrets: dict[str, dict[str, str]],
    db_path: str | Path,
    options: RunOptions,
    emit: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """Cycle until SIGTERM/SIGINT; ``emit`` gets each cycle's report (``--json``: one line
    per cycle). A cycle cut short is recorded as interrupted; the daemon still exits 0."""

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("daemon: %s received; finishing the current page", signal.Signals(signum).name)
        STOP.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    cycle = 0

    def one_cycle() -> None:
        nonlocal cycle
        cycle += 1
        report, code = run_once(settings, sources, secrets, db_path, options)
        if emit is not None:
            emit(report)
        states = ", ".join(f"{s['name']} {s['status']}" for s in report["sources"]) or "no sources"
        done = sum(1 for w in report["writes"] if w["done"])
        log.info(
            "daemon: cycle %d exit %d: %s; %d findings, %d comments written",
            cycle,
            code,
            states,
            len(report["findings"]),
            done,
        )

    scheduler = schedule.Scheduler()
    scheduler.every(settings.daemon.interval_minutes * 60).seconds.do(one_cycle)
    log.info("daemon: running every %s minutes", settings.daemon.interval_minutes)
    one_cycle()
    while not STOP.is_set():
        scheduler.run_pending()
        STOP.wait(min(1.0, max(0.05, scheduler.idle_seconds or 1.0)))
    log.info("daemon: stopped")
    return EXIT_OK
