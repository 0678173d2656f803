"""A local GitHub REST API (2022-11-28) for one repository, as ``api.github.com`` or a GitHub
Enterprise Server (``/api/v3`` prefix) serves it.

Faithful where a sync can trip: ``state`` defaults to open; PRs are in the issues list; paging
only through ``Link`` headers (``per_page`` default 30, max 100); weak ETags and free 304s;
``x-ratelimit-*`` headers and a 403 when the budget is spent; repo-wide events newest first
with no ``since``; ``milestoned`` events naming the title only; comments linked to issues only
by ``issue_url``; errors as ``{message, documentation_url, status}``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sandbox.server import FaultPlan, Request, Response, SandboxServer, http_date, match_route

DOCS = "https://docs.github.com/rest"
MAX_COMMENT = 65536
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubSandbox(SandboxServer):
    name = "github"

    def __init__(
        self,
        repo: str = "acme/portal",
        *,
        tokens: dict[str, str] | None = None,
        prefix: str = "",
        rate_limit: int = 5000,
        rate_window_seconds: int = 3600,
        faults: FaultPlan | None = None,
        latency: float = 0.0,
        clock: Callable[[], str] = now_iso,
        mid_paging_change: str = "insert",
    ) -> None:
        super().__init__(faults=faults, latency=latency)
        self.repo = repo
        self.tokens = dict(tokens or {"ghp_sandbox_token": "tracker-bot"})
        self.prefix = prefix.rstrip("/")
        self.clock = clock
        self.mid_paging_change = mid_paging_change  # "insert" a new issue, or "edit" the oldest
        self.locked: set[int] = set()  # issues whose conversation is locked: creates get 403
        self.create_delay = 0.0  # seconds between storing a new comment and answering
        self.users: dict[str, int] = {}
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.comment_ids_of: dict[int, list[int]] = {}  # issue number -> its comments, in order
        self.events: dict[int, dict[str, Any]] = {}
        self.milestones: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1001)
        self.rate_limit = rate_limit
        self.rate_window_seconds = rate_window_seconds
        self._rate: dict[str, list[int]] = {}  # login -> [used, reset epoch]
        for login in self.tokens.values():
            self.user_id(login)

    @property
    def base_url(self) -> str:
        return self.root_url + self.prefix

    # -- data, as tests and scenarios change it -----------------------------------------------

    def user_id(self, login: str) -> int:
        if login not in self.users:
            self.users[login] = 500 + len(self.users)
        return self.users[login]

    def add_milestone(
        self,
        title: str,
        *,
        due_on: str | None = None,
        state: str = "open",
        description: str | None = None,
        creator: str = "pm",
        created_at: str | None = None,
    ) -> dict[str, Any]:
        with self.state_lock:
            self.changed()
            number = len(self.milestones) + 1
            stamp = created_at or self.clock()
            milestone = {
                "id": 9000 + number,
                "number": number,
                "title": title,
                "description": description,
                "state": state,
                "creator": creator,
                "created_at": stamp,
                "updated_at": stamp,
                "closed_at": stamp if state == "closed" else None,
                "due_on": due_on,
            }
            self.milestones[number] = milestone
            return milestone

    def edit_milestone(self, number: int, **changes: Any) -> None:
        with self.state_lock:
            self.changed()
            milestone = self.milestones[number]
            milestone.update(changes)
            milestone["updated_at"] = self.clock()

    def add_issue(
        self,
        title: str,
        body: str | None = "",
        *,
        user: str = "dev",
        labels: Iterable[str] = (),
        milestone: int | None = None,
        state: str = "open",
        state_reason: str | None = None,
        pull_request: bool = False,
        issue_type: str | None = None,
        parent: int | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
    ) -> dict[str, Any]:
        with self.state_lock:
            self.changed()
            number = self._next_number = max(getattr(self, "_next_number", 0), len(self.issues)) + 1
            stamp = created_at or self.clock()
            issue = {
                "id": 100000 + number,
                "number": number,
                "title": title,
                "body": body,
                "user": user,
                "labels": list(labels),
                "assignee": None,
                "milestone": milestone,
                "state": state,
                "state_reason": state_reason,
                "pull_request": pull_request,
                "type": issue_type,
                "parent": parent,
                "comments": 0,
                "created_at": stamp,
                "updated_at": updated_at or stamp,
                "closed_at": (updated_at or stamp) if state == "closed" else None,
            }
            self.issues[number] = issue
            self.user_id(user)
            return issue

    def edit_issue(
        self, number: int, *, actor: str = "dev", at: str | None = None, **changes: Any
    ) -> None:
        """Edit as the web UI does: bump ``updated_at`` and record the events GitHub records
        (renamed, labeled/unlabeled, milestoned/demilestoned, closed/reopened; none for a body)."""
        with self.state_lock:
            self.changed()
            issue = self.issues[number]
            stamp = at or self.clock()
            if "title" in changes and changes["title"] != issue["title"]:
                self.add_event(
                    number,
                    "renamed",
                    actor,
                    stamp,
                    rename={"from": issue["title"], "to": changes["title"]},
                )
            if "labels" in changes:
                old, new = set(issue["labels"]), set(changes["labels"])
                for name in sorted(new - old):
                    self.add_event(number, "labeled", actor, stamp, label=name)
                for name in sorted(old - new):
                    self.add_event(number, "unlabeled", actor, stamp, label=name)
            if "milestone" in changes and changes["milestone"] != issue["milestone"]:
                if issue["milestone"]:
                    self.add_event(
                        number, "demilestoned", actor, stamp, milestone=issue["milestone"]
                    )
                if changes["milestone"]:
                    self.add_event(
                        number, "milestoned", actor, stamp, milestone=changes["milestone"]
                    )
            if "state" in changes and changes["state"] != issue["state"]:
                self.add_event(
                    number, "closed" if changes["state"] == "closed" else "reopened", actor, stamp
                )
                issue["closed_at"] = stamp if changes["state"] == "closed" else None
                changes.setdefault(
                    "state_reason", "completed" if changes["state"] == "closed" else "reopened"
                )
            issue.update(changes)
            issue["updated_at"] = stamp

    def add_event(
        self, number: int, event: str, actor: str, at: str, **detail: Any
    ) -> dict[str, Any]:
        with self.state_lock:
            self.changed()
            event_id = len(self.events) + 1
            record = {
                "id": event_id,
                "issue": number,
                "event": event,
                "actor": actor,
                "created_at": at,
                **detail,
            }
            self.events[event_id] = record
            self.user_id(actor)
            return record

    def add_comment(
        self, number: int, body: str, *, user: str = "dev", at: str | None = None
    ) -> dict[str, Any]:
        with self.state_lock:
            self.changed()
            stamp = at or self.clock()
            comment_id = next(self._ids)
            comment = {
                "id": comment_id,
                "issue": number,
                "body": body,
                "user": user,
                "created_at": stamp,
                "updated_at": stamp,
            }
            self.comments[comment_id] = comment
            self.comment_ids_of.setdefault(number, []).append(comment_id)
            issue = self.issues[number]
            issue["comments"] += 1
            issue["updated_at"] = max(issue["updated_at"], stamp)
            self.user_id(user)
            return comment

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        with self.state_lock:
            return [self.comments[cid] for cid in self.comment_ids_of.get(number, [])]

    def on_insert_fault(self, request: Request) -> None:
        if not request.path.endswith("/issues") or request.query.get("page", "1") == "1":
            return
        if self.mid_paging_change == "edit" and self.issues:
            oldest = min(self.issues.values(), key=lambda i: (i["updated_at"], i["number"]))
            self.edit_issue(oldest["number"], body=f"{oldest['body']} (edited while paging)")
        else:
            self.add_issue("Inserted while paging", "appeared between two pages", user="dev")

    def fault_response(self, fault: str) -> Response:
        if fault == "429":
            return Response(
                429,
                {
                    "message": SECONDARY_LIMIT_MESSAGE,
                    "documentation_url": DOCS,
                    "status": "429",
                },
                {"Retry-After": str(self.faults.retry_after)},
            )
        return super().fault_response(fault)

    # -- payloads, in the official shapes -------------------------------------------------------

    def _api(self, path: str) -> str:
        return f"https://api.github.com{path}"

    def user_payload(self, login: str | None) -> dict[str, Any] | None:
        if login is None:
            return None
        uid = self.user_id(login)
        base = f"https://api.github.com/users/{login}"
        return {
            "login": login,
            "id": uid,
            "node_id": f"MDQ6VXNlcj{uid}",
            "avatar_url": f"https://avatars.example/u/{uid}",
            "gravatar_id": "",
            "url": base,
            "html_url": f"https://github.com/{login}",
            "followers_url": f"{base}/followers",
            "following_url": f"{base}/following{{/other_user}}",
            "gists_url": f"{base}/gists{{/gist_id}}",
            "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{base}/subscriptions",
            "organizations_url": f"{base}/orgs",
            "repos_url": f"{base}/repos",
            "events_url": f"{base}/events{{/privacy}}",
            "received_events_url": f"{base}/received_events",
            "type": "User",
            "site_admin": False,
        }

    def milestone_payload(
        self, number: int, counts: dict[int, list[int]] | None = None
    ) -> dict[str, Any]:
        m = self.milestones[number]
        if counts is None:
            counts = self._milestone_counts()
        open_count, closed_count = counts.get(number, [0, 0])
        url = self._api(f"/repos/{self.repo}/milestones/{number}")
        return {
            "url": url,
            "html_url": f"https://github.com/{self.repo}/milestone/{number}",
            "labels_url": f"{url}/labels",
            "id": m["id"],
            "node_id": f"MDk6TWlsZXN0b25l{m['id']}",
            "number": number,
            "state": m["state"],
            "title": m["title"],
            "description": m["description"],
            "creator": self.user_payload(m["creator"]),
            "open_issues": open_count,
            "closed_issues": closed_count,
            "created_at": m["created_at"],
            "updated_at": m["updated_at"],
            "closed_at": m["closed_at"],
            "due_on": m["due_on"],
        }

    def _milestone_counts(self) -> dict[int, list[int]]:
        return self.cached(("milestone counts",), self._count_milestone_issues)

    def _count_milestone_issues(self) -> dict[int, list[int]]:
        counts: dict[int, list[int]] = {}
        for issue in self.issues.values():
            if issue["milestone"]:
                pair = counts.setdefault(issue["milestone"], [0, 0])
                pair[0 if issue["state"] == "open" else 1] += 1
        return counts

    def label_payload(self, name: str) -> dict[str, Any]:
        label_id = 7000 + sum(map(ord, name))
        return {
            "id": label_id,
            "node_id": f"MDU6TGFiZWw{label_id}",
            "url": self._api(f"/repos/{self.repo}/labels/{name}"),
            "name": name,
            "description": None,
            "color": "ededed",
            "default": False,
        }

    def issue_payload(
        self, number: int, counts: dict[int, list[int]] | None = None
    ) -> dict[str, Any]:
        i = self.issues[number]
        url = self._api(f"/repos/{self.repo}/issues/{number}")
        kind = "pull" if i["pull_request"] else "issues"
        payload = {
            "id": i["id"],
            "node_id": f"I_kwDO{i['id']}",
            "url": url,
            "repository_url": self._api(f"/repos/{self.repo}"),
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"https://github.com/{self.repo}/{kind}/{number}",
            "number": number,
            "state": i["state"],
            "state_reason": i["state_reason"],
            "title": i["title"],
            "body": i["body"],
            "user": self.user_payload(i["user"]),
            "labels": [self.label_payload(n) for n in i["labels"]],
            "assignee": self.user_payload(i["assignee"]),
            "assignees": [self.user_payload(i["assignee"])] if i["assignee"] else [],
            "milestone": self.milestone_payload(i["milestone"], counts) if i["milestone"] else None,
            "locked": False,
            "active_lock_reason": None,
            "comments": i["comments"],
            "closed_at": i["closed_at"],
            "created_at": i["created_at"],
            "updated_at": i["updated_at"],
            "closed_by": self.user_payload(i["user"]) if i["state"] == "closed" else None,
            "author_association": "MEMBER",
            "type": {"id": 31, "node_id": "IT_kwDO31", "name": i["type"], "description": None}
            if i["type"]
            else None,
            "parent_issue_url": self._api(f"/repos/{self.repo}/issues/{i['parent']}")
            if i["parent"]
            else None,
        }
        if i["pull_request"]:
            payload["pull_request"] = {
                "url": self._api(f"/repos/{self.repo}/pulls/{number}"),
                "html_url": f"https://github.com/{self.repo}/pull/{number}",
                "diff_url": f"https://github.com/{self.repo}/pull/{number}.diff",
                "patch_url": f"https://github.com/{self.repo}/pull/{number}.patch",
                "merged_at": i["closed_at"] if i["state"] == "closed" else None,
            }
        return payload

    def comment_payload(self, comment_id: int) -> dict[str, Any]:
        c = self.comments[comment_id]
        url = self._api(f"/repos/{self.repo}/issues/comments/{comment_id}")
        return {
            "id": comment_id,
            "node_id": f"IC_kwDO{comment_id}",
            "url": url,
            "html_url": f"https://github.com/{self.repo}/issues/{c['issue']}#issuecomment-{comment_id}",
            "body": c["body"],
            "user": self.user_payload(c["user"]),
            "created_at": c["created_at"],
            "updated_at": c["updated_at"],
            "issue_url": self._api(f"/repos/{self.repo}/issues/{c['issue']}"),
            "author_association": "MEMBER",
            "performed_via_github_app": None,
        }

    def event_payload(
        self, event_id: int, counts: dict[int, list[int]] | None = None
    ) -> dict[str, Any]:
        e = self.events[event_id]
        payload: dict[str, Any] = {
            "id": event_id,
            "node_id": f"IE_lADO{event_id}",
            "url": self._api(f"/repos/{self.repo}/issues/events/{event_id}"),
            "actor": self.user_payload(e["actor"]),
            "event": e["event"],
            "commit_id": None,
            "commit_url": None,
            "created_at": e["created_at"],
            "performed_via_github_app": None,
            "issue": self.issue_payload(e["issue"], counts),
        }
        if "rename" in e:
            payload["rename"] = e["rename"]
        if "label" in e:
            payload["label"] = {"name": e["label"], "color": "ededed"}
        if "milestone" in e:
            payload["milestone"] = {"title": self.milestones[e["milestone"]]["title"]}
        return payload

    # -- HTTP -------------------------------------------------------------------------------

    ROUTES: list[tuple[str, str, str]] = [
        ("GET", r"/user", "get_user"),
        ("GET", r"/rate_limit", "get_rate_limit"),
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
        response = getattr(self, handler)(request, login, **params)
        response.headers.update(self._rate_headers(login))
        response.headers.setdefault("Date", http_date())
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
            return f'<{self.root_url}{request.path}?{query}>; rel="{rel}"'

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
