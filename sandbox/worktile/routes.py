"""Worktile sandbox HTTP: routing, the token endpoint, per-identity request budget,
``page_index`` paging and the handlers of every endpoint served.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import deque
from typing import Any

from sandbox.server import Request, Response
from sandbox.worktile.data import TYPES
from sandbox.worktile.payloads import WorktilePayloads


class WorktileSandbox(WorktilePayloads):
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
