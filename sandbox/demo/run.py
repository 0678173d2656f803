"""``tracker-sync --demo``: the whole pipeline against GitHub, Jira and PingCode sandboxes on
loopback, with no config and no credentials. Two runs with a team's edits between them; then the findings and
the comments exactly as a person reads them in each tracker, and the status report for the
client, whose index's path ends the output. Everything started is stopped."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from mapping.jira import rich_text
from mapping.worktile import html_to_text
from sandbox.demo.chats import chat_channels, chat_environment, chats_as_seen, start_demo_chats
from sandbox.demo.seed import apply_demo_edits
from sandbox.demo.trackers import SECRETS, SOURCE_NAMES, demo_config, start_demo_trackers
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.worktile import WorktileSandbox
from sync.report.html import report_data, write_report
from sync.report.run_report import write_json, write_text
from sync.report.status_data import gather_store
from sync.run import RunOptions, run_once
from sync.settings import Settings, build_settings, resolve_secrets
from sync.store.report_queries import ReadOnlyStore
from sync.writeback.catalogue import CATALOGUE


def run_demo(options: RunOptions, *, as_json: bool, db_path: str | None) -> int:
    """Two runs of the real pipeline against freshly seeded sandboxes, in a temporary store
    unless ``db_path`` is given (the CLI has checked it holds only the demo's sources)."""
    github, jira, worktile = sandboxes = start_demo_trackers()
    chats = start_demo_chats()
    try:
        os.environ.update({**SECRETS, **chat_environment(chats)})
        settings = build_settings(
            {**demo_config(github, jira, worktile), "notify": chat_channels()}
        )
        sources = list(settings.sources)
        secrets = resolve_secrets(settings, sources)
        with tempfile.TemporaryDirectory(prefix="tracker-sync-demo-") as tmp:
            db = Path(db_path) if db_path else Path(tmp) / "demo.db"
            report, code = run_once(settings, sources, secrets, db, options)
            if code != 130:
                apply_demo_edits(github, worktile)
                report, code = run_once(settings, sources, secrets, db, options)
            index = status_report(db, settings) if code != 130 else None
        if as_json:
            write_json(report, sys.stdout)
        else:
            write_text(report, sys.stdout, settings.writeback.language)
            if not report["dry_run"] and code != 130:
                print(comments_as_seen(github, jira, worktile, settings.writeback.language))
                print(chats_as_seen(chats))
        if index is not None:
            print(
                f"\nStatus report for the client: {index}",
                file=sys.stderr if as_json else sys.stdout,
            )
    finally:
        for sandbox in (*sandboxes, *chats.values()):
            sandbox.stop()
    return code


def status_report(db: Path, settings: Settings) -> Path:
    """The status report of the demo's store, in a directory that outlives the demo."""
    out = Path(tempfile.mkdtemp(prefix="tracker-sync-demo-report-"))
    as_of = datetime.now(UTC).date()
    store = ReadOnlyStore(db)
    try:
        data = gather_store(store, settings, as_of)
    finally:
        store.close()
    return write_report(report_data([data], as_of, settings.writeback.language), out, as_of)


def comments_as_seen(
    github: GitHubSandbox, jira: JiraSandbox, worktile: WorktileSandbox, language: str = "en"
) -> str:
    """The service's comments, read back from each tracker as its users see them."""
    lines = ["", "=" * 78, CATALOGUE[language]["demo_comments"], "=" * 78]
    for number, issue in sorted(github.issues.items()):
        for comment in github.comments_on(number):
            if comment["user"] == "tracker-bot":
                lines += _block(f"GitHub acme/portal#{number} — {issue['title']}", comment["body"])
    for issue in jira.issues.values():
        for comment in jira.comments_on(issue["key"]):
            if comment["author"] == "bot":
                lines += _block(
                    f"Jira {issue['key']} — {issue['summary']}", rich_text(comment["body"])
                )
    for item in worktile.items.values():
        for comment in worktile.live_comments(item["id"]):
            if comment["created_by"] == "bot":
                lines += _block(
                    f"PingCode {item['identifier']} — {item['title']}",
                    html_to_text(comment["content"]),
                )
    return "\n".join(lines)


def _block(title: str, body: str) -> list[str]:
    return ["", f"--- {title}", *("  " + line for line in body.strip().splitlines())]


def foreign_sources(names: list[str]) -> list[str]:
    """The sources of a store that are not the demo's: ``--demo --db`` refuses such a store."""
    return [name for name in names if name not in SOURCE_NAMES]
