"""Reading human evidence in tracker text: phrases (negation-aware) and the service's marker."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Every comment the service writes carries this token (hidden in GitHub/Worktile, in the
# visible footer in Jira); a comment that contains it is never evidence of anything.
MARKER_TOKEN = "tracker-sync:v1"


CLAUSE_END = re.compile(r"[.,;:!?。，；：！？、\n\r]")
QUESTION_MARKS = "?？"
_LATIN = re.compile(r"[A-Za-z0-9]")
_GAP_UNIT = re.compile(r"[A-Za-z0-9'’-]+|[^\sA-Za-z0-9'’-]")


def contains_phrase(text: str, phrases: Iterable[str], negations: Iterable[str]) -> bool:
    """A phrase occurs, not negated and not asked (DESIGN "Phrases and negations"): "not yet
    approved", "待确认", "no change request" and "is this confirmed?" say nothing, while
    "没问题，确认。" and "Confirmed, no changes." do."""
    if not text:
        return False
    phrase_pattern, cue_pattern = _patterns(tuple(phrases), tuple(negations))
    if phrase_pattern is None:
        return False
    low = text.casefold()
    for match in phrase_pattern.finditer(low):
        if not _asked(low, match.end()) and not _negated(low, match.start(), cue_pattern):
            return True
    return False


@lru_cache(maxsize=64)
def _patterns(
    phrases: tuple[str, ...], negations: tuple[str, ...]
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """One alternation each for the phrases and the negation cues, compiled once."""
    return _alternation(phrases), _alternation(negations)


def _alternation(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Latin edges match only beside a non-Latin character: "unconfirmed" holds no
    "confirmed", "SCR-7" no "CR-"; CJK edges match anywhere. Longer words first, so "尚未"
    is found whole."""
    parts = []
    for word in sorted({w.strip().casefold() for w in words if w and w.strip()}, key=len)[::-1]:
        before = "(?<![a-z0-9])" if _LATIN.match(word[0]) else ""
        after = "(?![a-z0-9])" if _LATIN.match(word[-1]) else ""
        parts.append(before + re.escape(word) + after)
    return re.compile("|".join(parts)) if parts else None


def _asked(low: str, end: int) -> bool:
    """The clause holding the match ends with a question mark."""
    found = CLAUSE_END.search(low, end)
    return found is not None and found.group() in QUESTION_MARKS


def _negated(low: str, start: int, cues: re.Pattern[str] | None) -> bool:
    """A cue before the match in its clause, with at most two words or CJK characters
    between them."""
    if cues is None:
        return False
    clause_start = 0
    for found in CLAUSE_END.finditer(low, 0, start):
        clause_start = found.end()
    clause = low[clause_start:start]
    return any(len(_GAP_UNIT.findall(clause, cue.end())) <= 2 for cue in cues.finditer(clause))


def is_service_text(text: str) -> bool:
    return MARKER_TOKEN in (text or "")


def abridge(value: str | None, limit: int = 80) -> str | None:
    if value is None:
        return None
    flat = " ".join(str(value).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
