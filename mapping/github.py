"""GitHub REST payloads (API version 2022-11-28) -> normalized records. Pure functions.

Facts this relies on: issues and pull requests share one list and one number sequence (a PR
has a ``pull_request`` object); comments name their issue only through ``issue_url``; repo-wide
events embed their issue; ``milestoned`` events carry the milestone's title only.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from mapping.keys import mentioned_keys
from mapping.model import (
    ChangeRecord,
    CommentRecord,
    ItemRecord,
    LinkRecord,
    MalformedPayload,
    MappedItem,
    MilestoneRecord,
    iso_date,
    require,
    text,
    utc_iso,
)

# Fields whose history GitHub itself records as issue events; the store's snapshot diffs
# cover the rest (the body, which GitHub keeps no history of).
HISTORY_FIELDS = frozenset({"title", "milestone"})
CANCELLED_REASONS = frozenset({"not_planned", "duplicate"})


def item_key(repo: str, number: int | str) -> str:
    return f"{repo}#{number}"


def map_issue(
    payload: dict[str, Any],
    *,
    source: str,
    repo: str,
    requirement_labels: Collection[str] = ("requirement",),
    requirement_types: Collection[str] = ("Requirement", "Feature"),
    doing_labels: Collection[str] = ("in progress", "进行中"),
) -> MappedItem:
    """An issue or pull request from ``GET /repos/{owner}/{repo}/issues``."""
    require(payload, "number", "title", "state", "created_at", "updated_at")
    number = payload["number"]
    if not isinstance(number, int) or isinstance(number, bool):
        raise MalformedPayload(f"issue number is not an integer: {number!r}")
    labels = [_label_name(label) for label in payload.get("labels") or []]
    is_pull = payload.get("pull_request") is not None
    issue_type = (
        (payload.get("type") or {}).get("name") if isinstance(payload.get("type"), dict) else None
    )
    state = payload["state"]
    if state not in ("open", "closed"):
        raise MalformedPayload(f"unknown issue state {state!r}")
    state_reason = payload.get("state_reason")
    wanted_labels = {name.casefold() for name in requirement_labels}
    doing = {name.casefold() for name in doing_labels}
    if is_pull:
        kind, type_name = "task", "pull_request"
    elif issue_type in requirement_types or any(lab.casefold() in wanted_labels for lab in labels):
        kind, type_name = "requirement", issue_type or "issue"
    elif (issue_type or "").casefold() == "bug" or "bug" in {lab.casefold() for lab in labels}:
        kind, type_name = "bug", issue_type or "issue"
    else:
        kind, type_name = "task", issue_type or "issue"
    if state == "closed":
        category = "done"
    elif is_pull or any(lab.casefold() in doing for lab in labels):
        category = "doing"
    else:
        category = "todo"
    milestone = payload.get("milestone")
    item = ItemRecord(
        source=source,
        id=str(number),
        key=item_key(repo, number),
        url=payload.get("html_url"),
        kind=kind,
        type=type_name,
        title=text(payload["title"]),
        body=text(payload.get("body")),
        status=state if not state_reason or state == "open" else f"{state}:{state_reason}",
        status_category=category,
        cancelled=state == "closed" and state_reason in CANCELLED_REASONS,
        closed_at=utc_iso(payload.get("closed_at")),
        created_at=utc_iso(payload["created_at"]) or "",
        updated_at=utc_iso(payload["updated_at"]) or "",
        assignee=_login(payload.get("assignee")),
        reporter=_login(payload.get("user")),
        labels=labels,
        milestone_id=str(milestone["id"])
        if isinstance(milestone, dict) and "id" in milestone
        else None,
        parent_key=_parent_key(payload.get("parent_issue_url")),
        raw=payload,
    )
    links = []
    if item.parent_key:
        links.append(LinkRecord(source, item.id, item.parent_key, "parent"))
    for key in sorted(mentioned_keys(f"{item.title}\n{item.body}", repo=repo, own_key=item.key)):
        links.append(LinkRecord(source, item.id, key, "mentions"))
    memberships = [(item.milestone_id, "milestone")] if item.milestone_id else []
    return MappedItem(item, links, memberships)


def map_milestone(payload: dict[str, Any], *, source: str) -> MilestoneRecord:
    """A milestone from ``GET /repos/{owner}/{repo}/milestones``. GitHub milestones have no
    start date: the rules take the earliest creation of their items."""
    require(payload, "id", "title", "state")
    return MilestoneRecord(
        source=source,
        id=str(payload["id"]),
        title=text(payload["title"]),
        state=payload["state"],
        due_date=iso_date(payload.get("due_on")),
        closed_at=utc_iso(payload.get("closed_at")),
        url=payload.get("html_url"),
        raw=payload,
    )


def map_comment(payload: dict[str, Any], *, source: str) -> CommentRecord:
    """A comment from ``GET /repos/{owner}/{repo}/issues/comments``; its issue number is the
    last segment of ``issue_url``, the only link REST gives."""
    require(payload, "id", "issue_url", "created_at")
    number = str(payload["issue_url"]).rstrip("/").rsplit("/", 1)[-1]
    if not number.isdigit():
        raise MalformedPayload(f"comment {payload['id']} has no issue number in its issue_url")
    user = payload.get("user") or {}
    return CommentRecord(
        source=source,
        id=str(payload["id"]),
        item_id=number,
        author=str(user["id"]) if user.get("id") is not None else None,
        author_login=user.get("login"),
        body=text(payload.get("body")),
        created_at=utc_iso(payload["created_at"]) or "",
        updated_at=utc_iso(payload.get("updated_at") or payload["created_at"]) or "",
        raw=payload,
    )


# The issue events ``map_event`` turns into changes; every other event is skipped.
MAPPED_EVENTS = frozenset(
    {"renamed", "milestoned", "demilestoned", "labeled", "unlabeled", "closed", "reopened"}
)


def map_event(payload: dict[str, Any], *, source: str) -> ChangeRecord | None:
    """A repo-wide issue event as a change record, or None for events that change nothing
    the rules watch (subscribed, mentioned, referenced, ...)."""
    require(payload, "id", "event", "created_at", "issue")
    issue = payload["issue"]
    require(issue, "number")
    event = payload["event"]
    from_value = to_value = None
    if event == "renamed":
        rename = payload.get("rename") or {}
        field, from_value, to_value = "title", rename.get("from"), rename.get("to")
    elif event in ("milestoned", "demilestoned"):
        title = (payload.get("milestone") or {}).get("title")
        field = "milestone"
        from_value, to_value = (None, title) if event == "milestoned" else (title, None)
    elif event in ("labeled", "unlabeled"):
        name = (payload.get("label") or {}).get("name")
        field = "labels"
        from_value, to_value = (None, name) if event == "labeled" else (name, None)
    elif event in ("closed", "reopened"):
        field = "state"
        from_value, to_value = ("open", "closed") if event == "closed" else ("closed", "open")
    else:
        return None
    return ChangeRecord(
        source=source,
        item_id=str(issue["number"]),
        change_id=str(payload["id"]),
        at=utc_iso(payload["created_at"]) or "",
        author=_login(payload.get("actor")),
        field=field,
        from_value=from_value,
        to_value=to_value,
        origin="tracker",
    )


def _label_name(label: Any) -> str:
    if isinstance(label, str):
        return label
    if isinstance(label, dict) and isinstance(label.get("name"), str):
        return label["name"]
    raise MalformedPayload(f"unreadable label {label!r}")


def _login(user: Any) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


def _parent_key(parent_issue_url: Any) -> str | None:
    """``https://api.github.com/repos/o/r/issues/7`` -> ``o/r#7``."""
    if not isinstance(parent_issue_url, str) or "/repos/" not in parent_issue_url:
        return None
    parts = parent_issue_url.split("/repos/", 1)[1].split("/")
    if len(parts) >= 4 and parts[2] == "issues" and parts[3].isdigit():
        return item_key(f"{parts[0]}/{parts[1]}", parts[3])
    return None
