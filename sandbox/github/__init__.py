"""A local GitHub REST API (2022-11-28) for one repository, as ``api.github.com`` or a GitHub
Enterprise Server (``/api/v3`` prefix) serves it.

Faithful where a sync can trip: ``state`` defaults to open; PRs are in the issues list; paging
only through ``Link`` headers (``per_page`` default 30, max 100); weak ETags and free 304s;
``x-ratelimit-*`` headers and a 403 when the budget is spent; repo-wide events newest first
with no ``since``; ``milestoned`` events naming the title only; comments linked to issues only
by ``issue_url``; errors as ``{message, documentation_url, status}``.

Modules: ``data`` (state and how it changes), ``payloads`` (official JSON shapes), ``routes``
(HTTP: routing, auth, rate limits, paging, handlers). ``GitHubSandbox`` is the assembled class.
"""

from __future__ import annotations

from sandbox.github.data import DOCS, MAX_COMMENT, SECONDARY_LIMIT_MESSAGE, now_iso
from sandbox.github.routes import GitHubSandbox

__all__ = ["DOCS", "MAX_COMMENT", "SECONDARY_LIMIT_MESSAGE", "GitHubSandbox", "now_iso"]
