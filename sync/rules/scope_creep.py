"""scope_creep: items joined an open milestone after its commitment time, outside change
control, reaching ``threshold`` of the committed scope (范围蔓延). One finding per milestone,
written where ``slipping_milestone`` findings are written."""

from __future__ import annotations

from sync.rules.finding import Finding
from sync.rules.scope import Scope
from sync.settings import Settings

RULE = "scope_creep"


def scope_creep_findings(scopes: dict[tuple[str, str], Scope], settings: Settings) -> list[Finding]:
    threshold = settings.rules.scope_creep.threshold
    findings = [scope_finding(scope, threshold) for scope in scopes.values()]
    return [finding for finding in findings if finding is not None]


def scope_finding(scope: Scope, threshold: float) -> Finding | None:
    """Flag when undocumented additions reach ``threshold`` of the committed scope (at least
    one); ``high`` at twice it. A milestone committed empty, or with no open items, never."""
    committed = scope.committed
    undocumented = sum(1 for _, _, documented in scope.added if not documented)
    if scope.open_items == 0 or committed == 0 or undocumented == 0:
        return None
    ratio = undocumented / committed
    if ratio < threshold:
        return None
    severity = "high" if ratio >= 2 * threshold else "warning"
    summary = (
        f"Milestone {scope.title} grew by {undocumented} undocumented item"
        f"{'s' if undocumented > 1 else ''} after its commitment "
        f"({round(ratio * 100)}% of the {committed} committed)"
    )
    evidence = {
        "milestone": scope.title,
        "commitment_time": scope.commitment_time,
        "committed": committed,
        **scope.changes(),
        "undocumented": undocumented,
        "ratio": round(ratio, 3),
        "tracking_item": scope.tracking_item,
    }
    return Finding.about_milestone(RULE, scope, severity, summary, evidence)
