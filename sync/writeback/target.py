"""How each tracker takes the service's comment: the format it renders to, how a fresh list
of an item's comments is read, and the writes. Worktile/PingCode has no edit: an update there
is a delete followed by a create."""

from __future__ import annotations

from typing import Any

from mapping import github as gh
from mapping import jira as jm
from mapping import worktile as wm
from mapping.model import CommentRecord
from sync.writeback.render import (
    Document,
    jira_properties,
    parse_marker,
    to_adf,
    to_markdown,
    to_wiki,
    to_worktile_html,
)


class Target:
    """One source's write-back: ``connector`` talks HTTP, this knows the tracker's ways."""

    can_edit = True

    def __init__(self, source: Any, connector: Any, identity: dict[str, Any]) -> None:
        self.source = source
        self.connector = connector
        self.identity = identity

    def render(self, doc: Document, item_key: str, digest: str, language: str) -> Any:
        raise NotImplementedError

    def preview(self, body: Any) -> str:
        return body if isinstance(body, str) else jm.rich_text(body)

    def fresh_own_comments(self, item_id: str, item_key: str) -> list[CommentRecord]:
        """The service's own marked comments on this item, read from the tracker now."""
        comments = self.fetch_comments(item_id, item_key)
        return [c for c in comments if self.is_own(c, item_key)]

    def is_own(self, comment: CommentRecord, item_key: str) -> bool:
        """Written by the service's identity AND marked for this item: a marker pasted into a
        person's comment, or copied to another item, never matches."""
        if not comment.author or comment.author != self.identity.get("id"):
            return False
        marked = comment_marker(comment)
        return bool(marked) and marked[0] == item_key

    def fetch_comments(self, item_id: str, item_key: str) -> list[CommentRecord]:
        raise NotImplementedError

    def create(self, item_id: str, item_key: str, body: Any, digest: str) -> CommentRecord:
        raise NotImplementedError

    def update(
        self, item_id: str, item_key: str, comment_id: str, body: Any, digest: str
    ) -> CommentRecord:
        raise NotImplementedError

    def delete(self, item_id: str, item_key: str, comment_id: str) -> None:
        raise NotImplementedError


def comment_marker(comment: CommentRecord) -> tuple[str, str] | None:
    return marker_in(comment.body, comment.raw or {})


def marker_in(body: str, raw: dict[str, Any]) -> tuple[str, str] | None:
    """The marker in the text, in the raw content (Worktile's is a hidden HTML comment, which
    the text conversion drops), or in Jira's comment property."""
    found = parse_marker(body) or parse_marker(str(raw.get("content") or raw.get("body") or ""))
    if found:
        return found
    for prop in raw.get("properties") or []:
        value = prop.get("value") or {}
        if prop.get("key") == "tracker-sync" and value.get("item"):
            return (value["item"], str(value.get("digest")))
    return None


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


TARGETS = {"github": GitHubTarget, "jira": JiraTarget, "worktile": WorktileTarget}
