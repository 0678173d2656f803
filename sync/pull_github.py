"""Pulling one GitHub repository into the store, incrementally.

Four collections: milestones (small, conditional GET), issues and comments (``since`` a
high-water mark minus an overlap, sorted by update time), and events (newest first, until an
event already held). Every page commits with the cursor after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from connectors.errors import InvalidRequest
from connectors.github import GitHubConnector
from connectors.http import EtagCache, Page
from mapping import github as gh
from mapping.model import MalformedPayload, utc_iso
from sync.pull_common import SourceRun, map_page
from sync.settings import GitHubSource

log = logging.getLogger(__name__)

MAX_PASSES = 4


def pull_github(run: SourceRun, source: GitHubSource, connector: GitHubConnector) -> None:
    store, cursors = run.store, run.cursors
    etags = EtagCache(dict(cursors.get("etags", {})))
    identity = store.identity(source.name) if "etags" in cursors else {}
    fresh_identity = connector.fetch_identity(etags if identity else etags_without_user(etags))
    if fresh_identity is not None:
        identity = fresh_identity
        store.save_identity(source.name, identity)

    def save_cursors_with_etags() -> dict[str, Any]:
        cursors["etags"] = etags.entries
        return cursors

    for page in connector.fetch_milestone_pages(etags):
        milestones = map_page(
            run, page.items, "milestone", lambda p: gh.map_milestone(p, source=source.name)
        )
        store.save_milestones(source.name, milestones, save_cursors_with_etags())

    def save_issue_page(items: list[Any]) -> None:
        mapped = map_page(
            run,
            items,
            "issue",
            lambda p: gh.map_issue(
                p,
                source=source.name,
                repo=source.repo,
                requirement_labels=source.requirement_labels,
                requirement_types=source.requirement_types,
                doing_labels=source.doing_labels,
            ),
        )
        counts = store.save_items(
            source.name, mapped, history_fields=gh.HISTORY_FIELDS, cursors=save_cursors_with_etags()
        )
        run.item_ids.update(counts.updated_ids)
        run.changes += counts.changes

    pull_since(
        run,
        "issues_since",
        connector.fetch_issue_pages,
        save_issue_page,
        etags,
        source.overlap_seconds,
    )

    def save_comment_page(items: list[Any]) -> None:
        comments = map_page(run, items, "comment", lambda p: gh.map_comment(p, source=source.name))
        store.save_comments(
            source.name, comments, own_author=identity["id"], cursors=save_cursors_with_etags()
        )

    pull_since(
        run,
        "comments_since",
        connector.fetch_comment_pages,
        save_comment_page,
        etags,
        source.overlap_seconds,
    )

    pull_events(run, source, connector, etags)
    # Keep only the validators this run used: URLs of old windows never come back.
    cursors["etags"] = etags.used()
    store.save_cursors(source.name, cursors)


def etags_without_user(etags: EtagCache) -> EtagCache:
    """With no identity stored (first run, ``--full``) ``/user`` must answer in full."""
    etags.entries = {url: v for url, v in etags.entries.items() if not url.endswith("/user")}
    return etags


def pull_since(
    run: SourceRun,
    cursor_key: str,
    fetch_pages: Callable[[str | None, EtagCache], Iterator[Page]],
    save_page: Callable[[list[Any]], None],
    etags: EtagCache,
    overlap_seconds: int,
) -> None:
    """Page a ``since``-filtered, update-ordered collection until a pass brings nothing new.

    The cursor is the newest ``updated_at`` stored; each request asks from that minus an
    overlap, so equal timestamps and clock skew open no gap. Two hazards of offset paging are
    closed by repeating the pass: an object edited while we page moves to the end and shifts
    every later page by one, so an object at a page boundary could be skipped (detected by an
    object updated after the pass began that existed before it: the pass is repeated from the
    same point); and objects updated after we passed their page (the pass is repeated from the
    new cursor, which also leaves a validator so the next quiet sync costs one 304).
    """
    moved_seen: set[tuple[Any, str]] = set()
    cursor = run.cursors.get(cursor_key)
    since = _minus_seconds(cursor, overlap_seconds) if cursor else None
    for _ in range(MAX_PASSES):
        cursor = run.cursors.get(cursor_key)
        pass_started: str | None = None
        shifted = False
        for page in fetch_pages(since, etags):
            pass_started = pass_started or _server_time(page)
            if page.not_modified:
                continue
            for obj in page.items:
                if pass_started and _created(obj) < pass_started <= _updated(obj):
                    moved = (obj.get("id"), _updated(obj))
                    shifted = shifted or moved not in moved_seen
                    moved_seen.add(moved)
            newest = max((_updated(obj) for obj in page.items), default="")
            if newest > (run.cursors.get(cursor_key) or ""):
                run.cursors[cursor_key] = newest
            save_page(page.items)
        if shifted:
            log.debug("%s: %s changed while paging; paging that window again", run.name, cursor_key)
            continue  # same ``since``: unchanged pages answer 304
        if run.cursors.get(cursor_key) == cursor:
            return
        since = _minus_seconds(run.cursors[cursor_key], overlap_seconds)
    log.warning("%s: %s kept changing while paging; the next sync continues", run.name, cursor_key)


def pull_events(
    run: SourceRun, source: GitHubSource, connector: GitHubConnector, etags: EtagCache
) -> None:
    """Events newest first, stopping at the first event already held. The high-water id is
    saved only when the pass is complete, so an interrupted pass is redone from the top."""
    known = int(run.cursors.get("events_max_id") or 0)
    newest = known
    try:
        for page in connector.fetch_event_pages(etags):
            if page.not_modified:
                break
            ids = [_event_id(obj) for obj in page.items]
            newest = max([newest, *ids])
            fresh = [obj for obj, event_id in zip(page.items, ids, strict=True) if event_id > known]
            changes = [
                change
                for change in map_page(
                    run, fresh, "event", lambda p: gh.map_event(p, source=source.name)
                )
                if change is not None
            ]
            run.changes += run.store.save_changes(source.name, changes, run.cursors)
            if len(fresh) < len(page.items):
                break
    except InvalidRequest as exc:
        # GitHub refuses deep paging of this endpoint on big repositories (422).
        log.warning("%s: events paging stopped early, history may be incomplete: %s", run.name, exc)
    run.cursors["events_max_id"] = newest
    run.store.save_cursors(source.name, run.cursors)


def _event_id(obj: Any) -> int:
    if isinstance(obj, dict) and isinstance(obj.get("id"), int):
        return obj["id"]
    return 0


def _updated(obj: Any) -> str:
    return _stamp(obj, "updated_at")


def _created(obj: Any) -> str:
    return _stamp(obj, "created_at")


def _stamp(obj: Any, key: str) -> str:
    if not isinstance(obj, dict):
        return ""
    try:
        return utc_iso(obj.get(key)) or ""
    except MalformedPayload:
        return ""


def _server_time(page: Page) -> str | None:
    value = page.headers.get("Date") if page.headers else None
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return None


def _minus_seconds(stamp: str, seconds: int) -> str:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (moment - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
