"""PingCode publishes examples, not schemas: the sandbox's answers carry every field of the
official examples, with the same JSON types, except what live tenants omit (``type`` on lists)."""

from __future__ import annotations

import json

import requests

from sandbox.scenario import seed_worktile_project
from tests.conftest import CONTRACTS

EXAMPLES = CONTRACTS / "worktile"


def same_shape(official, ours, path="$", allowed_missing=()):
    """Every key of the official object is in ours with the same JSON type (null matches any)."""
    if isinstance(official, dict):
        assert isinstance(ours, dict), path
        for key, value in official.items():
            if any(f"{path}.{key}".startswith(prefix) for prefix in allowed_missing):
                continue  # allowed: tenant-specific or omitted live
            assert key in ours, f"{path}.{key} missing"
            if value is not None and ours[key] is not None:
                same_shape(value, ours[key], f"{path}.{key}", allowed_missing)
    elif isinstance(official, list) and official and ours:
        same_shape(official[0], ours[0], f"{path}[]", allowed_missing)
    elif official is not None and ours is not None:
        number = (int, float)
        assert type(official) is type(ours) or (
            isinstance(official, number) and isinstance(ours, number)
        ), path


def test_work_items_comments_activities_and_sprints_match_the_official_examples(make_worktile):
    sandbox = make_worktile()
    seed_worktile_project(sandbox, items=30)
    token = requests.get(
        f"{sandbox.base_url}/v1/auth/token",
        params={
            "grant_type": "client_credentials",
            "client_id": "pc-client",
            "client_secret": "pc-secret",
        },
        timeout=10,
    ).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] > 1_000_000_000
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    def get(path, **params):
        response = requests.get(sandbox.base_url + path, params=params, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    page = get(
        "/v1/pjm/work_items", project_id=sandbox.project_id, type_id="requirement", page_size=5
    )
    official_page = json.loads((EXAMPLES / "work-items-page.json").read_text())
    same_shape({k: v for k, v in official_page.items() if k != "values"}, page)
    item = (
        next(v for v in page["values"] if v["parent"] and v["versions"] and v["sprint"])
        if any(v["parent"] and v["versions"] and v["sprint"] for v in page["values"])
        else page["values"][0]
    )
    official_item = json.loads((EXAMPLES / "work-item.json").read_text())
    lenient = (
        "$.type",
        "$.parent.url",
        "$.parent.start_at",
        "$.parent.end_at",
        "$.parent.parent_id",
        "$.parent.properties",
        "$.assignee",
        "$.priority",
        "$.board",
        "$.versions[].stage.url",
        "$.sprint.url",
        "$.tags[].url",
        "$.participants",
        "$.properties.",
    )
    same_shape(official_item, item, allowed_missing=lenient)
    assert "type" not in item, "live lists omit type"
    requirement = item["id"]
    comment = get("/v1/comments", principal_type="work_item", principal_id=requirement)["values"][0]
    same_shape(json.loads((EXAMPLES / "comment.json").read_text()), comment)
    activities = get("/v1/activities", principal_type="work_item", principal_id=requirement)
    official_activity = json.loads((EXAMPLES / "activity.json").read_text())
    if activities["values"]:
        same_shape(
            official_activity["values"][0], activities["values"][0], allowed_missing=("$.url",)
        )
    sprint = get(f"/v1/pjm/projects/{sandbox.project_id}/sprints")["values"][0]
    for key in (
        "id",
        "name",
        "status",
        "start_at",
        "end_at",
        "completed_at",
        "created_at",
        "updated_at",
    ):
        assert key in sprint


def test_errors_are_code_and_message_often_as_400(make_worktile):
    sandbox = make_worktile()
    bad = requests.get(
        f"{sandbox.base_url}/v1/auth/token",
        params={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
        timeout=10,
    )
    assert bad.status_code == 400 and bad.json() == {
        "code": "100024",
        "message": "client_id或client_secret错误",
    }
    unauthenticated = requests.get(f"{sandbox.base_url}/v1/pjm/projects", timeout=10)
    assert unauthenticated.status_code == 401 and set(unauthenticated.json()) == {"code", "message"}
