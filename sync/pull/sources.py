"""Pull every selected source into the store, concurrently, each isolated from the others:
a source that fails keeps its cursor and rows, and the rest finish and are saved."""

from __future__ import annotations

import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.errors import TrackerError
from connectors.interrupt import Interrupted
from sync.progress import ProgressLine
from sync.pull.common import SourceRun
from sync.settings import SourceSettings
from sync.store import Store
from sync.trackers import build_connector, tracker_of

log = logging.getLogger(__name__)


@dataclass
class SourceResult:
    name: str
    kind: str
    status: str
    error: str | None = None
    error_kind: str | None = None  # what went wrong, for a report in another language
    error_facts: dict[str, Any] | None = None  # its host, status, the tracker's message, …
    requests: int = 0
    items: int = 0
    changes: int = 0
    skipped: int = 0
    traffic: str = ""  # what the HTTP counters say beyond the request count, for the log
    # own comments a whole read of their item lacked (comment id -> item key, item id)
    gone: dict[str, tuple[str, str]] = field(default_factory=dict)

    def report(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "error": self.error,
            "requests": self.requests,
            "items": self.items,
            "changes": self.changes,
        }
        if self.error_kind:  # extensions of the contract, never renames
            entry.update({"error_kind": self.error_kind, "error_facts": self.error_facts})
        return entry


def pull_sources(
    sources: list[SourceSettings],
    secrets: dict[str, dict[str, str]],
    db_path: str | Path,
    *,
    full: bool = False,
    read_only: bool = False,
) -> list[SourceResult]:
    """Pull each source in its own thread with its own session and store connection, so a run
    takes about as long as its slowest source."""
    if not sources:
        return []
    on_terminal = sys.stderr.isatty() and logging.getLogger().getEffectiveLevel() <= logging.INFO
    progress = ProgressLine(enabled=on_terminal)
    workers = min(8, len(sources))
    with progress, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pull") as pool:
        futures = [
            pool.submit(
                pull_source,
                source,
                secrets.get(source.name, {}),
                db_path,
                full=full,
                read_only=read_only,
                progress=progress,
            )
            for source in sources
        ]
        return [future.result() for future in futures]


def pull_source(
    source: SourceSettings,
    secrets: dict[str, str],
    db_path: str | Path,
    *,
    full: bool = False,
    read_only: bool = False,
    progress: ProgressLine | None = None,
) -> SourceResult:
    result = SourceResult(source.name, source.kind, "ok")
    store = Store(db_path)
    connector = None
    run = SourceRun(source.name, store, {}, read_only=read_only)
    if progress is not None:
        progress.watch(run)
    try:
        store.ensure_source(source.name, source.kind, source.base_url)
        run.cursors = {} if full else store.cursors(source.name)
        connector = build_connector(source, secrets)
        tracker_of(source).puller(run, source, connector)
    except TrackerError as exc:
        result.status, result.error = "failed", error_text(source, exc)
        result.error_kind, result.error_facts = exc.kind, _facts(source, exc)
        log.error("%s", result.error)
    except Interrupted:
        result.status, result.error = "interrupted", f"{source.name}: stopped at a page boundary"
        result.error_kind, result.error_facts = "interrupted", {"source": source.name}
    except Exception as exc:  # noqa: BLE001 - one source must never take the run down
        result.status = "failed"
        result.error = f"{source.name}: unexpected {type(exc).__name__}: {exc}"
        result.error_kind = "unexpected"
        result.error_facts = {
            "source": source.name,
            "exception": type(exc).__name__,
            "message": str(exc),
        }
        log.error("%s", result.error)
        log.debug("traceback", exc_info=True)
    finally:
        if connector is not None:
            stats = connector.http.stats
            result.requests = stats.requests
            result.traffic = (
                f" ({stats.not_modified} not modified, {stats.retries} retried,"
                f" {stats.writes} writes, paced {stats.paced_seconds:.1f} s)"
            )
            connector.close()
        result.items, result.changes, result.skipped = run.items, run.changes, run.skipped
        result.gone = run.gone
        try:
            store.record_source_status(source.name, result.status, result.error)
        finally:
            store.close()
    log.info(
        "%s: %s, %d requests%s, %d items, %d changes%s",
        source.name,
        result.status,
        result.requests,
        result.traffic,
        result.items,
        result.changes,
        f", {result.skipped} malformed skipped" if result.skipped else "",
    )
    return result


def error_text(source: SourceSettings, exc: TrackerError) -> str:
    text = str(exc)
    prefix = f"{source.name}: "
    text = text if text.startswith(prefix) else prefix + text
    if exc.status == 401:
        text += " (check the token in the variable named by token_env)"
    elif exc.status == 404:
        text += " (check the repository or project name, and that the token can see it)"
    return text


def _facts(source: SourceSettings, exc: TrackerError) -> dict[str, Any]:
    """The error's facts, with the hint ``error_text`` gives in English."""
    facts = {**exc.report_facts(), "source": source.name}
    hint = {401: "token", 404: "name"}.get(exc.status or 0)
    return {**facts, "hint": hint} if hint else facts
