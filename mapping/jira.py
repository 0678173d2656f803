"""Jira payloads -> normalized records. Pure functions, Cloud REST v3 and Data Center REST v2.

Facts this relies on: done-ness is ``statusCategory.key`` (new/indeterminate/done), never the
status name; v3 rich text is Atlassian Document Format, v2 is a wiki-markup string; Cloud users
are ``accountId`` only, Data Center users ``key``/``name``; changelog items are keyed by
``fieldId`` (old Data Center sends only the display name in ``field``) and carry nulls in
``from``/``to``; timestamps look like ``2026-11-01T10:00:00.000+0000``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from mapping.jira_sprints import parse_sprints, sprint_changes, sprint_milestone_id
from mapping.keys import mentioned_keys
from mapping.model import (
    WATCHED_FIELDS,
    ChangeRecord,
    CommentRecord,
    ItemRecord,
    LinkRecord,
    MalformedPayload,
    MappedItem,
    MilestoneRecord,
    iso_date,
    require,
    utc_iso,
)

# Jira keeps the history of every field, so the store never needs snapshot diffs for it.
HISTORY_FIELDS = frozenset({*WATCHED_FIELDS, "sprint"})
# "undefined" is Jira's "No Category": real on some sites, and work not yet begun.
STATUS_CATEGORIES = {"new": "todo", "indeterminate": "doing", "done": "done", "undefined": "todo"}
CANCELLED_RESOLUTIONS = ("Won't Do", "Won't Fix", "Duplicate", "Declined", "Cancelled")

# changelog fieldId (or, on old Data Center, the display name) -> normalized field
CHANGELOG_FIELDS = {
    "summary": "title",
    "description": "description",
    "duedate": "due_date",
    "fixVersions": "milestone",
    "Fix Version": "milestone",
    "status": "status",
    "labels": "labels",
    "resolution": "resolution",
    "assignee": "assignee",
    "issuetype": "type",
    "priority": "priority",
    "Sprint": "sprint",
}


BLOCK_NODES = frozenset(
    {"paragraph", "heading", "codeBlock", "blockquote", "rule", "panel", "tableRow", "mediaGroup"}
)
CARD_NODES = frozenset({"inlineCard", "blockCard", "embedCard"})


def adf_to_text(node: Any) -> str:
    """Atlassian Document Format as plain text: what the rules hash, diff and search. Every
    node that shows a person text gives it (action items, decisions, date chips, expand
    titles, status lozenges, mentions, smart-link URLs), with a line break where a block ends."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(adf_to_text(child) for child in node)
    if not isinstance(node, dict):
        raise MalformedPayload(f"unreadable rich text {type(node).__name__}")
    kind = node.get("type")
    attrs = node.get("attrs") if isinstance(node.get("attrs"), dict) else {}
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind in CARD_NODES:
        url = str(attrs.get("url") or (attrs.get("data") or {}).get("url") or "")
        return f"{url}\n" if kind != "inlineCard" else url
    if kind == "date":
        return _adf_date(attrs.get("timestamp"))
    if kind in ("mention", "emoji", "status"):
        return str(attrs.get("text") or attrs.get("shortName") or "")
    inner = adf_to_text(node.get("content") or [])
    if kind in ("listItem", "decisionItem"):
        return f"- {inner.strip()}\n"
    if kind == "taskItem":
        return f"- [{'x' if attrs.get('state') == 'DONE' else ' '}] {inner.strip()}\n"
    if kind in ("expand", "nestedExpand"):
        title = str(attrs.get("title") or "")
        return f"{title}\n{inner}" if title else inner
    if kind in ("tableCell", "tableHeader"):
        return f"{inner.strip()} | "
    if kind in BLOCK_NODES:
        return f"{inner}\n"
    return inner


def _adf_date(timestamp: Any) -> str:
    """A date chip: ``attrs.timestamp`` is milliseconds since the epoch, as a string."""
    try:
        return datetime.fromtimestamp(int(timestamp) / 1000, UTC).date().isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def adf_links(node: Any) -> list[str]:
    """The targets of ADF link marks (``[the spec](…/browse/ACME-12)``): a URL a person
    linked names its item too, though the text shows other words."""
    if isinstance(node, list):
        return [href for child in node for href in adf_links(child)]
    if not isinstance(node, dict):
        return []
    hrefs = [
        str((mark.get("attrs") or {}).get("href") or "")
        for mark in node.get("marks") or []
        if isinstance(mark, dict) and mark.get("type") == "link"
    ]
    return hrefs + adf_links(node.get("content") or [])


def rich_text(value: Any) -> str:
    """A v3 ADF document or a v2 wiki string, as trimmed plain text."""
    return adf_to_text(value).strip()


def user_id(user: Any) -> str | None:
    """The stable account: Cloud ``accountId``, Data Center ``key`` (then ``name``)."""
    if not isinstance(user, dict):
        return None
    return user.get("accountId") or user.get("key") or user.get("name")


