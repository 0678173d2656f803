"""Pulling one Worktile/PingCode project into the store, incrementally.

Work items are listed per type (the list may omit ``type``), from the last complete pass minus
an overlap through ``updated_between``. The list has no sort order, so a type's cursor moves
only when its pass is complete, and a pass whose ``total`` drifts is paged again. A tenant that
ignores ``updated_between`` is detected (items older than the window come back) and served by
the search endpoint, or by full passes where search is missing: never by missing data.
There is no global change feed, so history and comments are read per work item, and only for
the items that changed since the last pass: activities and comments of every one (a task's
joining a version, a client's question on a bug), transitions of requirements and of tasks
linked to something that have entered work; what no rule can read is skipped (see
``item_history``).
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
        if stored.get(entry.item.id) == entry.item.updated_at:
            continue  # re-read by the overlap, unchanged: its history is stored
        try:
            found_changes, found_comments, whole = item_history(source, connector, entry)
        except MAPPING_ERRORS as exc:
            run.skipped += 1
            log.warning(
                "%s: skipping malformed history or comments of %s: %s",
                run.name,
                entry.item.key,
                exc,
            )
            continue
        changes += found_changes
        comments += found_comments
        if whole is not None:
            listed[entry.item.id] = whole
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


def item_history(
    source: WorktileSource, connector: WorktileConnector, entry: MappedItem
) -> tuple[list[ChangeRecord], list[CommentRecord], set[str] | None]:
    """A changed work item's history and comments, as far as a rule can read them: one
    request per kind of record, and none for what cannot matter (see the ``*_matter``
    predicates). Each list endpoint returns the whole history, so a request skipped now loses
    nothing: the item's next change re-reads it all. Also the ids of every comment the item
    still has, when its comments were read to the end (an own comment missing from them was
    deleted), else ``None``."""
    item, name = entry.item, source.name
    changes: list[ChangeRecord] = []
    if transitions_matter(entry):
        changes += [
            wm.map_transition(t, source=name, item_id=item.id)
            for t in connector.fetch_transitions(item.id)
        ]
    if activities_matter(entry):
        changes += [
            c
            for a in connector.fetch_activities(item.id)
            for c in wm.map_activity_changes(a, source=name, item_id=item.id)
        ]
    comments: list[CommentRecord] = []
    still: set[str] | None = None
    if comments_matter(entry):
        values, whole = connector.fetch_comment_list(item.id)
        comments = [c for raw in values if (c := wm.map_comment(raw, source=name, item_id=item.id))]
        if whole:
            # a soft-deleted comment is listed with ``is_deleted: 1``: it is gone
            still = {str(raw["id"]) for raw in values if not raw.get("is_deleted")}
    return changes, comments, still


def transitions_matter(entry: MappedItem) -> bool:
    """A requirement's state history is read by the requirement rules. A task linked to a
    requirement (a child, or naming it) that has entered work: when it did is the
    requirement's work start. Tasks still to do, and tasks linked to nothing, cost nothing."""
    item = entry.item
    if item.kind == "requirement":
        return True
    return item.status_category != "todo" and not item.cancelled and bool(entry.links)


def activities_matter(entry: MappedItem) -> bool:
    """Property changes: a requirement's for the requirement rules; any other item's for
    scope_creep, whose join and leave times of versions and sprints come from them (an item
    created outside a version and put in later). A cancelled item is never scope."""
    return entry.item.kind == "requirement" or not entry.item.cancelled


def comments_matter(entry: MappedItem) -> bool:
    """A requirement's comments are read by the requirement rules; an open item's by
    unanswered_client; those of an item in a version or sprint document its joining it
    (scope_creep), done or not. A done item in none of them: nothing reads its comments (the
    service's own comments are recorded when written, not read back)."""
    item = entry.item
    return item.kind == "requirement" or item.status_category != "done" or bool(entry.memberships)


def _seconds(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return int(datetime.now(UTC).timestamp())
