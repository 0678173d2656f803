"""GitHub sandbox state: the repository's issues, comments, events, milestones and
users, changed the way the web UI changes them, and the faults that change data mid-paging.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sandbox.server import FaultPlan, Request, Response, SandboxServer

DOCS = "https://docs.github.com/rest"
MAX_COMMENT = 65536
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubData(SandboxServer):
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
        # logins whose token can read the repository but not write to it (``pull`` only)
        self.read_only: set[str] = set()
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
