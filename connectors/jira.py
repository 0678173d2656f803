"""Jira REST API: Cloud platform v3 and Data Center/Server v2, plus the Agile API for sprints.

Cloud (``api_version = 3``): ``GET /rest/api/3/search/jql`` with explicit ``fields`` (it returns
only ids otherwise) and ``expand=changelog``, paged by ``nextPageToken`` until it is absent;
the old ``/rest/api/3/search`` answers 410 there and is never used. The embedded changelog
holds only the newest 100 histories: the rest come from
``GET /rest/api/3/issue/{key}/changelog`` (oldest first, ``startAt``/``isLast``).
Data Center (``api_version = 2``): ``GET /rest/api/2/search`` paged by ``startAt``/``total``
with the page size the server grants; the embedded changelog is whole there.
Also: ``/myself``, ``/field``, ``/issue/{key}/comment`` (``startAt``/``total``), comment
properties through ``POST /rest/api/3/comment/list?expand=properties``, project versions
(``/project/{key}/version``, ``startAt``/``isLast``), and ``/rest/agile/1.0/board/{id}/sprint``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from connectors.errors import NotFound
from connectors.http import HttpClient, Page, RetryPolicy

SEARCH_PAGE = 100
COMMENT_PAGE = 100
CHANGELOG_PAGE = 100
ISSUE_FIELDS = (
    "summary,description,status,issuetype,labels,duedate,fixVersions,created,updated,priority,"
    "assignee,reporter,parent,issuelinks,resolution,resolutiondate,comment"
)


class JiraConnector:
    kind = "jira"

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        api_version: int,
        project: str,
        token: str,
        email: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        min_write_interval: float = 0.0,
    ) -> None:
        self.api_version = api_version
        self.project = project
        # Cloud: basic auth with the account email and an API token; Data Center: a personal
        # access token as Bearer (basic is off by default on recent Data Center).
        auth = (email, token) if email else None
        headers = {"Accept": "application/json"}
        if not email:
            headers["Authorization"] = f"Bearer {token}"
        self.http = HttpClient(
            source,
            base_url,
            headers=headers,
            auth=auth,
            timeout=(min(timeout, 10.0), timeout),
            retry=retry,
            min_write_interval=min_write_interval,
        )

    @property
    def api(self) -> str:
        return f"/rest/api/{self.api_version}"

    def close(self) -> None:
        self.http.close()

    # -- identity and metadata ---------------------------------------------------------------

    def fetch_myself(self) -> dict[str, Any]:
        """The token's account; only its comments are ever edited or deleted."""
        return self.http.get_json(f"{self.api}/myself")

    def check_access(self) -> dict[str, Any]:
        """``tracker-sync check``: the token's account (``/myself``) and whether it may browse
        the project and comment there (``/mypermissions``). Two reads, never a write."""
        me = self.fetch_myself()
        granted = self.http.get_json(
            f"{self.api}/mypermissions",
            {"projectKey": self.project, "permissions": "BROWSE_PROJECTS,ADD_COMMENTS"},
        ).get("permissions", {})

        def have(key: str) -> bool:
            return bool((granted.get(key) or {}).get("havePermission"))

        if not have("BROWSE_PROJECTS"):
            raise NotFound(
                f"project {self.project} is not visible to this account",
                source=self.http.source,
                kind="project_not_visible",
                facts={"project": self.project},
            )
        identity = me.get("emailAddress") or me.get("name") or me.get("displayName")
        return {"identity": identity, "target": self.project, "write": have("ADD_COMMENTS")}

    def fetch_fields(self) -> list[dict[str, Any]]:
        """Every field of the site, to find the story-points and sprint custom fields."""
        return self.http.get_json(f"{self.api}/field")

    # -- issues ------------------------------------------------------------------------------------

    def fetch_issue_pages(self, jql: str, extra_fields: Sequence[str] = ()) -> Iterator[Page]:
        fields = ",".join([ISSUE_FIELDS, *extra_fields])
        if self.api_version == 3:
            return self._search_jql_pages(jql, fields)
        return self._search_offset_pages(jql, fields)

    def _search_jql_pages(self, jql: str, fields: str) -> Iterator[Page]:
        """Cloud enhanced search: follow ``nextPageToken`` until it is absent. Never stop on a
        short page: Jira returns fewer issues than asked when changelogs are large."""
        params: dict[str, Any] = {
            "jql": jql,
            "fields": fields,
            "expand": "changelog",
            "maxResults": SEARCH_PAGE,
        }
        url = f"{self.api}/search/jql"
        while True:
            response, body = self.http.request("GET", url, params=params)
            token = body.get("nextPageToken")
            yield Page(response.url, body.get("issues") or [], token, headers=response.headers)
            if not token or body.get("isLast") is True:
                return
            params = {**params, "nextPageToken": token}

    def _search_offset_pages(self, jql: str, fields: str) -> Iterator[Page]:
        """Data Center search: ``startAt`` advances by what the server returned, until
        ``total``; the server may grant fewer than ``maxResults`` per page."""
        start = 0
        while True:
            params = {
                "jql": jql,
                "fields": fields,
                "expand": "changelog",
                "startAt": start,
                "maxResults": SEARCH_PAGE,
            }
            response, body = self.http.request("GET", f"{self.api}/search", params=params)
            issues = body.get("issues") or []
            start = int(body.get("startAt", start)) + len(issues)
            more = bool(issues) and start < int(body.get("total", 0))
            yield Page(response.url, issues, "more" if more else None, headers=response.headers)
            if not more:
                return

    def fetch_changelog(self, issue_key: str) -> list[dict[str, Any]]:
        """Every history of one issue, oldest first (Cloud's paged changelog)."""
        return list(
            self._offset_values(f"{self.api}/issue/{issue_key}/changelog", CHANGELOG_PAGE, "values")
        )

    def fetch_comments(self, issue_key: str) -> list[dict[str, Any]]:
        return list(
            self._offset_values(
                f"{self.api}/issue/{issue_key}/comment",
                COMMENT_PAGE,
                "comments",
                {"orderBy": "created"},
            )
        )

    def fetch_comment_properties(self, comment_ids: Sequence[str]) -> dict[str, list[dict]]:
        """Properties of the given comments (only ``comment/list`` returns them inline), in
        batches of 1000 ids."""
        found: dict[str, list[dict]] = {}
        for start in range(0, len(comment_ids), 1000):
            batch = [int(i) for i in comment_ids[start : start + 1000]]
            body = self.http.request(
                "POST",
                f"{self.api}/comment/list",
                params={"expand": "properties"},
                json_body={"ids": batch},
            )[1]
            for comment in body.get("values") or []:
                found[str(comment["id"])] = comment.get("properties") or []
        return found

    # -- milestones -----------------------------------------------------------------------------

    def fetch_versions(self) -> list[dict[str, Any]]:
        path = f"{self.api}/project/{self.project}/version"
        return list(self._offset_values(path, 50, "values"))

    def fetch_sprints(self, board_id: int) -> list[dict[str, Any]]:
        path = f"/rest/agile/1.0/board/{board_id}/sprint"
        return list(self._offset_values(path, 50, "values"))

    def _offset_values(
        self, path: str, page_size: int, key: str, params: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """``startAt`` paging until ``isLast`` (or ``total``) says the last page was read."""
        start = 0
        while True:
            query = {**(params or {}), "startAt": start, "maxResults": page_size}
            body = self.http.get_json(path, query)
            values = body.get(key) or []
            yield from values
            start = int(body.get("startAt", start)) + len(values)
            total = body.get("total")
            if body.get("isLast") is True or not values:
                return
            if body.get("isLast") is None and total is not None and start >= int(total):
                return

    # -- comment writes ---------------------------------------------------------------------------

    def create_comment(
        self, issue_key: str, body: Any, properties: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"body": body}
        if properties:
            payload["properties"] = properties
        path = f"{self.api}/issue/{issue_key}/comment"
        return self.http.request("POST", path, json_body=payload, creates=True)[1]

    def update_comment(
        self,
        issue_key: str,
        comment_id: str,
        body: Any,
        properties: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"body": body}
        if properties:
            payload["properties"] = properties
        path = f"{self.api}/issue/{issue_key}/comment/{comment_id}"
        return self.http.request("PUT", path, params={"notifyUsers": "false"}, json_body=payload)[1]

    def delete_comment(self, issue_key: str, comment_id: str) -> None:
        path = f"{self.api}/issue/{issue_key}/comment/{comment_id}"
        self.http.request("DELETE", path, expect_json=False)
