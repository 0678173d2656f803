"""A local Jira: Cloud (REST v3 and v2) or Data Center (REST v2), plus the Agile sprint list.

Faithful where a sync can trip: ``search/jql`` returns only ids unless ``fields`` is given and
pages by ``nextPageToken`` (no ``total``); the old ``/search`` answers 410 on Cloud; Data
Center's ``/rest/api/2/search`` pages by ``startAt``/``total`` and grants fewer results than
asked; embedded changelogs hold the newest 100 histories (Cloud), the paged changelog is
oldest first; JQL date literals are read in the searching user's time zone, numbers as epoch
milliseconds; v3 comment bodies must be ADF; errors are ``{errorMessages, errors}``.
"""

from __future__ import annotations

import base64
import itertools
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.server import FaultPlan, Request, Response, SandboxServer, http_date, match_route

CATEGORIES = {
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
}
STORY_POINTS = "customfield_10016"
SPRINT_FIELD = "customfield_10020"
EMBEDDED_HISTORY_CAP = 100


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


class JiraSandbox(SandboxServer):
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
                "sprints": [],
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
                    shown = {"labels": " ".join, "duedate": lambda d: d and f"{d} 00:00:00.0"}.get(
                        name, lambda v: v
                    )
                    items.append(
                        {
                            "field": "Story Points" if name == "points" else name,
                            "fieldtype": "custom" if name == "points" else "jira",
                            "fieldId": self.FIELD_IDS.get(name, name),
                            "from": None if old is None else str(old) if name != "labels" else None,
                            "fromString": None if old is None else str(shown(old)),
                            "to": None
                            if value is None
                            else str(value)
                            if name != "labels"
                            else None,
                            "toString": None if value is None else str(shown(value)),
                        }
                    )
                issue[name] = value
                if name == "status":
                    issue["resolutiondate"] = ms if STATUSES[value] == "done" else None
            if items:
                issue["histories"].append(
                    {"id": next(self._history_ids), "author": author, "created": ms, "items": items}
                )
            issue["updated"] = ms

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

    # -- payloads -------------------------------------------------------------------------------

    def user_payload(self, account: str | None, api: int) -> dict[str, Any] | None:
        if account is None:
            return None
        if account not in self.users:
            self.add_user(account)
        user = self.users[account]
        if self.deployment == "cloud":
            return {
                "self": f"{self.root_url}/rest/api/{api}/user?accountId={account}",
                "accountId": account,
                "displayName": user["displayName"],
                "active": True,
                "timeZone": user["timeZone"],
                "accountType": "atlassian",
            }
        return {
            "self": f"{self.root_url}/rest/api/2/user?username={user['name']}",
            "name": user["name"],
            "key": user["key"],
            "displayName": user["displayName"],
            "active": True,
            "timeZone": user["timeZone"],
        }

    def rich(self, text: Any, api: int) -> Any:
        if text is None or text == "":
            return None
        if isinstance(text, dict):
            return text if api == 3 else _adf_text(text)
        if api == 3:
            return {
                "type": "doc",
                "version": 1,
                "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": line}]}
                    for line in str(text).split("\n")
                    if line
                ],
            }
        return text

    def version_payload(self, vid: int, api: int) -> dict[str, Any]:
        v = self.versions[vid]
        payload = {
            "self": f"{self.root_url}/rest/api/{api}/version/{vid}",
            "id": str(vid),
            "name": v["name"],
            "description": v["description"],
            "archived": v["archived"],
            "released": v["released"],
            "projectId": self.project_id,
        }
        for key in ("releaseDate", "startDate"):
            if v[key]:
                payload[key] = v[key]
        if v["releaseDate"] and not v["released"]:
            payload["overdue"] = v["releaseDate"] < datetime.now(UTC).date().isoformat()
        return payload

    def history_payload(self, history: dict[str, Any], api: int) -> dict[str, Any]:
        return {
            "id": str(history["id"]),
            "author": self.user_payload(history["author"], api),
            "created": jira_time(history["created"]),
            "items": history["items"],
        }

    def comment_payload(self, cid: int, api: int, *, properties: bool = False) -> dict[str, Any]:
        c = self.comments[cid]
        issue = self.issues[c["issue"]]
        payload = {
            "self": f"{self.root_url}/rest/api/{api}/issue/{issue['id']}/comment/{cid}",
            "id": str(cid),
            "author": self.user_payload(c["author"], api),
            "body": self.rich(c["body"], api),
            "updateAuthor": self.user_payload(c["author"], api),
            "created": jira_time(c["created"]),
            "updated": jira_time(c["updated"]),
            "jsdPublic": True,
        }
        if properties:
            payload["properties"] = [{"key": k, "value": v} for k, v in c["properties"].items()]
        return payload

    def issue_payload(
        self, iid: int, api: int, fields: set[str], expand: set[str]
    ) -> dict[str, Any]:
        i = self.issues[iid]
        category = STATUSES[i["status"]]
        comments = list(self.comment_ids_of.get(iid, []))
        all_fields: dict[str, Any] = {
            "summary": i["summary"],
            "description": self.rich(i["description"], api),
            "status": {
                "self": f"{self.root_url}/rest/api/{api}/status/1",
                "id": str(10000 + list(STATUSES).index(i["status"])),
                "name": i["status"],
                "description": "",
                "iconUrl": f"{self.root_url}/images/status.png",
                "statusCategory": {
                    "self": f"{self.root_url}/rest/api/{api}/statuscategory/1",
                    **CATEGORIES[category],
                },
            },
            "issuetype": {
                "self": f"{self.root_url}/rest/api/{api}/issuetype/1",
                "id": "1",
                "name": i["issuetype"],
                "description": "",
                "iconUrl": f"{self.root_url}/images/type.png",
                "subtask": False,
                "hierarchyLevel": 1 if i["issuetype"] == "Epic" else 0,
            },
            "labels": list(i["labels"]),
            "duedate": i["duedate"],
            "fixVersions": [self.version_payload(v, api) for v in i["fixVersions"]],
            "created": jira_time(i["created"]),
            "updated": jira_time(i["updated"]),
            "priority": {
                "self": f"{self.root_url}/rest/api/{api}/priority/3",
                "id": "3",
                "name": "Medium",
            },
            "assignee": self.user_payload(i["assignee"], api),
            "reporter": self.user_payload(i["reporter"], api),
            "parent": {"id": str(self.issue_by_key(i["parent"])["id"]), "key": i["parent"]}
            if i["parent"]
            else None,
            "issuelinks": [],
            "resolution": {"name": i["resolution"]} if i["resolution"] else None,
            "resolutiondate": jira_time(i["resolutiondate"]) if i["resolutiondate"] else None,
            "comment": {
                "comments": [
                    self.comment_payload(c, api) for c in comments[: self.embedded_comment_cap]
                ],
                "maxResults": self.embedded_comment_cap,
                "total": len(comments),
                "startAt": 0,
            },
            STORY_POINTS: i["points"],
            SPRINT_FIELD: [self.sprints[s] | {"boardId": 1} for s in i["sprints"]] or None,
        }
        if "*all" in fields or "*navigable" in fields:
            chosen = dict(all_fields)
        else:
            chosen = {k: v for k, v in all_fields.items() if k in fields}
        payload: dict[str, Any] = {
            "expand": "renderedFields,names,schema,changelog",
            "id": str(iid),
            "self": f"{self.root_url}/rest/api/{api}/issue/{iid}",
            "key": i["key"],
        }
        if chosen or fields - {"id"}:
            payload["fields"] = chosen
        if "changelog" in expand:
            histories = sorted(i["histories"], key=lambda h: h["created"], reverse=True)
            shown = histories if self.deployment != "cloud" else histories[:EMBEDDED_HISTORY_CAP]
            payload["changelog"] = {
                "startAt": 0,
                "maxResults": len(shown),
                "total": len(histories),
                "histories": [self.history_payload(h, api) for h in shown],
            }
        return payload

    # -- HTTP ------------------------------------------------------------------------------------

    ROUTES: list[tuple[str, str, str]] = [
        ("GET", r"/rest/api/(?P<api>[23])/myself", "get_myself"),
        ("GET", r"/rest/api/(?P<api>[23])/field", "get_fields"),
        ("GET", r"/rest/api/(?P<api>[23])/search/jql", "search_jql"),
        ("POST", r"/rest/api/(?P<api>[23])/search/jql", "search_jql"),
        ("GET", r"/rest/api/(?P<api>[23])/search", "search_offset"),
        ("POST", r"/rest/api/(?P<api>[23])/search", "search_offset"),
        ("GET", r"/rest/api/(?P<api>[23])/issue/(?P<key>[^/]+)/changelog", "get_changelog"),
        ("GET", r"/rest/api/(?P<api>[23])/issue/(?P<key>[^/]+)/comment", "list_comments"),
        ("POST", r"/rest/api/(?P<api>[23])/issue/(?P<key>[^/]+)/comment", "create_comment"),
        (
            "PUT",
            r"/rest/api/(?P<api>[23])/issue/(?P<key>[^/]+)/comment/(?P<cid>\d+)",
            "update_comment",
        ),
        (
            "DELETE",
            r"/rest/api/(?P<api>[23])/issue/(?P<key>[^/]+)/comment/(?P<cid>\d+)",
            "delete_comment",
        ),
        ("POST", r"/rest/api/(?P<api>[23])/comment/list", "comment_list"),
        (
            "GET",
            r"/rest/api/(?P<api>[23])/comment/(?P<cid>\d+)/properties/(?P<prop>[^/]+)",
            "get_property",
        ),
        (
            "PUT",
            r"/rest/api/(?P<api>[23])/comment/(?P<cid>\d+)/properties/(?P<prop>[^/]+)",
            "put_property",
        ),
        ("GET", r"/rest/api/(?P<api>[23])/project/(?P<project>[^/]+)/version", "list_versions"),
        ("GET", r"/rest/agile/1.0/board/(?P<board>\d+)/sprint", "list_sprints"),
    ]

    def route(self, request: Request) -> Response:
        account = self._authenticate(request)
        if account is None:
            response = Response(
                401,
                {
                    "errorMessages": ["Client must be authenticated to access this resource."],
                    "errors": {},
                },
            )
            response.headers["WWW-Authenticate"] = 'Basic realm="protected-area"'
            return response
        found = match_route(self.ROUTES, request.method, request.path)
        if found is not None:
            handler, params = found
            if "api" in params:
                params["api"] = int(params["api"])
            if params.get("api") != 3 or self.deployment == "cloud":
                try:
                    response = getattr(self, handler)(request, account, **params)
                except JiraError as error:
                    response = error.response
                response.headers.setdefault("Date", http_date())
                response.headers.setdefault("X-AREQUESTID", str(len(self.log)))
                return response
        return Response(404, {"errorMessages": ["null for uri: " + request.path], "errors": {}})

    def _authenticate(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return self.bearer.get(value.strip())
        if scheme.lower() == "basic" and self.deployment == "cloud":
            try:
                email, _, token = base64.b64decode(value).decode().partition(":")
            except ValueError:
                return None
            return self.basic.get((email, token))
        return None

    def get_myself(self, request: Request, account: str, api: int) -> Response:
        payload = self.user_payload(account, api) or {}
        payload.update(
            {
                "emailAddress": f"{account}@acme.example",
                "locale": "en_US",
                "groups": {"size": 1, "items": []},
                "applicationRoles": {"size": 1, "items": []},
            }
        )
        return Response(200, payload)

    def get_fields(self, request: Request, account: str, api: int) -> Response:
        def field(
            fid: str, name: str, schema: dict[str, Any], custom: bool = False
        ) -> dict[str, Any]:
            return {
                "id": fid,
                "key": fid,
                "name": name,
                "custom": custom,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [name.lower()],
                "schema": schema,
            }

        return Response(
            200,
            [
                field("summary", "Summary", {"type": "string", "system": "summary"}),
                field("description", "Description", {"type": "string", "system": "description"}),
                field("duedate", "Due date", {"type": "date", "system": "duedate"}),
                field(
                    STORY_POINTS,
                    "Story point estimate",
                    {
                        "type": "number",
                        "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float",
                        "customId": 10016,
                    },
                    True,
                ),
                field(
                    SPRINT_FIELD,
                    "Sprint",
                    {
                        "type": "array",
                        "items": "json",
                        "custom": "com.pyxis.greenhopper.jira:gh-sprint",
                        "customId": 10020,
                    },
                    True,
                ),
            ],
        )

    # JQL: project = KEY [AND updated >= <ms|"date">] [ORDER BY f [ASC|DESC], ...]
    def run_jql(self, jql: str, account: str) -> list[int]:
        """The matching issue ids in order; the same query is answered from the last result
        until an issue changes (a date in the JQL is read in the account's time zone)."""
        zone = self.users[account]["timeZone"] if account in self.users else ""
        return self.cached(("jql", jql, zone), lambda: self._evaluate_jql(jql, account))

    def _evaluate_jql(self, jql: str, account: str) -> list[int]:
        text = jql.strip()
        order = "created DESC"
        match = re.search(r"\border\s+by\b(.*)$", text, re.IGNORECASE)
        if match:
            order, text = match.group(1).strip(), text[: match.start()].strip()
        if not text:
            raise JiraError(
                400,
                "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
            )
        rows = list(self.issues.values())
        text = text.replace("(", " ").replace(")", " ").strip()
        for clause in re.split(r"\s+AND\s+", text, flags=re.IGNORECASE):
            m = re.fullmatch(
                r'(\w+)\s*(=|>=|>|<=|<)\s*("([^"]*)"|\'([^\']*)\'|[\w-]+)', clause.strip()
            )
            if not m:
                raise JiraError(
                    400,
                    f"Error in the JQL Query: Expecting operator but got '{clause.strip()[:30]}'. (line 1, character 1)",
                )
            name, op, raw = m.group(1).lower(), m.group(2), m.group(3)
            value = (
                m.group(4)
                if m.group(4) is not None
                else m.group(5)
                if m.group(5) is not None
                else raw
            )
            if name == "project":
                if value.upper() != self.project:
                    raise JiraError(
                        400, f"The value '{value}' does not exist for the field 'project'."
                    )
            elif name == "issuetype" and op == "=":
                rows = [i for i in rows if i["issuetype"].casefold() == value.casefold()]
            elif name in ("updated", "created"):
                limit = self._jql_time(value, quoted=raw[0] in "\"'", account=account)
                compare = {">=": int.__ge__, ">": int.__gt__, "<=": int.__le__, "<": int.__lt__}[op]
                rows = [i for i in rows if compare(i[name], limit)]
            else:
                raise JiraError(
                    400, f"Field '{name}' does not exist or you do not have permission to view it."
                )
        keys = []
        for part in order.split(","):
            bits = part.split()
            if not bits or bits[0].lower() not in ("updated", "created", "key"):
                raise JiraError(
                    400, f"Error in the JQL Query: Not able to sort using field '{part.strip()}'."
                )
            keys.append((bits[0].lower(), len(bits) > 1 and bits[1].upper() == "DESC"))
        for field, descending in reversed(keys):
            sort_key = (lambda i: i["id"]) if field == "key" else (lambda i, f=field: i[f])
            rows.sort(key=sort_key, reverse=descending)
        return [i["id"] for i in rows]

    def _jql_time(self, value: str, *, quoted: bool, account: str) -> int:
        if not quoted and value.isdigit():
            return int(value)  # epoch milliseconds
        zone = ZoneInfo(self.users[account]["timeZone"])
        for fmt in ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
            try:
                local = datetime.strptime(value, fmt).replace(tzinfo=zone)
            except ValueError:
                continue
            return int(local.timestamp() * 1000)
        raise JiraError(
            400,
            f"Date value '{value}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.",
        )

    def _search_args(self, request: Request) -> dict[str, Any]:
        args = dict(request.query)
        if request.method == "POST" and isinstance(request.body, dict):
            args.update({k: v for k, v in request.body.items()})
        for key in ("fields", "expand"):
            if isinstance(args.get(key), list):
                args[key] = ",".join(args[key])
        return args

    def search_jql(self, request: Request, account: str, api: int) -> Response:
        if self.deployment != "cloud":
            return Response(404, {"errorMessages": ["null for uri: " + request.path], "errors": {}})
        args = self._search_args(request)
        ids = self.run_jql(str(args.get("jql", "")), account)
        offset = 0
        if args.get("nextPageToken"):
            try:
                offset = int(
                    base64.urlsafe_b64decode(str(args["nextPageToken"]).encode())
                    .decode()
                    .removeprefix("o:")
                )
            except ValueError:
                raise JiraError(
                    400, "The provided next page token is invalid or expired."
                ) from None
        size = max(1, min(int(args.get("maxResults", 50)), self.max_results_cap))
        fields = set(str(args.get("fields") or "id").split(","))
        expand = set(str(args.get("expand") or "").split(","))
        chunk = ids[offset : offset + size]
        body: dict[str, Any] = {
            "issues": [self.issue_payload(i, api, fields, expand) for i in chunk],
            "isLast": offset + size >= len(ids),
        }
        if not body["isLast"]:
            body["nextPageToken"] = base64.urlsafe_b64encode(f"o:{offset + size}".encode()).decode()
        return Response(200, body)

    def search_offset(self, request: Request, account: str, api: int) -> Response:
        if self.deployment == "cloud":
            return Response(
                410,
                {
                    "errorMessages": [
                        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
                    ],
                    "errors": {},
                },
            )
        args = self._search_args(request)
        ids = self.run_jql(str(args.get("jql", "")), account)
        start = max(0, int(args.get("startAt", 0)))
        size = max(1, min(int(args.get("maxResults", 50)), self.max_results_cap))
        fields = set(str(args.get("fields") or "*navigable").split(","))
        expand = set(str(args.get("expand") or "").split(","))
        chunk = ids[start : start + size]
        return Response(
            200,
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(ids),
                "issues": [self.issue_payload(i, api, fields, expand) for i in chunk],
            },
        )

    def _page(
        self,
        request: Request,
        values: list[Any],
        key: str,
        default: int,
        cap: int,
        extra: bool = True,
    ) -> dict[str, Any]:
        start = max(0, int(request.query.get("startAt", 0)))
        size = max(1, min(int(request.query.get("maxResults", default)), cap))
        chunk = values[start : start + size]
        body = {"startAt": start, "maxResults": size, "total": len(values), key: chunk}
        if extra:
            body["isLast"] = start + size >= len(values)
            body["self"] = f"{self.root_url}{request.path}?startAt={start}&maxResults={size}"
            if not body["isLast"]:
                body["nextPage"] = (
                    f"{self.root_url}{request.path}?startAt={start + size}&maxResults={size}"
                )
        return body

    def get_changelog(self, request: Request, account: str, api: int, key: str) -> Response:
        if self.deployment != "cloud":
            return Response(404, {"errorMessages": ["null for uri: " + request.path], "errors": {}})
        issue = self.issue_by_key(key)
        histories = [
            self.history_payload(h, api)
            for h in sorted(issue["histories"], key=lambda h: h["created"])
        ]
        return Response(200, self._page(request, histories, "values", 100, 100))

    def list_comments(self, request: Request, account: str, api: int, key: str) -> Response:
        issue = self.issue_by_key(key)
        ids = list(self.comment_ids_of.get(issue["id"], []))
        if request.query.get("orderBy", "created").startswith("-"):
            ids.reverse()
        body = self._page(
            request,
            [self.comment_payload(c, api) for c in ids],
            "comments",
            5000,
            5000,
            extra=False,
        )
        return Response(200, body)

    def _comment_body(self, request: Request, api: int) -> Any:
        body = request.body.get("body") if isinstance(request.body, dict) else None
        if api == 3 and not (isinstance(body, dict) and body.get("type") == "doc"):
            raise JiraError(
                400,
                errors={
                    "comment": "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
                },
            )
        if api == 2 and not isinstance(body, str):
            raise JiraError(400, errors={"comment": "Comment body can not be empty!"})
        return body

    def create_comment(self, request: Request, account: str, api: int, key: str) -> Response:
        body = self._comment_body(request, api)
        props = {p["key"]: p["value"] for p in (request.body.get("properties") or [])}
        comment = self.add_comment(key, body, author=account, properties=props)
        return Response(201, self.comment_payload(comment["id"], api))

    def _own_comment(self, account: str, key: str, cid: str) -> dict[str, Any]:
        issue = self.issue_by_key(key)
        comment = self.comments.get(int(cid))
        if comment is None or comment["issue"] != issue["id"]:
            raise JiraError(404, "Can not find a comment for the id: " + cid + ".")
        if comment["author"] != account:
            raise JiraError(403, "You do not have the permission to edit this comment.")
        return comment

    def update_comment(
        self, request: Request, account: str, api: int, key: str, cid: str
    ) -> Response:
        comment = self._own_comment(account, key, cid)
        comment["body"] = self._comment_body(request, api)
        comment["updated"] = self.clock()
        for prop in request.body.get("properties") or []:
            comment["properties"][prop["key"]] = prop["value"]
        comment["notified"] = request.query.get("notifyUsers", "true") != "false"
        return Response(200, self.comment_payload(int(cid), api))

    def delete_comment(
        self, request: Request, account: str, api: int, key: str, cid: str
    ) -> Response:
        self._own_comment(account, key, cid)
        comment = self.comments.pop(int(cid))
        self.comment_ids_of[comment["issue"]].remove(int(cid))
        return Response(204)

    def comment_list(self, request: Request, account: str, api: int) -> Response:
        ids = request.body.get("ids") if isinstance(request.body, dict) else None
        if not isinstance(ids, list) or len(ids) > 1000:
            raise JiraError(400, "The number of comment IDs must be between 1 and 1000.")
        props = "properties" in request.query.get("expand", "")
        values = [
            self.comment_payload(int(c), api, properties=props)
            for c in ids
            if int(c) in self.comments
        ]
        return Response(
            200,
            {
                "isLast": True,
                "maxResults": 1000,
                "startAt": 0,
                "total": len(values),
                "values": values,
            },
        )

    def get_property(
        self, request: Request, account: str, api: int, cid: str, prop: str
    ) -> Response:
        comment = self.comments.get(int(cid))
        if comment is None or prop not in comment["properties"]:
            raise JiraError(404, f"The property with key '{prop}' does not exist.")
        return Response(200, {"key": prop, "value": comment["properties"][prop]})

    def put_property(
        self, request: Request, account: str, api: int, cid: str, prop: str
    ) -> Response:
        comment = self.comments.get(int(cid))
        if comment is None:
            raise JiraError(404, "Can not find a comment for the id: " + cid + ".")
        created = prop not in comment["properties"]
        comment["properties"][prop] = request.body
        return Response(201 if created else 200)

    def list_versions(self, request: Request, account: str, api: int, project: str) -> Response:
        if project.upper() not in (self.project, str(self.project_id)):
            raise JiraError(404, f"No project could be found with key '{project}'.")
        values = [self.version_payload(v, api) for v in sorted(self.versions)]
        return Response(200, self._page(request, values, "values", 50, 50))

    def list_sprints(self, request: Request, account: str, board: str) -> Response:
        if int(board) not in self.boards:
            raise JiraError(
                404,
                "The requested board cannot be viewed because it either does not exist or you do not have permission to view it.",
            )
        states = set(request.query.get("state", "future,active,closed").split(","))
        values = [
            dict(s, self=f"{self.root_url}/rest/agile/1.0/sprint/{s['id']}")
            for s in self.sprints.values()
            if s["state"] in states
        ]
        return Response(200, self._page(request, values, "values", 50, 50))


def _adf_text(doc: dict[str, Any]) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                parts.append(node.get("text", ""))
            for child in node.get("content") or []:
                walk(child)
            if node.get("type") == "paragraph":
                parts.append("\n")

    walk(doc)
    return "".join(parts).strip()
