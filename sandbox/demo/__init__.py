"""The demo: a delivery project spread over GitHub, Jira and PingCode sandboxes (``seed``), the
trackers started, seeded and configured (``trackers``), and ``tracker-sync --demo`` running the
whole pipeline against them (``run``). Not part of the product: ``run_sync.py`` loads this
package only when ``--demo`` is asked for, and nothing under ``sync/`` imports it."""

from __future__ import annotations

from sandbox.demo.run import comments_as_seen, foreign_sources, run_demo
from sandbox.demo.seed import (
    apply_demo_edits,
    seed_demo_github,
    seed_demo_jira,
    seed_demo_worktile,
)
from sandbox.demo.trackers import SECRETS, config_toml, demo_config, start_demo_trackers

__all__ = [
    "SECRETS",
    "apply_demo_edits",
    "comments_as_seen",
    "config_toml",
    "demo_config",
    "foreign_sources",
    "run_demo",
    "seed_demo_github",
    "seed_demo_jira",
    "seed_demo_worktile",
    "start_demo_trackers",
]
