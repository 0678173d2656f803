"""``tracker-sync check``: before a first run, is each source reachable, are its credentials
good, is its project or repository visible, who is the service there, and may it comment?
One or two reads per source, never retried and never a write: write scope is read from what
the tracker says (GitHub's repository ``permissions``, Jira's ``mypermissions``), never tried.
One line per source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.errors import TrackerError
from connectors.interrupt import Interrupted
from sync.pull.sources import error_text
from sync.settings import Settings, SourceSettings
from sync.trackers import build_connector


@dataclass
class SourceCheck:
    name: str
    ok: bool
    line: str
    requests: int = 0


def check_sources(
    settings: Settings, sources: list[SourceSettings], secrets: dict[str, dict[str, str]]
) -> list[SourceCheck]:
    return [check_source(settings, source, secrets.get(source.name, {})) for source in sources]


def check_source(
    settings: Settings, source: SourceSettings, secrets: dict[str, str]
) -> SourceCheck:
    """One source's verdict. A check is asked once: a failure is reported, not retried."""
    once = source.model_copy(update={"max_attempts": 1})
    connector = build_connector(once, secrets)
    try:
        access = connector.check_access()
    except TrackerError as exc:
        return SourceCheck(source.name, False, error_text(source, exc), _requests(connector))
    except Interrupted:
        return SourceCheck(source.name, False, f"{source.name}: interrupted", _requests(connector))
    finally:
        connector.close()
    return verdict(settings, source, access, _requests(connector))


def verdict(
    settings: Settings, source: SourceSettings, access: dict[str, Any], requests: int
) -> SourceCheck:
    who = f"as {access['identity']}, " if access.get("identity") else ""
    seen = f"{source.kind}, {who}{access['target']} visible"
    write = access.get("write")
    if write is None:
        return SourceCheck(
            source.name,
            True,
            f"{source.name}: ok ({seen}; write scope: this tracker cannot tell before a write)",
            requests,
        )
    if write:
        return SourceCheck(source.name, True, f"{source.name}: ok ({seen}; can comment)", requests)
    if not settings.writeback.enabled:
        line = f"{source.name}: ok ({seen}; read-only, and [writeback] enabled = false)"
        return SourceCheck(source.name, True, line, requests)
    return SourceCheck(
        source.name,
        False,
        f"{source.name}: no write scope: the token can read {access['target']} but may not"
        " comment there (give it write access, or set [writeback] enabled = false)",
        requests,
    )


def _requests(connector: Any) -> int:
    return connector.http.stats.requests
