"""Which findings may stand: none on an item carrying an ``ignore_labels`` label, and on each
source only the rules its ``rules = [...]`` names (all enabled ones by default). Applied where
the findings are saved, so a finding held back here is resolved like any other that is gone,
and the item's comment follows through the normal write-back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sync.rules.finding import Finding
from sync.settings import Settings
from sync.store import Store
from sync.store.ack_queries import ignored_items


def exempt(store: Store, settings: Settings, findings: Iterable[Finding]) -> Iterator[Finding]:
    """``findings`` without those on ignored items or of rules a source does not apply."""
    ignored = ignored_items(store, settings.rules.ignore_labels)
    chosen = {s.name: set(s.rules) for s in settings.sources if s.rules is not None}
    for finding in findings:
        if finding.subject_type == "item" and (finding.source, finding.subject) in ignored:
            continue
        if finding.source in chosen and finding.rule not in chosen[finding.source]:
            continue
        yield finding


def in_quiet_hours(window: str | None, zone: str, now: datetime) -> bool:
    """Is ``now`` inside ``window`` ("HH:MM-HH:MM", in ``zone``)? A window may cross
    midnight ("20:00-08:00"); one whose ends are equal is empty."""
    if not window:
        return False
    start, end = (time.fromisoformat(part) for part in window.split("-"))
    local = now.astimezone(ZoneInfo(zone)).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end
