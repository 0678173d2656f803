"""The status report over the demo's data: the demo's three sandbox trackers seeded, synced twice
with the team's edits between (as ``--demo`` does), then ``tracker-sync report`` run as a real
process. Numbers are checked against the sandboxes' own records, not against the store."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sandbox.jira.data import STATUSES
from sync.rules.finding import Finding
from sync.settings import WorktileSource
from sync.store import Store
from tests.conftest import synced_demo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's store after its two runs, and the truth read from the sandboxes."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    seen: dict[str, str] = {}

    def before_edits(github, jira, worktile):
        seen["first_due"] = github.milestones[1]["due_on"][:10]

    with synced_demo(db, before_edits) as (_, (github, jira, worktile)):
        truth = sandbox_truth(github, jira, worktile)
        truth[("demo-github", "Sprint 12")]["first_due"] = seen["first_due"]
        # committed two days (baseline_grace_days) after the milestone opened; what its
        # milestoned events put in later joined it
        opened = datetime.fromisoformat(github.milestones[1]["created_at"].replace("Z", "+00:00"))
        committed = (opened + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        truth[("demo-github", "Sprint 12")]["joined"] = {
            f"acme/portal#{e['issue']}": e["created_at"]
            for e in github.events.values()
            if e["event"] == "milestoned" and e["created_at"] > committed
        }
    return db, truth


def sandbox_truth(github, jira, worktile) -> dict[tuple[str, str], dict]:
    """Per milestone: its items (no pull request), how many are done, its due date."""
    truth = {}
    for number, milestone in github.milestones.items():
        items = [
            i for i in github.issues.values() if i["milestone"] == number and not i["pull_request"]
        ]
        done = sum(1 for i in items if i["state"] == "closed")
        truth[("demo-github", milestone["title"])] = {
            "total": len(items),
            "done": done,
            "due": milestone["due_on"][:10],
        }
    for vid, version in jira.versions.items():
        items = [i for i in jira.issues.values() if vid in i["fixVersions"]]
        done = sum(1 for i in items if STATUSES[i["status"]] == "done")
        truth[("demo-jira", version["name"])] = {
            "total": len(items),
            "done": done,
            "due": version["releaseDate"],
        }
    for item in worktile.items.values():
        if item["type"] == "milestone":
            members = [i for i in worktile.items.values() if i.get("parent") == item["id"]]
            done = sum(1 for i in members if i["state"] == "completed")
            # a PingCode date is a local date of the tenant (the source's timezone)
            zone = ZoneInfo(WorktileSource.model_fields["timezone"].default)
            due = datetime.fromtimestamp(item["end_at"], zone).date().isoformat()
            truth[("demo-pingcode", item["title"])] = {
                "total": len(members),
                "done": done,
                "due": due,
            }
    return truth


def report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "run_sync.py"), "report", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(scope="module")
def written(demo, tmp_path_factory):
    db, _ = demo
    out = {}
    for lang in ("en", "zh"):
        folder = tmp_path_factory.mktemp(f"report-{lang}")
        result = report("--db", str(db), "--out", str(folder), "--lang", lang)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(folder / "index.html")
        out[lang] = folder
    return out


def test_numbers_match_the_sandboxes(demo, written):
    _, truth = demo
    data = json.loads((written["en"] / "report.json").read_text())
    shown = {(m["source"], m["title"]): m for m in data["milestones"]}
    assert set(shown) == set(truth)
    for key, expected in truth.items():
        page = shown[key]
        assert page["numbers"]["total"] == expected["total"], key
        assert page["numbers"]["done"] == expected["done"], key
        assert page["numbers"]["open"] == expected["total"] - expected["done"], key
        assert page["due_date"] == expected["due"], key
    sprint = shown[("demo-github", "Sprint 12")]
    assert sprint["first_due_date"] == truth[("demo-github", "Sprint 12")]["first_due"]
    assert sprint["due_history"] == [
        {"from": sprint["first_due_date"], "to": sprint["due_date"], "by": None, "at": None}
    ]
    # the scope as the scope_creep rule computes it, against the sandbox's own history: what
    # was in the sprint two days after it opened, and what its milestoned events put in later
    joined = truth[("demo-github", "Sprint 12")]["joined"]
    scope = sprint["scope"]
    assert scope["finding"] is True and scope["removed"] == []
    assert scope["committed"] == truth[("demo-github", "Sprint 12")]["total"] - len(joined)
    assert {a["key"]: a["at"] for a in scope["added"]} == joined
    assert not any(a["documented"] for a in scope["added"])
    assert [m["due_date"] for m in data["milestones"]] == sorted(truth[k]["due"] for k in truth)


def test_a_past_day_counts_each_milestone_as_its_members_then_were(demo, tmp_path):
    """``report --as-of`` the day before items were put in Sprint 12 counts it without them,
    as the milestone rules count it as of that day."""
    db, truth = demo
    sprint = truth[("demo-github", "Sprint 12")]
    before = min(sprint["joined"].values())[:10]
    day = (date.fromisoformat(before) - timedelta(days=1)).isoformat()
    result = report("--db", str(db), "--out", str(tmp_path), "--as-of", day)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "report.json").read_text())
    page = next(m for m in data["milestones"] if m["title"] == "Sprint 12")
    assert sprint["joined"] and page["numbers"]["total"] == sprint["total"] - len(sprint["joined"])


def test_verdicts_and_the_rules_forecast(demo, written):
    db, _ = demo
    data = json.loads((written["en"] / "report.json").read_text())
    verdicts = {m["title"]: (m["verdict"], m["reasons"]) for m in data["milestones"]}
    assert verdicts["2.0"] == ("off_track", ["overdue", "unconfirmed_started"])
    assert verdicts["里程碑：一期上线"] == ("off_track", ["overdue", "unconfirmed_started"])
    assert verdicts["Sprint 12"] == ("off_track", ["p50_late", "moved", "scope_creep"])
    assert verdicts["2.1"] == ("on_track", [])
    # P50 and P85 are the slipping rule's, to the day
    evidence = finding_evidence(db, "Sprint 12")
    forecast = next(r for r in evidence["reasons"] if r["reason"] == "forecast")
    sprint = next(m for m in data["milestones"] if m["title"] == "Sprint 12")
    assert (sprint["forecast"]["p50"], sprint["forecast"]["p85"]) == (
        forecast["p50"],
        forecast["p85"],
    )
    release = next(m for m in data["milestones"] if m["title"] == "2.0")
    assert [f["key"] for f in release["unconfirmed"]] == ["ACME-1", "ACME-2"]
    assert [f["key"] for f in release["undocumented"]] == ["ACME-1"]
    assert data["verdicts"] == {"off_track": 3, "on_track": 1}


def finding_evidence(db: Path, subject: str) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute("select evidence from findings where subject = ?", [subject]).fetchone()
    finally:
        conn.close()
    return json.loads(row[0])


def test_pages_in_both_languages(written):
    en_index = (written["en"] / "index.html").read_text()
    zh_index = (written["zh"] / "index.html").read_text()
    assert "Off track" in en_index and "On track" in en_index
    assert "偏离计划" in zh_index and "按计划" in zh_index and "Off track" not in zh_index
    data = json.loads((written["zh"] / "report.json").read_text())
    for milestone in data["milestones"]:
        page = (written["zh"] / milestone["file"]).read_text()
        assert milestone["title"] in page and "截止日期" in page
        assert f'href="{milestone["file"]}"' in zh_index
    sprint = (written["en"] / "demo-github--sprint-12.html").read_text()
    assert "originally due" in sprint and "<svg" in sprint
    release = (written["en"] / "demo-jira--2-0.html").read_text()
    assert "Invoice export as PDF and CSV, batched" in release  # the undocumented change
    assert "Requirements waiting for your confirmation" in release


def test_self_contained(written):
    for page in written["en"].glob("*.html"):
        text = page.read_text()
        assert "<script" not in text and "javascript:" not in text.lower(), page
        assert "<link" not in text and "@import" not in text and "src=" not in text, page
        assert "@page { size: A4" in text and "@media print" in text
        assert 'name="viewport"' in text


def test_the_store_is_not_modified(demo, tmp_path):
    db, _ = demo
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    mode = db.stat().st_mode
    os.chmod(db, 0o400)  # a shard mounted read-only
    try:
        assert report("--db", str(db), "--out", str(tmp_path)).returncode == 0
    finally:
        os.chmod(db, mode)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_portfolio_over_two_stores_and_one_milestone(demo, tmp_path):
    db, _ = demo
    second = tmp_path / "other.db"
    second.write_bytes(db.read_bytes())
    result = report("--db", str(db), "--db", str(second), "--out", str(tmp_path / "r"))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "r" / "report.json").read_text())
    assert len(data["stores"]) == 2 and len(data["milestones"]) == 8
    assert len({m["file"] for m in data["milestones"]}) == 8  # no page overwrites another
    only = report("--db", str(db), "--out", str(tmp_path / "o"), "--milestone", "2.1")
    assert only.returncode == 0, only.stderr
    data = json.loads((tmp_path / "o" / "report.json").read_text())
    assert [m["title"] for m in data["milestones"]] == ["2.1"]


def test_bad_stores_are_one_line_exit_2(tmp_path):
    missing = report("--db", str(tmp_path / "nope.db"), "--out", str(tmp_path))
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    wrong = report("--db", str(junk), "--out", str(tmp_path))
    for result in (missing, wrong):
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert "nope.db" in missing.stderr and "junk.db" in wrong.stderr


def test_findings_of_this_rounds_rules_and_acks_are_shown_escaped(demo, tmp_path):
    """The scope the scope_creep rule found in the demo, a client's question and an ack show on
    the page; the client's and the team's text is escaped."""
    db, truth = demo
    copy = tmp_path / "store.db"
    copy.write_bytes(db.read_bytes())
    store = Store(copy)
    question = {"who": "client-pm", "asked_at": "2026-11-25T08:00:00Z", "question": "<b>When?</b>"}
    store.save_findings(
        [
            Finding(
                "unanswered_client",
                "demo-github",
                "item",
                "acme/portal#10",
                "10",
                "warning",
                "a question",
                question,
            ),
        ],
        ["unanswered_client"],
    )
    store.close()
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute(
            "insert into acks (rule, source, subject, by, at, until, reason, origin, digest)"
            " values ('slipping_milestone', 'demo-github', 'Sprint 12', 'pm-carol',"
            " '2026-11-26T10:00:00Z', '2026-12-10', 'agreed <i>with</i> the client', 'comment',"
            " 'd1')"
        )
    conn.close()
    result = report("--db", str(copy), "--out", str(tmp_path / "r"), "--milestone", "Sprint 12")
    assert result.returncode == 0, result.stderr
    sprint = json.loads((tmp_path / "r" / "report.json").read_text())["milestones"][0]
    joined = truth[("demo-github", "Sprint 12")]["joined"]
    assert len(sprint["scope"]["added"]) == len(joined)
    assert sprint["reasons"] == ["p50_late", "moved", "scope_creep"]
    assert [q["who"] for q in sprint["questions"]] == ["client-pm"]
    assert sprint["acks"][0]["reason"] == "agreed <i>with</i> the client"
    page = (tmp_path / "r" / "demo-github--sprint-12.html").read_text()
    assert "&lt;b&gt;When?&lt;/b&gt;" in page and "<b>When?" not in page
    assert "agreed &lt;i&gt;with&lt;/i&gt; the client" in page and "pm-carol" in page
    assert all(key in page for key in joined) and "undocumented" in page
