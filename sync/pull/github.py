"""Pulling one GitHub repository into the store, incrementally.

Four collections: milestones (small, conditional GET), issues and comments (``since`` a
high-water mark minus an overlap, sorted by update time), and events (newest first, until an
event already held). Every page commits with the cursor after it.
"""

from __future__ import annotations

import logging
from typing import Any

from connectors.errors import InvalidRequest
from connectors.github import GitHubConnector
from connectors.http import EtagCache
from mapping import github as gh
from sync.pull.common import SourceRun, map_page, pull_since
from sync.settings import GitHubSource
from sync.stopping import check_stop

log = logging.getLogger(__name__)


def pull_github(run: SourceRun, source: GitHubSource, connector: GitHubConnector) -> None:
    store, cursors = run.store, run.cursors
    etags = EtagCache(dict(cursors.get("etags", {})))
    identity = connector.fetch_identity(etags)
    if identity != store.identity(source.name):
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
        run.save_page(mapped, history_fields=gh.HISTORY_FIELDS, cursors=save_cursors_with_etags())

    pull_since(
        run,
        "issues_since",
        lambda since: connector.fetch_issue_pages(since, etags),
        save_issue_page,
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
        lambda since: connector.fetch_comment_pages(since, etags),
        save_comment_page,
        source.overlap_seconds,
    )

    pull_events(run, source, connector, etags)
    # Keep only the validators this run used: URLs of old windows never come back.
    cursors["etags"] = etags.used()
    store.save_cursors(source.name, cursors)


def pull_events(
    run: SourceRun, source: GitHubSource, connector: GitHubConnector, etags: EtagCache
) -> None:
    """Events newest first, stopping at the first event already held. The high-water id is
    saved only when the pass is complete, so an interrupted pass is redone from the top."""
    known = int(run.cursors.get("events_max_id") or 0)
    newest = known
    try:
        for page in connector.fetch_event_pages(etags):
            check_stop()
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
