"""The sandbox Jira answers as the official OpenAPI description says (allowing the nulls real
Jira sends in changelog items), and keeps the contract's sharp edges: the removed search
answers 410, ``search/jql`` returns only ids without ``fields``, v3 comments must be ADF."""

from __future__ import annotations

import pytest
import requests

from sandbox.scenario import seed_jira_project
from tests.conftest import CONTRACTS, JIRA_EMAIL, JIRA_TOKEN
from tests.contract_validation import ContractSchemas, admit_nullable_enums


def admit_jira_nulls(spec):
    """Real changelog items carry null ``from``/``to`` (the spec's own example does)."""
    admit_nullable_enums(spec)
    details = spec["components"]["schemas"]["ChangeDetails"]["properties"]
    for key in ("from", "fromString", "to", "toString"):
        details[key]["nullable"] = True


SCHEMAS = ContractSchemas(CONTRACTS / "jira" / "openapi-subset.json", "jira", admit_jira_nulls)
AUTH = (JIRA_EMAIL, JIRA_TOKEN)


@pytest.fixture
def jira(make_jira):
    sandbox = make_jira()
    seed_jira_project(
        sandbox, issues=30, comments_per_issue=2, long_histories=1, history_length=120, versions=3
    )
    sandbox.add_comment(
        "ACME-2",
        {"type": "doc", "version": 1, "content": []},
        author="bot",
        properties={"tracker-sync": {"digest": "x"}},
    )
    return sandbox


def get(sandbox, path, **params):
    return requests.get(sandbox.base_url + path, params=params, auth=AUTH, timeout=10)


@pytest.mark.parametrize(
    ("spec_path", "url", "params"),
    [
        (
            "/rest/api/3/search/jql",
            "/rest/api/3/search/jql",
            {
                "jql": "project = ACME ORDER BY updated ASC",
                "fields": "*all",
                "expand": "changelog",
                "maxResults": 10,
            },
        ),
        ("/rest/api/3/issue/{issueIdOrKey}/changelog", "/rest/api/3/issue/ACME-1/changelog", {}),
        ("/rest/api/3/issue/{issueIdOrKey}/comment", "/rest/api/3/issue/ACME-2/comment", {}),
        ("/rest/api/3/project/{projectIdOrKey}/version", "/rest/api/3/project/ACME/version", {}),
        ("/rest/api/3/myself", "/rest/api/3/myself", {}),
        (
            "/rest/api/3/mypermissions",
            "/rest/api/3/mypermissions",
            {"projectKey": "ACME", "permissions": "BROWSE_PROJECTS,ADD_COMMENTS"},
        ),
        ("/rest/api/3/field", "/rest/api/3/field", {}),
    ],
)
def test_responses_validate(jira, spec_path, url, params):
    response = get(jira, url, **params)
    assert response.status_code == 200, response.text
    SCHEMAS.response(spec_path, "get", "200").validate(response.json())


def test_comment_writes_and_properties_validate(jira):
    base = jira.base_url + "/rest/api/3"
    adf = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}],
    }
    plain = requests.post(
        f"{base}/issue/ACME-3/comment", json={"body": "hi"}, auth=AUTH, timeout=10
    )
    assert plain.status_code == 400 and "Atlassian Document" in plain.json()["errors"]["comment"]
    created = requests.post(
        f"{base}/issue/ACME-3/comment",
        auth=AUTH,
        timeout=10,
        json={"body": adf, "properties": [{"key": "tracker-sync", "value": {"d": 1}}]},
    )
    assert created.status_code == 201
    SCHEMAS.response("/rest/api/3/issue/{issueIdOrKey}/comment", "post", "201").validate(
        created.json()
    )
    cid = created.json()["id"]
    updated = requests.put(
        f"{base}/issue/ACME-3/comment/{cid}",
        params={"notifyUsers": "false"},
        json={"body": adf},
        auth=AUTH,
        timeout=10,
    )
    assert updated.status_code == 200
    SCHEMAS.response("/rest/api/3/issue/{issueIdOrKey}/comment/{id}", "put", "200").validate(
        updated.json()
    )
    listed = requests.post(
        f"{base}/comment/list",
        params={"expand": "properties"},
        json={"ids": [int(cid)]},
        auth=AUTH,
        timeout=10,
    )
    SCHEMAS.response("/rest/api/3/comment/list", "post", "200").validate(listed.json())
    assert listed.json()["values"][0]["properties"] == [{"key": "tracker-sync", "value": {"d": 1}}]
    prop = get(jira, f"/rest/api/3/comment/{cid}/properties/tracker-sync")
    SCHEMAS.response(
        "/rest/api/3/comment/{commentId}/properties/{propertyKey}", "get", "200"
    ).validate(prop.json())
    assert (
        requests.delete(f"{base}/issue/ACME-3/comment/{cid}", auth=AUTH, timeout=10).status_code
        == 204
    )


def test_sharp_edges_of_the_contract(jira):
    removed = get(jira, "/rest/api/3/search", jql="project = ACME")
    assert removed.status_code == 410 and "search/jql" in removed.json()["errorMessages"][0]
    ids_only = get(
        jira, "/rest/api/3/search/jql", jql="project = ACME ORDER BY key ASC", maxResults=5
    ).json()
    assert set(ids_only["issues"][0]) == {"expand", "id", "self", "key"}
    assert "total" not in ids_only and ids_only["nextPageToken"]
    unbounded = get(jira, "/rest/api/3/search/jql", jql="ORDER BY updated DESC")
    assert unbounded.status_code == 400
    embedded = get(
        jira,
        "/rest/api/3/search/jql",
        jql="project = ACME ORDER BY key ASC",
        fields="summary",
        expand="changelog",
        maxResults=1,
    ).json()["issues"][0]["changelog"]
    assert embedded["total"] > 40 and len(embedded["histories"]) == 40, "newest 40 only"
    dates = [h["created"] for h in embedded["histories"]]
    assert dates == sorted(dates, reverse=True)
    assert (
        requests.get(jira.base_url + "/rest/api/3/myself", auth=("x", "y"), timeout=10).status_code
        == 401
    )


def test_official_examples_validate_with_the_allowed_nulls():
    import json

    for name, schema in {
        "comment.json": "Comment",
        "version.json": "Version",
        "changelog-page.json": "PageBeanChangelog",
    }.items():
        SCHEMAS.component(schema).validate(json.loads((CONTRACTS / "jira" / name).read_text()))
    SCHEMAS.component("SearchAndReconcileResults").validate(
        json.loads((CONTRACTS / "jira" / "search-jql.json").read_text())
    )