def user_login(user: Any) -> str | None:
    """What a config names a person by: Data Center ``name``, else the Cloud ``accountId``."""
    if not isinstance(user, dict):
        return None
    return user.get("name") or user.get("accountId") or user.get("key")


def map_issue(
    payload: dict[str, Any],
    *,
    source: str,
    base_url: str,
    requirement_types: Collection[str] = ("Story", "Epic", "Requirement"),
    story_points_field: str | None = None,
    acceptance_field: str | None = None,
    sprint_field: str | None = None,
    cancelled_resolutions: Collection[str] = CANCELLED_RESOLUTIONS,
) -> MappedItem:
    """An issue from ``search/jql`` (v3) or ``search`` (v2) with explicit fields."""
    require(payload, "id", "key", "fields")
    fields = payload["fields"]
    require(fields, "summary", "status", "issuetype", "created", "updated")
    issue_type = (fields["issuetype"] or {}).get("name") or "Issue"
    status = fields["status"]
    category_key = ((status or {}).get("statusCategory") or {}).get("key")
    if category_key not in STATUS_CATEGORIES:
        raise MalformedPayload(f"unknown status category {category_key!r}")
    resolution = (fields.get("resolution") or {}).get("name")
    if issue_type in requirement_types:
        kind = "requirement"
    elif issue_type.casefold() == "bug":
        kind = "bug"
    else:
        kind = "task"
    labels = fields.get("labels") or []
    if not all(isinstance(label, str) for label in labels):
        raise MalformedPayload("labels are not strings")
    parent = fields.get("parent") or {}
    estimate = fields.get(story_points_field) if story_points_field else None
    if estimate is not None and not isinstance(estimate, int | float):
        raise MalformedPayload(f"story points are not a number: {estimate!r}")
    sprints = parse_sprints(fields.get(sprint_field) if sprint_field else None)
    item = ItemRecord(
        source=source,
        id=str(payload["id"]),
        key=payload["key"],
        url=f"{base_url.rstrip('/')}/browse/{payload['key']}",
        kind=kind,
        type=issue_type,
        title=_text(fields["summary"]),
        body=rich_text(fields.get("description")),
        acceptance=rich_text(fields.get(acceptance_field)) or None if acceptance_field else None,
        status=status.get("name") or category_key,
        status_category=STATUS_CATEGORIES[category_key],
        cancelled=category_key == "done" and resolution in cancelled_resolutions,
        closed_at=utc_iso(fields.get("resolutiondate")) if category_key == "done" else None,
        created_at=utc_iso(fields["created"]) or "",
        updated_at=utc_iso(fields["updated"]) or "",
        assignee=user_login(fields.get("assignee")),
        reporter=user_login(fields.get("reporter")),
        labels=list(labels),
        priority=(fields.get("priority") or {}).get("name"),
        estimate=float(estimate) if estimate is not None else None,
        due_date=iso_date(fields.get("duedate")),
        milestone_id=issue_milestone(fields.get("fixVersions"), sprints),
        parent_key=parent.get("key"),
        raw=payload,
    )
    links = [LinkRecord(source, item.id, item.parent_key, "parent")] if item.parent_key else []
    for link in fields.get("issuelinks") or []:
        link_type = link.get("type") or {}
        for direction, label in (("outwardIssue", "outward"), ("inwardIssue", "inward")):
            target = (link.get(direction) or {}).get("key")
            if target:
                name = link_type.get(label) or link_type.get("name") or "relates to"
                links.append(LinkRecord(source, item.id, target, name))
    linked = " ".join(adf_links(fields.get("description")))
    named = mentioned_keys(
        f"{item.title}\n{item.body}\n{item.acceptance or ''}\n{linked}", own_key=item.key
    )
    known = {link.target_key for link in links}
    links += [LinkRecord(source, item.id, key, "mentions") for key in sorted(named - known)]
    memberships = [
        (str(v["id"]), "milestone")
        for v in fields.get("fixVersions") or []
        if isinstance(v, dict) and v.get("id") is not None
    ]
    memberships += [(sprint_milestone_id(s["id"]), "sprint") for s in sprints]
    milestones = [map_sprint(s, source=source, base_url=base_url) for s in sprints]
    return MappedItem(item, links, list(dict.fromkeys(memberships)), milestones)


def issue_milestone(fix_versions: Any, sprints: Any) -> str | None:
    """The earliest-due unreleased fix version; else the open sprint the issue is in."""
    candidates = [
        v
        for v in fix_versions or []
        if isinstance(v, dict) and not v.get("released") and not v.get("archived")
    ]
    if candidates:
        candidates.sort(key=lambda v: (v.get("releaseDate") or "9999-12-31", str(v.get("id"))))
        return str(candidates[0]["id"])
    open_sprints = [
        s for s in sprints or [] if isinstance(s, dict) and s.get("state") in ("active", "future")
    ]
    if open_sprints:
        open_sprints.sort(
            key=lambda s: (s.get("state") != "active", s.get("endDate") or "9999", s.get("id"))
        )
        return sprint_milestone_id(open_sprints[0]["id"])
    return None


