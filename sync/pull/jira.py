"""Pulling one Jira project into the store, incrementally, with whole histories.

Issues come from one JQL search ordered by ``updated`` from the last sync minus an overlap,
with epoch-millisecond bounds so no time zone of the Jira account can open a gap. Each page
carries its issues' embedded changelogs and comments; an issue whose history or comments
outgrow what was embedded, and that changed since it was stored, gets the rest from the paged
endpoints before its page commits.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from connectors.jira import JiraConnector
from mapping import jira as jm
from mapping.model import ChangeRecord, CommentRecord, MalformedPayload, utc_iso
from sync.pull.common import MAPPING_ERRORS, SourceRun, map_page, pull_since
from sync.settings import JiraSource

log = logging.getLogger(__name__)

STORY_POINT_NAMES = ("story points", "story point estimate")
SPRINT_SCHEMA = "com.pyxis.greenhopper.jira:gh-sprint"


def pull_jira(run: SourceRun, source: JiraSource, connector: JiraConnector) -> None:
    store = run.store
    me = connector.fetch_myself()
    identity = {"id": jm.user_id(me), "login": jm.user_login(me), "timeZone": me.get("timeZone")}
    store.save_identity(source.name, identity)
    fields = run.cursors.get("fields") or discover_fields(connector, source)
    run.cursors["fields"] = fields

    versions = map_page(
        run,
        connector.fetch_versions(),
        "version",
        lambda p: jm.map_version(
            p, source=source.name, base_url=source.base_url, project=source.project
        ),
    )
    if source.board_id is not None:
        versions += map_page(
            run,
            connector.fetch_sprints(source.board_id),
            "sprint",
            lambda p: jm.map_sprint(p, source=source.name, base_url=source.base_url),
        )
    store.save_milestones(source.name, versions, run.cursors)

    def save_issue_page(payloads: list[Any]) -> None:
        save_jira_page(run, source, connector, fields, identity, payloads)

    wanted = ("story_points", "sprint", "acceptance")
    extra = [f for f in (*(fields.get(k) for k in wanted), source.confirmed_field) if f]
    pull_since(
        run,
        "issues_since",
        lambda since: connector.fetch_issue_pages(
            issue_jql(source.project, since, source.jql_filter), extra
        ),
        save_issue_page,
        source.overlap_seconds,
        updated_of=fields_stamp("updated"),
        created_of=fields_stamp("created"),
    )
    store.save_cursors(source.name, run.cursors)


def issue_jql(project: str, since: str | None, jql_filter: str | None = None) -> str:
    """Bounds as epoch milliseconds: a date literal would be read in the account's zone."""
    clauses = [f'project = "{project}"']
    if jql_filter:
        clauses.append(f"({jql_filter})")
    if since:
        moment = datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        clauses.append(f"updated >= {int(moment.timestamp() * 1000)}")
    return " AND ".join(clauses) + " ORDER BY updated ASC, key ASC"


def discover_fields(connector: JiraConnector, source: JiraSource) -> dict[str, str | None]:
    """Custom field ids differ per site: the configured ones, else found through ``/field``."""
    found: dict[str, str | None] = {
        "story_points": source.story_points_field,
        "acceptance": source.acceptance_field,
        "sprint": None,
    }
    for field in connector.fetch_fields():
        name = str(field.get("name", "")).casefold()
        custom = (field.get("schema") or {}).get("custom")
        if custom == SPRINT_SCHEMA:
            found["sprint"] = found["sprint"] or field["id"]
        elif name in STORY_POINT_NAMES and not found["story_points"]:
            found["story_points"] = field["id"]
        elif name == "acceptance criteria" and not found["acceptance"]:
            found["acceptance"] = field["id"]
    return found


