"""The text run report in the run's language, problems included: a source that failed (a token
refused, a host that cannot be reached) and a write not done read as Chinese in a zh run, with
only quoted names, hosts and the tracker's own words left as they are; an English run's lines
stay word for word what logs and cron mails carry; ``--json`` keeps its keys and values."""

from __future__ import annotations

import json
import re
import socket
from urllib.parse import urlsplit

import pytest
import requests

from connectors.errors import TrackerError, describe_unreachable, from_response
from sync.report.problem_text import render
from sync.report.run_report import notification_lines, text_lines
from sync.writeback.catalogue import CATALOGUE
from tests.conftest import GITHUB_TOKEN, github_source, run_cli
from tests.operator_helpers import config_file
from tests.test_notify import channels, chat_env, chats, overdue  # noqa: F401 - fixtures
from tests.test_notify import run as notify_run
from tests.test_writeback import flag_github, run


def host(sandbox) -> str:
    return urlsplit(sandbox.base_url).netloc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def failing_run(tmp_path, make_github, language: str, *extra: str):
    """Three sources: one whose token is refused, one whose host refuses connections, one that
    pulls but cannot write its comment (a locked issue answers 403)."""
    refused, fine = make_github(), make_github()
    locked = fine.add_issue("Login page", labels=["requirement", "in progress"])["number"]
    fine.locked.add(locked)
    port = free_port()
    sources = [
        github_source(refused, name="acme-github", token_env="REVOKED_TOKEN"),
        github_source(fine, name="acme-down", base_url=f"http://127.0.0.1:{port}", max_attempts=1),
        github_source(fine, name="acme-web"),
    ]
    settings = {"writeback": {"language": language}}
    result = run_cli(
        "--config",
        config_file(tmp_path, *sources, settings=settings),
        "-q",
        *extra,
        env={"REVOKED_TOKEN": "ghp_revoked", "TEST_GITHUB_TOKEN": GITHUB_TOKEN},
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result, port, refused, fine


def test_a_chinese_report_says_every_problem_in_chinese(tmp_path, make_github):
    result, port, refused, fine = failing_run(tmp_path, make_github, "zh")
    out = result.stdout
    lines = out.splitlines()
    assert "acme-github  github  失败" in out and "acme-web     github  正常" in out
    assert (
        f"  ! acme-github：{host(refused)} 拒绝了凭据（HTTP 401：“Bad credentials”）"
        "（请检查“token_env”所指环境变量中的令牌）" in lines
    )
    assert f"  ! acme-down：无法连接 127.0.0.1:{port}：连接被拒绝" in lines
    write = next(line for line in lines if line.startswith("  新建"))
    assert write.endswith(
        f" 未完成（acme-web：{host(fine)} 拒绝了凭据（HTTP 403："
        "“Unable to create comment because issue is locked.”））"
    )
    found = [line for line in lines if line.startswith("    acme/portal#")]
    assert any("：需求未经客户确认——" in line for line in found), found  # a Chinese colon
    assert "ghp_revoked" not in out and GITHUB_TOKEN not in out
    assert_no_english_word(out, names=("acme-github", "acme-down", "acme-web", "github"))


def assert_no_english_word(report: str, names: tuple[str, ...]) -> None:
    """As the zh comment check does: nothing Latin is left once the quoted values (tracker and
    configured text), names, hosts, keys, links, dates and the product's name are taken out."""
    prose = re.sub(r"“[^”]*”", "", report)
    prose = re.sub(r"https?://\S+", "", prose)
    for name in names:
        prose = prose.replace(name, "")
    prose = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z?", "", prose)  # timestamps
    prose = re.sub(r"[\w.-]+/[\w.-]+#\d+", "", prose)  # item keys
    prose = prose.replace("tracker-sync", "").replace("HTTP", "")
    assert re.findall(r"[A-Za-z]{2,}", prose) == [], prose


def test_an_english_report_is_unchanged(tmp_path, make_github):
    result, port, _, _ = failing_run(tmp_path, make_github, "en")
    lines = result.stdout.splitlines()
    assert (
        "  ! acme-github: HTTP 401: Bad credentials"
        " (check the token in the variable named by token_env)" in lines
    )
    assert f"  ! acme-down: cannot connect to 127.0.0.1:{port}: connection refused" in lines
    assert any(
        line.startswith("  create  acme-web acme/portal#")
        and line.endswith(
            " NOT DONE (acme-web: HTTP 403: Unable to create comment because issue is locked.)"
        )
        for line in lines
    ), lines
    assert "acme-github  github  failed" in result.stdout
    found = [line for line in lines if line.startswith("    acme/portal#")]
    assert any(": Unconfirmed requirement — " in line for line in found), found


def test_the_json_report_keeps_its_values_and_adds_the_kind(tmp_path, make_github):
    result, port, _, _ = failing_run(tmp_path, make_github, "zh", "--json")
    report = json.loads(result.stdout)
    by_name = {s["name"]: s for s in report["sources"]}
    assert [by_name[n]["status"] for n in ("acme-github", "acme-down", "acme-web")] == [
        "failed",
        "failed",
        "ok",
    ]
    assert by_name["acme-github"]["error"] == (
        "acme-github: HTTP 401: Bad credentials"
        " (check the token in the variable named by token_env)"
    )
    assert by_name["acme-github"]["error_kind"] == "auth"
    assert by_name["acme-down"]["error_kind"] == "cannot_connect"
    assert by_name["acme-down"]["error_facts"]["host"] == f"127.0.0.1:{port}"
    assert by_name["acme-web"]["error"] is None and "error_kind" not in by_name["acme-web"]
    write = report["writes"][0]
    assert write["done"] is False and write["error_kind"] == "auth"
    assert "ghp_revoked" not in result.stdout


# -- the English templates give back the English error, word for word ------------------------


def answer(status: int, body: dict) -> requests.Response:
    response = requests.Response()
    response.status_code, response.url = status, "https://tracker.example/api/x?token=s3cret"
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return response


WIRE_FAILURES = [
    requests.ConnectionError("Connection refused"),
    requests.ConnectionError("Name or service not known"),
    requests.exceptions.SSLError("certificate verify failed"),
    requests.exceptions.SSLError("handshake"),
    requests.exceptions.ConnectTimeout("x"),
    requests.exceptions.ReadTimeout("x"),
    requests.exceptions.ChunkedEncodingError("x"),
    requests.ConnectionError("RemoteDisconnected"),
    requests.ConnectionError("something else"),
    requests.RequestException("odd"),
]


@pytest.mark.parametrize("exc", WIRE_FAILURES, ids=lambda e: type(e).__name__)
def test_english_templates_match_the_wire_errors(exc):
    message, _, kind, facts = describe_unreachable(exc, "https://tracker.example:8443/x")
    error = TrackerError(message, source="acme", url="https://tracker.example:8443/x", kind=kind,
                         facts=facts)  # fmt: skip
    assert render(error.kind, error.report_facts(), CATALOGUE["en"]) == str(error)
    assert re.search("[\u4e00-\u9fff]", render(error.kind, error.report_facts(), CATALOGUE["zh"]))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 418, 429, 500, 503])