def map_changelog(
    issue_id: str,
    histories: Iterable[dict[str, Any]],
    *,
    source: str,
    story_points_field: str | None = None,
    acceptance_field: str | None = None,
) -> list[ChangeRecord]:
    """Each history item a change record, keyed ``<history id>:<item index>``; items of fields
    nobody watches are kept under their own field id, so nothing is lost."""
    extra = {}
    if story_points_field:
        extra[story_points_field] = "estimate"
        extra["Story Points"] = "estimate"
    if acceptance_field:
        extra[acceptance_field] = "acceptance"
    changes = []
    for history in histories:
        require(history, "id", "created")
        author = user_login(history.get("author"))
        at = utc_iso(history["created"]) or ""
        for index, entry in enumerate(history.get("items") or []):
            key = entry.get("fieldId") or entry.get("field")
            if key == "labels":
                changes += _label_changes(
                    source, issue_id, f"{history['id']}:{index}", at, author, entry
                )
                continue
            field = (
                extra.get(key)
                or CHANGELOG_FIELDS.get(key)
                or extra.get(entry.get("field"))
                or CHANGELOG_FIELDS.get(entry.get("field"))
                or str(key)
            )
            if field == "sprint":
                changes += sprint_changes(
                    source, issue_id, f"{history['id']}:{index}", at, author, entry
                )
                continue
            changes.append(
                ChangeRecord(
                    source=source,
                    item_id=issue_id,
                    change_id=f"{history['id']}:{index}",
                    at=at,
                    author=author,
                    field=field,
                    from_value=_change_value(field, entry.get("fromString"), entry.get("from")),
                    to_value=_change_value(field, entry.get("toString"), entry.get("to")),
                )
            )
    return changes


def _label_changes(
    source: str, issue_id: str, change_id: str, at: str, author: str | None, entry: dict[str, Any]
) -> list[ChangeRecord]:
    """Jira records labels as whole space-separated lists; store one change per label added or
    removed, as GitHub's labeled/unlabeled events are, so rules read labels one way."""
    before = set(str(entry.get("fromString") or "").split())
    after = set(str(entry.get("toString") or "").split())
    changes = [
        ChangeRecord(source, issue_id, f"{change_id}:+{name}", at, author, "labels", None, name)
        for name in sorted(after - before)
    ]
    changes += [
        ChangeRecord(source, issue_id, f"{change_id}:-{name}", at, author, "labels", name, None)
        for name in sorted(before - after)
    ]
    return changes


def _change_value(field: str, display: Any, raw: Any) -> str | None:
    value = display if display not in (None, "") else raw
    if value in (None, ""):
        return None
    if field == "due_date":
        return str(raw or value)[:10]  # "2019-05-11 00:00:00.0" -> the date
    return str(value)


def map_comment(payload: dict[str, Any], *, source: str, issue_id: str) -> CommentRecord:
    require(payload, "id", "created")
    author = payload.get("author")
    return CommentRecord(
        source=source,
        id=str(payload["id"]),
        item_id=issue_id,
        author=user_id(author),
        author_login=user_login(author),
        body=rich_text(payload.get("body")),
        created_at=utc_iso(payload["created"]) or "",
        updated_at=utc_iso(payload.get("updated") or payload["created"]) or "",
        raw=payload,
    )


def map_version(
    payload: dict[str, Any], *, source: str, base_url: str, project: str
) -> MilestoneRecord:
    """A project version: open while neither released nor archived."""
    require(payload, "id", "name")
    state = (
        "closed" if payload.get("released") else "archived" if payload.get("archived") else "open"
    )
    return MilestoneRecord(
        source=source,
        id=str(payload["id"]),
        title=_text(payload["name"]),
        state=state,
        start_date=iso_date(payload.get("startDate")),
        due_date=iso_date(payload.get("releaseDate")),
        closed_at=None,
        url=f"{base_url.rstrip('/')}/projects/{project}/versions/{payload['id']}",
        kind="version",
        raw=payload,
    )


def map_sprint(payload: dict[str, Any], *, source: str, base_url: str) -> MilestoneRecord:
    """An Agile sprint: open while future or active."""
    require(payload, "id", "name", "state")
    return MilestoneRecord(
        source=source,
        id=sprint_milestone_id(payload["id"]),
        title=_text(payload["name"]),
        state="open" if payload["state"] in ("future", "active") else "closed",
        start_date=iso_date(payload.get("startDate")),
        due_date=iso_date(payload.get("endDate")),
        closed_at=utc_iso(payload.get("completeDate")),
        url=f"{base_url.rstrip('/')}/secure/RapidBoard.jspa?sprint={payload['id']}",
        kind="sprint",
        raw=payload,
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise MalformedPayload(f"expected text, got {type(value).__name__}")
    return value
