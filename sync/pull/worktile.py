"""Pulling one Worktile/PingCode project into the store, incrementally.

Work items are listed per type (the list may omit ``type``), from the last complete pass minus
an overlap through ``updated_between``. The list has no sort order, so a type's cursor moves
only when its pass is complete, and a pass whose ``total`` drifts is paged again. A tenant that
ignores ``updated_between`` is detected (items older than the window come back) and served by
the search endpoint, or by full passes where search is missing: never by missing data.
History (transitions and activities) and comments are fetched only for requirements that
changed, and transitions for changed tasks linked to something that have entered work: there
is no global change feed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from connectors.errors import InvalidRequest, NotFound
from connectors.worktile import WorktileConnector
from mapping import worktile as wm
from mapping.model import ChangeRecord, CommentRecord, MappedItem
from sync.pull.common import MAPPING_ERRORS, SourceRun, map_page
from sync.settings import WorktileSource
from sync.stopping import check_stop

log = logging.getLogger(__name__)

MAX_PASSES = 3


def pull_worktile(run: SourceRun, source: WorktileSource, connector: WorktileConnector) -> None:
    project = connector.find_project()
    project_id = str(project["id"])
    myself = connector.fetch_myself()
    known = run.store.identity(source.name)
    identity = {
        "id": (myself or {}).get("id") or source.bot_user_id or known.get("id"),
        "login": (myself or {}).get("name") or known.get("login"),
        "project_id": project_id,
    }
    run.store.save_identity(source.name, identity)
    milestones = map_page(
        run,
        connector.fetch_sprints(project_id),
        "sprint",
        lambda p: wm.map_sprint(p, source=source.name, kind="sprint", timezone=source.timezone),
    )
    milestones += map_page(
        run,
        connector.fetch_versions(project_id),
        "version",
        lambda p: wm.map_sprint(p, source=source.name, kind="version", timezone=source.timezone),
    )
    run.store.save_milestones(source.name, milestones, run.cursors)
    for work_type in connector.fetch_types(project_id):
        type_id = str(work_type.get("id") or work_type)
        pull_work_item_type(run, source, connector, project_id, type_id, identity)
    run.store.save_cursors(source.name, run.cursors)


def pull_work_item_type(
    run: SourceRun,
    source: WorktileSource,
    connector: WorktileConnector,
    project_id: str,
    type_id: str,
    identity: dict[str, Any],
) -> None:
    cursors = run.cursors.setdefault("items_since", {})
    mode = run.cursors.get("incremental", "updated_between")
    since = cursors.get(type_id)
    updated_from = max(0, since - source.overlap_seconds) if since is not None else None
    for _ in range(MAX_PASSES):
        newest, totals, ignored = since or 0, set(), False
        for page in item_pages(connector, project_id, type_id, updated_from, mode):
            check_stop()
            totals.add(page.headers.get("X-Total"))
            stamps = [_seconds(p.get("updated_at")) for p in page.items if isinstance(p, dict)]
            if (
                updated_from is not None
                and mode == "updated_between"
                and any(s < updated_from for s in stamps)
            ):
                ignored = True
            newest = max([newest, *stamps])
            save_work_items(run, source, connector, type_id, identity, page.items)
        if ignored:
            mode = fallback_mode(connector, project_id, type_id, updated_from)
            run.cursors["incremental"] = mode
            log.warning("%s: the server ignores updated_between; using %s", run.name, mode)
            continue  # this pass stored everything; the next one proves the fallback works
        if len(totals) > 1:
            log.info("%s: %s changed while paging; paging it again", run.name, type_id)
            continue
        cursors[type_id] = newest
        return
    cursors[type_id] = since  # never advance past a window that did not settle


def item_pages(
    connector: WorktileConnector, project_id: str, type_id: str, updated_from: int | None, mode: str
):
    if updated_from is None or mode == "full":
        return connector.fetch_work_item_pages(project_id, type_id, None)
    if mode == "search":
        return connector.search_work_item_pages(project_id, type_id, updated_from)
    return connector.fetch_work_item_pages(project_id, type_id, updated_from)


def fallback_mode(
    connector: WorktileConnector, project_id: str, type_id: str, updated_from: int | None
) -> str:
    """Search if the tenant has it, else full passes."""
    try:
        next(iter(connector.search_work_item_pages(project_id, type_id, updated_from or 0)))
    except (NotFound, InvalidRequest):
        return "full"
    return "search"


def save_work_items(
    run: SourceRun,
    source: WorktileSource,
    connector: WorktileConnector,
    type_id: str,
    identity: dict[str, Any],
    payloads: list[Any],
) -> None:
    mapped = map_page(
        run,
        payloads,
        "work item",
        lambda p: wm.map_work_item(
            p,
            source=source.name,
            type_id=type_id,
            requirement_types=source.requirement_types,
            timezone=source.timezone,
        ),
    )
    stored = run.store.updated_at_of(source.name, [m.item.id for m in mapped])
    changes: list[ChangeRecord] = []
    comments: list[CommentRecord] = []
    listed: dict[str, set[str]] = {}  # item id -> every comment id, where the read was whole
    for entry in mapped:
        item = entry.item
        if stored.get(item.id) == item.updated_at:
            continue  # re-read by the overlap, unchanged: its history is stored
        if item.kind != "requirement":
            changes += linked_transitions(run, source, connector, entry)
            continue
        try:
            changes += [
                wm.map_transition(t, source=source.name, item_id=item.id)
                for t in connector.fetch_transitions(item.id)
            ]
            changes += [
                c
                for a in connector.fetch_activities(item.id)
                for c in wm.map_activity_changes(a, source=source.name, item_id=item.id)
            ]
            values, whole = connector.fetch_comment_list(item.id)
            comments += [
                c
                for raw in values
                if (c := wm.map_comment(raw, source=source.name, item_id=item.id))
            ]
            if whole:
                # a soft-deleted comment is listed with ``is_deleted: 1``: it is gone
                listed[item.id] = {str(raw["id"]) for raw in values if not raw.get("is_deleted")}
        except MAPPING_ERRORS as exc:
            run.skipped += 1
            log.warning(
                "%s: skipping malformed history or comments of %s: %s", run.name, item.key, exc
            )
    milestone_items = [
        wm.map_milestone_item(p, source=source.name, timezone=source.timezone)
        for p in payloads
        if isinstance(p, dict)
        and (p.get("type") or type_id) == "milestone"
        and p.get("id")
        and p.get("state")
    ]
    run.save_page(
        mapped,
        history_fields=wm.HISTORY_FIELDS,
        changes=changes,
        comments=comments,
        own_author=identity.get("id"),
    )
    run.note_listed(listed)
    if milestone_items:
        run.store.save_milestones(source.name, milestone_items)


def linked_transitions(
    run: SourceRun, source: WorktileSource, connector: WorktileConnector, entry: MappedItem
) -> list[ChangeRecord]:
    """A task linked to a requirement (a child, or naming it) that has entered work: when it
    did is the requirement's work start, so its transitions are fetched too. Tasks still to do,
    and tasks linked to nothing, cost no request."""
    item = entry.item
    if item.status_category == "todo" or item.cancelled or not entry.links:
        return []
    try:
        return [
            wm.map_transition(t, source=source.name, item_id=item.id)
            for t in connector.fetch_transitions(item.id)
        ]
    except MAPPING_ERRORS as exc:
        run.skipped += 1
        log.warning("%s: skipping malformed transitions of %s: %s", run.name, item.key, exc)
        return []


def _seconds(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return int(datetime.now(UTC).timestamp())
