"""What every tracker's pull shares: the per-source run state and tolerant page mapping."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from connectors.http import Page
from mapping.model import MalformedPayload, utc_iso
from sync.stopping import check_stop
from sync.store import Store
from sync.store.writeback_queries import own_comments_on

log = logging.getLogger(__name__)

T = TypeVar("T")
# What a malformed tracker object raises while being mapped: logged and skipped, never fatal.
MAPPING_ERRORS = (MalformedPayload, KeyError, TypeError, ValueError, AttributeError)
MAX_PASSES = 4


@dataclass
class SourceRun:
    """One source's pull in progress: its store connection, its cursors (saved with every
    page) and the counts the report shows."""

    name: str
    store: Store
    cursors: dict[str, Any]
    item_ids: set[str] = field(default_factory=set)
    read_only: bool = False  # a dry run: not even a read sent as POST
    pages: int = 0  # pages mapped, for the progress line
    seen: int = 0  # objects mapped
    changes: int = 0
    skipped: int = 0
    # own comments a complete read of their item's comments lacked: a person deleted them
    # (comment id -> item key, item id); the write-back takes them as acknowledgements
    gone: dict[str, tuple[str, str]] = field(default_factory=dict)

    def note_listed(self, listed: dict[str, set[str]]) -> None:
        """``listed``: item id -> the ids of a complete, successful read of its comments
        (never a ``since`` listing, a partial page or a failed read). An own comment the store
        holds on such an item that the read lacks was deleted on the tracker. Call it after
        the page is saved; a dry run notes nothing (it records nothing)."""
        if self.read_only or not listed:
            return
        for comment_id, key, item_id in own_comments_on(self.store, self.name, list(listed)):
            if comment_id not in listed[item_id]:
                log.info("%s: own comment %s on %s is gone from the tracker", self.name,
                         comment_id, key)  # fmt: skip
                self.gone[comment_id] = (key, item_id)

    def save_page(self, mapped: list[Any], **page: Any) -> None:
        """Store a page (items, their history and comments, the cursor) and count what it
        brought: the report's items and changes."""
        counts = self.store.save_page(self.name, mapped, **page)
        self.item_ids.update(counts.updated_ids)
        self.changes += counts.changes

    @property
    def items(self) -> int:
        """Distinct items new or updated this run; an overlap window re-reads a few unchanged
        ones, which are not counted."""
        return len(self.item_ids)


def map_page(
    run: SourceRun, payloads: Iterable[Any], what: str, mapper: Callable[[Any], T]
) -> list[T]:
    """Map each payload of a page; a malformed one is logged and skipped, never fatal, so one
    bad object cannot stop a tracker's sync."""
    records: list[T] = []
    payloads = list(payloads)
    run.pages += 1
    run.seen += len(payloads)
    for payload in payloads:
        try:
            records.append(mapper(payload))
        except MAPPING_ERRORS as exc:
            run.skipped += 1
            ident = payload.get("id") if isinstance(payload, dict) else None
            log.warning("%s: skipping malformed %s %s: %s", run.name, what, ident or "?", exc)
    return records


def top_level_stamp(key: str) -> Callable[[Any], str]:
    """Read a timestamp at the top of a payload (GitHub's ``updated_at``)."""

    def read(obj: Any) -> str:
        return _stamp(obj.get(key) if isinstance(obj, dict) else None)

    return read


def pull_since(
    run: SourceRun,
    cursor_key: str,
    fetch_pages: Callable[[str | None], Iterator[Page]],
    save_page: Callable[[list[Any]], None],
    overlap_seconds: int,
    updated_of: Callable[[Any], str] | None = None,
    created_of: Callable[[Any], str] | None = None,
) -> None:
    """Page an update-ordered collection from ``since`` on, until a pass brings nothing new.

    The cursor is the newest update time stored; each request asks from that minus an overlap,
    so equal timestamps, clock skew and eventual consistency open no gap. Two hazards of offset
    paging are closed by paging again: an object edited while we page moves to the end and
    shifts every later page by one, so an object at a page boundary could be skipped (seen as an
    object updated after the pass began that existed before it: the same window is paged again;
    unchanged pages cost a 304 where the tracker has validators); and objects updated after we
    passed their page (paged from the new cursor, which also leaves a validator so the next quiet
    sync costs one 304).
    """
    updated_of = updated_of or top_level_stamp("updated_at")
    created_of = created_of or top_level_stamp("created_at")
    moved_seen: set[tuple[Any, str]] = set()
    cursor = run.cursors.get(cursor_key)
    since = _minus_seconds(cursor, overlap_seconds) if cursor else None
    for _ in range(MAX_PASSES):
        cursor = run.cursors.get(cursor_key)
        pass_started: str | None = None
        shifted = False
        for page in fetch_pages(since):
            check_stop()
            pass_started = pass_started or _server_time(page)
            if page.not_modified:
                continue
            for obj in page.items:
                updated = updated_of(obj)
                if pass_started and created_of(obj) < pass_started <= updated:
                    moved = (obj.get("id") if isinstance(obj, dict) else None, updated)
                    shifted = shifted or moved not in moved_seen
                    moved_seen.add(moved)
            newest = max((updated_of(obj) for obj in page.items), default="")
            if shifted:
                # An object a page boundary pushed out of sight may be older than the cursor
                # this pass reached: until the re-page brings it, the saved cursor stays where
                # the pass began, so a run stopped now re-reads the window.
                _set_cursor(run, cursor_key, cursor)
            elif newest > (run.cursors.get(cursor_key) or ""):
                run.cursors[cursor_key] = newest
            save_page(page.items)
        if shifted:
            log.debug("%s: %s changed while paging; paging that window again", run.name, cursor_key)
            continue
        if run.cursors.get(cursor_key) == cursor:
            return
        since = _minus_seconds(run.cursors[cursor_key], overlap_seconds)
    log.warning("%s: %s kept changing while paging; the next sync continues", run.name, cursor_key)


def _set_cursor(run: SourceRun, key: str, value: str | None) -> None:
    if value is None:
        run.cursors.pop(key, None)
    else:
        run.cursors[key] = value


def _stamp(value: Any) -> str:
    try:
        return utc_iso(value) or ""
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
