"""Tracker connectors: HTTP and each tracker's API contract, nothing of the store or rules."""

from connectors.github import GitHubConnector
from connectors.jira import JiraConnector
from connectors.worktile import WorktileConnector

CONNECTORS = {
    "github": GitHubConnector,
    "jira": JiraConnector,
    "worktile": WorktileConnector,
}
