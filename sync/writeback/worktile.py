"""Worktile/PingCode takes the comment as HTML and has no edit: an update there is a delete
followed by a create, and the service's identity may be learnt from its first comment."""

from __future__ import annotations

from typing import Any

from mapping import worktile as wm
from mapping.model import CommentRecord
from sync.writeback.render import Document, to_worktile_html
from sync.writeback.target import Target


class WorktileTarget(Target):
    can_edit = False

    def render(self, doc: Document, item_key: str, digest: str, language: str) -> str:
        return to_worktile_html(doc, item_key, digest, language)

    def preview(self, body: Any) -> str:
        return wm.html_to_text(body)

    def fetch_comments(self, item_id: str, item_key: str) -> list[CommentRecord]:
        records = (
            wm.map_comment(c, source=self.source.name, item_id=item_id)
            for c in self.connector.fetch_comments(item_id)
        )
        return [c for c in records if c is not None]

    def is_own(self, comment: CommentRecord, item_key: str) -> bool:
        if not self.identity.get("id"):
            return False  # not known yet: learnt from the first comment this service creates
        return super().is_own(comment, item_key)

    def create(self, item_id: str, item_key: str, body: str, digest: str) -> CommentRecord:
        comment = wm.map_comment(
            self.connector.create_comment(item_id, body), source=self.source.name, item_id=item_id
        )
        assert comment is not None
        if not self.identity.get("id") and comment.author:
            self.identity["id"] = comment.author  # the created_by of our first comment
        return comment

    def update(
        self, item_id: str, item_key: str, comment_id: str, body: str, digest: str
    ) -> CommentRecord:
        self.connector.delete_comment(item_id, comment_id)
        return self.create(item_id, item_key, body, digest)

    def delete(self, item_id: str, item_key: str, comment_id: str) -> None:
        self.connector.delete_comment(item_id, comment_id)
