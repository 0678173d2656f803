"""The sandbox GitHub answers as the official OpenAPI description says: every response body of
every endpoint the connector uses validates against the vendored schema subset."""

from __future__ import annotations

import json

import pytest
import requests

from sandbox.scenario import seed_github_repo
from tests.conftest import CONTRACTS, GITHUB_TOKEN
from tests.contract_validation import ContractSchemas, admit_nullable_enums

SCHEMAS = ContractSchemas(
    CONTRACTS / "github" / "openapi-subset.json", "github", admit_nullable_enums
)


def response_validator(path: str, method: str, status: str):
    return SCHEMAS.response(path, method, status)


@pytest.fixture
def seeded(github):
    seed_github_repo(github, issues=40, comments_per_issue=2, events_per_issue=4, milestones=3)
    github.add_issue("A sub-issue", parent=1, issue_type="Feature")
    return github


def get(sandbox, path, **params):
    response = requests.get(
        sandbox.base_url + path,
        params=params,
        headers={
            "Authorization": f"Bearer {GITHUB_TOKEN}",
            "Accept": "application/vnd.github+json",
        },
        timeout=10,
    )
    return response


@pytest.mark.parametrize(
    ("spec_path", "url", "params"),
    [
        (
            "/repos/{owner}/{repo}/issues",
            "/repos/acme/portal/issues",
            {"state": "all", "per_page": 100},
        ),
        ("/repos/{owner}/{repo}/issues/{issue_number}", "/repos/acme/portal/issues/10", {}),
        ("/repos/{owner}/{repo}/milestones", "/repos/acme/portal/milestones", {"state": "all"}),
        (
            "/repos/{owner}/{repo}/issues/comments",
            "/repos/acme/portal/issues/comments",
            {"sort": "updated"},
        ),
        (
            "/repos/{owner}/{repo}/issues/{issue_number}/comments",
            "/repos/acme/portal/issues/3/comments",
            {},
        ),
        (
            "/repos/{owner}/{repo}/issues/events",
            "/repos/acme/portal/issues/events",
            {"per_page": 100},
        ),
        ("/rate_limit", "/rate_limit", {}),
    ],
)
def test_list_and_get_responses_validate(seeded, spec_path, url, params):
    response = get(seeded, url, **params)
    assert response.status_code == 200
    body = response.json()
    response_validator(spec_path, "get", "200").validate(body)
    if isinstance(body, list):
        assert body, "an empty list proves nothing"


def test_comment_writes_validate_and_answer_as_documented(seeded):
    headers = {"Authorization": f"Bearer {GITHUB_TOKEN}"}
    base = seeded.base_url + "/repos/acme/portal/issues"
    created = requests.post(
        f"{base}/1/comments", json={"body": "hello"}, headers=headers, timeout=10
    )
    assert created.status_code == 201 and created.headers["Location"].endswith(
        f"/issues/comments/{created.json()['id']}"
    )
    response_validator(
        "/repos/{owner}/{repo}/issues/{issue_number}/comments", "post", "201"
    ).validate(created.json())
    url = f"{base}/comments/{created.json()['id']}"
    patched = requests.patch(url, json={"body": "edited"}, headers=headers, timeout=10)
    assert patched.status_code == 200 and patched.json()["body"] == "edited"
    response_validator(
        "/repos/{owner}/{repo}/issues/comments/{comment_id}", "patch", "200"
    ).validate(patched.json())
    too_long = requests.patch(url, json={"body": "x" * 65537}, headers=headers, timeout=10)
    assert too_long.status_code == 422
    assert "maximum is 65536" in too_long.json()["errors"][0]["message"]
    assert requests.delete(url, headers=headers, timeout=10).status_code == 204
    assert requests.get(url, headers=headers, timeout=10).status_code == 404


def test_paging_headers_etags_and_rate_limit_headers(seeded):
    first = get(seeded, "/repos/acme/portal/issues", state="all", per_page=15)
    assert first.links["next"]["url"].endswith("page=2") and "last" in first.links
    assert first.headers["ETag"].startswith('W/"')
    remaining = int(first.headers["x-ratelimit-remaining"])
    again = requests.get(
        first.url,
        headers={"Authorization": f"Bearer {GITHUB_TOKEN}", "If-None-Match": first.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304 and again.content == b""
    assert int(again.headers["x-ratelimit-remaining"]) == remaining, "a 304 must be free"
    assert get(seeded, "/repos/acme/portal/issues").json()[0]["state"] == "open", (
        "state defaults to open"
    )


@pytest.mark.parametrize(
    ("token", "path", "status", "message"),
    [
        ("nope", "/user", 401, "Bad credentials"),
        (GITHUB_TOKEN, "/repos/acme/other/issues", 404, "Not Found"),
    ],
)
def test_error_bodies(seeded, token, path, status, message):
    response = requests.get(
        seeded.base_url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == status
    assert response.json()["message"] == message
    assert response.json()["documentation_url"].startswith("https://docs.github.com")


def test_official_examples_validate_against_the_schemas():
    """The vendored examples and schemas agree, so the schemas are a fair judge."""
    cases = {
        "issue.json": "issue",
        "milestone.json": "milestone",
        "issue-comment.json": "issue-comment",
        "issue-event-milestoned.json": "issue-event",
    }
    for name, schema in cases.items():
        example = json.loads((CONTRACTS / "github" / name).read_text())
        SCHEMAS.component(schema).validate(example)
