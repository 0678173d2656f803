"""The one registry of tracker kinds: for each, its settings model, its connector, the puller
that brings its pages into the store and the comment target that writes back to it. Nothing
else in the product branches on a kind: adding a tracker is a connector, a mapping, a puller,
a comment target, a settings model and one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.github import GitHubConnector
from connectors.http import RetryPolicy
from connectors.jira import JiraConnector
from connectors.worktile import WorktileConnector
from sync.pull.common import SourceRun
from sync.pull.github import pull_github
from sync.pull.jira import pull_jira
from sync.pull.worktile import pull_worktile
from sync.settings import GitHubSource, JiraSource, SourceSettings, WorktileSource
from sync.writeback.github import GitHubTarget
from sync.writeback.jira import JiraTarget
from sync.writeback.target import Target
from sync.writeback.worktile import WorktileTarget


@dataclass(frozen=True)
class Tracker:
    kind: str
    settings: type
    connector: Callable[..., Any]
    puller: Callable[[SourceRun, Any, Any], None]
    target: type[Target]


TRACKERS: dict[str, Tracker] = {
    tracker.kind: tracker
    for tracker in (
        Tracker("github", GitHubSource, GitHubConnector, pull_github, GitHubTarget),
        Tracker("jira", JiraSource, JiraConnector, pull_jira, JiraTarget),
        Tracker("worktile", WorktileSource, WorktileConnector, pull_worktile, WorktileTarget),
    )
}


def tracker_of(source: SourceSettings) -> Tracker:
    return TRACKERS[source.kind]


def build_connector(source: SourceSettings, secrets: dict[str, str]) -> Any:
    """The connector for a source: the common options, the tracker's own from its settings
    model, and its secrets (read from the environment, keyed as the connector names them)."""
    retry = RetryPolicy(
        attempts=source.max_attempts,
        backoff=source.retry_backoff_seconds,
        max_wait=source.max_retry_wait_seconds,
    )
    return tracker_of(source).connector(
        source=source.name,
        base_url=source.base_url,
        timeout=source.timeout_seconds,
        retry=retry,
        **source.connector_options(),
        **secrets,
    )


def build_target(source: SourceSettings, connector: Any, identity: dict[str, Any]) -> Target:
    return tracker_of(source).target(source, connector, identity)
