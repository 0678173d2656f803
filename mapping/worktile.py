"""Worktile / PingCode open-API payloads -> normalized records. Pure functions.

Facts this relies on (PingCode docs, live notes in the api notes): every time is unix seconds;
``state.type`` pending/in_progress/completed is the category; ``end_at`` is the due date, snapped
to 23:59:59 in the tenant's time zone (so dates are taken in that zone); descriptions are HTML;
booleans are 0/1; list responses may omit ``type``, so the caller passes the type it asked for;
requirements, tasks, bugs and milestones are all work items.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

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
    require,
    utc_iso,
)

# PingCode keeps state transitions and property activities; both are pulled for requirements.
HISTORY_FIELDS = frozenset({*WATCHED_FIELDS, "sprint"})
CATEGORIES = {"pending": "todo", "in_progress": "doing", "completed": "done"}
CANCELLED_STATE_TYPES = frozenset({"closed", "cancelled", "rejected"})
PROPERTY_FIELDS = {
    "title": "title",
    "description": "description",
    "end_at": "due_date",
    "story_points": "estimate",
    "estimated_workload": "estimate",
    "version": "milestone",
    "versions": "milestone",
    "sprint": "sprint",
    "state": "status",
    "tags": "labels",
    "assignee": "assignee",
}


# The service's marker (sync.rules.text.MARKER_TOKEN) as it starts in a hidden HTML comment.
SERVICE_MARK = "tracker-sync:"


class _TextOnly(HTMLParser):
    BREAKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        """A hidden comment is dropped, unless it is the service's marker: a comment that holds
        the marker is never human evidence, so the marker must outlive the HTML."""
        if SERVICE_MARK in data:
            self.parts.append(f"<!--{data}-->")


def html_to_text(value: Any) -> str:
    """An HTML description as plain text, for hashing, diffs and phrase search."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise MalformedPayload(f"expected HTML text, got {type(value).__name__}")
    parser = _TextOnly()
    parser.feed(value)
    parser.close()
    text = html.unescape("".join(parser.parts))
    return re.sub(r"\n\s*\n+", "\n", text).strip()


HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def html_links(value: Any) -> list[str]:
    """The link targets in HTML: a work item URL a person linked names its item too, though
    the link shows other words."""
    return HREF.findall(value) if isinstance(value, str) else []


def local_date(seconds: Any, zone: str) -> str | None:
    if seconds in (None, 0, ""):
        return None
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise MalformedPayload(f"not unix seconds: {seconds!r}")
    return datetime.fromtimestamp(seconds, ZoneInfo(zone)).date().isoformat()


def map_work_item(
    payload: dict[str, Any],
    *,
    source: str,
    type_id: str,
    requirement_types: Collection[str] = ("requirement", "story", "feature"),
    timezone: str = "Asia/Shanghai",
) -> MappedItem:
    """A work item from the list (which may omit ``type``: ``type_id`` is what was asked for)."""
    require(payload, "id", "identifier", "title", "state", "created_at", "updated_at")
    state = payload["state"]
    if not isinstance(state, dict):
        raise MalformedPayload("state is not an object")
    state_type = state.get("type")
    item_type = payload.get("type") or type_id
    if item_type in requirement_types:
        kind = "requirement"
    elif item_type == "bug":
        kind = "bug"
    elif item_type == "milestone":
        kind = "other"
    else:
        kind = "task"
    category = "done" if state_type in CANCELLED_STATE_TYPES else CATEGORIES.get(state_type, "todo")
    deleted = bool(payload.get("is_deleted"))
    parent = payload.get("parent") or {}
    item = ItemRecord(
        source=source,
        id=str(payload["id"]),
        key=str(payload["identifier"]),
        url=payload.get("html_url"),
        kind=kind,
        type=item_type,
        title=_text(payload["title"]),
        body=html_to_text(payload.get("description")),
        status=str(state.get("name") or state_type or ""),
        status_category="done" if deleted else category,
        cancelled=deleted or state_type in CANCELLED_STATE_TYPES,
        closed_at=utc_iso(payload.get("completed_at")) if category == "done" else None,
        created_at=utc_iso(payload["created_at"]) or "",
        updated_at=utc_iso(payload["updated_at"]) or "",
        assignee=_user(payload.get("assignee")),
        reporter=_user(payload.get("created_by")),
        labels=[
            t.get("name")
            for t in payload.get("tags") or []
            if isinstance(t, dict) and t.get("name")
        ],
        priority=(payload.get("priority") or {}).get("name")
        if isinstance(payload.get("priority"), dict)
        else None,
        estimate=_number(payload.get("story_points")),
        due_date=local_date(payload.get("end_at"), timezone),
        milestone_id=item_milestone(payload),
        parent_key=parent.get("identifier") if isinstance(parent, dict) else None,
        raw=payload,
    )
    links = [LinkRecord(source, item.id, item.parent_key, "parent")] if item.parent_key else []
    linked = " ".join(html_links(payload.get("description")))
    named = mentioned_keys(f"{item.title}\n{item.body}\n{linked}", own_key=item.key) - {
        item.parent_key
    }
    links += [LinkRecord(source, item.id, key, "mentions") for key in sorted(named)]
    return MappedItem(item, links, item_memberships(payload))


