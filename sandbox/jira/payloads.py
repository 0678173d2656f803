"""Jira sandbox payloads: issues (with embedded changelog and comments), histories,
comments, versions and users in the official v2/v3 shapes, ADF or plain text by API version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.jira.data import (
    CATEGORIES,
    CLIENT_SIGNOFF,
    EMBEDDED_HISTORY_CAP,
    ISSUE_TYPES,
    RESOLUTIONS,
    SPRINT_FIELD,
    STATUSES,
    STORY_POINTS,
    JiraData,
    jira_time,
    named_id,
)


class JiraPayloads(JiraData):
    def user_payload(self, account: str | None, api: int) -> dict[str, Any] | None:
        if account is None:
            return None
        user = self.known_user(account)
        if self.deployment == "cloud":
            return {
                "self": f"{self.called_root}/rest/api/{api}/user?accountId={account}",
                "accountId": account,
                "displayName": user["displayName"],
                "active": True,
                "timeZone": user["timeZone"],
                "accountType": "atlassian",
            }
        return {
            "self": f"{self.called_root}/rest/api/2/user?username={user['name']}",
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
            "self": f"{self.called_root}/rest/api/{api}/version/{vid}",
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
            "self": f"{self.called_root}/rest/api/{api}/issue/{issue['id']}/comment/{cid}",
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

    def sprint_value(self, sid: int) -> Any:
        """A sprint in the issue's sprint field: an object on Cloud, a string on Data Center."""
        sprint = self.sprints[sid]
        if self.deployment == "cloud":
            return sprint | {"boardId": sprint.get("originBoardId", 1)}
        return dc_sprint_string(sprint)

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
                "self": f"{self.called_root}/rest/api/{api}/status/{named_id(list(STATUSES), i['status'])}",
                "id": named_id(list(STATUSES), i["status"]),
                "name": i["status"],
                "description": "",
                "iconUrl": f"{self.called_root}/images/status.png",
                "statusCategory": {
                    "self": f"{self.called_root}/rest/api/{api}/statuscategory/1",
                    **CATEGORIES[category],
                },
            },
            "issuetype": {
                "self": f"{self.called_root}/rest/api/{api}/issuetype/{named_id(ISSUE_TYPES, i['issuetype'])}",
                "id": named_id(ISSUE_TYPES, i["issuetype"]),
                "name": i["issuetype"],
                "description": "",
                "iconUrl": f"{self.called_root}/images/type.png",
                "subtask": False,
                "hierarchyLevel": 1 if i["issuetype"] == "Epic" else 0,
            },
            "labels": list(i["labels"]),
            "duedate": i["duedate"],
            "fixVersions": [self.version_payload(v, api) for v in i["fixVersions"]],
            "created": jira_time(i["created"]),
            "updated": jira_time(i["updated"]),
            "priority": {
                "self": f"{self.called_root}/rest/api/{api}/priority/3",
                "id": "3",
                "name": i["priority"],
            }
            if i["priority"]
            else None,
            "assignee": self.user_payload(i["assignee"], api),
            "reporter": self.user_payload(i["reporter"], api),
            "parent": {"id": str(self.issue_by_key(i["parent"])["id"]), "key": i["parent"]}
            if i["parent"]
            else None,
            "issuelinks": [],
            "resolution": {"id": named_id(RESOLUTIONS, i["resolution"]), "name": i["resolution"]}
            if i["resolution"]
            else None,
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
            SPRINT_FIELD: [self.sprint_value(s) for s in i["sprints"]] or None,
            CLIENT_SIGNOFF: {"value": i["signoff"], "id": "10200"} if i["signoff"] else None,
        }
        if "*all" in fields or "*navigable" in fields:
            chosen = dict(all_fields)
        else:
            chosen = {k: v for k, v in all_fields.items() if k in fields}
        payload: dict[str, Any] = {
            "expand": "renderedFields,names,schema,changelog",
            "id": str(iid),
            "self": f"{self.called_root}/rest/api/{api}/issue/{iid}",
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


def dc_sprint_string(sprint: dict[str, Any]) -> str:
    """How Jira Data Center serialises a sprint in the sprint field: a Java toString."""
    parts = {
        "id": sprint["id"],
        "rapidViewId": sprint.get("originBoardId", 1),
        "state": str(sprint["state"]).upper(),
        "name": sprint["name"],
        "startDate": sprint.get("startDate") or "<null>",
        "endDate": sprint.get("endDate") or "<null>",
        "completeDate": sprint.get("completeDate") or "<null>",
        "sequence": sprint["id"],
        "goal": sprint.get("goal") or "<null>",
    }
    body = ",".join(f"{k}={v}" for k, v in parts.items())
    return f"com.atlassian.greenhopper.service.sprint.Sprint@{sprint['id'] * 7919:x}[{body}]"


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
