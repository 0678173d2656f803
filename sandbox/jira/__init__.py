"""A local Jira: Cloud (REST v3 and v2) or Data Center (REST v2), plus the Agile sprint list.

Faithful where a sync can trip: ``search/jql`` returns only ids unless ``fields`` is given and
pages by ``nextPageToken`` (no ``total``); the old ``/search`` answers 410 on Cloud; Data
Center's ``/rest/api/2/search`` pages by ``startAt``/``total`` and grants fewer results than
asked; embedded changelogs hold the newest 40 histories (Cloud), the paged changelog is
oldest first; JQL date literals are read in the searching user's time zone, numbers as epoch
milliseconds; v3 comment bodies must be ADF; errors are ``{errorMessages, errors}``.

Modules: ``data`` (state and how it changes), ``payloads`` (official JSON shapes), ``search``
(JQL, both searches, the paged changelog), ``routes`` (HTTP: routing, auth, other handlers).
``JiraSandbox`` is the assembled class.
"""

from __future__ import annotations

from sandbox.jira.data import (
    CATEGORIES,
    EMBEDDED_HISTORY_CAP,
    SPRINT_FIELD,
    STATUSES,
    STORY_POINTS,
    JiraError,
    epoch_ms,
    jira_time,
    now_ms,
)
from sandbox.jira.routes import JiraSandbox

__all__ = [
    "CATEGORIES",
    "EMBEDDED_HISTORY_CAP",
    "SPRINT_FIELD",
    "STATUSES",
    "STORY_POINTS",
    "JiraError",
    "JiraSandbox",
    "epoch_ms",
    "jira_time",
    "now_ms",
]
