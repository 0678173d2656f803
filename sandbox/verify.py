"""What a sandbox holds versus what a store holds, as comparable sets: item ids with their
update times, comment ids, and history ids. Used by the fault campaign and its test slice."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from mapping.github import MAPPED_EVENTS
from mapping.keys import mentioned_keys
from mapping.worktile import html_to_text
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox, jira_time
from sandbox.worktile import WorktileSandbox


def sandbox_state(sandbox: Any) -> dict[str, set]:
    with sandbox.state_lock:
        if isinstance(sandbox, GitHubSandbox):
            return {
                "items": {(str(n), i["updated_at"]) for n, i in sandbox.issues.items()},
                "comments": {str(c) for c in sandbox.comments},
                "history": {
                    str(e["id"]) for e in sandbox.events.values() if e["event"] in MAPPED_EVENTS
                },
            }
        if isinstance(sandbox, JiraSandbox):
            return {
                "items": {(str(i["id"]), _jira_utc(i["updated"])) for i in sandbox.issues.values()},
                "comments": {str(c) for c in sandbox.comments},
                "history": {str(h["id"]) for i in sandbox.issues.values() for h in i["histories"]},
            }
        if isinstance(sandbox, WorktileSandbox):
            requirements = requirement_items(sandbox)
            return {
                "items": {(i["id"], _unix_utc(i["updated_at"])) for i in sandbox.items.values()},
                "comments": {
                    c["id"]
                    for c in sandbox.comments.values()
                    if c["item"] in comment_read_items(sandbox) and not c["is_deleted"]
                },
                "history": {
                    f"transition:{t['id']}"
                    for iid in requirements | started_linked_tasks(sandbox)
                    for t in sandbox.transitions[iid]
                }
                | {
                    f"activity:{a['id']}"
                    for iid in activity_read_items(sandbox)
                    for a in sandbox.activities[iid]
                },
            }
    raise TypeError(f"no verifier for {type(sandbox).__name__}")


PINGCODE_REQUIREMENT_TYPES = ("requirement", "story")  # the default requirement_types
PINGCODE_CANCELLED = ("closed", "cancelled", "rejected")
PINGCODE_DONE = ("completed", *PINGCODE_CANCELLED)


def requirement_items(sandbox: WorktileSandbox) -> set[str]:
    return {i["id"] for i in sandbox.items.values() if i["type"] in PINGCODE_REQUIREMENT_TYPES}


def activity_read_items(sandbox: WorktileSandbox) -> set[str]:
    """Work items whose activities the sync fetches: requirements, and every other item not
    cancelled (their version and sprint changes are scope_creep's join times)."""
    return requirement_items(sandbox) | {
        i["id"]
        for i in sandbox.items.values()
        if i["state"] not in PINGCODE_CANCELLED and not i["is_deleted"]
    }


def comment_read_items(sandbox: WorktileSandbox) -> set[str]:
    """Work items whose comments the sync fetches: requirements, open items (a client's
    question) and items in a version, a sprint or under a milestone item (a comment
    documenting their joining it)."""
    return requirement_items(sandbox) | {
        i["id"]
        for i in sandbox.items.values()
        if (i["state"] not in PINGCODE_DONE and not i["is_deleted"])
        or i["version"]
        or i["sprint"]
        or (i["parent"] and sandbox.items.get(i["parent"], {}).get("type") == "milestone")
    }


def started_linked_tasks(sandbox: WorktileSandbox) -> set[str]:
    """Tasks whose transitions the sync fetches: linked to something, and past pending."""
    return {
        i["id"]
        for i in sandbox.items.values()
        if i["type"] not in ("requirement", "story")
        and i["state"] not in ("pending", *PINGCODE_CANCELLED)
        and not i["is_deleted"]
        and (
            i["parent"]
            or mentioned_keys(
                f"{i['title']}\n{html_to_text(i['description'])}", own_key=i["identifier"]
            )
        )
    }


def _history_id(change_id: str) -> str:
    """The tracker's history id: a Jira history's items and a PingCode tag activity's tags
    are stored as changes of their own."""
    if change_id[0].isdigit():
        return change_id.split(":")[0]
    if change_id.startswith("activity:"):
        return ":".join(change_id.split(":")[:2])
    return change_id


def store_state(db: Path, source: str) -> dict[str, set]:
    conn = sqlite3.connect(db)
    try:
        items = set(conn.execute("select id, updated_at from items where source = ?", [source]))
        comments = {
            r[0] for r in conn.execute("select id from comments where source = ?", [source])
        }
        history = {
            _history_id(r[0])
            for r in conn.execute(
                "select change_id from changes where source = ? and origin = 'tracker'", [source]
            )
        }
    finally:
        conn.close()
    return {"items": items, "comments": comments, "history": history}


def differences(expected: dict[str, set], stored: dict[str, set]) -> dict[str, dict[str, int]]:
    """Per table: how many are missing from the store, and how many it has extra."""
    return {
        table: {
            "missing": len(expected[table] - stored[table]),
            "extra": len(stored[table] - expected[table]),
        }
        for table in expected
        if expected[table] != stored[table]
    }


def _jira_utc(ms: int) -> str:
    return jira_time(ms)[:19] + "Z"


def _unix_utc(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
