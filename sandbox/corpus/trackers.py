"""The corpus's trackers: GitHub, Jira Cloud, Jira Data Center and PingCode sandboxes on
loopback, seeded with the labelled cases, and the configuration that points at them."""

from __future__ import annotations

from typing import Any

from sandbox.corpus import CLIENT, UNCONFIRMED, Labels, t, ts
from sandbox.corpus.github import SOURCE as GITHUB_SOURCE
from sandbox.corpus.github import seed_github
from sandbox.corpus.jira import seed_jira
from sandbox.corpus.worktile import SOURCE as PINGCODE_SOURCE
from sandbox.corpus.worktile import seed_worktile
from sandbox.github import GitHubSandbox
from sandbox.jira import JiraSandbox
from sandbox.worktile import WorktileSandbox

JIRA_CLOUD, JIRA_DC = "corpus-jira", "corpus-jira-dc"
SECRETS = {
    "TRACKER_SYNC_CORPUS_GITHUB_TOKEN": "ghp_corpus_sandbox_only",
    "TRACKER_SYNC_CORPUS_JIRA_TOKEN": "jira-corpus-token",
    "TRACKER_SYNC_CORPUS_JIRA_PAT": "jira-corpus-pat",
    "TRACKER_SYNC_CORPUS_PC_ID": "pc-corpus-client",
    "TRACKER_SYNC_CORPUS_PC_SECRET": "pc-corpus-secret",
}
EMAIL = "bot@acme.example"


def seed_across(
    github: GitHubSandbox, jira: JiraSandbox, worktile: WorktileSandbox, labels: Labels
) -> None:
    """Work started in another tracker: a pull request naming a Jira key or a PingCode work item
    URL beside Chinese text starts the requirement; a key inside a longer word names nothing."""
    for body, started in (("实现{key}接口联调", True), ("X{key} 是另一个项目", False)):
        story = jira.add_issue(
            "Story", "Export.\nAcceptance: a CSV downloads", created=t(15), priority="High"
        )
        pull = github.add_issue(
            "Implement", body.format(key=story["key"]), pull_request=True, created_at=t(16)
        )
        labels.expect(
            JIRA_CLOUD,
            story["key"],
            f"a pull request says {body!r}",
            *((UNCONFIRMED,) if started else ()),
        )
        labels.expect(GITHUB_SOURCE, f"{github.repo}#{pull['number']}", "a pull request")
    item = worktile.add_item(
        "运价接口",
        created=ts(15),
        priority="高",
        description="<p>运价接口对接，按月结算。</p><h2>验收</h2><p>联调通过</p>",
    )
    url = f"https://acme.pingcode.com/pjm/workitems/{item['short_id']}"
    pull = github.add_issue("联调", f"对应需求：{url}。", pull_request=True, created_at=t(16))
    labels.expect(PINGCODE_SOURCE, item["identifier"], "a pull request links its URL", UNCONFIRMED)
    labels.expect(GITHUB_SOURCE, f"{github.repo}#{pull['number']}", "a pull request")


class CorpusTrackers:
    """The four sandboxes, started and seeded; ``labels`` holds every case's verdict."""

    def __init__(self) -> None:
        self.github = GitHubSandbox(
            "acme/portal", tokens={SECRETS["TRACKER_SYNC_CORPUS_GITHUB_TOKEN"]: "tracker-bot"}
        )
        self.jira = JiraSandbox(
            "ACME", basic={(EMAIL, SECRETS["TRACKER_SYNC_CORPUS_JIRA_TOKEN"]): "bot"}
        )
        self.jira_dc = JiraSandbox(
            "DC", deployment="datacenter", bearer={SECRETS["TRACKER_SYNC_CORPUS_JIRA_PAT"]: "bot"}
        )
        app = (SECRETS["TRACKER_SYNC_CORPUS_PC_ID"], SECRETS["TRACKER_SYNC_CORPUS_PC_SECRET"])
        self.worktile = WorktileSandbox("PC", apps={app: "bot"}, budget=(100_000, 60.0))
        self.labels = Labels()

    def __enter__(self) -> CorpusTrackers:
        started = []
        try:
            for sandbox in self.sandboxes:
                started.append(sandbox.start())
            seed_github(self.github, self.labels)
            seed_jira(self.jira, self.labels, JIRA_CLOUD, "en")
            seed_jira(self.jira_dc, self.labels, JIRA_DC, "zh")
            seed_worktile(self.worktile, self.labels)
            seed_across(self.github, self.jira, self.worktile, self.labels)
        except BaseException:
            for sandbox in started:
                sandbox.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for sandbox in self.sandboxes:
            sandbox.stop()

    @property
    def sandboxes(self) -> tuple[Any, ...]:
        return (self.github, self.jira, self.jira_dc, self.worktile)

    def config(self, language: str = "en") -> dict[str, Any]:
        """Every rule on with its defaults; the client's account; write-back on, so each
        finding's comment can be read back from its tracker."""
        writeback = {"enabled": True, "language": language, "max_new_comments": 1000}
        return {
            "writeback": writeback,
            "rules": {"client_accounts": [CLIENT]},
            "sources": [
                {
                    "name": GITHUB_SOURCE,
                    "kind": "github",
                    "base_url": self.github.base_url,
                    "repo": self.github.repo,
                    "token_env": "TRACKER_SYNC_CORPUS_GITHUB_TOKEN",
                    "min_write_interval_seconds": 0,
                },
                {
                    "name": JIRA_CLOUD,
                    "kind": "jira",
                    "base_url": self.jira.base_url,
                    "project": "ACME",
                    "email": EMAIL,
                    "token_env": "TRACKER_SYNC_CORPUS_JIRA_TOKEN",
                },
                {
                    "name": JIRA_DC,
                    "kind": "jira",
                    "api_version": 2,
                    "base_url": self.jira_dc.base_url,
                    "project": "DC",
                    "token_env": "TRACKER_SYNC_CORPUS_JIRA_PAT",
                },
                {
                    "name": PINGCODE_SOURCE,
                    "kind": "worktile",
                    "base_url": self.worktile.base_url,
                    "project": "PC",
                    "client_id_env": "TRACKER_SYNC_CORPUS_PC_ID",
                    "client_secret_env": "TRACKER_SYNC_CORPUS_PC_SECRET",
                    "requests_per_minute": 100_000,
                },
            ],
        }
