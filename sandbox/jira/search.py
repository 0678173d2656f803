"""Jira sandbox search: the JQL subset the connectors send, Cloud's ``search/jql``
(``nextPageToken``), Data Center's ``search`` (``startAt``/``total``), ``startAt`` paging and
the paged changelog.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.jira.data import JiraError
from sandbox.jira.payloads import JiraPayloads
from sandbox.server import Request, Response


class JiraSearch(JiraPayloads):
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
        args: dict[str, Any] = dict(request.query)
        for key in ("fields", "expand"):
            if key in request.params:  # repeated (``fields=a&fields=b``) as the jira client sends
                args[key] = ",".join(request.listed(key))
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
            body["self"] = f"{self.called_root}{request.path}?startAt={start}&maxResults={size}"
            if not body["isLast"]:
                body["nextPage"] = (
                    f"{self.called_root}{request.path}?startAt={start + size}&maxResults={size}"
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
