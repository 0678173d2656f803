"""The normalized records every tracker maps into, and the small pure helpers they share.

Records are plain dataclasses: the store turns them into rows, the rules read those rows.
Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

# Normalized watched-field name -> the ItemRecord attribute that holds it.
WATCHED_FIELDS: dict[str, str] = {
    "title": "title",
    "description": "body",
    "acceptance": "acceptance",
    "estimate": "estimate",
    "due_date": "due_date",
    "milestone": "milestone_id",
}


class MalformedPayload(ValueError):
    """A tracker object lacks what the mapping needs; the caller logs it and skips it."""


@dataclass
class ItemRecord:
    source: str
    id: str
    key: str
    url: str | None
    kind: str
    type: str
    title: str
    body: str
    status: str
    status_category: str
    created_at: str
    updated_at: str
    acceptance: str | None = None
    cancelled: bool = False
    closed_at: str | None = None
    assignee: str | None = None
    reporter: str | None = None
    labels: list[str] = field(default_factory=list)
    priority: str | None = None
    estimate: float | None = None
    due_date: str | None = None
    milestone_id: str | None = None
    parent_key: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def watched(self) -> dict[str, Any]:
        return {name: getattr(self, attr) for name, attr in WATCHED_FIELDS.items()}

    @property
    def content_hash(self) -> str:
        return content_hash(self.watched())

    def row(self) -> dict[str, Any]:
        data = shallow_row(self)
        data["content_hash"] = self.content_hash
        return data


@dataclass
class ChangeRecord:
    source: str
    item_id: str
    change_id: str
    at: str
    author: str | None
    field: str
    from_value: str | None
    to_value: str | None
    origin: str = "tracker"


@dataclass
class CommentRecord:
    source: str
    id: str
    item_id: str
    author: str | None
    author_login: str | None
    body: str
    created_at: str
    updated_at: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class MilestoneRecord:
    source: str
    id: str
    title: str
    state: str
    start_date: str | None = None
    due_date: str | None = None
    closed_at: str | None = None
    url: str | None = None
    kind: str = "milestone"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class LinkRecord:
    source: str
    item_id: str
    target_key: str
    type: str


@dataclass
class MappedItem:
    """An item with the links it declares itself (parent, mentions), every milestone it is in
    now as (milestone id, field: ``milestone`` for a delivery milestone, ``sprint`` for a
    sprint), and the milestones only its payload describes (Jira sprints in the sprint field)."""

    item: ItemRecord
    links: list[LinkRecord] = field(default_factory=list)
    memberships: list[tuple[str, str]] = field(default_factory=list)
    milestones: list[MilestoneRecord] = field(default_factory=list)


def shallow_row(record: Any) -> dict[str, Any]:
    """A record as a dict without ``dataclasses.asdict``'s deep copy of the raw payload,
    which cost 40% of a sync's time."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def content_hash(watched: dict[str, Any]) -> str:
    """Hash of the watched fields only, so edits to status or labels never look like scope."""
    canonical = json.dumps(watched, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def utc_iso(value: Any) -> str | None:
    """Any tracker timestamp (ISO-8601 with offset, ``+0000`` Jira style, unix seconds or
    milliseconds) as UTC ``YYYY-MM-DDTHH:MM:SSZ``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedPayload(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    elif isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
            text = f"{text[:-2]}:{text[-2:]}"  # Jira's +0000
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise MalformedPayload(f"not a timestamp: {value!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    else:
        raise MalformedPayload(f"not a timestamp: {value!r}")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(value: Any) -> str | None:
    """A due date as ``YYYY-MM-DD``: a plain date stays, a timestamp becomes its UTC date."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise MalformedPayload(f"not a date: {value!r}") from None
    stamp = utc_iso(value)
    return stamp[:10] if stamp else None


def require(payload: Any, *keys: str) -> None:
    """Refuse a payload that is not an object or lacks a key the mapping cannot do without."""
    if not isinstance(payload, dict):
        raise MalformedPayload(f"expected an object, got {type(payload).__name__}")
    missing = [k for k in keys if payload.get(k) is None]
    if missing:
        raise MalformedPayload(f"missing {', '.join(missing)}")


def text(value: Any) -> str:
    """Tracker text as a str: None becomes empty, anything else must already be a string."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedPayload(f"expected text, got {type(value).__name__}")
    return value
