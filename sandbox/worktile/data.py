"""Worktile sandbox state: the project's work items, state transitions, activities,
comments, sprints, versions and users, changed as the web app changes them.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.server import FaultPlan, Request, Response, SandboxServer

TYPES = ("requirement", "story", "task", "bug", "milestone")
STATES = {"pending": "新建", "in_progress": "进行中", "completed": "已完成"}


def hexid(counter: Iterable[int], width: int = 24) -> str:
    return f"{next(counter):0{width}x}"


class WorktileData(SandboxServer):
    name = "worktile"
    reads_sent_as_post = ("/work_items/search", "/workitems/search")

    def __init__(
        self,
        identifier: str = "SCR",
        *,
        prefix: str = "/v1/pjm",
        apps: dict[tuple[str, str], str] | None = None,
        budget: tuple[int, float] = (200, 60.0),
        token_lifetime: int = 30 * 86400,
        absolute_expiry: bool = True,
        honour_updated_between: bool = True,
        has_search: bool = True,
        myself_allowed: bool = False,
        omit_type: bool = True,
        faults: FaultPlan | None = None,
        latency: float = 0.0,
        clock: Callable[[], int] = lambda: int(time.time()),
    ) -> None:
        super().__init__(faults=faults, latency=latency)
        self.prefix = prefix
        self.identifier = identifier
        self._ids = itertools.count(0x5EDC00000000000000000001)
        self.project_id = hexid(self._ids)
        self.apps = dict(apps or {("pc-client", "pc-secret"): "bot"})
        self.users: dict[str, str] = {}
        for login in ("bot", "pm", "dev", "client-pm"):
            self.user(login)
        self.tokens: dict[str, tuple[str, float]] = {}
        self.budget = budget
        self.token_lifetime = token_lifetime
        self.absolute_expiry = absolute_expiry
        self.honour_updated_between = honour_updated_between
        self.has_search = has_search
        self.myself_allowed = myself_allowed
        self.omit_type = omit_type
        self.clock = clock
        self.items: dict[str, dict[str, Any]] = {}
        self.transitions: dict[str, list[dict[str, Any]]] = {}
        self.activities: dict[str, list[dict[str, Any]]] = {}
        self.comments: dict[str, dict[str, Any]] = {}
        self.comment_ids_of: dict[str, list[str]] = {}  # work item id -> its comments, in order
        self.sprints: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, dict[str, Any]] = {}
        self._window: dict[str, deque[float]] = {}
        self.refused = 0  # requests over the budget, answered 429

    @property
    def base_url(self) -> str:
        return self.root_url

    def user(self, login: str) -> str:
        if login not in self.users:
            self.users[login] = secrets.token_hex(16)
        return self.users[login]

    def user_ref(self, login: str | None) -> dict[str, Any] | None:
        if login is None:
            return None
        uid = self.user(login)
        return {
            "id": uid,
            "url": f"{self.called_root}/v1/directory/users/{uid}",
            "name": login,
            "display_name": login.title(),
            "avatar": "",
        }

    # -- data -------------------------------------------------------------------------------------

    def add_sprint(
        self, name: str, *, start: int, end: int, status: str = "in_progress"
    ) -> dict[str, Any]:
        with self.state_lock:
            sid = hexid(self._ids)
            self.sprints[sid] = {
                "id": sid,
                "name": name,
                "status": status,
                "start_at": start,
                "end_at": end,
                "completed_at": None,
                "created_at": start,
                "updated_at": start,
            }
            return self.sprints[sid]

    def add_version(self, name: str, *, end: int, stage: str = "pending") -> dict[str, Any]:
        with self.state_lock:
            vid = hexid(self._ids)
            self.versions[vid] = {
                "id": vid,
                "name": name,
                "start_at": end - 30 * 86400,
                "end_at": end,
                "stage": {"id": "st", "name": stage, "type": stage, "color": "#888"},
                "created_at": end - 60 * 86400,
                "updated_at": end - 60 * 86400,
            }
            return self.versions[vid]

    def add_item(
        self,
        title: str,
        *,
        type_id: str = "requirement",
        state: str = "pending",
        description: str = "",
        created: int | None = None,
        by: str = "pm",
        end_at: int | None = None,
        points: float | None = None,
        parent: str | None = None,
        sprint: str | None = None,
        version: str | None = None,
        tags: Iterable[str] = (),
        priority: str | None = None,
    ) -> dict[str, Any]:
        with self.state_lock:
            iid = hexid(self._ids)
            at = created or self.clock()
            number = len(self.items) + 1
            item = {
                "id": iid,
                "identifier": f"{self.identifier}-{number}",
                "short_id": iid[-8:],
                "title": title,
                "type": type_id,
                "state": state,
                "description": description,
                "created_at": at,
                "updated_at": at,
                "created_by": by,
                "updated_by": by,
                "end_at": end_at,
                "story_points": points,
                "parent": parent,
                "sprint": sprint,
                "version": version,
                "tags": list(tags),
                "priority": priority,
                "completed_at": at if state == "completed" else None,
                "is_deleted": 0,
                "is_archived": 0,
            }
            self.items[iid] = item
            self.transitions[iid], self.activities[iid] = [], []
            return item

    def edit_item(self, iid: str, *, by: str = "pm", at: int | None = None, **changes: Any) -> None:
        """Edit as the web app does: a transition for a state change, an ``update-property``
        activity for anything else, ``updated_at`` bumped."""
        with self.state_lock:
            item = self.items[iid]
            stamp = at or self.clock()
            for key, value in changes.items():
                old = item[key]
                if old == value:
                    continue
                if key == "state":
                    self.transitions[iid].append(
                        {
                            "id": hexid(self._ids),
                            "from_state": self.state_ref(old),
                            "to_state": self.state_ref(value),
                            "created_at": stamp,
                            "created_by": by,
                        }
                    )
                    item["completed_at"] = stamp if value == "completed" else None
                else:
                    self.activities[iid].append(
                        {
                            "id": hexid(self._ids),
                            "template": "update-property",
                            "type": "update",
                            "summary": "修改了属性",
                            "content": {"property_key": key, "origin": old, "target": value},
                            "client": "web",
                            "created_at": stamp,
                            "created_by": by,
                        }
                    )
                item[key] = value
            item["updated_at"] = stamp
            item["updated_by"] = by

    def add_comment(
        self, iid: str, content: str, *, by: str = "pm", at: int | None = None
    ) -> dict[str, Any]:
        with self.state_lock:
            cid = hexid(self._ids)
            stamp = at or self.clock()
            self.comments[cid] = {
                "id": cid,
                "item": iid,
                "content": content,
                "created_at": stamp,
                "created_by": by,
                "is_deleted": 0,
            }
            self.comment_ids_of.setdefault(iid, []).append(cid)
            return self.comments[cid]

    def live_comments(self, iid: str) -> list[dict[str, Any]]:
        comments = (self.comments[cid] for cid in self.comment_ids_of.get(iid, []))
        return [c for c in comments if not c["is_deleted"]]

    def on_insert_fault(self, request: Request) -> None:
        if request.path.endswith("/work_items") and request.query.get("page_index", "0") != "0":
            self.add_item("Inserted while paging", type_id=request.query.get("type_id", "task"))

    def fault_response(self, fault: str) -> Response:
        if fault == "429":
            return Response(
                429,
                {"code": "100038", "message": "请求频率过高"},
                {"x-pc-retry-after": str(self.faults.retry_after)},
            )
        return super().fault_response(fault)
