"""Pull every selected source into the store, concurrently, each isolated from the others:
a source that fails keeps its cursor and rows, and the rest finish and are saved."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors import CONNECTORS
from connectors.errors import TrackerError
from connectors.http import RetryPolicy
from sync.progress import ProgressLine
from sync.pull.common import SourceRun
from sync.pull.github import pull_github
from sync.pull.jira import pull_jira
from sync.pull.worktile import pull_worktile
from sync.settings import GitHubSource, JiraSource, SourceSettings, WorktileSource
from sync.stopping import StopRequested
from sync.store import Store

log = logging.getLogger(__name__)

PULLERS: dict[str, Callable[[SourceRun, Any, Any], None]] = {
    "github": pull_github,
    "jira": pull_jira,
    "worktile": pull_worktile,
}


@dataclass
class SourceResult:
    name: str
    kind: str
    status: str
    error: str | None = None
    requests: int = 0
    items: int = 0
    changes: int = 0
    skipped: int = 0

    def report(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "error": self.error,
            "requests": self.requests,
            "items": self.items,
            "changes": self.changes,
        }


def retry_policy(source: SourceSettings) -> RetryPolicy:
    return RetryPolicy(
        attempts=source.max_attempts,
        backoff=source.retry_backoff_seconds,
        max_wait=source.max_retry_wait_seconds,
    )


def build_connector(source: SourceSettings, secrets: dict[str, str]) -> Any:
    """The connector for a source, from its settings and its secrets (from the environment)."""
    if isinstance(source, GitHubSource):
        return CONNECTORS["github"](
            source=source.name,
            base_url=source.base_url,
            repo=source.repo,
            token=secrets["token"],
            timeout=source.timeout_seconds,
            retry=retry_policy(source),
            min_write_interval=source.min_write_interval_seconds,
        )
    if isinstance(source, JiraSource):
        return CONNECTORS["jira"](
            source=source.name,
            base_url=source.base_url,
            api_version=source.api_version,
            project=source.project,
            token=secrets["token"],
            email=source.email,
            timeout=source.timeout_seconds,
            retry=retry_policy(source),
        )
    if isinstance(source, WorktileSource):
        return CONNECTORS["worktile"](
            source=source.name,
            base_url=source.base_url,
            api_prefix=source.api_prefix,
            project=source.project,
            client_id=secrets["client_id"],
            client_secret=secrets["client_secret"],
            requests_per_minute=source.requests_per_minute,
            rate_window_seconds=source.rate_window_seconds,
            timeout=source.timeout_seconds,
            retry=retry_policy(source),
            work_items_segment=source.work_items_segment,
            versions_segment=source.versions_segment,
        )
    raise TrackerError(
        f"the {source.kind} connector is not available in this build", source=source.name
    )


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
        puller = PULLERS[source.kind]
        puller(run, source, connector)
    except TrackerError as exc:
        result.status, result.error = "failed", _error_text(source, exc)
        log.error("%s", result.error)
    except StopRequested:
        result.status, result.error = "interrupted", f"{source.name}: stopped at a page boundary"
    except Exception as exc:  # noqa: BLE001 - one source must never take the run down
        result.status = "failed"
        result.error = f"{source.name}: unexpected {type(exc).__name__}: {exc}"
        log.error("%s", result.error)
        log.debug("traceback", exc_info=True)
    finally:
        if connector is not None:
            result.requests = connector.http.stats.requests
            connector.close()
        result.items, result.changes, result.skipped = run.items, run.changes, run.skipped
        try:
            store.record_source_status(source.name, result.status, result.error)
        finally:
            store.close()
    log.info(
        "%s: %s, %d requests, %d items, %d changes%s",
        source.name,
        result.status,
        result.requests,
        result.items,
        result.changes,
        f", {result.skipped} malformed skipped" if result.skipped else "",
    )
    return result


def _error_text(source: SourceSettings, exc: TrackerError) -> str:
    text = str(exc)
    prefix = f"{source.name}: "
    text = text if text.startswith(prefix) else prefix + text
    if exc.status == 401:
        text += " (check the token in the variable named by token_env)"
    elif exc.status == 404:
        text += " (check the repository or project name, and that the token can see it)"
    return text
