"""GitHub sandbox HTTP: routing, authentication, rate limits, ``Link`` paging and the
request handlers of every endpoint served.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sandbox.github.data import DOCS, MAX_COMMENT
from sandbox.github.payloads import GitHubPayloads
from sandbox.server import Request, Response, match_route


class GitHubSandbox(GitHubPayloads):
    ROUTES: list[tuple[str, str, str]] = [
        ("GET", r"/user", "get_user"),
        ("GET", r"/rate_limit", "get_rate_limit"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)", "get_repo"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/issues/comments", "list_repo_comments"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<id>\d+)", "get_comment"),
        ("PATCH", r"/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<id>\d+)", "update_comment"),
        ("DELETE", r"/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<id>\d+)", "delete_comment"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/issues/events", "list_repo_events"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/issues", "list_issues"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)", "get_issue"),
        (
            "GET",
            r"/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)/comments",
            "list_issue_comments",
        ),
        ("POST", r"/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<number>\d+)/comments", "create_comment"),
        ("GET", r"/repos/(?P<repo>[^/]+/[^/]+)/milestones", "list_milestones"),
    ]

    def route(self, request: Request) -> Response:
        path = request.path
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return self.error(404, "Not Found")
            path = path[len(self.prefix) :]
        login = self._authenticate(request)
        if login is None:
            message = (
                "Bad credentials"
                if request.headers.get("authorization")
                else "Requires authentication"
            )
            return self.error(401, message)
        if self._remaining(login) <= 0:
            response = self.error(
                403, f"API rate limit exceeded for user ID {self.user_id(login)}."
            )
            response.headers.update(self._rate_headers(login))
            return response
        found = match_route(self.ROUTES, request.method, path)
        if found is None:
            return self.error(404, "Not Found")
        handler, params = found
        if "repo" in params and params.pop("repo") != self.repo:
            return self.error(404, "Not Found")
        if request.method != "GET" and login in self.read_only:
            return self.error(403, "Resource not accessible by personal access token")
        response = getattr(self, handler)(request, login, **params)
        response.headers.update(self._rate_headers(login))
        return response

    def _authenticate(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return None
        return self.tokens.get(token.strip())

    def error(self, status: int, message: str, **extra: Any) -> Response:
        return Response(
            status, {"message": message, "documentation_url": DOCS, "status": str(status), **extra}
        )

    # rate limit: every answer but a 304 spends one request of the window
    def _window(self, login: str) -> list[int]:
        now = int(time.time())
        window = self._rate.setdefault(login, [0, now + self.rate_window_seconds])
        if now >= window[1]:
            window[:] = [0, now + self.rate_window_seconds]
        return window

    def _remaining(self, login: str) -> int:
        return self.rate_limit - self._window(login)[0]

    def _rate_headers(self, login: str) -> dict[str, str]:
        used, reset = self._window(login)
        return {
            "x-ratelimit-limit": str(self.rate_limit),
            "x-ratelimit-remaining": str(max(0, self.rate_limit - used)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
        }

    def counts_against_limit(self, request: Request, response: Response) -> None:
        login = self._authenticate(request)
        if login is None or response.status in (304, 401):
            return
        with self.state_lock:
            window = self._window(login)
            window[0] += 1
            response.headers.update(self._rate_headers(login))

    # paging: per_page default 30, max 100; Link with next/last/first/prev
    def paged(self, request: Request, rows: list[Any], render: Callable[[Any], Any]) -> Response:
        try:
            per_page = min(100, max(1, int(request.query.get("per_page", 30))))
            page = max(1, int(request.query.get("page", 1)))
        except ValueError:
            return self.error(422, "Validation Failed")
        last = max(1, -(-len(rows) // per_page))
        chunk = rows[(page - 1) * per_page : page * per_page]
        links = []

        def link(number: int, rel: str) -> str:
            query = urlencode(dict(request.query, page=str(number)))
            return f'<{self.called_root}{request.path}?{query}>; rel="{rel}"'

        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        headers = {"Link": ", ".join(links)} if links else {}
        return Response(200, [render(row) for row in chunk], headers, etag=True)

    def get_user(self, request: Request, login: str) -> Response:
        payload = self.user_payload(login) or {}
        payload.update(
            {
                "name": login,
                "company": None,
                "blog": "",
                "location": None,
                "email": None,
                "hireable": None,
                "bio": None,
                "public_repos": 1,
                "followers": 0,
                "following": 0,
                "created_at": "2020-01-01T00:00:00Z",
                "updated_at": "2020-01-01T00:00:00Z",
            }
        )
        return Response(200, payload, etag=True)

    def get_repo(self, request: Request, login: str) -> Response:
        return Response(200, self.repo_payload(login), etag=True)

    def get_rate_limit(self, request: Request, login: str) -> Response:
        used, reset = self._window(login)
        core = {
            "limit": self.rate_limit,
            "remaining": self.rate_limit - used,
            "reset": reset,
            "used": used,
        }
        search = {"limit": 30, "remaining": 30, "reset": reset, "used": 0}
        return Response(200, {"resources": {"core": core, "search": search}, "rate": core})

    def list_issues(self, request: Request, login: str) -> Response:
        q = request.query
        state = q.get("state", "open")
        if state not in ("open", "closed", "all"):
            return self.error(422, "Validation Failed")
        sort = q.get("sort", "created")
        key = {"created": "created_at", "updated": "updated_at", "comments": "comments"}.get(sort)
        if key is None:
            return self.error(422, "Validation Failed")
        since = _normalise_since(q["since"]) if q.get("since") else ""
        descending = q.get("direction", "desc") == "desc"

        def ordered() -> list[int]:
            rows = [
                i
                for i in self.issues.values()
                if (state == "all" or i["state"] == state) and i["updated_at"] >= since
            ]
            rows.sort(key=lambda i: (i[key], i["number"]), reverse=descending)
            return [i["number"] for i in rows]

        numbers = self.cached(("issues", state, since, key, descending), ordered)
        counts = self._milestone_counts()
        return self.paged(request, numbers, lambda n: self.issue_payload(n, counts))

    def get_issue(self, request: Request, login: str, number: str) -> Response:
        if int(number) not in self.issues:
            return self.error(404, "Not Found")
        return Response(200, self.issue_payload(int(number)), etag=True)

    def list_milestones(self, request: Request, login: str) -> Response:
        state = request.query.get("state", "open")
        rows = [m for m in self.milestones.values() if state == "all" or m["state"] == state]
        far = "9999-12-31T00:00:00Z"
        if request.query.get("sort", "due_on") == "due_on":
            rows.sort(key=lambda m: (m["due_on"] or far, m["number"]))
        else:
            rows.sort(key=lambda m: m["number"])
        if request.query.get("direction", "asc") == "desc":
            rows.reverse()
        counts = self._milestone_counts()
        return self.paged(
            request, [m["number"] for m in rows], lambda n: self.milestone_payload(n, counts)
        )

    def list_repo_comments(self, request: Request, login: str) -> Response:
        q = request.query
        since = _normalise_since(q["since"]) if q.get("since") else ""
        sort = q.get("sort") if q.get("sort") in ("created", "updated") else None
        descending = sort is not None and q.get("direction", "desc") == "desc"

        def ordered() -> list[int]:
            rows = [c for c in self.comments.values() if c["updated_at"] >= since]
            if sort:
                rows.sort(key=lambda c: (c[f"{sort}_at"], c["id"]), reverse=descending)
            else:
                rows.sort(key=lambda c: c["id"])  # "direction" is ignored without "sort"
            return [c["id"] for c in rows]

        ids = self.cached(("comments", since, sort, descending), ordered)
        return self.paged(request, ids, self.comment_payload)

    def list_issue_comments(self, request: Request, login: str, number: str) -> Response:
        if int(number) not in self.issues:
            return self.error(404, "Not Found")
        rows = list(self.comment_ids_of.get(int(number), []))
        return self.paged(request, rows, self.comment_payload)

    def list_repo_events(self, request: Request, login: str) -> Response:
        rows = self.cached(("events",), lambda: sorted(self.events, reverse=True))
        counts = self._milestone_counts()
        return self.paged(request, rows, lambda e: self.event_payload(e, counts))

    def get_comment(self, request: Request, login: str, id: str) -> Response:  # noqa: A002
        if int(id) not in self.comments:
            return self.error(404, "Not Found")
        return Response(200, self.comment_payload(int(id)), etag=True)

    def _comment_body(self, request: Request) -> str | Response:
        body = request.body.get("body") if isinstance(request.body, dict) else None
        if not isinstance(body, str) or not body:
            return self.error(
                422,
                "Validation Failed",
                errors=[{"resource": "IssueComment", "code": "missing_field", "field": "body"}],
            )
        if len(body) > MAX_COMMENT:
            return self.error(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "IssueComment",
                        "code": "custom",
                        "field": "body",
                        "message": f"body is too long (maximum is {MAX_COMMENT} characters)",
                    }
                ],
            )
        return body

    def create_comment(self, request: Request, login: str, number: str) -> Response:
        if int(number) not in self.issues:
            return self.error(404, "Not Found")
        if int(number) in self.locked:
            return self.error(403, "Unable to create comment because issue is locked.")
        body = self._comment_body(request)
        if isinstance(body, Response):
            return body
        comment = self.add_comment(int(number), body, user=login)
        payload = self.comment_payload(comment["id"])
        if self.create_delay:
            self.state_lock.release()  # let other requests in while this answer is slow
            try:
                time.sleep(self.create_delay)
            finally:
                self.state_lock.acquire()
        return Response(201, payload, {"Location": payload["url"]})

    def update_comment(self, request: Request, login: str, id: str) -> Response:  # noqa: A002
        comment = self.comments.get(int(id))
        if comment is None:
            return self.error(404, "Not Found")
        if comment["user"] != login:
            return self.error(403, "Must have admin rights to Repository.")
        self.changed()
        body = self._comment_body(request)
        if isinstance(body, Response):
            return body
        comment["body"] = body
        comment["updated_at"] = self.clock()
        return Response(200, self.comment_payload(int(id)))

    def delete_comment(self, request: Request, login: str, id: str) -> Response:  # noqa: A002
        comment = self.comments.get(int(id))
        if comment is None:
            return self.error(404, "Not Found")
        if comment["user"] != login:
            return self.error(403, "Must have admin rights to Repository.")
        self.changed()
        del self.comments[int(id)]
        self.comment_ids_of[comment["issue"]].remove(int(id))
        self.issues[comment["issue"]]["comments"] -= 1
        return Response(204)


def _normalise_since(value: str) -> str:
    """``since`` as the stored ``YYYY-MM-DDTHH:MM:SSZ`` form, for string comparison."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
