"""GitHub sandbox payloads: issues, comments, events, milestones, labels and users in
the official REST shapes, with resource URLs on the host that was called.
"""

from __future__ import annotations

from typing import Any

from sandbox.github.data import GitHubData


class GitHubPayloads(GitHubData):
    def _api(self, path: str) -> str:
        return f"{self.called_root}{self.prefix}{path}"

    def user_payload(self, login: str | None) -> dict[str, Any] | None:
        if login is None:
            return None
        uid = self.user_id(login)
        base = self._api(f"/users/{login}")
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

    def repo_payload(self, login: str | None = None) -> dict[str, Any]:
        """``permissions`` as GitHub gives it: what the token calling can do."""
        writer = login not in self.read_only
        owner, name = self.repo.split("/", 1)
        url = self._api(f"/repos/{self.repo}")
        repo_id = 4000 + sum(map(ord, self.repo))
        stamp = "2020-01-01T00:00:00Z"
        return {
            "id": repo_id,
            "node_id": f"R_kgDO{repo_id}",
            "name": name,
            "full_name": self.repo,
            "private": True,
            "owner": self.user_payload(owner),
            "html_url": f"https://github.com/{self.repo}",
            "description": None,
            "fork": False,
            "url": url,
            "issues_url": f"{url}/issues{{/number}}",
            "issue_comment_url": f"{url}/issues/comments{{/number}}",
            "issue_events_url": f"{url}/issues/events{{/number}}",
            "milestones_url": f"{url}/milestones{{/number}}",
            "labels_url": f"{url}/labels{{/name}}",
            "pulls_url": f"{url}/pulls{{/number}}",
            "created_at": stamp,
            "updated_at": max((i["updated_at"] for i in self.issues.values()), default=stamp),
            "pushed_at": stamp,
            "default_branch": "main",
            "visibility": "private",
            "has_issues": True,
            "archived": False,
            "disabled": False,
            "open_issues_count": sum(i["state"] == "open" for i in self.issues.values()),
            "permissions": {
                "admin": False,
                "maintain": False,
                "push": writer,
                "triage": writer,
                "pull": True,
            },
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
