"""Worktile sandbox payloads: work items, comments, states and the project reference in
the open API's shapes.
"""

from __future__ import annotations

from typing import Any

from sandbox.worktile.data import STATES, WorktileData


class WorktilePayloads(WorktileData):
    def state_ref(self, state: str) -> dict[str, Any]:
        return {
            "id": f"state-{state}",
            "url": f"{self.called_root}{self.prefix}/work_item_states/state-{state}",
            "name": STATES.get(state, state),
            "type": state,
            "color": "#999",
        }

    def project_ref(self) -> dict[str, Any]:
        return {
            "id": self.project_id,
            "url": f"{self.called_root}{self.prefix}/projects/{self.project_id}",
            "identifier": self.identifier,
            "name": "Scrum项目",
            "type": "scrum",
            "is_archived": 0,
            "is_deleted": 0,
        }

    def item_payload(self, iid: str, *, with_type: bool = True) -> dict[str, Any]:
        i = self.items[iid]
        parent = self.items.get(i["parent"]) if i["parent"] else None
        version = self.versions.get(i["version"]) if i["version"] else None
        sprint = self.sprints.get(i["sprint"]) if i["sprint"] else None
        payload = {
            "id": iid,
            "url": f"{self.called_root}{self.prefix}/work_items/{iid}",
            "project": self.project_ref(),
            "identifier": i["identifier"],
            "title": i["title"],
            "start_at": None,
            "end_at": i["end_at"],
            "parent_id": i["parent"],
            "short_id": i["short_id"],
            "html_url": f"https://acme.pingcode.com/pjm/workitems/{i['short_id']}",
            "parent": {
                "id": parent["id"],
                "identifier": parent["identifier"],
                "title": parent["title"],
                "type": parent["type"],
            }
            if parent
            else None,
            "assignee": None,
            "versions": [
                dict(
                    version,
                    url=f"{self.called_root}{self.prefix}/projects/{self.project_id}/versions/{version['id']}",
                )
            ]
            if version
            else [],
            "sprint": {
                "id": sprint["id"],
                "name": sprint["name"],
                "start_at": sprint["start_at"],
                "end_at": sprint["end_at"],
                "status": sprint["status"],
            }
            if sprint
            else None,
            "state": self.state_ref(i["state"]),
            "priority": {"id": f"priority-{i['priority']}", "name": i["priority"]}
            if i.get("priority")
            else None,
            "board": None,
            "entry": None,
            "swimlane": None,
            "phase": None,
            "estimated_workload": None,
            "remaining_workload": None,
            "description": i["description"],
            "completed_at": i["completed_at"],
            "story_points": i["story_points"],
            "properties": {},
            "tags": [{"id": f"tag-{t}", "name": t} for t in i["tags"]],
            "participants": [],
            "created_at": i["created_at"],
            "created_by": self.user_ref(i["created_by"]),
            "updated_at": i["updated_at"],
            "updated_by": self.user_ref(i["updated_by"]),
            "is_archived": i["is_archived"],
            "is_deleted": i["is_deleted"],
        }
        if with_type:
            payload["type"] = i["type"]
        return payload

    def comment_payload(self, cid: str) -> dict[str, Any]:
        c = self.comments[cid]
        return {
            "id": cid,
            "url": f"{self.called_root}/v1/comments/{cid}?principal_type=work_item&principal_id={c['item']}",
            "content": c["content"],
            "attachment_count": 0,
            "attachments": [],
            "is_reply_comment": 0,
            "replied_comment": None,
            "created_at": c["created_at"],
            "created_by": self.user_ref(c["created_by"]),
            "is_deleted": c["is_deleted"],
        }