def test_english_templates_match_the_http_errors(status):
    error = from_response(answer(status, {"message": "Nope"}), "acme")
    assert render(error.kind, error.report_facts(), CATALOGUE["en"]) == str(error)
    assert "s3cret" not in json.dumps(error.report_facts())


def test_a_chat_channel_failing_reads_as_chinese(
    make_github,
    chats,  # noqa: F811 - the fixture
    chat_env,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    gh = make_github()
    overdue(gh, "R1")
    monkeypatch.setenv("T_FEISHU_SECRET", "not-the-secret")
    report, code = notify_run(tmp_path, gh, channels())
    assert code == 1
    lines = list(notification_lines(report["notifications"], CATALOGUE["zh"]))
    assert lines[0] == "聊天摘要："
    feishu = next(line for line in lines if line.lstrip().startswith("feishu"))
    assert re.fullmatch(r"  feishu\s+feishu\s+失败（Feishu 返回错误码 19021：“sign match fail.*”）",
                        feishu), feishu  # fmt: skip
    assert all("已发送" in line for line in lines[1:] if "feishu" not in line)
    english = list(notification_lines(report["notifications"], CATALOGUE["en"]))
    assert any(re.search(r"failed \(Feishu code 19021: sign match fail", line) for line in english)


def test_the_bulk_limit_reads_as_chinese(make_github, tmp_path):
    gh = make_github()
    flag_github(gh, 4)
    report, code = run(tmp_path, github_source(gh), max_new_comments=3, language="zh")
    assert code == 1
    text = "\n".join(text_lines(report, "zh"))
    assert (
        "  ! acme-github：计划新建 4 条评论，超过“max_new_comments”（3），未写入任何内容。"
        "请先核对检查结果，再加“--allow-bulk”运行。"
    ) in text
    assert "未完成：超过“max_new_comments”上限" in text
    assert_no_english_word(text, names=("acme-github", "github"))
    english = list(text_lines(report, "en"))
    assert (
        "  ! acme-github: 4 new comments planned, more than max_new_comments (3); nothing was"
        " written. Check the findings, then run with --allow-bulk."
    ) in english
