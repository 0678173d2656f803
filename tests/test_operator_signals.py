"""Stopping and failing honestly, as real processes: SIGINT/SIGTERM end a one-shot run at a
page boundary (a Retry-After wait included) with exit 130 and the run recorded as
interrupted; the daemon ends the same way with exit 0; an unreachable tracker is named with its
host and the cause, even with ``-q``; a body cut mid-transfer is retried."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time

import pytest

from sandbox.scenario import seed_github_repo
from tests.conftest import ROOT, github_source, rows, run_cli, sync
from tests.operator_helpers import config_file, one_line, table, writes_to

INTERRUPTED = (
    "tracker-sync: interrupted: stopped at a page boundary; the run is recorded as interrupted"
    " and the next run resumes where it stopped"
)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_sync.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_a_one_shot_run_at_a_page_boundary(make_github, tmp_path, signum):
    github = make_github(latency=0.15)
    seed_github_repo(github, issues=600, comments_per_issue=0, events_per_issue=0, milestones=1)
    settings = {"writeback": {"enabled": True, "max_new_comments": 1000}}
    config = config_file(tmp_path, github_source(github), settings=settings)
    process = start("--config", config, "-q")
    try:
        wait_for(lambda: sum(r.path.endswith("/issues") for r in github.log) >= 2)
        sent = time.monotonic()
        process.send_signal(signum)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert time.monotonic() - sent < 5
    assert one_line(err) == INTERRUPTED
    db = tmp_path / "store.db"
    assert table(db, "select status, exit_code from runs") == [("interrupted", 130)]
    assert table(db, "select count(*) from findings") == [(0,)], "nothing more is evaluated"
    assert writes_to(github) == []
    pages = sum(r.path.endswith("/issues") for r in github.log)
    assert pages < 6, "the run went on paging after the signal"
    saved = rows(db, "select count(*) n from items")[0]["n"]
    assert saved % 100 == 0 and saved >= 100, "pages are committed whole, with their cursor"
    again = run_cli("--config", config, "-q")
    assert again.returncode == 0, again.stderr
    assert rows(db, "select count(*) n from items")[0]["n"] == 600


def test_a_signal_ends_a_long_retry_after_wait(make_github, tmp_path):
    github = make_github(faults={"rate": 1.0, "kinds": ("429",), "retry_after": 600})
    config = config_file(tmp_path, github_source(github))
    process = start("--config", config, "-q")
    try:
        wait_for(lambda: len(github.log) >= 1)
        time.sleep(0.3)  # the client is now waiting the 600 s it was asked to
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and time.monotonic() - sent < 5
    assert one_line(err) == INTERRUPTED
    assert len(github.log) == 1
    assert table(tmp_path / "store.db", "select status from runs") == [("interrupted",)]


def test_the_daemon_finishes_an_interrupted_cycle_and_exits_0(make_github, tmp_path):
    github = make_github(latency=0.15)
    seed_github_repo(github, issues=500, comments_per_issue=0, events_per_issue=0, milestones=0)
    config = config_file(
        tmp_path, github_source(github), settings={"daemon": {"interval_minutes": 60}}
    )
    process = start("--config", config, "--daemon", "-q")
    try:
        wait_for(lambda: sum(r.path.endswith("/issues") for r in github.log) >= 2)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and "Traceback" not in err
    assert table(tmp_path / "store.db", "select status from runs") == [("interrupted",)]


def test_daemon_json_prints_one_report_per_cycle_per_line(make_github, tmp_path):
    github = make_github()
    seed_github_repo(github, issues=10, comments_per_issue=0, events_per_issue=0, milestones=1)
    settings = {"daemon": {"interval_minutes": 0.01}, "writeback": {"enabled": False}}
    process = start(
        "--config",
        config_file(tmp_path, github_source(github), settings=settings),
        "--daemon",
        "--json",
        "-q",
    )
    try:
        wait_for(lambda: finished_runs(tmp_path / "store.db") >= 2)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    lines = out.strip().splitlines()
    assert len(lines) >= 2
    for line in lines:
        report = json.loads(line)
        assert report["sources"][0]["name"] == "acme-github"
        assert {"findings", "writes", "as_of"} <= set(report)


def finished_runs(db) -> int:
    """0 until the store and its tables exist."""
    try:
        return len(rows(db, "select id from runs where finished_at is not null"))
    except sqlite3.OperationalError:
        return 0


# -- a tracker that cannot be reached ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unreachable_run(tmp_path, github, base_url: str) -> str:
    source = github_source(github, base_url=base_url, max_attempts=2)
    result = run_cli("--config", config_file(tmp_path, source), "-q", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_connection_refused_names_host_port_and_cause_even_quiet(tmp_path, github):
    port = free_port()
    stderr = unreachable_run(tmp_path, github, f"http://127.0.0.1:{port}")
    assert f"acme-github: cannot connect to 127.0.0.1:{port}: connection refused" in stderr


def test_an_unknown_host_is_named_as_such(tmp_path, github):
    stderr = unreachable_run(tmp_path, github, "http://tracker.invalid")
    assert "acme-github: cannot connect to tracker.invalid: name not known" in stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_a_certificate_that_fails_verification_is_named_and_not_retried(tmp_path, github):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        stderr = unreachable_run(tmp_path, github, f"https://127.0.0.1:{port}")
    finally:
        server.shutdown()
    assert f"acme-github: cannot connect to 127.0.0.1:{port}: TLS certificate verify failed" in (
        stderr
    )
    assert "retrying" not in stderr and hits == []


def test_a_body_cut_mid_transfer_is_retried(make_github, tmp_path):
    github = make_github(faults={"rate": 0.3, "kinds": ("truncated",), "seed": 7})
    seed_github_repo(github, issues=250, comments_per_issue=1, events_per_issue=1, milestones=2)
    report, code = sync(tmp_path / "store.db", github_source(github))
    assert any(r.fault == "truncated" for r in github.log), "the fault never fired"
    assert code == 0, report["sources"]
    assert rows(tmp_path / "store.db", "select count(*) n from items")[0]["n"] == 250
