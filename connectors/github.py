"""GitHub REST API (version 2022-11-28), as github.com and GitHub Enterprise Server serve it.

Endpoints used, all paged by ``Link: rel="next"`` with ``per_page=100``:
``GET /user``; ``GET /repos/{owner}/{repo}/issues`` (``state=all&sort=updated&direction=asc``);
``GET /repos/{owner}/{repo}/milestones?state=all``; ``GET /repos/{owner}/{repo}/issues/comments``
(``sort=updated&direction=asc&since``); ``GET /repos/{owner}/{repo}/issues/events`` (no ``since``:
newest first); and the comment writes ``POST .../issues/{n}/comments``,
``PATCH|DELETE .../issues/comments/{id}``. The base URL is ``https://api.github.com`` or
``https://HOST/api/v3`` for Enterprise Server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors.http import EtagCache, HttpClient, Page, RetryPolicy

API_VERSION = "2022-11-28"
PER_PAGE = 100


class GitHubConnector:
    kind = "github"

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        repo: str,
        token: str,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        min_write_interval: float = 1.0,
    ) -> None:
        self.repo = repo
        self.http = HttpClient(
            source,
            base_url,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "Authorization": f"Bearer {token}",
            },
            timeout=(min(timeout, 10.0), timeout),
            retry=retry,
            # GitHub: "wait at least one second between each" content-creating request.
            min_write_interval=min_write_interval,
        )

    def close(self) -> None:
        self.http.close()

    # -- reads ------------------------------------------------------------------------------

    def fetch_identity(self, etags: EtagCache | None = None) -> dict[str, Any]:
        """The token's own account, ``GET /user``: only comments by this account are ever
        edited or deleted. The account is kept with its validator, so a 304 still answers;
        a validator stored without it (an older store) is not sent."""
        url = self.http.full_url("/user")
        if etags is not None and "value" not in (etags.get(url) or {"value": None}):
            etags.entries.pop(url)
        full_url, response, user, cached = self.http.get_conditional("/user", None, etags)
        if cached is not None:
            return dict(cached["value"])
        identity = {"id": str(user["id"]), "login": user.get("login")}
        if etags is not None and response.headers.get("ETag"):
            etags.put(full_url, response.headers["ETag"], None, identity)
        return identity

    def check_access(self) -> dict[str, Any]:
        """``tracker-sync check``: who the token is (``GET /user``) and what it may do in the
        repository (``permissions`` of ``GET /repos/{repo}``). Two reads, never a write."""
        user = self.http.get_json("/user")
        repo = self.http.get_json(f"/repos/{self.repo}")
        permissions = repo.get("permissions") if isinstance(repo, dict) else None
        write = bool(permissions.get("push") or permissions.get("triage")) if permissions else None
        return {"identity": user.get("login"), "target": self.repo, "write": write}

    def fetch_issue_pages(self, since: str | None, etags: EtagCache | None) -> Iterator[Page]:
        """Issues and pull requests, least recently updated first, from ``since`` on."""
        params = {"state": "all", "sort": "updated", "direction": "asc", "per_page": PER_PAGE}
        if since:
            params["since"] = since
        return self.http.iter_link_pages(f"/repos/{self.repo}/issues", params, etags)

    def fetch_milestone_pages(self, etags: EtagCache | None) -> Iterator[Page]:
        params = {"state": "all", "sort": "due_on", "direction": "asc", "per_page": PER_PAGE}
        return self.http.iter_link_pages(f"/repos/{self.repo}/milestones", params, etags)

    def fetch_comment_pages(self, since: str | None, etags: EtagCache | None) -> Iterator[Page]:
        """Every issue and pull-request conversation comment in the repository."""
        params = {"sort": "updated", "direction": "asc", "per_page": PER_PAGE}
        if since:
            params["since"] = since
        return self.http.iter_link_pages(f"/repos/{self.repo}/issues/comments", params, etags)

    def fetch_event_pages(self, etags: EtagCache | None) -> Iterator[Page]:
        """Repo-wide issue events, newest first. There is no ``since``: the caller stops at
        the first event it already holds."""
        params = {"per_page": PER_PAGE}
        return self.http.iter_link_pages(f"/repos/{self.repo}/issues/events", params, etags)

    def fetch_issue_comments(self, number: int | str) -> list[dict[str, Any]]:
        """One issue's comments, fresh, for the write-back's exactly-once check."""
        comments: list[dict[str, Any]] = []
        path = f"/repos/{self.repo}/issues/{number}/comments"
        for page in self.http.iter_link_pages(path, {"per_page": PER_PAGE}):
            comments.extend(page.items)
        return comments

    # -- writes -------------------------------------------------------------------------------

    def create_comment(self, number: int | str, body: str) -> dict[str, Any]:
        path = f"/repos/{self.repo}/issues/{number}/comments"
        return self.http.request("POST", path, json_body={"body": body}, creates=True)[1]

    def update_comment(self, comment_id: int | str, body: str) -> dict[str, Any]:
        path = f"/repos/{self.repo}/issues/comments/{comment_id}"
        return self.http.request("PATCH", path, json_body={"body": body})[1]

    def delete_comment(self, comment_id: int | str) -> None:
        path = f"/repos/{self.repo}/issues/comments/{comment_id}"
        self.http.request("DELETE", path, expect_json=False)
