"""A live progress line on a terminal (source, items, pages, rate), refreshed four times a second
from the sources' counters; off a terminal, nothing: log lines are enough there."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO


class ProgressLine:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.runs: list[Any] = []
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, run: Any) -> None:
        self.runs.append(run)

    def __enter__(self) -> ProgressLine:
        if self.enabled:
            self._thread = threading.Thread(target=self._refresh, name="progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
            self.stream.write("\r\033[K")
            self.stream.flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 0.001)
        parts = [
            f"{run.name}: {run.seen} items, {run.pages} pages, {run.seen / elapsed:.0f}/s"
            for run in list(self.runs)
        ]
        return " | ".join(parts)

    def _refresh(self) -> None:
        while not self._stop.wait(0.25):
            self.stream.write("\r\033[K" + self.line()[:200])
            self.stream.flush()
