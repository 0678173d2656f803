"""What every tracker's pull shares: the per-source run state and tolerant page mapping."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mapping.model import MalformedPayload
from sync.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class SourceRun:
    """One source's pull in progress: its store connection, its cursors (saved with every
    page) and the counts the report shows."""

    name: str
    store: Store
    cursors: dict[str, Any]
    item_ids: set[str] = field(default_factory=set)
    changes: int = 0
    skipped: int = 0

    @property
    def items(self) -> int:
        """Distinct items new or updated this run; an overlap window re-reads a few unchanged
        ones, which are not counted."""
        return len(self.item_ids)


def map_page(
    run: SourceRun, payloads: Iterable[Any], what: str, mapper: Callable[[Any], T]
) -> list[T]:
    """Map each payload of a page; a malformed one is logged and skipped, never fatal, so one
    bad object cannot stop a tracker's sync."""
    records: list[T] = []
    for payload in payloads:
        try:
            records.append(mapper(payload))
        except (MalformedPayload, KeyError, TypeError, ValueError, AttributeError) as exc:
            run.skipped += 1
            ident = payload.get("id") if isinstance(payload, dict) else None
            log.warning("%s: skipping malformed %s %s: %s", run.name, what, ident or "?", exc)
    return records
