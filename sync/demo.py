"""``--demo``: the whole pipeline against sandbox trackers on loopback, no config and no
credentials. Two syncs with edits between them, so the history the store keeps shows."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sandbox.demo import apply_demo_edits, seed_demo_github
from sandbox.github import GitHubSandbox
from sync.report import render_json, render_text
from sync.run import RunOptions, run_once
from sync.settings import build_settings, resolve_secrets
from sync.store import Store

DEMO_TOKEN = "ghp_demo_sandbox_only"
TOKEN_ENV = "TRACKER_SYNC_DEMO_GITHUB_TOKEN"


def run_demo(options: RunOptions, *, as_json: bool, db_path: str | None) -> int:
    with tempfile.TemporaryDirectory(prefix="tracker-sync-demo-") as tmp:
        github = GitHubSandbox("acme/portal", tokens={DEMO_TOKEN: "tracker-bot"}).start()
        try:
            seed_demo_github(github)
            os.environ[TOKEN_ENV] = DEMO_TOKEN
            settings = build_settings(
                {
                    "sources": [
                        {
                            "name": "acme-github",
                            "kind": "github",
                            "base_url": github.base_url,
                            "repo": "acme/portal",
                            "token_env": TOKEN_ENV,
                        }
                    ],
                    "rules": {"unconfirmed_requirement": {"client_accounts": ["client-pm"]}},
                }
            )
            sources = list(settings.sources)
            secrets = resolve_secrets(settings, sources)
            db = Path(db_path) if db_path else Path(tmp) / "demo.db"
            run_once(settings, sources, secrets, db, options)
            apply_demo_edits(github)
            report, code = run_once(settings, sources, secrets, db, options)
        finally:
            github.stop()
        if as_json:
            print(render_json(report))
        else:
            print(render_text(report))
            print()
            print(describe_store(db))
    return code


def describe_store(db: Path) -> str:
    """What a user would look up next: what the store holds and the history it kept."""
    store = Store(db)
    try:
        kinds = store.query(
            "select kind, status_category, count(*) n from items group by 1, 2 order by 1, 2"
        )
        changes = store.query(
            "select i.key, c.field, c.from_value, c.to_value, c.author, c.origin, c.at"
            " from changes c join items i on i.source = c.source and i.id = c.item_id"
            " where c.field in ('title', 'description', 'milestone') order by c.at desc limit 8"
        )
        moved = store.query(
            "select title, first_due_date, due_date from milestones"
            " where due_date != first_due_date"
        )
    finally:
        store.close()
    lines = ["The store now holds:"]
    lines += [f"  {r['n']:>3} {r['kind']:<12} {r['status_category']}" for r in kinds]
    lines += ["", "Scope history it kept (GitHub keeps none for descriptions):"]
    for c in changes:
        who = c["author"] or "someone (seen between two syncs)"
        lines.append(
            f"  {c['key']} {c['field']}: {_short(c['from_value'])} -> {_short(c['to_value'])}"
            f"  [{who}, {c['at']}, {c['origin']}]"
        )
    for m in moved:
        lines.append(f"  milestone {m['title']}: due {m['first_due_date']} -> {m['due_date']}")
    return "\n".join(lines)


def _short(value: str | None, limit: int = 48) -> str:
    if value is None:
        return "(none)"
    value = " ".join(value.split())
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")
