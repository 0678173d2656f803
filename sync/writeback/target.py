"""What a comment target is: how one tracker takes the service's comment (the format it
renders to, how a fresh list of an item's comments is read, the writes), and the marker that
tells the service's own comment from everyone else's. One subclass per tracker, named in the
registry (``sync.trackers``)."""

from __future__ import annotations

from typing import Any

from mapping import jira as jm
from mapping.model import CommentRecord
from sync.writeback.render import Document, parse_marker


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
