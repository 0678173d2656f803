"""Jira takes the comment as ADF (Cloud, v3) or wiki markup (Data Center, v2), with the
marker kept in a comment property that survives a person's edit."""

from __future__ import annotations

from typing import Any

from mapping import jira as jm
from mapping.model import CommentRecord
from sync.writeback.render import Document, jira_properties, to_adf, to_wiki
from sync.writeback.target import Target


class JiraTarget(Target):
    def render(self, doc: Document, item_key: str, digest: str, language: str) -> Any:
        if self.source.api_version == 3:
            return to_adf(doc, item_key, digest, language)
        return to_wiki(doc, item_key, digest, language)

    def fetch_comments(self, item_id: str, item_key: str) -> list[CommentRecord]:
        comments = [
            jm.map_comment(c, source=self.source.name, issue_id=item_id)
            for c in self.connector.fetch_comments(item_key)
        ]
        own = [c.id for c in comments if c.author == self.identity.get("id")]
        if own and self.source.api_version == 3:
            properties = self.connector.fetch_comment_properties(own)
            for comment in comments:
                if comment.id in properties:
                    comment.raw = {**comment.raw, "properties": properties[comment.id]}
        return comments

    def _record(
        self, payload: dict[str, Any], item_id: str, item_key: str, digest: str
    ) -> CommentRecord:
        comment = jm.map_comment(payload, source=self.source.name, issue_id=item_id)
        comment.raw = {**comment.raw, "properties": jira_properties(item_key, digest)}
        return comment

    def create(self, item_id: str, item_key: str, body: Any, digest: str) -> CommentRecord:
        payload = self.connector.create_comment(item_key, body, jira_properties(item_key, digest))
        return self._record(payload, item_id, item_key, digest)

    def update(
        self, item_id: str, item_key: str, comment_id: str, body: Any, digest: str
    ) -> CommentRecord:
        payload = self.connector.update_comment(
            item_key, comment_id, body, jira_properties(item_key, digest)
        )
        return self._record(payload, item_id, item_key, digest)

    def delete(self, item_id: str, item_key: str, comment_id: str) -> None:
        self.connector.delete_comment(item_key, comment_id)
