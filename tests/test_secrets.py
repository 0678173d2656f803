"""No secret of any tracker ever appears in stdout, stderr (with -v, one line per request),
the JSON report, or the store — across a full run that pulls, evaluates and writes back."""

from __future__ import annotations

import os
import stat

from sandbox.demo import SECRETS
from tests.conftest import run_cli


def test_no_secret_of_any_tracker_leaks_anywhere(tmp_path):
    db = tmp_path / "demo.db"
    result = run_cli(
        "--demo", "--json", "-v", "--db", str(db), cwd=tmp_path, env={"TRACKER_SYNC_CONFIG": ""}
    )
    assert result.returncode == 0, result.stderr
    assert " GET " in result.stderr and "/v1/auth/token" in result.stderr, "-v logs each request"
    places = {"stdout": result.stdout.encode(), "stderr": result.stderr.encode()}
    for path in tmp_path.iterdir():
        places[path.name] = path.read_bytes()
    assert "demo.db" in places
    for name, secret in SECRETS.items():
        for place, content in places.items():
            assert secret.encode() not in content, f"{name} leaked into {place}"
    assert "client_secret=***" in result.stderr, "the token request's secret is redacted in logs"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
