"""Jira sandbox state: the project's issues, histories, comments, versions, sprints and
users, edited the way Jira records edits, and the faults that change data mid-paging.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sandbox.server import FaultPlan, Request, Response, SandboxServer

CATEGORIES = {
    # "No Category": real on some sites (statuses migrated in, or made by apps)
    "undefined": {"id": 1, "key": "undefined", "name": "No Category", "colorName": "medium-gray"},
    "new": {"id": 2, "key": "new", "name": "To Do", "colorName": "blue-gray"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "name": "In Progress",
        "colorName": "yellow",
    },
    "done": {"id": 3, "key": "done", "name": "Done", "colorName": "green"},
}
STATUSES = {
    "To Do": "new",
    "Open": "new",
    "Confirmed": "new",
    "In Progress": "indeterminate",
    "In Review": "indeterminate",
    "Done": "done",
    "Closed": "done",
    "Triage": "undefined",
}
STORY_POINTS = "customfield_10016"
SPRINT_FIELD = "customfield_10020"
CLIENT_SIGNOFF = "customfield_10100"  # a select list a site adds: "Client sign-off"
CUSTOM_NAMES = {"points": "Story Points", "signoff": "Client sign-off", "sprints": "Sprint"}
ISSUE_TYPES = ("Epic", "Story", "Task", "Bug", "Subtask", "Change Request")
RESOLUTIONS = ("Done", "Won't Do", "Duplicate", "Cannot Reproduce", "Won't Fix", "Declined")
EMBEDDED_HISTORY_CAP = 40  # Cloud's search/jql embeds the newest 40 histories


def named_id(names: tuple[str, ...] | list[str], name: str) -> str:
    """The id Jira shows for a status, issue type or resolution: stable per name."""
    return str(10000 + (names.index(name) if name in names else 99))


def epoch_ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def jira_time(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


def now_ms() -> int:
    return int(time.time() * 1000)


class JiraError(Exception):
    def __init__(self, status: int, *messages: str, errors: dict | None = None) -> None:
        super().__init__(messages)
        self.response = Response(status, {"errorMessages": list(messages), "errors": errors or {}})


class JiraData(SandboxServer):
    name = "jira"
    reads_sent_as_post = ("/search/jql", "/search", "/comment/list")

    def __init__(
        self,
        project: str = "ACME",
        *,
        deployment: str = "cloud",
        users: dict[str, dict[str, Any]] | None = None,
        basic: dict[tuple[str, str], str] | None = None,
        bearer: dict[str, str] | None = None,
        max_results_cap: int = 100,
        embedded_comment_cap: int = 20,
        faults: FaultPlan | None = None,
        latency: float = 0.0,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        super().__init__(faults=faults, latency=latency)
        self.project = project
        self.project_id = 10000
        self.deployment = deployment
        self.users: dict[str, dict[str, Any]] = {}
        for account, info in (users or {"bot": {"displayName": "Tracker Bot"}}).items():
            self.add_user(account, **info)
        self.basic = dict(basic or {("bot@acme.example", "jira-api-token"): "bot"})
        self.bearer = dict(bearer or {"jira-pat": "bot"})
        self.max_results_cap = max_results_cap
        self.embedded_comment_cap = embedded_comment_cap
        self.clock = clock
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.comment_ids_of: dict[int, list[int]] = {}  # issue id -> its comments, oldest first
        self.versions: dict[int, dict[str, Any]] = {}
        self.sprints: dict[int, dict[str, Any]] = {}
        self.boards = {1: project}
        # accounts that may browse the project but not comment (no ADD_COMMENTS)
        self.read_only: set[str] = set()
        self._issue_ids = itertools.count(10001)
        self._history_ids = itertools.count(20001)
        self._comment_ids = itertools.count(30001)

    @property
    def base_url(self) -> str:
        return self.root_url

    # -- data ------------------------------------------------------------------------------------

    def add_user(
        self, account: str, *, displayName: str | None = None, timeZone: str = "UTC"
    ) -> None:  # noqa: N803
        self.users[account] = {
            "accountId": account,
            "name": account,
            "key": f"JIRAUSER{len(self.users) + 100}",
            "displayName": displayName or account.title(),
            "timeZone": timeZone,
        }

    def add_version(
        self,
        name: str,
        *,
        release_date: str | None = None,
        start_date: str | None = None,
        released: bool = False,
        archived: bool = False,
    ) -> dict[str, Any]:
        with self.state_lock:
            vid = 10100 + len(self.versions)
            version = {
                "id": vid,
                "name": name,
                "releaseDate": release_date,
                "startDate": start_date,
                "released": released,
                "archived": archived,
                "description": "",
            }
            self.versions[vid] = version
            return version

    def add_sprint(
        self, name: str, *, state: str = "active", start: str | None = None, end: str | None = None
    ) -> dict[str, Any]:
        with self.state_lock:
            sid = 1 + len(self.sprints)
            sprint = {
                "id": sid,
                "name": name,
                "state": state,
                "startDate": start,
                "endDate": end,
                "completeDate": None,
                "originBoardId": 1,
                "goal": "",
            }
            self.sprints[sid] = sprint
            return sprint

    def add_issue(
        self,
        summary: str,
        description: str = "",
        *,
        issuetype: str = "Story",
        status: str = "To Do",
        labels: Iterable[str] = (),
        reporter: str = "bot",
        duedate: str | None = None,
        fix_versions: Iterable[int] = (),
        points: float | None = None,
        parent: str | None = None,
        created: str | None = None,
        resolution: str | None = None,
        priority: str | None = "Medium",
        sprints: Iterable[int] = (),
    ) -> dict[str, Any]:
        with self.state_lock:
            self.changed()
            iid = next(self._issue_ids)
            ms = epoch_ms(created) if created else self.clock()
            issue = {
                "id": iid,
                "key": f"{self.project}-{iid - 10000}",
                "summary": summary,
                "description": description,
                "issuetype": issuetype,
                "status": status,
                "labels": list(labels),
                "duedate": duedate,
                "fixVersions": list(fix_versions),
                "points": points,
                "parent": parent,
                "reporter": reporter,
                "assignee": None,
                "created": ms,
                "updated": ms,
                "resolution": resolution,
                "resolutiondate": ms if STATUSES[status] == "done" else None,
                "histories": [],
                "sprints": list(sprints),
                "priority": priority,
                "signoff": None,
            }
            self.issues[iid] = issue
            return issue

    def issue_by_key(self, key_or_id: str) -> dict[str, Any]:
        if key_or_id.isdigit() and int(key_or_id) in self.issues:
            return self.issues[int(key_or_id)]
        prefix, _, number = key_or_id.rpartition("-")
        issue = (
            self.issues.get(10000 + int(number))
            if number.isdigit() and prefix == self.project
            else None
        )
        if issue is not None and issue["key"] == key_or_id:
            return issue
        raise JiraError(404, "Issue does not exist or you do not have permission to see it.")

    FIELD_IDS = {
        "summary": "summary",
        "description": "description",
        "status": "status",
        "labels": "labels",
        "duedate": "duedate",
        "fixVersions": "fixVersions",
        "points": STORY_POINTS,
        "assignee": "assignee",
        "resolution": "resolution",
        "issuetype": "issuetype",
        "signoff": CLIENT_SIGNOFF,
        "sprints": SPRINT_FIELD,
        "priority": "priority",
    }

    def edit_issue(
        self, key: str, *, author: str = "bot", at: str | None = None, **changes: Any
    ) -> None:
        """Edit as Jira does: one history with an item per changed field, ``updated`` bumped."""
        with self.state_lock:
            self.changed()
            issue = self.issue_by_key(key)
            ms = epoch_ms(at) if at else self.clock()
            items = []
            for name, value in changes.items():
                old = issue[name]
                if old == value:
                    continue
                if name == "fixVersions":
                    for vid in sorted(set(old) - set(value)):
                        items.append(
                            {
                                "field": "Fix Version",
                                "fieldtype": "jira",
                                "fieldId": "fixVersions",
                                "from": str(vid),
                                "fromString": self.versions[vid]["name"],
                                "to": None,
                                "toString": None,
                            }
                        )
                    for vid in sorted(set(value) - set(old)):
                        items.append(
                            {
                                "field": "Fix Version",
                                "fieldtype": "jira",
                                "fieldId": "fixVersions",
                                "from": None,
                                "fromString": None,
                                "to": str(vid),
                                "toString": self.versions[vid]["name"],
                            }
                        )
                else:
                    items.append(self._change_item(name, old, value))
                issue[name] = value
                if name == "status":
                    issue["resolutiondate"] = ms if STATUSES[value] == "done" else None
            if items:
                issue["histories"].append(
                    {"id": next(self._history_ids), "author": author, "created": ms, "items": items}
                )
            issue["updated"] = ms

    def _change_item(self, name: str, old: Any, new: Any) -> dict[str, Any]:
        """One changelog item as Jira writes it: ``from``/``to`` hold ids (a status's, an
        account's) or raw values (a date); ``fromString``/``toString`` the text people read."""
        return {
            "field": CUSTOM_NAMES.get(name, name),
            "fieldtype": "custom" if name in CUSTOM_NAMES else "jira",
            "fieldId": self.FIELD_IDS.get(name, name),
            "from": self._change_id(name, old),
            "fromString": self._change_text(name, old),
            "to": self._change_id(name, new),
            "toString": self._change_text(name, new),
        }

    def _change_id(self, name: str, value: Any) -> str | None:
        if value is None or name in ("summary", "description", "labels", "points", "signoff"):
            return None  # free text: Jira keeps only the string
        if name == "sprints":  # every sprint the issue is in, ids then names
            return ", ".join(str(s) for s in value) or None
        if name == "status":
            return named_id(list(STATUSES), value)
        if name == "issuetype":
            return named_id(ISSUE_TYPES, value)
        if name == "resolution":
            return named_id(RESOLUTIONS, value)
        if name == "assignee":
            user = self.known_user(value)
            return user["accountId"] if self.deployment == "cloud" else user["name"]
        return str(value)  # a due date: the date itself

    def _change_text(self, name: str, value: Any) -> str | None:
        if value is None:
            return None
        if name == "labels":
            return " ".join(value)
        if name == "sprints":
            return ", ".join(self.sprints[s]["name"] for s in value) or None
        if name == "duedate":
            return value and f"{value} 00:00:00.0"
        if name == "assignee":
            return self.known_user(value)["displayName"]
        return str(value)

    def known_user(self, account: str) -> dict[str, Any]:
        if account not in self.users:
            self.add_user(account)
        return self.users[account]

    def add_history(self, key: str, count: int, *, author: str = "bot") -> None:
        """Many small edits (label churn), for issues whose history outgrows the embedded cap."""
        with self.state_lock:
            self.changed()
            issue = self.issue_by_key(key)
            for n in range(count):
                ms = issue["updated"] + 1000
                issue["histories"].append(
                    {
                        "id": next(self._history_ids),
                        "author": author,
                        "created": ms,
                        "items": [
                            {
                                "field": "labels",
                                "fieldtype": "jira",
                                "fieldId": "labels",
                                "from": None,
                                "fromString": f"churn-{n}",
                                "to": None,
                                "toString": f"churn-{n + 1}",
                            }
                        ],
                    }
                )
                issue["updated"] = ms

    def add_comment(
        self,
        key: str,
        body: Any,
        *,
        author: str = "bot",
        at: str | None = None,
        properties: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        with self.state_lock:
            self.changed()
            issue = self.issue_by_key(key)
            ms = epoch_ms(at) if at else self.clock()
            cid = next(self._comment_ids)
            comment = {
                "id": cid,
                "issue": issue["id"],
                "author": author,
                "body": body,
                "created": ms,
                "updated": ms,
                "properties": dict(properties or {}),
            }
            self.comments[cid] = comment
            self.comment_ids_of.setdefault(issue["id"], []).append(cid)
            issue["updated"] = max(issue["updated"], ms)
            return comment

    def comments_on(self, key: str) -> list[dict[str, Any]]:
        issue = self.issue_by_key(key)
        return [self.comments[cid] for cid in self.comment_ids_of.get(issue["id"], [])]

    def on_insert_fault(self, request: Request) -> None:
        if "search" in request.path and (
            request.query.get("nextPageToken") or request.query.get("startAt", "0") != "0"
        ):
            self.add_issue("Inserted while paging", "appeared between two pages")

    def fault_response(self, fault: str) -> Response:
        if fault == "429":
            return Response(
                429,
                {"errorMessages": ["Rate limit exceeded."], "errors": {}},
                {
                    "Retry-After": str(self.faults.retry_after),
                    "X-RateLimit-Limit": "100",
                    "X-RateLimit-Remaining": "0",
                    "RateLimit-Reason": "jira-burst-based",
                },
            )
        return super().fault_response(fault)
