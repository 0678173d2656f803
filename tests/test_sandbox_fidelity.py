"""The sandboxes answer like the real services where a real client would notice (DESIGN, "The
sandbox trackers"): URLs on the host called, one ``Date``, repeated parameters kept, Jira's
embedded changelog cut at 40 with ids and text in its items, ``serverInfo``; and the real
client libraries, PyGithub and ``jira``, work against them unmodified."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import github as pygithub
import jira as jira_client
import requests

from sandbox.scenario import seed_github_repo, seed_jira_project, seed_worktile_project
from tests.conftest import GITHUB_TOKEN, JIRA_EMAIL, JIRA_TOKEN, jira_source, rows, sync


def localhost(url: str) -> str:
    """The same server, called by another name than the one it was started with."""
    parts = urlsplit(url)
    return f"http://localhost:{parts.port}{parts.path}"


WEB_PAGES = ("html_url", "avatar_url")  # pages for people, on the web host: not API resources


def all_urls(value: object) -> list[str]:
    """Every API resource URL in a payload."""
    if isinstance(value, dict):
        return [u for k, v in value.items() if k not in WEB_PAGES for u in all_urls(v)]
    if isinstance(value, list):
        return [u for v in value for u in all_urls(v)]
    return [value] if isinstance(value, str) and value.startswith("http") else []


def test_github_enterprise_urls_point_at_the_host_called_prefix_included(make_github):
    github = make_github(prefix="/api/v3")
    seed_github_repo(github, issues=5, comments_per_issue=1, events_per_issue=1, milestones=1)
    base = localhost(github.base_url)
    answer = requests.get(
        f"{base}/repos/acme/portal/issues",
        params={"state": "all", "per_page": 2},
        headers={"Authorization": f"Bearer {GITHUB_TOKEN}"},
        timeout=10,
    )
    assert answer.status_code == 200
    urls = all_urls(answer.json())
    assert urls and all(u.startswith(base + "/") for u in urls), urls
    assert answer.links["next"]["url"].startswith(base + "/repos/acme/portal/issues?")


def test_jira_and_worktile_urls_point_at_the_host_called(make_jira, make_worktile):
    jira = make_jira()
    seed_jira_project(jira, issues=2, versions=1)
    base = localhost(jira.base_url)
    issues = requests.get(
        f"{base}/rest/api/3/search/jql",
        params={"jql": "project = ACME", "fields": "*all"},
        auth=(JIRA_EMAIL, JIRA_TOKEN),
        timeout=10,
    ).json()["issues"]
    urls = [u for u in all_urls(issues) if "/rest/" in u]
    assert urls and all(u.startswith(base + "/") for u in urls)

    worktile = make_worktile()
    seed_worktile_project(worktile, items=2)
    wt_base = localhost(worktile.base_url)
    token = requests.get(
        f"{wt_base}/v1/auth/token",
        params={
            "grant_type": "client_credentials",
            "client_id": "pc-client",
            "client_secret": "pc-secret",
        },
        timeout=10,
    ).json()["access_token"]
    items = requests.get(
        f"{wt_base}/v1/pjm/work_items",
        params={"project_id": worktile.project_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["values"]
    urls = all_urls(items)
    assert urls and all(u.startswith(wt_base + "/") for u in urls)


def test_exactly_one_date_header_per_response(github, make_jira):
    jira = make_jira()
    bearer = {"Authorization": f"Bearer {GITHUB_TOKEN}"}
    for url, path, headers in [
        (github.base_url, "/repos/acme/portal/issues", bearer),
        (github.base_url, "/repos/acme/portal/nothing-here", bearer),
        (github.base_url, "/repos/acme/portal/issues", {}),
        (jira.base_url, "/rest/api/3/myself", {"Authorization": "Bearer jira-pat"}),
        (jira.base_url, "/rest/api/3/nowhere", {"Authorization": "Bearer jira-pat"}),
    ]:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            assert len(response.msg.get_all("Date") or []) == 1, (url, path, response.status)
        finally:
            connection.close()


def test_repeated_query_parameters_are_kept(make_jira):
    jira = make_jira()
    seed_jira_project(jira, issues=1, versions=1)
    answer = requests.get(
        jira.base_url + "/rest/api/3/search/jql",
        params=[("jql", "project = ACME"), ("fields", "summary"), ("fields", "status")],
        auth=(JIRA_EMAIL, JIRA_TOKEN),
        timeout=10,
    )
    assert set(answer.json()["issues"][0]["fields"]) == {"summary", "status"}
    assert jira.log[-1].params["fields"] == ["summary", "status"]


def test_jira_cloud_embeds_the_newest_40_histories_and_the_sync_fetches_the_rest(
    make_jira, tmp_path
):
    jira = make_jira()
    seed_jira_project(jira, issues=4, long_histories=1, history_length=60, versions=1)
    long_issue = jira.issues[min(jira.issues)]
    embedded = requests.get(
        jira.base_url + "/rest/api/3/search/jql",
        params={"jql": "project = ACME ORDER BY key ASC", "expand": "changelog", "maxResults": 1},
        auth=(JIRA_EMAIL, JIRA_TOKEN),
        timeout=10,
    ).json()["issues"][0]["changelog"]
    assert embedded["total"] == len(long_issue["histories"]) > 40
    assert len(embedded["histories"]) == 40
    newest = sorted(long_issue["histories"], key=lambda h: h["created"])[-40:]
    assert {h["id"] for h in embedded["histories"]} == {str(h["id"]) for h in newest}

    report, code = sync(tmp_path / "store.db", jira_source(jira))
    assert code == 0, report
    stored = {
        r["change_id"].split(":")[0]
        for r in rows(
            tmp_path / "store.db",
            "select change_id from changes where item_id = ?",
            (str(long_issue["id"]),),
        )
    }
    assert stored == {str(h["id"]) for h in long_issue["histories"]}
    assert [r.path for r in jira.log if r.path.endswith("/changelog")] == [
        f"/rest/api/3/issue/{long_issue['key']}/changelog"
    ]


def test_jira_changelog_items_hold_ids_in_from_to_and_text_in_the_strings(make_jira):
    jira = make_jira(users={"bot": {}, "dev": {"displayName": "Dana Dev"}})
    key = jira.add_issue("Export", issuetype="Story")["key"]
    jira.edit_issue(key, status="In Progress", assignee="dev", duedate="2026-12-24")
    jira.edit_issue(key, summary="Export as PDF")
    histories = requests.get(
        f"{jira.base_url}/rest/api/3/issue/{key}/changelog",
        auth=(JIRA_EMAIL, JIRA_TOKEN),
        timeout=10,
    ).json()["values"]
    items = {i["fieldId"]: i for h in histories for i in h["items"]}
    status = items["status"]
    assert (status["fromString"], status["toString"]) == ("To Do", "In Progress")
    assert status["from"].isdigit() and status["to"].isdigit() and status["from"] != status["to"]
    assignee = items["assignee"]
    assert (assignee["from"], assignee["to"], assignee["toString"]) == (None, "dev", "Dana Dev")
    due = items["duedate"]
    assert (due["to"], due["toString"]) == ("2026-12-24", "2026-12-24 00:00:00.0")
    summary = items["summary"]
    assert (summary["from"], summary["fromString"], summary["toString"]) == (
        None,
        "Export",
        "Export as PDF",
    )


def test_server_info_is_served_on_v2_and_v3(make_jira):
    cloud, server = make_jira(), make_jira(deployment="datacenter")
    for api in (2, 3):
        info = requests.get(f"{cloud.base_url}/rest/api/{api}/serverInfo", timeout=10)
        assert info.status_code == 200
        assert info.json()["deploymentType"] == "Cloud"
        assert info.json()["baseUrl"] == cloud.base_url
    info = requests.get(f"{server.base_url}/rest/api/2/serverInfo", timeout=10).json()
    assert info["deploymentType"] == "Server" and info["versionNumbers"][0] >= 8
    assert requests.get(f"{server.base_url}/rest/api/3/serverInfo", timeout=10).status_code == 404


def test_pygithub_reads_the_github_enterprise_sandbox(make_github):
    sandbox = make_github(prefix="/api/v3")
    seed_github_repo(sandbox, issues=45, comments_per_issue=2, events_per_issue=1, milestones=2)
    client = pygithub.Github(
        base_url=sandbox.base_url, auth=pygithub.Auth.Token(GITHUB_TOKEN), retry=None
    )
    try:
        assert client.get_user().login == "tracker-bot"
        repo = client.get_repo("acme/portal")
        assert repo.full_name == "acme/portal"
        issues = list(repo.get_issues(state="all"))  # 30 a page: paged by the Link header
        assert sorted(i.number for i in issues) == sorted(sandbox.issues)
        issue = repo.get_issue(3)
        assert issue.title == sandbox.issues[3]["title"]
        comments = list(issue.get_comments())  # followed from the payload's own URL
        assert [c.body for c in comments] == [c["body"] for c in sandbox.comments_on(3)]
        assert [m.title for m in repo.get_milestones(state="all")] == ["Sprint 1", "Sprint 2"]
    finally:
        client.close()


def test_the_jira_client_reads_the_cloud_sandbox(make_jira):
    sandbox = make_jira()
    seed_jira_project(sandbox, issues=60, comments_per_issue=2, versions=1)
    client = jira_client.JIRA(server=sandbox.base_url, basic_auth=(JIRA_EMAIL, JIRA_TOKEN))
    try:
        assert client.server_info()["deploymentType"] == "Cloud"
        found = client.search_issues("project = ACME ORDER BY key ASC", maxResults=False)
        assert [i.key for i in found] == [i["key"] for i in sandbox.issues.values()]
        some = client.search_issues("project = ACME", fields=["summary", "status"], maxResults=5)
        assert all(i.fields.summary and i.fields.status.name for i in some)
        key = found[0].key
        issue = client.issue(key, expand="changelog")
        assert issue.fields.summary == sandbox.issue_by_key(key)["summary"]
        stored = sandbox.issue_by_key(key)["histories"]
        assert {h.id for h in issue.changelog.histories} == {str(h["id"]) for h in stored}
        comments = client.comments(key)
        assert [c.body for c in comments] == [c["body"] for c in sandbox.comments_on(key)]
    finally:
        client.close()


def test_real_clients_read_the_write_scope_check_reads(make_github, make_jira):
    """What ``tracker-sync check`` reads, as the official clients read it: a repository's
    ``permissions`` for the token calling, Jira's ``mypermissions`` for a project."""
    github = make_github()
    github.read_only.add("tracker-bot")
    client = pygithub.Github(base_url=github.base_url, auth=pygithub.Auth.Token(GITHUB_TOKEN))
    try:
        permissions = client.get_repo("acme/portal").permissions
        assert (permissions.pull, permissions.push) == (True, False)
    finally:
        client.close()
    jira = make_jira()
    jira_api = jira_client.JIRA(server=jira.base_url, basic_auth=(JIRA_EMAIL, JIRA_TOKEN))
    try:
        granted = jira_api.my_permissions(
            projectKey="ACME", permissions="BROWSE_PROJECTS,ADD_COMMENTS"
        )["permissions"]
        assert granted["ADD_COMMENTS"]["havePermission"] is True
        jira.read_only.add("bot")
        granted = jira_api.my_permissions(
            projectKey="ACME", permissions="BROWSE_PROJECTS,ADD_COMMENTS"
        )["permissions"]
        assert granted["BROWSE_PROJECTS"]["havePermission"] is True
        assert granted["ADD_COMMENTS"]["havePermission"] is False
    finally:
        jira_api.close()
