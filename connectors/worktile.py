"""Worktile / PingCode open REST API (``https://open.pingcode.com``; self-hosted ``/open``).

Auth: ``GET /v1/auth/token?grant_type=client_credentials&client_id=…&client_secret=…`` gives a
Bearer token whose ``expires_in`` may be an absolute epoch or a duration; it is cached until
then and fetched again once on a 401. Lists page by ``page_index`` (from 0) and ``page_size``
(at most 100) with ``total``; there is no sort parameter. Work items:
``{prefix}/work_items?project_id&type_id&updated_between=ts1,`` (``prefix`` is ``/v1/pjm``, or
``/v1/project`` on older tenants), with ``POST {prefix}/work_items/search`` as the fallback when
a tenant ignores ``updated_between``; per item ``transition_histories``; ``/v1/activities``;
``/v1/comments`` (create and soft-delete only: comments cannot be edited); sprints and versions
per project. 200 requests a minute per identity: paced, and 429 + ``x-pc-retry-after`` honoured.
Errors are ``{code, message}``, often HTTP 400 where 401/404 would be usual.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import requests

from connectors.errors import AuthError, InvalidRequest, NotFound, TrackerError
from connectors.http import HttpClient, Page, RetryPolicy

PAGE_SIZE = 100
EPOCH_THRESHOLD = 1_000_000_000  # an expires_in above this is an absolute epoch
KNOWN_CODES = {
    "100024": (AuthError, "bad client id or secret"),
    "100317": (NotFound, "work item not found"),
    "100303": (NotFound, "state not found"),
}


class BearerToken(requests.auth.AuthBase):
    def __init__(self) -> None:
        self.value: str | None = None
        self.expires_at = 0.0

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.value and "/v1/auth/token" not in (request.url or ""):
            request.headers["Authorization"] = f"Bearer {self.value}"
        return request


class WorktileConnector:
    kind = "worktile"

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        api_prefix: str,
        project: str,
        client_id: str,
        client_secret: str,
        requests_per_minute: int = 200,
        rate_window_seconds: float = 60.0,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        work_items_segment: str = "work_items",
        versions_segment: str = "versions",
    ) -> None:
        self.source = source
        self.prefix = api_prefix.rstrip("/")
        self.project = project
        self.items_path = f"{self.prefix}/{work_items_segment}"
        self.versions_segment = versions_segment
        self._client = (client_id, client_secret)
        self.token = BearerToken()
        # Keep 5% under the budget: the server counts arrivals, we count departures.
        per_window = requests_per_minute * rate_window_seconds / 60
        budget = (max(1, int(per_window * 0.95)), rate_window_seconds)
        self.http = HttpClient(
            source,
            base_url,
            headers={"Accept": "application/json"},
            auth=self.token,
            timeout=(min(timeout, 10.0), timeout),
            retry=retry,
            budget=budget,
        )

    def close(self) -> None:
        self.http.close()

    # -- auth -------------------------------------------------------------------------------

    def authenticate(self) -> None:
        client_id, client_secret = self._client
        try:
            body = self.http.get_json(
                "/v1/auth/token",
                {
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": client_secret,
                },
            )
        except TrackerError as exc:
            raise self._explained(exc) from None
        expires = float(body.get("expires_in") or 0)
        self.token.value = body["access_token"]
        self.token.expires_at = expires if expires > EPOCH_THRESHOLD else time.time() + expires

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call with a valid token: fetched when missing or expiring, and once more
        when the server answers 401 (a reset secret, a revoked token)."""
        if not self.token.value or time.time() > self.token.expires_at - 60:
            self.authenticate()
        try:
            return self.http.request(method, path, **kwargs)[1]
        except AuthError as exc:
            if exc.status != 401:
                raise self._explained(exc) from None
            self.authenticate()
            try:
                return self.http.request(method, path, **kwargs)[1]
            except TrackerError as again:
                raise self._explained(again) from None
        except TrackerError as exc:
            raise self._explained(exc) from None

    def _explained(self, exc: TrackerError) -> TrackerError:
        """PingCode answers many errors as HTTP 400 with a code: name the known ones."""
        for code, (kind, meaning) in KNOWN_CODES.items():
            if f"(code {code})" in exc.message:
                return kind(
                    f"{meaning}: {exc.message}",
                    source=exc.source,
                    status=exc.status,
                    url=exc.url,
                    facts={**exc.facts, "code": code},
                )
        return exc

    # -- reads --------------------------------------------------------------------------------

    def fetch_myself(self) -> dict[str, Any] | None:
        """``GET /v1/myself`` where the token allows it; an enterprise token may not."""
        try:
            return self.request("GET", "/v1/myself")
        except (AuthError, NotFound, InvalidRequest):
            return None

    def pages(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Iterator[Page]:
        """``page_index`` from 0 until ``total`` is reached or a page comes back empty."""
        index = 0
        while True:
            if body is not None:
                payload = {
                    **body,
                    "payload": {
                        **body.get("payload", {}),
                        "page_index": index,
                        "page_size": PAGE_SIZE,
                    },
                }
                data = self.request(method, path, json_body=payload)
            else:
                data = self.request(
                    method,
                    path,
                    params={**(params or {}), "page_index": index, "page_size": PAGE_SIZE},
                )
            values = data.get("values") or []
            total = int(data.get("total") or 0)
            more = bool(values) and (index + 1) * PAGE_SIZE < total
            said = {"X-Total": str(data["total"])} if data.get("total") is not None else {}
            yield Page(path, values, "more" if more else None, headers=said)
            if not more:
                return
            index += 1

    def find_project(self) -> dict[str, Any]:
        for page in self.pages("GET", f"{self.prefix}/projects"):
            for project in page.items:
                if self.project in (project.get("identifier"), project.get("id")):
                    return project
        raise NotFound(
            f"no project {self.project!r} is visible to this app",
            source=self.source,
            kind="project_hidden",
            facts={"project": self.project},
        )

    def check_access(self) -> dict[str, Any]:
        """``tracker-sync check``: the app's token, then the project among those it sees. The
        open API tells no app what it may write, so ``write`` is unknown (None)."""
        self.authenticate()
        project = self.find_project()
        return {
            "identity": None,
            "target": project.get("identifier") or self.project,
            "write": None,
        }

    def fetch_types(self, project_id: str) -> list[dict[str, Any]]:
        data = self.request(
            "GET", f"{self.prefix}/work_item/types", params={"project_id": project_id}
        )
        return data.get("values", data) if isinstance(data, dict) else data

    def fetch_work_item_pages(
        self, project_id: str, type_id: str, updated_from: int | None
    ) -> Iterator[Page]:
        params: dict[str, Any] = {"project_id": project_id, "type_id": type_id}
        if updated_from is not None:
            params["updated_between"] = f"{updated_from},"
        return self.pages("GET", self.items_path, params)

    def search_work_item_pages(
        self, project_id: str, type_id: str, updated_from: int
    ) -> Iterator[Page]:
        body = {
            "mode": "query",
            "payload": {
                "filter": {
                    "project_id": {"in": [project_id]},
                    "type_id": {"in": [type_id]},
                    "updated_at": {"gte": updated_from},
                }
            },
        }
        return self.pages("POST", f"{self.items_path}/search", body=body)

    def fetch_transitions(self, item_id: str) -> list[dict[str, Any]]:
        return [
            v
            for page in self.pages("GET", f"{self.items_path}/{item_id}/transition_histories")
            for v in page.items
        ]

    def fetch_activities(self, item_id: str) -> list[dict[str, Any]]:
        params = {"principal_type": "work_item", "principal_id": item_id}
        return [v for page in self.pages("GET", "/v1/activities", params) for v in page.items]

    def fetch_comments(self, item_id: str) -> list[dict[str, Any]]:
        return self.fetch_comment_list(item_id)[0]

    def fetch_comment_list(self, item_id: str) -> tuple[list[dict[str, Any]], bool]:
        """A work item's comments, and whether the list is whole: every page said the same
        ``total`` and as many distinct comments came. A page without one, a count that moved
        between pages (a comment deleted or added meanwhile shifts the pages: one may have
        been skipped) or a page that came back empty early leaves it partial, and a partial
        list proves nothing about a deletion."""
        params = {"principal_type": "work_item", "principal_id": item_id}
        values: list[dict[str, Any]] = []
        totals: set[str | None] = set()
        for page in self.pages("GET", "/v1/comments", params):
            values += page.items
            totals.add(page.headers.get("X-Total"))
        if not totals:
            return values, False
        (total,) = totals if len(totals) == 1 else (None,)
        ids = {str(value.get("id")) for value in values if isinstance(value, dict)}
        return values, total is not None and str(total).isdigit() and len(ids) == int(total)

    def fetch_sprints(self, project_id: str) -> list[dict[str, Any]]:
        return [
            v
            for page in self.pages("GET", f"{self.prefix}/projects/{project_id}/sprints")
            for v in page.items
        ]

    def fetch_versions(self, project_id: str) -> list[dict[str, Any]]:
        path = f"{self.prefix}/projects/{project_id}/{self.versions_segment}"
        return [v for page in self.pages("GET", path) for v in page.items]

    # -- comment writes (no edit exists) ----------------------------------------------------------

    def create_comment(self, item_id: str, content: str) -> dict[str, Any]:
        body = {"principal_type": "work_item", "principal_id": item_id, "content": content}
        return self.request("POST", "/v1/comments", json_body=body, creates=True)

    def delete_comment(self, item_id: str, comment_id: str) -> None:
        params = {"principal_type": "work_item", "principal_id": item_id}
        self.request("DELETE", f"/v1/comments/{comment_id}", params=params, expect_json=False)
