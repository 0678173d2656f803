"""GitHub takes the comment as Markdown, through the issue comments API."""

from __future__ import annotations

from mapping import github as gh
from mapping.model import CommentRecord
from sync.writeback.render import Document, to_markdown
from sync.writeback.target import Target


class GitHubTarget(Target):
    def render(self, doc: Document, item_key: str, digest: str, language: str) -> str:
        return to_markdown(doc, item_key, digest, language)

    def fetch_comments(self, item_id: str, item_key: str) -> list[CommentRecord]:
        return [
            gh.map_comment(c, source=self.source.name)
            for c in self.connector.fetch_issue_comments(item_id)
        ]

    def create(self, item_id: str, item_key: str, body: str, digest: str) -> CommentRecord:
        return gh.map_comment(self.connector.create_comment(item_id, body), source=self.source.name)

    def update(
        self, item_id: str, item_key: str, comment_id: str, body: str, digest: str
    ) -> CommentRecord:
        return gh.map_comment(
            self.connector.update_comment(comment_id, body), source=self.source.name
        )

    def delete(self, item_id: str, item_key: str, comment_id: str) -> None:
        self.connector.delete_comment(comment_id)