def item_memberships(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """Every milestone the work item is in now: a milestone work item above it, each of its
    versions (delivery milestones) and its sprint."""
    found: list[tuple[str, str]] = []
    parent = payload.get("parent")
    if isinstance(parent, dict) and parent.get("type") == "milestone" and parent.get("id"):
        found.append((str(parent["id"]), "milestone"))
    versions = payload.get("versions") or []
    if isinstance(payload.get("version"), dict):
        versions = [*versions, payload["version"]]
    for version in versions:
        if isinstance(version, dict) and version.get("id"):
            found.append((str(version["id"]), "milestone"))
    sprint = payload.get("sprint")
    if isinstance(sprint, dict) and sprint.get("id"):
        found.append((str(sprint["id"]), "sprint"))
    return list(dict.fromkeys(found))


def item_milestone(payload: dict[str, Any]) -> str | None:
    """A milestone work item above it; else its earliest-due unreleased version; else its open
    sprint."""
    parent = payload.get("parent")
    if isinstance(parent, dict) and parent.get("type") == "milestone" and parent.get("id"):
        return str(parent["id"])
    versions = [
        v
        for v in (payload.get("versions") or [])
        + ([payload["version"]] if isinstance(payload.get("version"), dict) else [])
        if isinstance(v, dict) and ((v.get("stage") or {}).get("type") != "completed")
    ]
    if versions:
        versions.sort(key=lambda v: (v.get("end_at") or 2**40, str(v.get("id"))))
        return str(versions[0]["id"])
    sprint = payload.get("sprint")
    if isinstance(sprint, dict) and sprint.get("status") != "completed" and sprint.get("id"):
        return str(sprint["id"])
    return None


def map_milestone_item(
    payload: dict[str, Any], *, source: str, timezone: str = "Asia/Shanghai"
) -> MilestoneRecord:
    """A milestone-type work item as a milestone: open until its state is completed."""
    require(payload, "id", "title", "state")
    return MilestoneRecord(
        source=source,
        id=str(payload["id"]),
        title=_text(payload["title"]),
        state="closed" if (payload["state"] or {}).get("type") == "completed" else "open",
        due_date=local_date(payload.get("end_at"), timezone),
        closed_at=utc_iso(payload.get("completed_at")),
        url=payload.get("html_url"),
        kind="milestone",
        raw=payload,
    )


def map_sprint(
    payload: dict[str, Any], *, source: str, kind: str = "sprint", timezone: str = "Asia/Shanghai"
) -> MilestoneRecord:
    """A sprint (``status``) or a version (``stage.type``): open until completed."""
    require(payload, "id", "name")
    status = payload.get("status") or (payload.get("stage") or {}).get("type")
    return MilestoneRecord(
        source=source,
        id=str(payload["id"]),
        title=_text(payload["name"]),
        state="closed" if status == "completed" else "open",
        start_date=local_date(payload.get("start_at"), timezone),
        due_date=local_date(payload.get("end_at"), timezone),
        closed_at=utc_iso(payload.get("completed_at")),
        url=payload.get("html_url") or payload.get("url"),
        kind=kind,
        raw=payload,
    )


def map_comment(payload: dict[str, Any], *, source: str, item_id: str) -> CommentRecord | None:
    """A comment, or None when it is soft-deleted (``is_deleted: 1``, content emptied)."""
    require(payload, "id", "created_at")
    if payload.get("is_deleted"):
        return None
    author = payload.get("created_by") or {}
    stamp = utc_iso(payload["created_at"]) or ""
    return CommentRecord(
        source=source,
        id=str(payload["id"]),
        item_id=item_id,
        author=author.get("id"),
        author_login=author.get("name"),
        body=html_to_text(payload.get("content")),
        created_at=stamp,
        updated_at=stamp,
        raw=payload,
    )


def map_transition(payload: dict[str, Any], *, source: str, item_id: str) -> ChangeRecord:
    require(payload, "id", "created_at")
    return ChangeRecord(
        source=source,
        item_id=item_id,
        change_id=f"transition:{payload['id']}",
        at=utc_iso(payload["created_at"]) or "",
        author=_user(payload.get("created_by")),
        field="status",
        from_value=_name(payload.get("from_state")),
        to_value=_name(payload.get("to_state")),
    )


def map_activity(payload: dict[str, Any], *, source: str, item_id: str) -> ChangeRecord | None:
    """A property activity as a change; other activities (comments, attachments) as None.
    ``summary`` is Chinese display text, never read; ``content`` says what changed."""
    require(payload, "id", "created_at")
    content = payload.get("content") or {}
    key = content.get("property_key") if isinstance(content, dict) else None
    if not key:
        return None
    return ChangeRecord(
        source=source,
        item_id=item_id,
        change_id=f"activity:{payload['id']}",
        at=utc_iso(payload["created_at"]) or "",
        author=_user(payload.get("created_by")),
        field=PROPERTY_FIELDS.get(key, key),
        from_value=_value(content.get("origin")),
        to_value=_value(content.get("target")),
    )


def map_activity_changes(
    payload: dict[str, Any], *, source: str, item_id: str
) -> list[ChangeRecord]:
    """A property activity as changes: tags are a list, so each tag added or removed is a
    change of its own (as GitHub's labeled events are), and a confirmation tag added beside
    others is seen being added."""
    change = map_activity(payload, source=source, item_id=item_id)
    if change is None or change.field != "labels":
        return [change] if change else []
    content = payload.get("content") or {}
    before, after = _tag_names(content.get("origin")), _tag_names(content.get("target"))
    added = [(f"+{name}", None, name) for name in sorted(after - before)]
    removed = [(f"-{name}", name, None) for name in sorted(before - after)]
    return [
        ChangeRecord(
            source,
            item_id,
            f"{change.change_id}:{suffix}",
            change.at,
            change.author,
            "labels",
            old,
            new,
        )
        for suffix, old, new in added + removed
    ]


def _tag_names(value: Any) -> set[str]:
    if not isinstance(value, list):
        value = [value] if value not in (None, "") else []
    return {name for v in value if (name := _name(v) if isinstance(v, dict) else str(v))}


def _value(value: Any) -> str | None:
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        return ", ".join(v for v in (_value(x) for x in value) if v) or None
    if isinstance(value, dict):
        return _name(value) or str(value.get("id") or "") or None
    if isinstance(value, str) and "<" in value:
        return html_to_text(value)
    return str(value)


def _name(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    return value.get("name") or value.get("title") or value.get("identifier")


def _user(value: Any) -> str | None:
    return value.get("name") or value.get("id") if isinstance(value, dict) else None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedPayload(f"not a number: {value!r}")
    return float(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise MalformedPayload(f"expected text, got {type(value).__name__}")
    return value
