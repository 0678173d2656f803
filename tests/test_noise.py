"""Noise controls end to end against the sandboxes: an ack written through each tracker's API
by a team account (acknowledged, the comment updated once, then quiet), by a client account
(no effect), ``ack_accounts``, expiry by the clock, reopening on a new change, unack, ``ack
500d`` held to 90, malformed commands, quiet hours, the CLI, ignore labels, per-source rules."""

from __future__ import annotations

import getpass
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import requests

from sandbox.github import GitHubSandbox
from sync.report.run_report import text_lines
from tests.conftest import (
    GITHUB_TOKEN,
    JIRA_EMAIL,
    JIRA_TOKEN,
    github_source,
    jira_source,
    rows,
    run_cli,
    sync,
    worktile_source,
)
from tests.test_writeback import flag_github, flag_jira, flag_worktile

TODAY = datetime.now(UTC).date()
TOKENS = {GITHUB_TOKEN: "tracker-bot", "pm-token": "pm-carol", "client-token": "client-pm"}
TOKENS |= {"dev-token": "dev-dan"}


def run(tmp_path, *sources, as_of=None, now=None, rules=None, writeback=None, dry_run=False):
    settings = {
        "writeback": {"enabled": True, **(writeback or {})},
        "rules": {
            "client_accounts": ["client-pm"],
            # these tests follow the first three rules' findings; the others have their own
            **{rule: {"enabled": False} for rule in ("incomplete_requirement", "scope_creep")},
            **(rules or {}),
        },
    }
    options = {"as_of": as_of, "now": now, "dry_run": dry_run}
    return sync(tmp_path / "store.db", *sources, settings=settings, **options)


def github(make_github) -> GitHubSandbox:
    return make_github(tokens=TOKENS)


