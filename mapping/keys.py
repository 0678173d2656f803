"""Item keys named in text: ``ACME-12`` (Jira), ``SCR-5`` (Worktile), ``org/repo#12`` and
``#12`` (GitHub, within its own repository). Pure: the rules resolve them against the store,
so a key that names no item (``UTF-8``) simply links to nothing."""

from __future__ import annotations

import re

PROJECT_KEY = re.compile(r"(?<![\w/-])([A-Z][A-Z0-9_]{0,9}-\d{1,7})(?![\w-])")
REPO_KEY = re.compile(r"(?<![\w.-])([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(\d{1,7})\b")
LOCAL_KEY = re.compile(r"(?<![\w/#&])#(\d{1,7})\b")


def mentioned_keys(text: str, *, repo: str | None = None, own_key: str | None = None) -> set[str]:
    """Every item key the text names; ``#12`` only counts inside a GitHub repository."""
    if not text:
        return set()
    keys = set(PROJECT_KEY.findall(text))
    keys.update(f"{found_repo}#{number}" for found_repo, number in REPO_KEY.findall(text))
    if repo:
        keys.update(f"{repo}#{number}" for number in LOCAL_KEY.findall(REPO_KEY.sub(" ", text)))
    keys.discard(own_key or "")
    return keys
