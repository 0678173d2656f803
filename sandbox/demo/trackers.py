"""The demo's three trackers: started on loopback, seeded with the demo project, and the
configuration (as a dict or as ``config.toml`` text) with the secrets that point at them."""

from __future__ import annotations

import json
from typing import Any

from sandbox.demo.seed import seed_demo_github, seed_demo_jira, seed_demo_worktile
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.worktile import WorktileSandbox

# The demo's own source names: never a real configuration's, so a demo run can never touch a
# real store's cursors, and ``--demo --db`` refuses a store holding any other source.
SOURCE_NAMES = ("demo-jira", "demo-github", "demo-pingcode")

SECRETS = {
    "TRACKER_SYNC_DEMO_GITHUB_TOKEN": "ghp_demo_sandbox_only",
    "TRACKER_SYNC_DEMO_JIRA_TOKEN": "jira-demo-token",
    "TRACKER_SYNC_DEMO_PC_ID": "pc-demo-client",
    "TRACKER_SYNC_DEMO_PC_SECRET": "pc-demo-secret",
}


def start_demo_trackers() -> tuple[GitHubSandbox, JiraSandbox, WorktileSandbox]:
    """GitHub, Jira and PingCode sandboxes, started and seeded; the caller stops them."""
    github = GitHubSandbox(
        "acme/portal", tokens={SECRETS["TRACKER_SYNC_DEMO_GITHUB_TOKEN"]: "tracker-bot"}
    )
    jira = JiraSandbox(
        "ACME", basic={("bot@acme.example", SECRETS["TRACKER_SYNC_DEMO_JIRA_TOKEN"]): "bot"}
    )
    app = (SECRETS["TRACKER_SYNC_DEMO_PC_ID"], SECRETS["TRACKER_SYNC_DEMO_PC_SECRET"])
    worktile = WorktileSandbox("SCR", apps={app: "bot"})
    sandboxes = (github.start(), jira.start(), worktile.start())
    try:
        seed_demo_jira(jira)
        seed_demo_github(github, [issue["key"] for issue in jira.issues.values()])
        seed_demo_worktile(worktile)
    except BaseException:
        for sandbox in sandboxes:
            sandbox.stop()
        raise
    return github, jira, worktile


def demo_config(
    github: GitHubSandbox, jira: JiraSandbox, worktile: WorktileSandbox
) -> dict[str, Any]:
    return {
        "writeback": {"enabled": True},
        "sources": [
            {
                "name": "demo-jira",
                "kind": "jira",
                "base_url": jira.base_url,
                "project": "ACME",
                "email": "bot@acme.example",
                "token_env": "TRACKER_SYNC_DEMO_JIRA_TOKEN",
                "requirement_types": ["Story"],
            },
            {
                "name": "demo-github",
                "kind": "github",
                "base_url": github.base_url,
                "repo": "acme/portal",
                "token_env": "TRACKER_SYNC_DEMO_GITHUB_TOKEN",
                "min_write_interval_seconds": 0,
            },
            {
                "name": "demo-pingcode",
                "kind": "worktile",
                "base_url": worktile.base_url,
                "project": "SCR",
                "client_id_env": "TRACKER_SYNC_DEMO_PC_ID",
                "client_secret_env": "TRACKER_SYNC_DEMO_PC_SECRET",
            },
        ],
        "rules": {"unconfirmed_requirement": {"client_accounts": ["client-pm"]}},
    }


def config_toml(config: dict[str, Any], *, store_path: str = "demo.db") -> str:
    """``config.toml`` text for ``demo_config``'s shape: tables of scalars and lists, one
    level of nested tables, and ``[[sources]]``."""
    lines = ["[store]", f"path = {_toml(store_path)}"]
    for key, value in config.items():
        if key == "sources":
            continue
        lines += _table(key, value)
    for source in config.get("sources", []):
        lines += ["", "[[sources]]", *(f"{k} = {_toml(v)}" for k, v in source.items())]
    return "\n".join(lines) + "\n"


def _table(name: str, table: dict[str, Any]) -> list[str]:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    lines = ["", f"[{name}]", *(f"{k} = {_toml(v)}" for k, v in scalars.items())] if scalars else []
    for key, value in table.items():
        if isinstance(value, dict):
            lines += _table(f"{name}.{key}", value)
    return lines


def _toml(value: Any) -> str:
    """A TOML scalar or list: booleans lowercase, strings as JSON strings (valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
