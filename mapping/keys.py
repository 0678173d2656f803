"""Item keys named in text: ``ACME-12`` (Jira), ``SCR-5`` (Worktile), ``org/repo#12`` and
``#12`` (GitHub, within its own repository), and the URLs that stand for them. Pure: the rules
resolve them against the store, so a key that names no item (``UTF-8``) simply links to nothing.

A key counts where the characters on either side are not Latin letters or digits (not ``\\w``,
which takes in CJK): ``ACME-7接口联调`` and ``（ACME-12）`` name their keys, ``XACME-12`` nothing.
An item's URL counts as its key: a Jira ``…/browse/ACME-12`` (its key is read from the path),
a GitHub ``…/org/repo/issues/12`` or ``…/pull/12`` (read as ``org/repo#12``), and a PingCode
work item URL, which names the item by a short id only, so the URL itself is returned and the
rules match it against the items' URLs.
"""

from __future__ import annotations

import re

_EDGE_BEFORE = r"(?<![A-Za-z0-9])"
_EDGE_AFTER = r"(?![A-Za-z0-9])"
PROJECT_KEY = re.compile(rf"{_EDGE_BEFORE}([A-Z][A-Z0-9_]{{0,9}}-\d{{1,7}}){_EDGE_AFTER}")
REPO_KEY = re.compile(r"(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(\d{1,7})(?!\d)")
LOCAL_KEY = re.compile(r"(?<![A-Za-z0-9/#&])#(\d{1,7})(?![A-Za-z0-9])")
GITHUB_URL = re.compile(
    r"https?://[^\s/]+/(?:api/v3/repos/|repos/)?([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)"
    r"/(?:issues|pull)/(\d{1,7})(?!\d)"
)
PINGCODE_URL = re.compile(r"https?://[^\s/<>\"')]+/pjm/workitems/[A-Za-z0-9_-]+")


def mentioned_keys(text: str, *, repo: str | None = None, own_key: str | None = None) -> set[str]:
    """Every item key the text names; ``#12`` only counts inside a GitHub repository."""
    if not text:
        return set()
    keys = set(PROJECT_KEY.findall(text)) if "-" in text else set()
    rest = text
    if "://" in text:  # most text holds no URL: the rules read every comment
        keys.update(f"{found_repo}#{number}" for found_repo, number in GITHUB_URL.findall(text))
        keys.update(PINGCODE_URL.findall(text))
        rest = PINGCODE_URL.sub(" ", GITHUB_URL.sub(" ", text))
    if "#" in rest:
        keys.update(f"{found_repo}#{number}" for found_repo, number in REPO_KEY.findall(rest))
        if repo:
            keys.update(f"{repo}#{number}" for number in LOCAL_KEY.findall(REPO_KEY.sub(" ", rest)))
    keys.discard(own_key or "")
    return keys