def save_jira_page(
    run: SourceRun,
    source: JiraSource,
    connector: JiraConnector,
    fields: dict[str, str | None],
    identity: dict[str, Any],
    payloads: list[Any],
) -> None:
    mapped = map_page(
        run,
        payloads,
        "issue",
        lambda p: jm.map_issue(
            p,
            source=source.name,
            base_url=source.base_url,
            requirement_types=source.requirement_types,
            story_points_field=fields.get("story_points"),
            acceptance_field=fields.get("acceptance"),
            sprint_field=fields.get("sprint"),
            cancelled_resolutions=source.cancelled_resolutions,
        ),
    )
    stored = run.store.updated_at_of(source.name, [m.item.id for m in mapped])
    by_id = {str(p.get("id")): p for p in payloads if isinstance(p, dict)}
    changes: list[ChangeRecord] = []
    comments: list[CommentRecord] = []
    listed: dict[str, set[str]] = {}  # item id -> every comment id, where the read was whole
    for entry in mapped:
        item = entry.item
        payload = by_id[item.id]
        if stored.get(item.id) == item.updated_at:
            continue  # re-read by the overlap window, unchanged: its history is stored
        try:
            changes += issue_history(connector, source, fields, item.id, item.key, payload)
            values, whole = comment_values(connector, item.key, payload)
            comments += [jm.map_comment(c, source=source.name, issue_id=item.id) for c in values]
            if whole:
                listed[item.id] = {str(c["id"]) for c in values}
        except MAPPING_ERRORS as exc:
            run.skipped += 1
            log.warning(
                "%s: skipping malformed history or comments of %s: %s", run.name, item.key, exc
            )
    if not run.read_only:  # comment/list is a POST: a dry run relies on the visible footer
        attach_own_properties(connector, source, identity, comments)
    counts = run.store.save_page(
        source.name,
        mapped,
        history_fields=jm.HISTORY_FIELDS,
        changes=changes,
        comments=comments,
        own_author=identity.get("id"),
        cursors=run.cursors,
    )
    run.note_listed(listed)
    run.item_ids.update(counts.updated_ids)
    run.changes += (
        len([c for c in changes if c.item_id in set(counts.updated_ids)])
        + counts.changes
        - len(changes)
    )


def issue_history(
    connector: JiraConnector,
    source: JiraSource,
    fields: dict[str, str | None],
    issue_id: str,
    key: str,
    payload: dict[str, Any],
) -> list[ChangeRecord]:
    """The issue's whole changelog: the embedded newest-first page, or every page of the
    changelog endpoint when Jira capped the embedded one."""
    changelog = payload.get("changelog") or {}
    histories = changelog.get("histories") or []
    if source.api_version == 3 and int(changelog.get("total") or 0) > len(histories):
        histories = connector.fetch_changelog(key)
    return jm.map_changelog(
        issue_id,
        histories,
        source=source.name,
        story_points_field=fields.get("story_points"),
        acceptance_field=fields.get("acceptance"),
    )


def comment_values(
    connector: JiraConnector, key: str, payload: dict[str, Any]
) -> tuple[list[dict[str, Any]], bool]:
    """The issue's comments: the embedded page, or every page of the comment endpoint when
    Jira capped the embedded one; and whether the list is whole (the embedded page says its
    ``total`` and holds them all, or the endpoint was read to its last page). Only a whole
    list can show that a comment was deleted."""
    embedded = (payload.get("fields") or {}).get("comment")
    if not isinstance(embedded, dict) or not isinstance(embedded.get("comments"), list):
        return [], False  # the field was not sent: nothing is known about the comments
    values = embedded["comments"]
    if embedded.get("total") is None:
        return values, False
    total = int(embedded["total"])
    if total > len(values):
        # read page by page after the issue: a comment deleted or added meanwhile shifts the
        # pages and may skip one, so the list is whole only if it still counts the total
        paged = connector.fetch_comments(key)
        return paged, len({str(c.get("id")) for c in paged}) == total
    return values, True


def attach_own_properties(
    connector: JiraConnector,
    source: JiraSource,
    identity: dict[str, Any],
    comments: list[CommentRecord],
) -> None:
    """The write-back finds its own comments by author and by a comment property, which only
    ``comment/list?expand=properties`` returns: ask for the service's own comments only."""
    own = [c for c in comments if c.author and c.author == identity.get("id")]
    if not own or source.api_version != 3:
        return
    properties = connector.fetch_comment_properties([c.id for c in own])
    for comment in own:
        comment.raw = {**comment.raw, "properties": properties.get(comment.id, [])}


def fields_stamp(key: str):
    """Jira keeps timestamps under ``fields``."""

    def read(obj: Any) -> str:
        try:
            return utc_iso(((obj or {}).get("fields") or {}).get(key)) or ""
        except (MalformedPayload, AttributeError):
            return ""

    return read
