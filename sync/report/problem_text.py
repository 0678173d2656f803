"""A problem of the run — a source that failed, a write not done, a chat channel — said in the
report's language from its kind and facts (``TrackerError.kind``/``report_facts``). English
reports print the error text itself, exactly as logs and cron mails carry it; the English
templates give back the same words (a test holds them to it)."""

from __future__ import annotations

from typing import Any

from sync.writeback.catalogue import CATALOGUE


def problem_text(
    kind: str | None, facts: dict[str, Any] | None, words: dict[str, str], text: str | None
) -> str | None:
    """``text`` (the English error) in the language of ``words``; ``text`` itself when the
    report is English or the problem has no kind the catalogue knows."""
    if words is CATALOGUE["en"] or not kind or facts is None:
        return text
    try:
        return render(kind, facts, words)
    except (KeyError, IndexError, ValueError):  # a fact missing: the words as they came
        return text


def render(kind: str, facts: dict[str, Any], words: dict[str, str]) -> str:
    """The whole line: the source, what went wrong, and the hint what to check."""
    what = words[f"problem_{kind}"].format(**_filled(facts, words))
    line = (
        words["problem_line"].format(source=facts["source"], what=what)
        if facts.get("source")
        else what
    )
    hint = facts.get("hint")
    return line + (words[f"hint_{hint}"] if hint else "")


def chat_text(
    kind: str | None, facts: dict[str, Any] | None, words: dict[str, str], text: str | None
) -> str | None:
    """A chat channel's error in the language of ``words`` (English: as it came)."""
    if words is CATALOGUE["en"] or not kind or facts is None:
        return text
    try:
        return words[f"chat_{kind}"].format(**_filled(facts, words, codes=False))
    except (KeyError, IndexError, ValueError):
        return text


def _filled(facts: dict[str, Any], words: dict[str, str], codes: bool = True) -> dict[str, Any]:
    """The facts as the templates take them: the tracker's own message quoted (after the
    meaning of a PingCode error code, when there is one), the cause in words."""
    filled = dict(facts)
    quoted = words["problem_quoted"]
    message = facts.get("message")
    if message is not None:
        filled["message"] = quoted.format(message)
        if codes and facts.get("code"):
            filled["message"] = words[f"code_{facts['code']}"].format(message=filled["message"])
    if facts.get("cause"):
        filled["cause"] = words[f"cause_{facts['cause']}"]
    if not facts.get("host"):
        filled["host"] = words["problem_the_tracker"]
    for name in ("exception", "project"):
        if name in facts:
            filled[name] = facts[name]
    return filled
