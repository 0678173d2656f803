"""Reading human evidence in tracker text: phrases (negation-aware) and the service's marker."""

from __future__ import annotations

from collections.abc import Iterable

# Every comment the service writes carries this token (hidden in GitHub/Worktile, in the
# visible footer in Jira); a comment that contains it is never evidence of anything.
MARKER_TOKEN = "tracker-sync:v1"


def contains_phrase(text: str, phrases: Iterable[str], negations: Iterable[str]) -> bool:
    """A phrase occurs (case-insensitive substring) with no negation ending within the three
    characters before it: "unconfirmed", "not approved", "还未确认" confirm nothing."""
    low = text.casefold()
    negs = [n.casefold() for n in negations if n]
    for phrase in phrases:
        wanted = phrase.casefold()
        if not wanted:
            continue
        start = low.find(wanted)
        while start >= 0:
            if not _negated(low, start, negs):
                return True
            start = low.find(wanted, start + 1)
    return False


def _negated(low: str, start: int, negations: list[str]) -> bool:
    for end in range(max(0, start - 3), start + 1):
        for negation in negations:
            if end >= len(negation) and low[end - len(negation) : end] == negation:
                return True
    return False


def is_service_text(text: str) -> bool:
    return MARKER_TOKEN in (text or "")


def abridge(value: str | None, limit: int = 80) -> str | None:
    if value is None:
        return None
    flat = " ".join(str(value).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
