"""A local PingCode / Worktile open API for one project.

Faithful where a sync can trip: a GET token endpoint with query credentials whose
``expires_in`` is an absolute epoch (or a duration, switchable); lists paged by ``page_index``
from 0 with ``total`` and no sort order; list items without ``type`` (as seen live);
``updated_between`` honoured or silently ignored (switchable: tenants differ); 200 requests a
minute per identity, refused with 429 + ``x-pc-retry-after``; errors ``{code, message}``,
mostly as HTTP 400; comments soft-deleted (``is_deleted: 1``, content emptied), never edited.

Modules: ``data`` (state and how it changes), ``payloads`` (official JSON shapes), ``routes``
(HTTP: routing, token, request budget, paging, handlers). ``WorktileSandbox`` is the assembled
class.
"""

from __future__ import annotations

from sandbox.worktile.data import STATES, TYPES, hexid
from sandbox.worktile.routes import WorktileSandbox

__all__ = ["STATES", "TYPES", "WorktileSandbox", "hexid"]
