"""Jira sprints as the issue's sprint field and changelog carry them. Pure functions.

Cloud sends the sprint field as a list of objects; Data Center as strings (a Java
``toString``); the changelog records the field as the whole list of sprint ids."""

from __future__ import annotations

import re
from typing import Any

from mapping.model import ChangeRecord


def sprint_milestone_id(sprint_id: Any) -> str:
    return f"sprint-{sprint_id}"


# Data Center sends each sprint as the toString of a Java object:
# com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=44,rapidViewId=3,state=ACTIVE,...]
_SPRINT_BODY = re.compile(r"\[(.*)\]\s*$", re.S)
_SPRINT_PAIR = re.compile(r"(?:^|,)(\w+)=(.*?)(?=,\w+=|$)", re.S)


def parse_sprints(value: Any) -> list[dict[str, Any]]:
    """The sprint field as sprint objects: Cloud sends objects, Data Center strings (parsed:
    ``<null>`` is None, the state lower-cased as the Agile API spells it). Unreadable entries
    are dropped, never fatal."""
    sprints = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, str):
            body = _SPRINT_BODY.search(entry)
            pairs = dict(_SPRINT_PAIR.findall(body.group(1))) if body else {}
            entry = {k: (None if v == "<null>" else v) for k, v in pairs.items()}
            if entry.get("state"):
                entry["state"] = entry["state"].lower()
        if isinstance(entry, dict) and entry.get("id") and entry.get("name") and entry.get("state"):
            sprints.append(entry)
    return sprints


def sprint_changes(
    source: str, issue_id: str, change_id: str, at: str, author: str | None, entry: dict[str, Any]
) -> list[ChangeRecord]:
    """Jira records the sprint field as the whole list of sprint ids (``"43, 44"``): store one
    change per sprint joined or left, valued with the sprint's milestone id."""

    def ids(value: Any) -> set[str]:
        return {part.strip() for part in str(value or "").split(",") if part.strip()}

    before, after = ids(entry.get("from")), ids(entry.get("to"))
    changes = [
        ChangeRecord(
            source,
            issue_id,
            f"{change_id}:+{s}",
            at,
            author,
            "sprint",
            None,
            sprint_milestone_id(s),
        )
        for s in sorted(after - before)
    ]
    changes += [
        ChangeRecord(
            source,
            issue_id,
            f"{change_id}:-{s}",
            at,
            author,
            "sprint",
            sprint_milestone_id(s),
            None,
        )
        for s in sorted(before - after)
    ]
    return changes
