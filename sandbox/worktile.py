"""A local PingCode / Worktile open API for one project.

Faithful where a sync can trip: a GET token endpoint with query credentials whose
``expires_in`` is an absolute epoch (or a duration, switchable); lists paged by ``page_index``
from 0 with ``total`` and no sort order; list items without ``type`` (as seen live);
``updated_between`` honoured or silently ignored (switchable: tenants differ); 200 requests a
minute per identity, refused with 429 + ``x-pc-retry-after``; errors ``{code, message}``,
mostly as HTTP 400; comments soft-deleted (``is_deleted: 1``, content emptied), never edited.
"""

from __future__ import annotations

import itertools
import re
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


class WorktileSandbox(SandboxServer):
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
            "url": f"{self.root_url}/v1/directory/users/{uid}",
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

    # -- payloads -----------------------------------------------------------------------------------

    def state_ref(self, state: str) -> dict[str, Any]:
        return {
            "id": f"state-{state}",
            "url": f"{self.root_url}{self.prefix}/work_item_states/state-{state}",
            "name": STATES.get(state, state),
            "type": state,
            "color": "#999",
        }

    def project_ref(self) -> dict[str, Any]:
        return {
            "id": self.project_id,
            "url": f"{self.root_url}{self.prefix}/projects/{self.project_id}",
            "identifier": self.identifier,
            "name": "Scrum项目",
            "type": "scrum",
            "is_archived": 0,
            "is_deleted": 0,
        }

    def item_payload(self, iid: str, *, with_type: bool = True) -> dict[str, Any]:
        i = self.items[iid]
        parent = self.items.get(i["parent"]) if i["parent"] else None
        version = self.versions.get(i["version"]) if i["version"] else None
        sprint = self.sprints.get(i["sprint"]) if i["sprint"] else None
        payload = {
            "id": iid,
            "url": f"{self.root_url}{self.prefix}/work_items/{iid}",
            "project": self.project_ref(),
            "identifier": i["identifier"],
            "title": i["title"],
            "start_at": None,
            "end_at": i["end_at"],
            "parent_id": i["parent"],
            "short_id": i["short_id"],
            "html_url": f"https://acme.pingcode.com/pjm/workitems/{i['short_id']}",
            "parent": {
                "id": parent["id"],
                "identifier": parent["identifier"],
                "title": parent["title"],
                "type": parent["type"],
            }
            if parent
            else None,
            "assignee": None,
            "versions": [
                dict(
                    version,
                    url=f"{self.root_url}{self.prefix}/projects/{self.project_id}/versions/{version['id']}",
                )
            ]
            if version
            else [],
            "sprint": {
                "id": sprint["id"],
                "name": sprint["name"],
                "start_at": sprint["start_at"],
                "end_at": sprint["end_at"],
                "status": sprint["status"],
            }
            if sprint
            else None,
            "state": self.state_ref(i["state"]),
            "priority": None,
            "board": None,
            "entry": None,
            "swimlane": None,
            "phase": None,
            "estimated_workload": None,
            "remaining_workload": None,
            "description": i["description"],
            "completed_at": i["completed_at"],
            "story_points": i["story_points"],
            "properties": {},
            "tags": [{"id": f"tag-{t}", "name": t} for t in i["tags"]],
            "participants": [],
            "created_at": i["created_at"],
            "created_by": self.user_ref(i["created_by"]),
            "updated_at": i["updated_at"],
            "updated_by": self.user_ref(i["updated_by"]),
            "is_archived": i["is_archived"],
            "is_deleted": i["is_deleted"],
        }
        if with_type:
            payload["type"] = i["type"]
        return payload

    def comment_payload(self, cid: str) -> dict[str, Any]:
        c = self.comments[cid]
        return {
            "id": cid,
            "url": f"{self.root_url}/v1/comments/{cid}?principal_type=work_item&principal_id={c['item']}",
            "content": c["content"],
            "attachment_count": 0,
            "attachments": [],
            "is_reply_comment": 0,
            "replied_comment": None,
            "created_at": c["created_at"],
            "created_by": self.user_ref(c["created_by"]),
            "is_deleted": c["is_deleted"],
        }

    # -- HTTP ---------------------------------------------------------------------------------------

    def error(self, status: int, code: str, message: str) -> Response:
        return Response(status, {"code": code, "message": message})

    def route(self, request: Request) -> Response:
        path, q = request.path, request.query
        if path == "/v1/auth/token" and request.method == "GET":
            return self.issue_token(q)
        login = self.authenticate(request)
        if login is None:
            return self.error(401, "100001", "access_token无效或已过期")
        if not self.spend(login):
            self.refused += 1
            return Response(
                429, {"code": "100038", "message": "请求频率过高"}, {"x-pc-retry-after": "1"}
            )
        p = self.prefix
        if path == "/v1/myself" and request.method == "GET":
            if not self.myself_allowed:
                return self.error(403, "100005", "当前令牌无权访问该资源")
            return Response(200, self.user_ref(login))
        if path == f"{p}/projects":
            return self.paged(q, [self.project_ref()])
        if path == f"{p}/work_item/types":
            return Response(200, {"values": [{"id": t, "name": t} for t in TYPES]})
        if path == f"{p}/work_items" and request.method == "GET":
            return self.list_items(q)
        if path == f"{p}/work_items/search" and request.method == "POST":
            if not self.has_search:
                return self.error(404, "100000", "资源不存在")
            return self.search_items(request.body or {})
        match = re.fullmatch(rf"{re.escape(p)}/work_items/([0-9a-f]+)/transition_histories", path)
        if match:
            if match.group(1) not in self.items:
                return self.error(400, "100317", "工作项不存在")
            return self.paged(
                q,
                [dict(t, url="") for t in self.transitions[match.group(1)]],
                user_keys=("created_by",),
            )
        if path == "/v1/activities":
            iid = q.get("principal_id", "")
            if iid not in self.items:
                return self.error(400, "100317", "工作项不存在")
            return self.paged(q, self.activities[iid], user_keys=("created_by",))
        if path == f"{p}/projects/{self.project_id}/sprints":
            return self.paged(q, list(self.sprints.values()))
        if path == f"{p}/projects/{self.project_id}/versions":
            return self.paged(q, list(self.versions.values()))
        if path == "/v1/comments" and request.method == "GET":
            iid = q.get("principal_id", "")
            if q.get("principal_type") != "work_item" or iid not in self.items:
                return self.error(400, "100317", "工作项不存在")
            ids = self.comment_ids_of.get(iid, [])
            return self.paged(q, [self.comment_payload(cid) for cid in ids])
        if path == "/v1/comments" and request.method == "POST":
            body = request.body or {}
            if (
                body.get("principal_type") != "work_item"
                or body.get("principal_id") not in self.items
            ):
                return self.error(400, "100317", "工作项不存在")
            if not isinstance(body.get("content"), str) or not body["content"]:
                return self.error(400, "100002", "content不能为空")
            comment = self.add_comment(body["principal_id"], body["content"], by=login)
            return Response(200, self.comment_payload(comment["id"]))
        match = re.fullmatch(r"/v1/comments/([0-9a-f]+)", path)
        if match and request.method == "DELETE":
            comment = self.comments.get(match.group(1))
            if comment is None or comment["item"] != q.get("principal_id"):
                return self.error(400, "100404", "评论不存在")
            if comment["created_by"] != login:
                return self.error(403, "100005", "无权删除该评论")
            comment.update(is_deleted=1, content="")
            return Response(204)
        if match and request.method in ("PUT", "PATCH"):
            return self.error(404, "100000", "资源不存在")
        return self.error(404, "100000", "资源不存在")

    def issue_token(self, q: dict[str, str]) -> Response:
        login = self.apps.get((q.get("client_id", ""), q.get("client_secret", "")))
        if q.get("grant_type") != "client_credentials" or login is None:
            return self.error(400, "100024", "client_id或client_secret错误")
        token = secrets.token_hex(16)
        expires = time.time() + self.token_lifetime
        self.tokens[token] = (login, expires)
        return Response(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": int(expires) if self.absolute_expiry else self.token_lifetime,
            },
        )

    def expire_tokens(self) -> None:
        self.tokens = {t: (login, 0.0) for t, (login, _) in self.tokens.items()}

    def authenticate(self, request: Request) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        entry = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if entry is None or entry[1] < time.time():
            return None
        return entry[0]

    def spend(self, login: str) -> bool:
        """The per-identity budget over a sliding window."""
        limit, window = self.budget
        now = time.monotonic()
        recent = self._window.setdefault(login, deque())
        while recent and recent[0] <= now - window:
            recent.popleft()
        if len(recent) >= limit:
            return False
        recent.append(now)
        return True

    def paged(
        self, q: dict[str, str], rows: list[Any], user_keys: tuple[str, ...] = ()
    ) -> Response:
        try:
            index = max(0, int(q.get("page_index", 0)))
            size = min(100, max(1, int(q.get("page_size", 30))))
        except ValueError:
            return self.error(400, "100002", "参数错误")
        chunk = rows[index * size : (index + 1) * size]
        if user_keys:
            chunk = [{**row, **{k: self.user_ref(row[k]) for k in user_keys}} for row in chunk]
        return Response(
            200, {"page_size": size, "page_index": index, "total": len(rows), "values": chunk}
        )

    def _items_for(self, type_id: str | None) -> list[dict[str, Any]]:
        return [i for i in self.items.values() if not type_id or i["type"] == type_id]

    def list_items(self, q: dict[str, str]) -> Response:
        if q.get("project_id") not in (None, self.project_id):
            return self.error(400, "100404", "项目不存在")
        rows = self._items_for(q.get("type_id"))
        window = q.get("updated_between")
        if window and self.honour_updated_between:
            start, _, end = window.partition(",")
            rows = [
                i
                for i in rows
                if (not start or i["updated_at"] >= int(start))
                and (not end or i["updated_at"] <= int(end))
            ]
        response = self.paged(q, [i["id"] for i in rows])
        response.body["values"] = [
            self.item_payload(iid, with_type=not self.omit_type) for iid in response.body["values"]
        ]
        return response

    def search_items(self, body: dict[str, Any]) -> Response:
        payload = body.get("payload") or {}
        flt = payload.get("filter") or {}
        types = (flt.get("type_id") or {}).get("in")
        since = (flt.get("updated_at") or {}).get("gte", 0)
        rows = [
            i
            for i in self.items.values()
            if (not types or i["type"] in types) and i["updated_at"] >= since
        ]
        response = self.paged(
            {
                "page_index": str(payload.get("page_index", 0)),
                "page_size": str(payload.get("page_size", 30)),
            },
            [i["id"] for i in rows],
        )
        response.body["values"] = [
            self.item_payload(iid, with_type=not self.omit_type) for iid in response.body["values"]
        ]
        return response