def say_on_github(gh: GitHubSandbox, number: int, token: str, body: str) -> None:
    """A person's comment, through the sandbox's REST API like any client."""
    answer = requests.post(
        f"{gh.base_url}/repos/{gh.repo}/issues/{number}/comments",
        json={"body": body},
        headers={"Authorization": f"token {token}", "Accept": "application/vnd.github+json"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text


def own_body(gh: GitHubSandbox, number: int) -> str:
    (comment,) = [c for c in gh.comments_on(number) if c["user"] == "tracker-bot"]
    return comment["body"]


def writes(report) -> list[tuple[str, bool]]:
    return [(w["action"], w["done"]) for w in report["writes"]]


def test_an_ack_from_a_team_account_is_written_once_then_quiet_until_it_expires(
    make_github, tmp_path
):
    gh = github(make_github)
    (number,) = flag_github(gh, 1)
    source = github_source(gh)
    assert writes(run(tmp_path, source)[0]) == [("create", True)]
    # the requests of a run after an ordinary comment: an ack comment's run makes the same
    say_on_github(gh, number, "pm-token", "Looking into it")
    run(tmp_path, source)
    say_on_github(gh, number, "pm-token", "Still looking")
    gh.clear_log()
    assert run(tmp_path, source)[0]["writes"] == []
    plain_paths = {r.path for r in gh.log}
    say_on_github(gh, number, "pm-token", "/tracker-sync ack 30d waiting for the budget\nthanks")
    gh.clear_log()
    report, code = run(tmp_path, source)
    assert code == 0, report
    (finding,) = report["findings"]
    until = (TODAY + timedelta(days=30)).isoformat()
    ack = finding["acknowledged"]
    assert (ack["by"], ack["until"], ack["reason"], ack["origin"]) == (
        "pm-carol", until, "waiting for the budget", "comment"
    )  # fmt: skip
    assert writes(report) == [("update", True)]
    reads = {r.path for r in gh.log if r.method == "GET"}
    # commands come from the repository-wide comment listing every pull makes: nothing is
    # read per item (a run's set of collections can vary with the clock, so paths are compared)
    assert not any(re.search(r"/issues/\d+", path) for path in reads), reads
    assert reads <= plain_paths | {"/repos/acme/portal/milestones", "/repos/acme/portal/issues"}
    body = own_body(gh, number)
    assert "acknowledged" in body and "pm\\-carol" not in body and "“pm-carol”" in body
    assert f"until {until}" in body and "“waiting for the budget”" in body
    assert "Work on this requirement started" not in body
    events = rows(tmp_path / "store.db", "select event, by from finding_events order by id")
    assert events[-1] == {"event": "acknowledged", "by": "pm-carol"}
    for _ in range(2):
        assert run(tmp_path, source)[0]["writes"] == [], "nothing more until it expires"
    later = TODAY + timedelta(days=30)
    assert run(tmp_path, source, as_of=later)[0]["writes"] == [], "still running on its last day"
    report, _ = run(tmp_path, source, as_of=later + timedelta(days=1))
    assert writes(report) == [("update", True)] and "acknowledged" not in report["findings"][0]
    assert "Work on this requirement started" in own_body(gh, number), "the comment comes back"
    assert run(tmp_path, source, as_of=later + timedelta(days=1))[0]["writes"] == []


def test_a_client_account_cannot_acknowledge_and_ack_accounts_limits_who_can(
    make_github, tmp_path, caplog
):
    gh = github(make_github)
    (number,) = flag_github(gh, 1)
    source = github_source(gh)
    only_carol = {"ack_accounts": ["pm-carol"]}
    run(tmp_path, source, rules=only_carol)
    say_on_github(gh, number, "client-token", "/tracker-sync ack 10d fine by us")
    say_on_github(gh, number, "dev-token", "/tracker-sync ack")
    with caplog.at_level(logging.WARNING):
        report, code = run(tmp_path, source, rules=only_carol)
    assert code == 0 and report["writes"] == []
    assert "acknowledged" not in report["findings"][0]
    assert rows(tmp_path / "store.db", "select * from acks") == []
    warned = caplog.text
    assert "client-pm is a client account" in warned and "dev-dan is not in ack_accounts" in warned
    assert f"acme/portal#{number}" in warned
    say_on_github(gh, number, "pm-token", "/tracker-sync ack")
    report, _ = run(tmp_path, source, rules=only_carol)
    assert report["findings"][0]["acknowledged"]["until"] == str(TODAY + timedelta(days=14))


def test_a_new_change_reopens_that_finding_and_unack_ends_the_rest(make_github, tmp_path):
    gh = github(make_github)
    (number,) = flag_github(gh, 1)
    source = github_source(gh)
    soon = (datetime.now(UTC) + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gh.edit_issue(number, actor="dev", title="Requirement 0, with Excel export", at=soon)
    report, _ = run(tmp_path, source)
    assert len(report["findings"]) == 2
    say_on_github(gh, number, "pm-token", "/tracker-sync ack 20d agreed on the phone")
    report, _ = run(tmp_path, source)
    assert all(f.get("acknowledged") for f in report["findings"])
    assert writes(report) == [("update", True)]
    later = (datetime.now(UTC) + timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gh.edit_issue(number, actor="dev", title="Requirement 0, with Excel and PDF export", at=later)
    report, _ = run(tmp_path, source)
    acked = {f["rule"]: bool(f.get("acknowledged")) for f in report["findings"]}
    assert acked == {"unconfirmed_requirement": True, "undocumented_change": False}
    assert writes(report) == [("update", True)]
    body = own_body(gh, number)
    assert "PDF export" in body and "Unconfirmed requirement — acknowledged" in body
    events = rows(tmp_path / "store.db", "select rule, event from finding_events order by id")
    assert events[-1] == {"rule": "undocumented_change", "event": "reopened"}
    assert run(tmp_path, source)[0]["writes"] == []
    say_on_github(gh, number, "pm-token", "/tracker-sync unack")
    report, _ = run(tmp_path, source)
    assert not any(f.get("acknowledged") for f in report["findings"])
    assert "Work on this requirement started" in own_body(gh, number)
    last = rows(tmp_path / "store.db", "select event, by from finding_events order by id desc")
    assert last[0] == {"event": "reopened", "by": "pm-carol"}


def test_ack_500d_is_held_to_90_and_malformed_commands_warn_and_do_nothing(
    make_github, tmp_path, caplog
):
    gh = github(make_github)
    first, second = flag_github(gh, 2)
    source = github_source(gh)
    run(tmp_path, source, writeback={"language": "zh"})
    say_on_github(gh, first, "pm-token", "/tracker-sync akc")
    say_on_github(gh, first, "pm-token", "/tracker-sync ack soon")
    say_on_github(gh, first, "pm-token", "thanks! /tracker-sync ack 5d (not a first line)")
    with caplog.at_level(logging.WARNING):
        report, _ = run(tmp_path, source, writeback={"language": "zh"})
    assert report["writes"] == [] and rows(tmp_path / "store.db", "select * from acks") == []
    assert caplog.text.count(f"acme/portal#{first}: malformed command") == 2
    assert "“/tracker-sync ack soon”" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        run(tmp_path, source, writeback={"language": "zh"})
    assert "malformed" not in caplog.text, "each command is read once"
    say_on_github(gh, second, "pm-token", "/tracker-sync ack 500d 客户下季度再定")
    report, _ = run(tmp_path, source, writeback={"language": "zh"})
    acked = [f for f in report["findings"] if f.get("acknowledged")]
    assert [f["subject"] for f in acked] == [f"acme/portal#{second}"]
    assert acked[0]["acknowledged"]["until"] == str(TODAY + timedelta(days=90))
    body = own_body(gh, second)
    assert "申请了 500 天" in body and "已按 90 天处理" in body and "“pm-carol”于" in body


def test_jira_cloud_adf_ack_comment(make_jira, tmp_path):
    jira = make_jira(
        users={"bot": {"displayName": "Tracker Bot"}, "pm-carol": {"displayName": "Carol"}},
        basic={(JIRA_EMAIL, JIRA_TOKEN): "bot", ("carol@acme.example", "c-token"): "pm-carol"},
    )
    (key,) = flag_jira(jira, 1)
    source = jira_source(jira)
    run(tmp_path, source)
    adf = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "/tracker-sync ack 7d"}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "see the minutes"}]},
        ],
    }
    answer = requests.post(
        f"{jira.base_url}/rest/api/3/issue/{key}/comment",
        json={"body": adf},
        auth=("carol@acme.example", "c-token"),
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    report, code = run(tmp_path, source)
    assert code == 0, report
    (finding,) = report["findings"]
    assert finding["acknowledged"]["by"] == "pm-carol"
    assert finding["acknowledged"]["until"] == str(TODAY + timedelta(days=7))
    assert writes(report) == [("update", True)]
    assert run(tmp_path, source)[0]["writes"] == []


def test_pingcode_html_ack_comment(make_worktile, tmp_path):
    wt = make_worktile(apps={("pc-client", "pc-secret"): "bot", ("pm-app", "pm-secret"): "pm"})
    (item,) = flag_worktile(wt, 1)
    source = worktile_source(wt)
    run(tmp_path, source, writeback={"language": "zh"})
    token = requests.get(
        f"{wt.base_url}/v1/auth/token",
        params={"grant_type": "client_credentials", "client_id": "pm-app",
                "client_secret": "pm-secret"},
        timeout=10,
    ).json()["access_token"]  # fmt: skip
    answer = requests.post(
        f"{wt.base_url}/v1/comments",
        json={"principal_type": "work_item", "principal_id": item,
              "content": "<p>/tracker-sync ack 10d 等客户&amp;法务</p><p>谢谢</p>"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    # PingCode has no comment feed: an item's comments are read when the item changed
    wt.edit_item(item, by="pm")
    report, code = run(tmp_path, source, writeback={"language": "zh"})
    assert code == 0, report
    (finding,) = report["findings"]
    assert finding["acknowledged"]["reason"] == "等客户&法务"
    assert [w["action"] for w in report["writes"]] == ["update"]
    (comment,) = [c for c in wt.live_comments(item) if c["created_by"] == "bot"]
    assert "已确认知悉" in comment["content"] and "等客户&amp;法务" in comment["content"]
    assert run(tmp_path, source, writeback={"language": "zh"})[0]["writes"] == []


def test_quiet_hours_defer_the_writes_then_the_first_run_after_sends_them(make_github, tmp_path):
    gh = github(make_github)
    flag_github(gh, 2)
    source = github_source(gh)
    quiet = {"quiet_hours": "20:00-08:00", "timezone": "Asia/Shanghai"}
    night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # 07:30 in Shanghai: inside
    report, code = run(tmp_path, source, writeback=quiet, now=night)
    assert code == 0, report
    assert [(w["action"], w["done"], w.get("deferred")) for w in report["writes"]] == [
        ("create", False, True)
    ] * 2
    assert gh.writes_made() == []
    statuses = rows(tmp_path / "store.db", "select status from writes")
    assert statuses == [{"status": "deferred"}] * 2
    morning = night + timedelta(minutes=30)  # 08:00 in Shanghai: the window is over
    report, _ = run(tmp_path, source, writeback=quiet, now=morning)
    assert writes(report) == [("create", True)] * 2 and len(gh.writes_made()) == 2
    assert run(tmp_path, source, writeback=quiet, now=morning)[0]["writes"] == []


def cli_config(tmp_path, *sources) -> str:
    lines = [f'[store]\npath = "{tmp_path / "store.db"}"\n[rules]\nclient_accounts = ["client-pm"]']
    for source in sources:
        lines.append("[[sources]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in source.items()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_cli_ack_and_unack_as_a_real_process(make_github, tmp_path):
    first, second = github(make_github), github(make_github)
    flag_github(first, 1), flag_github(second, 1)
    sources = github_source(first), github_source(second, name="mirror-github")
    assert writes(run(tmp_path, *sources)[0]) == [("create", True)] * 2
    config = cli_config(tmp_path, *sources)
    first.clear_log()
    both = run_cli("ack", "acme/portal#1", "--config", config)
    assert both.returncode == 2 and both.stdout == ""
    assert both.stderr.strip().splitlines() == [
        "tracker-sync: 'acme/portal#1' is in several sources (acme-github, mirror-github):"
        " name one with --source"
    ]
    unknown = run_cli("ack", "acme/portal#99", "--config", config)
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert "unknown subject 'acme/portal#99'" in unknown.stderr
    done = run_cli(
        "ack", "acme/portal#1", "--source", "acme-github", "--days", "200",
        "--reason", "client on holiday", "--config", config,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "held to 90" in done.stdout and first.log == [], "the CLI writes only the store"
    report, _ = run(tmp_path, *sources)
    acked = [f for f in report["findings"] if f.get("acknowledged")]
    assert [f["source"] for f in acked] == ["acme-github"]
    ack = acked[0]["acknowledged"]
    assert (ack["by"], ack["origin"], ack["reason"]) == (
        getpass.getuser(),
        "cli",
        "client on holiday",
    )
    assert ack["until"] == str(TODAY + timedelta(days=90))
    assert [(w["source"], w["action"]) for w in report["writes"]] == [("acme-github", "update")]
    assert "“client on holiday”" in own_body(first, 1) and "200 days were asked" in own_body(
        first, 1
    )
    assert run(tmp_path, *sources)[0]["writes"] == []
    status = run_cli("status", "--config", config).stdout
    assert "acme-github    unconfirmed_requirement  open 1, acked 1, resolved 0" in status
    assert "mirror-github  unconfirmed_requirement  open 1, acked 0, resolved 0" in status
    ended = run_cli("unack", "acme/portal#1", "--source", "acme-github", "--db",
                    str(tmp_path / "store.db"), "--config", config)  # fmt: skip
    assert ended.returncode == 0 and "1 acknowledgements ended" in ended.stdout
    report, _ = run(tmp_path, *sources)
    assert writes(report) == [("update", True)] and not any(
        f.get("acknowledged") for f in report["findings"]
    )
    assert "Work on this requirement started" in own_body(first, 1)


def test_an_ignore_label_and_per_source_rules_resolve_findings(make_github, tmp_path):
    gh = github(make_github)
    first, second = flag_github(gh, 2)
    source = github_source(gh)
    assert writes(run(tmp_path, source)[0]) == [("create", True)] * 2
    gh.edit_issue(first, labels=["requirement", "in progress", "Tracker-Sync:Ignore"])
    report, _ = run(tmp_path, source)
    assert [f["subject"] for f in report["findings"]] == [f"acme/portal#{second}"]
    assert writes(report) == [("resolve", True)]
    assert "resolved" in own_body(gh, first)
    only_milestones = github_source(gh, rules=["slipping_milestone"])
    report, _ = run(tmp_path, only_milestones)
    assert report["findings"] == [] and writes(report) == [("resolve", True)]
    resolved = rows(
        tmp_path / "store.db", "select subject from finding_events where event = 'resolved'"
    )
    assert len(resolved) == 2
    status = run_cli("status", "--db", str(tmp_path / "store.db")).stdout
    assert "acme-github  unconfirmed_requirement  open 0, acked 0, resolved 2" in status


def test_a_milestone_finding_is_acknowledged_from_any_item_carrying_it(make_github, tmp_path):
    gh = github(make_github)
    number = gh.add_milestone("R1", due_on="2026-11-15T08:00:00Z")["number"]
    first, second = (
        gh.add_issue(f"R1 work {n}", milestone=number, created_at="2026-11-01T10:00:00Z")["number"]
        for n in range(2)
    )
    source = github_source(gh)
    report, _ = run(tmp_path, source)
    assert [f["subject"] for f in report["findings"]] == ["R1"]
    assert writes(report) == [("create", True)] * 2, "the milestone's finding on each open item"
    say_on_github(gh, second, "pm-token", "/tracker-sync ack 14d re-planning with the client")
    report, _ = run(tmp_path, source)
    (finding,) = report["findings"]
    assert finding["acknowledged"]["reason"] == "re-planning with the client"
    assert writes(report) == [("update", True)] * 2, "each comment showing it, once"
    for item in (first, second):
        assert "Slipping milestone — acknowledged" in own_body(gh, item)
    text = "\n".join(text_lines(report))
    assert "findings: none" in text and "acknowledged: 1" in text
    assert "acme-github R1: Slipping milestone — acknowledged by pm-carol until" in text
    assert run(tmp_path, source, as_of=TODAY + timedelta(days=3))[0]["writes"] == [], (
        "days overdue grow, the ack holds"
    )
