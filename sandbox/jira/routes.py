"""Jira sandbox HTTP: routing, authentication and the handlers of every non-search
endpoint (myself, fields, comments, comment properties, versions, sprints).
"""

from __future__ import annotations

import base64
from typing import Any

from sandbox.jira.data import SPRINT_FIELD, STORY_POINTS, JiraError, jira_time
from sandbox.jira.search import JiraSearch
from sandbox.server import Request, Response, match_route


class JiraSandbox(JiraSearch):
    ROUTES: list[tuple[str, str, str]] = [
        ("GET", r"/rest/api/(?P<api>[23])/serverInfo", "get_server_info"),
        ("GET", r"/rest/api/(?P<api>[23])/myself", "get_myself"),
        ("GET", r"/rest/api/(?P<api>[23])/field", "get_fields"),
        ("GET", r"/rest/api/(?P<api>[23])/mypermissions", "get_my_permissions"),
        ("GET", r"/rest/api/(?P<api>[23])/search/jql", "search_jql"),
        ("POST", r"/rest/api/(?P<api>[23])/search/jql", "search_jql"),
        ("GET", r"/rest/api/(?P<api>[23])/search", "search_offset"),
        ("POST", r"/rest/api/(?P<api>[23])/search", "search_offset"),
        ("GET", r"/rest/api/(?P<api>[23])/issue/(?P<key>[^/]+)", "get_issue"),
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

    ANONYMOUS = ("get_server_info",)  # answered without credentials, as Jira does

    def route(self, request: Request) -> Response:
        found = match_route(self.ROUTES, request.method, request.path)
        account = self._authenticate(request)
        if account is None and not (found and found[0] in self.ANONYMOUS):
            response = Response(
                401,
                {
                    "errorMessages": ["Client must be authenticated to access this resource."],
                    "errors": {},
                },
            )
            response.headers["WWW-Authenticate"] = 'Basic realm="protected-area"'
            return response
        if found is not None:
            handler, params = found
            if "api" in params:
                params["api"] = int(params["api"])
            if params.get("api") != 3 or self.deployment == "cloud":
                try:
                    response = getattr(self, handler)(request, account or "", **params)
                except JiraError as error:
                    response = error.response
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

    def get_server_info(self, request: Request, account: str, api: int) -> Response:
        cloud = self.deployment == "cloud"
        version = [1001, 0, 0] if cloud else [9, 12, 0]
        return Response(
            200,
            {
                "baseUrl": self.called_root,
                "displayUrl": self.called_root,
                "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.0",
                "versionNumbers": version,
                "deploymentType": "Cloud" if cloud else "Server",
                "buildNumber": 100275 if cloud else 9120000,
                "buildDate": "2026-01-05T00:00:00.000+0000",
                "serverTime": jira_time(self.clock()),
                "scmInfo": "0c3b1a4f5d7e9b2a6c8d0e1f3a5b7c9d1e2f4a6b",
                "serverTitle": "Jira",
                "defaultLocale": {"locale": "en_US"},
                "serverTimeZone": "Etc/UTC",
            },
        )

    PERMISSIONS = {
        "BROWSE_PROJECTS": ("10", "Browse Projects", "Ability to browse projects."),
        "ADD_COMMENTS": ("15", "Add Comments", "Ability to comment on issues."),
        "EDIT_ALL_COMMENTS": ("34", "Edit All Comments", "Ability to edit all comments."),
        "EDIT_OWN_COMMENTS": ("35", "Edit Own Comments", "Ability to edit own comments."),
        "DELETE_OWN_COMMENTS": ("37", "Delete Own Comments", "Ability to delete own comments."),
    }

    def get_my_permissions(self, request: Request, account: str, api: int) -> Response:
        """``GET /mypermissions``: ``permissions`` is required (a comma-separated list of keys);
        an unknown project is a 404, as for a project the caller cannot see."""
        wanted = request.listed("permissions")
        if not wanted:
            raise JiraError(400, "The permissions query parameter is required.")
        unknown = [k for k in wanted if k not in self.PERMISSIONS]
        if unknown:
            raise JiraError(400, f"Permission keys are not valid: {', '.join(unknown)}.")
        project = request.query.get("projectKey")
        if project is not None and project != self.project:
            raise JiraError(404, f"No project could be found with key '{project}'.")
        writer = account not in self.read_only
        permissions = {}
        for key in wanted:
            ident, name, description = self.PERMISSIONS[key]
            have = key == "BROWSE_PROJECTS" or writer
            permissions[key] = {
                "id": ident,
                "key": key,
                "name": name,
                "type": "PROJECT",
                "description": description,
                "havePermission": have,
            }
        return Response(200, {"permissions": permissions})

    def get_issue(self, request: Request, account: str, api: int, key: str) -> Response:
        issue = self.issue_by_key(key)
        fields = set(request.listed("fields") or ["*all"])
        expand = set(request.listed("expand"))
        return Response(200, self.issue_payload(issue["id"], api, fields, expand))

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
            dict(s, self=f"{self.called_root}/rest/agile/1.0/sprint/{s['id']}")
            for s in self.sprints.values()
            if s["state"] in states
        ]
        return Response(200, self._page(request, values, "values", 50, 50))
