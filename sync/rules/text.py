"""Reading human evidence in tracker text: phrases (negation-aware) and the service's marker."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Every comment the service writes carries this token (hidden in GitHub/Worktile, in the
# visible footer in Jira); a comment that contains it is never evidence of anything.
MARKER_TOKEN = "tracker-sync:v1"


CLAUSE_ENDS = ".,;:!?。，；：！？、\n\r"
QUESTION_MARKS = "?？"
_LATIN = re.compile(r"[A-Za-z0-9]")
_GAP_UNIT = re.compile(r"[A-Za-z0-9'’-]+|[^\sA-Za-z0-9'’-]")


def contains_phrase(text: str, phrases: Iterable[str], negations: Iterable[str]) -> bool:
    """A phrase occurs, not negated and not asked (DESIGN "Phrases and negations"): "not yet
    approved", "待确认", "no change request" and "is this confirmed?" say nothing, while
    "没问题，确认。" and "Confirmed, no changes." do."""
    if not text:
        return False
    low = text.casefold()
    cues = _cue_patterns(tuple(n for n in negations if n and n.strip()))
    for pattern in _phrase_patterns(tuple(p for p in phrases if p)):
        for match in pattern.finditer(low):
            if not _asked(low, match.end()) and not _negated(low, match.start(), cues):
                return True
    return False


@lru_cache(maxsize=64)
def _phrase_patterns(phrases: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(_bounded(phrase.casefold()) for phrase in phrases)


@lru_cache(maxsize=64)
def _cue_patterns(negations: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(_bounded(cue.strip().casefold()) for cue in negations)


def _bounded(word: str) -> re.Pattern[str]:
    """Latin edges match only beside a non-Latin character: "unconfirmed" holds no
    "confirmed", "SCR-7" no "CR-"; CJK edges match anywhere."""
    before = "(?<![a-z0-9])" if _LATIN.match(word[0]) else ""
    after = "(?![a-z0-9])" if _LATIN.match(word[-1]) else ""
    return re.compile(before + re.escape(word) + after)


def _clause_start(low: str, at: int) -> int:
    return max(low.rfind(end, 0, at) for end in CLAUSE_ENDS) + 1


def _asked(low: str, end: int) -> bool:
    """The clause holding the match ends with a question mark."""
    ends = [i for i in (low.find(mark, end) for mark in CLAUSE_ENDS) if i >= 0]
    return bool(ends) and low[min(ends)] in QUESTION_MARKS


def _negated(low: str, start: int, cues: tuple[re.Pattern[str], ...]) -> bool:
    """A cue before the match in its clause, with at most two words or CJK characters
    between them."""
    clause = low[_clause_start(low, start) : start]
    for cue in cues:
        for found in cue.finditer(clause):
            if len(_GAP_UNIT.findall(clause[found.end() :])) <= 2:
                return True
    return False


def is_service_text(text: str) -> bool:
    return MARKER_TOKEN in (text or "")


def abridge(value: str | None, limit: int = 80) -> str | None:
    if value is None:
        return None
    flat = " ".join(str(value).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
