"""``python -m sandbox`` as a user runs it: a real process that prints the trackers' URLs and a
config pointing at them, answers on each, and ends cleanly on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import tomllib

import requests

from sandbox.demo import SECRETS
from tests.conftest import ROOT

READY = "# Serving until Ctrl-C."


def read_until_ready(process: subprocess.Popen, timeout: float = 30.0) -> str:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.strip() == READY:
            return "".join(lines)
    raise AssertionError("python -m sandbox never said it was ready:\n" + "".join(lines))


def test_python_m_sandbox_serves_the_demo_trackers_until_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        printed = read_until_ready(process)
        urls = dict(re.findall(r"^#\s+(GitHub|Jira|PingCode)\s+(http://\S+)", printed, re.M))
        assert set(urls) == {"GitHub", "Jira", "PingCode"}
        config = tomllib.loads(printed)
        assert [s["base_url"] for s in config["sources"]] == [
            urls["Jira"],
            urls["GitHub"],
            urls["PingCode"],
        ]
        for name, value in SECRETS.items():
            assert f"export {name}={value}" in printed

        github = requests.get(
            urls["GitHub"] + "/repos/acme/portal/issues",
            headers={"Authorization": f"Bearer {SECRETS['TRACKER_SYNC_DEMO_GITHUB_TOKEN']}"},
            timeout=10,
        )
        assert github.status_code == 200 and github.json(), "seeded like the demo"
        jira = requests.get(
            urls["Jira"] + "/rest/api/3/myself",
            auth=("bot@acme.example", SECRETS["TRACKER_SYNC_DEMO_JIRA_TOKEN"]),
            timeout=10,
        )
        assert jira.status_code == 200 and jira.json()["accountId"] == "bot"
        token = requests.get(
            urls["PingCode"] + "/v1/auth/token",
            params={
                "grant_type": "client_credentials",
                "client_id": SECRETS["TRACKER_SYNC_DEMO_PC_ID"],
                "client_secret": SECRETS["TRACKER_SYNC_DEMO_PC_SECRET"],
            },
            timeout=10,
        )
        assert token.status_code == 200 and token.json()["access_token"]

        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err + out
    assert "stopped" in err
