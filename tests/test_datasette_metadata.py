"""The Datasette metadata shipped in deploy/ must keep working as the schema moves: each canned
query runs against a store the demo filled, and the tables it configures exist."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "deploy" / "datasette" / "metadata.json"


def test_canned_queries_run_on_a_real_store(tmp_path):
    store = tmp_path / "tracker-sync.db"
    done = subprocess.run(
        [sys.executable, "run_sync.py", "--demo", "--db", str(store), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    database = json.loads(METADATA.read_text())["databases"]["tracker-sync"]
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    assert set(database["tables"]) <= tables
    results = {}
    for name, query in database["queries"].items():
        cursor = db.execute(query["sql"])
        results[name] = ([d[0] for d in cursor.description], cursor.fetchall())
    columns, rows = results["open_findings_by_milestone"]
    by_subject = {row[columns.index("subject")]: row for row in rows}
    # the demo's overdue Jira release, under its own title, linked to the tracker
    release = by_subject["2.0"]
    assert release[columns.index("milestone")] == "2.0"
    assert release[columns.index("url")].startswith("http")
    # an item's own finding is listed under the milestone the item is in
    item_rows = [row for row in rows if row[columns.index("subject")].startswith("ACME-")]
    assert item_rows and {row[columns.index("milestone")] for row in item_rows} >= {"2.0"}
    assert "(no milestone)" not in {row[columns.index("milestone")] for row in item_rows}
