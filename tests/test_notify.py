"""Chat digests against the four sandbox receivers (Feishu, DingTalk, WeCom, Slack): the real
pipeline pulls a GitHub sandbox, opens findings and posts signed digests over loopback; the
receivers check signatures, sizes and rate limits as the platforms do."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from sandbox.chat import DingTalkReceiver, FeishuReceiver, SlackReceiver, WeComReceiver
from sync.notify.catalogue import TEXT
from sync.report.verdict import verdict_from_findings
from sync.settings import ConfigError, build_settings, resolve_secrets
from tests.conftest import github_source, jira_source, rows, run_cli, sync, write_config

AS_OF = date(2026, 11, 20)
FEISHU_TOKEN, FEISHU_SECRET = "fs-token-0b1c", "fs-secret-9d8e"
DING_TOKEN, DING_SECRET = "dt-token-7a6b", "SECdt-secret-5c4d"
WECOM_KEY = "wc-key-3e2f-1a0b"
SLACK_PATH = "/services/T0SANDBOX/B0SANDBOX/slk-secret-6f5e"
SECRET_WORDS = (FEISHU_TOKEN, FEISHU_SECRET, DING_TOKEN, DING_SECRET, WECOM_KEY, "slk-secret-6f5e")


@pytest.fixture
def chats():
    receivers = {
        "feishu": FeishuReceiver(FEISHU_TOKEN, FEISHU_SECRET),
        "dingtalk": DingTalkReceiver(DING_TOKEN, DING_SECRET),
        "wecom": WeComReceiver(WECOM_KEY),
        "slack": SlackReceiver(SLACK_PATH),
    }
    for receiver in receivers.values():
        receiver.start()
    yield receivers
    for receiver in receivers.values():
        receiver.stop()


@pytest.fixture
def chat_env(chats, monkeypatch):
    env = {
        "T_FEISHU_HOOK": chats["feishu"].webhook_url,
        "T_FEISHU_SECRET": FEISHU_SECRET,
        "T_DING_HOOK": chats["dingtalk"].webhook_url,
        "T_DING_SECRET": DING_SECRET,
        "T_WECOM_HOOK": chats["wecom"].webhook_url,
        "T_SLACK_HOOK": chats["slack"].webhook_url,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def channels(on=("new_high",), **extra):
    base = [
        {"kind": "feishu", "webhook_env": "T_FEISHU_HOOK", "secret_env": "T_FEISHU_SECRET"},
        {"kind": "dingtalk", "webhook_env": "T_DING_HOOK", "secret_env": "T_DING_SECRET"},
        {"kind": "wecom", "webhook_env": "T_WECOM_HOOK", "language": "zh"},
        {"kind": "slack", "webhook_env": "T_SLACK_HOOK"},
    ]
    return [{**c, "on": list(on), **extra} for c in base]


def overdue(gh, title, open_items=1):
    number = gh.add_milestone(
        title, due_on="2026-11-15T08:00:00Z", created_at="2026-11-01T10:00:00Z"
    )
    for n in range(open_items):
        gh.add_issue(
            f"{title} open {n}", milestone=number["number"], created_at="2026-11-01T10:00:00Z"
        )


def run(tmp_path, gh, notify, **options):
    options.setdefault("as_of", AS_OF)
    return sync(tmp_path / "store.db", github_source(gh), settings={"notify": notify}, **options)


def by_name(report):
    return {entry["name"]: entry for entry in report["notifications"]}


def received(chats):
    return {name: len(receiver.received) for name, receiver in chats.items()}


def test_a_signed_digest_per_channel_after_new_high_findings_then_nothing_on_a_quiet_rerun(
    make_github, chats, chat_env, tmp_path
):
    gh = make_github()
    overdue(gh, "R1", open_items=3)
    report, code = run(tmp_path, gh, channels())
    assert code == 0, report["notifications"]
    assert {n: e["status"] for n, e in by_name(report).items()} == dict.fromkeys(chats, "sent")
    assert received(chats) == dict.fromkeys(chats, 1)
    feishu = chats["feishu"].received[0]
    assert feishu.body["sign"] and feishu.body["timestamp"], "Feishu signs in the body"
    assert chats["dingtalk"].received[0].query["sign"], "DingTalk signs in the query"
    milestone_url = rows(tmp_path / "store.db", "select url from milestones")[0]["url"]
    assert milestone_url.startswith("http")
    text = chats["feishu"].texts()[0]
    assert "R1 (acme-github) — verdict: off track" in text.replace(f"[R1]({milestone_url})", "R1")
    assert "opened [HIGH] [R1](" in text
    zh = chats["wecom"].texts()[0]
    assert "结论：偏离计划" in zh and "新增【高】" in zh and "（acme-github）" in zh
    assert f"<{milestone_url}|R1>" in chats["slack"].texts()[0]
    sent = rows(tmp_path / "store.db", "select channel, status from notifications")
    assert sorted(r["channel"] for r in sent if r["status"] == "sent") == sorted(chats)

    report, code = run(tmp_path, gh, channels())
    assert code == 0
    assert received(chats) == dict.fromkeys(chats, 1), "nothing new: nothing sent"
    assert {e["status"] for e in report["notifications"]} == {"quiet"}


def test_a_sprint_whose_issues_are_also_in_a_version_is_counted_by_its_own_members(
    make_jira, chats, chat_env, tmp_path
):
    """An issue in a fix version and a sprint: the sprint's verdict counts it too (an issue
    records one milestone, the version; its memberships hold both), so an overdue sprint with
    open work is off track, never "done"."""
    jira = make_jira()
    version = jira.add_version("3.0", release_date="2026-12-20", start_date="2026-11-02")
    sprint = jira.add_sprint("S8", start="2026-11-02T09:00:00.000Z", end="2026-11-15T09:00:00.000Z")
    for n in range(2):
        jira.add_issue(
            f"Work {n}",
            issuetype="Task",
            fix_versions=[version["id"]],
            sprints=[sprint["id"]],
            created="2026-11-01T09:00:00Z",
        )
    notify = channels()[-1:]  # slack
    report, code = sync(
        tmp_path / "store.db", jira_source(jira), settings={"notify": notify}, as_of=AS_OF
    )
    assert code == 0, report["notifications"]
    text = chats["slack"].texts()[0]
    assert "S8" in text and "verdict: off track" in text.split("S8", 1)[1].splitlines()[0]


def test_a_dry_run_sends_nothing_and_prints_each_message(make_github, chats, chat_env, tmp_path):
    gh = make_github()
    overdue(gh, "R1")
    report, code = run(tmp_path, gh, channels(), dry_run=True)
    assert code == 0
    assert received(chats) == dict.fromkeys(chats, 0)
    for entry in report["notifications"]:
        assert entry["status"] == "dry_run" and "R1" in entry["message"], entry
    assert not rows(tmp_path / "store.db", "select * from notifications")


def test_a_wrong_secret_fails_that_channel_only_and_the_next_run_retries_it(
    make_github, chats, chat_env, tmp_path, monkeypatch
):
    gh = make_github()
    overdue(gh, "R1")
    monkeypatch.setenv("T_FEISHU_SECRET", "not-the-secret")
    report, code = run(tmp_path, gh, channels())
    assert code == 1
    feishu = by_name(report)["feishu"]
    assert feishu["status"] == "failed"
    assert feishu["error"].startswith("Feishu code 19021: sign match fail")
    assert received(chats) == {"feishu": 0, "dingtalk": 1, "wecom": 1, "slack": 1}
    refused = chats["feishu"].refused[0]
    assert refused["code"] == 19021

    monkeypatch.setenv("T_FEISHU_SECRET", FEISHU_SECRET)
    report, code = run(tmp_path, gh, channels())
    assert code == 0, report["notifications"]
    assert received(chats) == dict.fromkeys(chats, 1), "retried although nothing is new"
    assert "R1" in chats["feishu"].texts()[0]
    report, code = run(tmp_path, gh, channels())
    assert received(chats) == dict.fromkeys(chats, 1), "and never twice"
    attempts = rows(
        tmp_path / "store.db", "select status, digest from notifications where channel = 'feishu'"
    )
    assert [a["status"] for a in attempts] == ["failed", "sent"]
    assert attempts[0]["digest"] == attempts[1]["digest"], "the same digest, retried"


def test_a_digest_over_the_size_limit_is_cut_with_and_n_more(
    make_github, chats, chat_env, tmp_path
):
    gh = make_github()
    for n in range(60):
        overdue(gh, f"Release {n:02d} with a long enough name to take some room")
    report, code = run(tmp_path, gh, channels())
    assert code == 0, report["notifications"]
    assert received(chats) == dict.fromkeys(chats, 1), "every platform accepted its cut digest"
    wecom = chats["wecom"].texts()[0]
    assert len(wecom.encode()) <= 4096
    shown = wecom.count("新增【高】")
    assert 0 < shown < 60 and f"……另有 {60 - shown} 项" in wecom
    slack = chats["slack"].received[0].body["blocks"]
    assert len(slack) <= 50
    shown = sum(text.count("opened [HIGH]") for text in chats["slack"].texts())
    assert 0 < shown < 60 and f"and {60 - shown} more" in chats["slack"].texts()[0]
    feishu = chats["feishu"].texts()[0]
    shown = feishu.count("opened [HIGH]")
    assert 0 < shown < 60 and feishu.endswith(f"… and {60 - shown} more")


def test_a_burst_over_the_rate_limit_is_deferred_then_sent_never_dropped(
    make_github, chats, chat_env, tmp_path
):
    gh = make_github()
    overdue(gh, "R1")
    chats["wecom"].fill_rate_window()
    chats["slack"].fill_rate_window()
    report, code = run(tmp_path, gh, channels())
    assert code == 0, "a deferred message is not a failure"
    statuses = {n: e["status"] for n, e in by_name(report).items()}
    assert statuses == {
        "feishu": "sent",
        "dingtalk": "sent",
        "wecom": "deferred",
        "slack": "deferred",
    }
    assert "45009" in by_name(report)["wecom"]["error"]
    assert "429" in by_name(report)["slack"]["error"]
    assert received(chats) == {"feishu": 1, "dingtalk": 1, "wecom": 0, "slack": 0}
    for name in ("wecom", "slack"):
        chats[name].clear_rate_window()  # the minute has passed
    report, code = run(tmp_path, gh, channels())
    assert received(chats) == dict.fromkeys(chats, 1)
    assert "R1" in chats["wecom"].texts()[0]


def test_a_burst_of_retries_over_our_own_count_waits_for_the_next_run_never_dropped(
    make_github, chats, chat_env, tmp_path, monkeypatch
):
    """Feishu takes 5 messages a second: three runs in one frozen second, each failing (wrong
    secret) and retrying the ones before, reach it; the sixth attempt is held back, and the
    run after delivers every digest, oldest first."""
    gh = make_github()
    feishu = [channels()[0]]
    monkeypatch.setenv("T_FEISHU_SECRET", "not-the-secret")
    with time_machine.travel(datetime(2026, 11, 20, 6, 0, tzinfo=UTC), tick=False):
        for n in range(3):
            overdue(gh, f"R{n}")
            run(tmp_path, gh, feishu)
    statuses = [
        r["status"] for r in rows(tmp_path / "store.db", "select status from notifications")
    ]
    assert statuses == ["failed", "failed", "failed", "failed", "failed", "deferred"]
    monkeypatch.setenv("T_FEISHU_SECRET", FEISHU_SECRET)
    with time_machine.travel(datetime(2026, 11, 20, 6, 0, 2, tzinfo=UTC), tick=False):
        report, code = run(tmp_path, gh, feishu)
    assert code == 0 and by_name(report)["feishu"]["sent"] == 3
    texts = chats["feishu"].texts()
    assert ["R0" in texts[0], "R1" in texts[1], "R2" in texts[2]] == [True, True, True]


def test_the_daily_digest_comes_once_a_day_at_daily_at_in_the_channel_time_zone(
    make_github, chats, chat_env, tmp_path
):
    gh = make_github()
    overdue(gh, "R1")
    daily = [
        {"kind": "slack", "webhook_env": "T_SLACK_HOOK", "on": ["daily"], "daily_at": "09:00"}
        | {"timezone": "Asia/Shanghai"}
    ]
    with time_machine.travel(datetime(2026, 11, 20, 0, 30, tzinfo=UTC), tick=False):
        run(tmp_path, gh, daily)  # 08:30 in Shanghai
    assert len(chats["slack"].received) == 0
    with time_machine.travel(datetime(2026, 11, 20, 1, 10, tzinfo=UTC), tick=False):
        report, _ = run(tmp_path, gh, daily)
    assert len(chats["slack"].received) == 1
    assert chats["slack"].received[0].body["blocks"][0]["text"]["text"].endswith("daily digest")
    with time_machine.travel(datetime(2026, 11, 20, 5, 0, tzinfo=UTC), tick=False):
        run(tmp_path, gh, daily)
    with time_machine.travel(datetime(2026, 11, 21, 1, 5, tzinfo=UTC), tick=False):
        report, _ = run(tmp_path, gh, daily)
    assert len(chats["slack"].received) == 1, "nothing opened, reopened or resolved since"
    gh.edit_issue(1, at="2026-11-21T02:00:00Z", state="closed")
    with time_machine.travel(datetime(2026, 11, 22, 1, 5, tzinfo=UTC), tick=False):
        run(tmp_path, gh, daily, as_of=date(2026, 11, 22))
    assert len(chats["slack"].received) == 2
    assert "resolved [HIGH]" in chats["slack"].texts()[1]
    assert "verdict: done" in chats["slack"].texts()[1]


def test_a_channel_sees_only_its_sources(make_github, chats, chat_env, tmp_path):
    gh = make_github()
    overdue(gh, "R1")
    report, _ = run(tmp_path, gh, channels(sources=["elsewhere"]))
    assert received(chats) == dict.fromkeys(chats, 0)
    assert {e["status"] for e in report["notifications"]} == {"quiet"}


def test_no_webhook_url_key_or_secret_in_any_output_log_store_or_report(
    make_github, chats, chat_env, tmp_path
):
    gh = make_github()
    overdue(gh, "R1")
    notify = "".join(
        f'\n[[notify]]\nkind = "{c["kind"]}"\nwebhook_env = "{c["webhook_env"]}"\n'
        + (f'secret_env = "{c["secret_env"]}"\n' if "secret_env" in c else "")
        + 'on = ["new_high"]\n'
        for c in channels()
    )
    source = github_source(gh)
    config = write_config(
        tmp_path / "config.toml",
        "[writeback]\nenabled = false\n\n[[sources]]\n"
        + "".join(
            f"{k} = {v!r}\n".replace("'", '"')
            for k, v in source.items()
            if not isinstance(v, int | float)
        )
        + "retry_backoff_seconds = 0.01\nmin_write_interval_seconds = 0\n"
        + notify,
    )
    env = {
        **chat_env,
        "T_FEISHU_SECRET": "wrong-" + FEISHU_SECRET,
        "TEST_GITHUB_TOKEN": "ghp_sandbox_token",
    }
    db = tmp_path / "store.db"
    outputs = []
    for extra in (["--dry-run"], ["--json"], []):
        result = run_cli("--config", str(config), "--db", str(db), "-v", *extra, env=env)
        outputs += [result.stdout, result.stderr]
    assert "chat digests:" in outputs[0] and "| tracker-sync: new high findings" in outputs[0]
    assert "dry_run" in outputs[0], "the dry run prints each message it would send"
    assert result.returncode == 1 and "19021" in result.stderr, result.stderr
    assert sum(len(r.received) for r in chats.values()) == 3
    places = {f"output {n}": text.encode() for n, text in enumerate(outputs)}
    for path in tmp_path.iterdir():
        if path.name != "config.toml":
            places[path.name] = path.read_bytes()
    for word in (*SECRET_WORDS, *(v for v in chat_env.values())):
        for place, content in places.items():
            assert word.encode() not in content, f"{word} leaked into {place}"


def test_the_demo_posts_a_digest_to_each_chat_and_leaks_none_of_their_secrets(tmp_path):
    from sandbox.demo.chats import CHAT_SECRETS

    result = run_cli(
        "--demo",
        "-v",
        "--db",
        str(tmp_path / "demo.db"),
        cwd=tmp_path,
        env={"TRACKER_SYNC_CONFIG": ""},
    )
    assert result.returncode == 0, result.stderr
    for kind in ("feishu", "dingtalk", "wecom", "slack"):
        assert f"--- {kind}" in result.stdout, "each chat shows the digest it received"
    assert "结论：" in result.stdout and "verdict: " in result.stdout
    places = {"stdout": result.stdout.encode(), "stderr": result.stderr.encode()}
    places.update({p.name: p.read_bytes() for p in tmp_path.iterdir()})
    for name, secret in CHAT_SECRETS.items():
        for place, content in places.items():
            assert secret.encode() not in content, f"{name} leaked into {place}"


def test_a_missing_webhook_variable_is_a_config_error_naming_the_key(monkeypatch):
    monkeypatch.delenv("T_NOWHERE", raising=False)
    settings = build_settings({"notify": [{"kind": "wecom", "webhook_env": "T_NOWHERE"}]})
    with pytest.raises(ConfigError, match=r"notify\[wecom\]\.webhook_env: .*T_NOWHERE is not set"):
        resolve_secrets(settings, [])


def test_the_catalogues_have_the_same_keys():
    assert TEXT["en"].keys() == TEXT["zh"].keys()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"due_date": "2026-12-01", "open_items": 0}, "done"),
        ({"due_date": "2026-11-19", "open_items": 2}, "off_track"),
        (
            {
                "due_date": "2026-12-01",
                "open_items": 2,
                "findings": [
                    {
                        "rule": "slipping_milestone",
                        "evidence": {
                            "reasons": [
                                {"reason": "forecast", "p50": "2026-12-05", "p85": "2026-12-20"}
                            ]
                        },
                    }
                ],
            },
            "off_track",
        ),
        (
            {
                "due_date": "2026-12-01",
                "open_items": 2,
                "findings": [
                    {
                        "rule": "slipping_milestone",
                        "evidence": {
                            "reasons": [
                                {"reason": "forecast", "p50": "2026-11-28", "p85": "2026-12-20"}
                            ]
                        },
                    }
                ],
            },
            "at_risk",
        ),
        ({"due_date": "2026-12-01", "first_due_date": "2026-11-25", "open_items": 2}, "at_risk"),
        # pulled in earlier is not a slip (as the slipping rule and the report judge it)
        ({"due_date": "2026-12-01", "first_due_date": "2026-12-10", "open_items": 2}, "on_track"),
        (
            {"due_date": "2026-12-01", "open_items": 2, "findings": [{"rule": "scope_creep"}]},
            "at_risk",
        ),
        (
            {
                "due_date": None,
                "open_items": 2,
                "findings": [
                    {"rule": "unconfirmed_requirement", "evidence": {"work_started": True}}
                ],
            },
            "at_risk",
        ),
        ({"due_date": None, "open_items": 2}, "no_date"),
        (
            {
                "due_date": "2026-12-01",
                "open_items": 2,
                "findings": [
                    {"rule": "unconfirmed_requirement", "evidence": {"work_started": False}}
                ],
            },
            "on_track",
        ),
    ],
)
def test_milestone_verdict(case, expected):
    assert verdict_from_findings(as_of=AS_OF, **case) == expected
