"""unconfirmed_requirement: work started on (or a week passed for) a requirement the client
never confirmed, or whose confirmation a later undocumented scope change voided."""

from __future__ import annotations

from datetime import date

from sync.rules.facts import older_than, parse_time
from sync.rules.finding import Finding
from sync.rules.requirements import RequirementState
from sync.settings import Settings

RULE = "unconfirmed_requirement"


def unconfirmed_finding(state: RequirementState, settings: Settings, as_of: date) -> Finding | None:
    rule = settings.rules.unconfirmed_requirement
    if state.valid_confirmations:
        return None
    item = state.item
    age_days = (as_of - parse_time(item.created_at).date()).days
    if not state.work_started and not older_than(item.created_at, rule.grace_days, as_of):
        return None
    evidence: dict = {"age_days": age_days, "work_started": state.work_started}
    if state.work_started:
        evidence["work_started_at"] = state.work_started_at
        if state.started_by:
            evidence["started_by"] = state.started_by
    if state.confirmations:
        evidence["voided_confirmations"] = [
            {"how": c.how, "detail": c.detail, "at": c.at} for c in state.confirmations
        ]
        evidence["voided_by_change_at"] = state.last_undocumented
    if state.work_started:
        summary = "Work has started on a requirement the client has not confirmed"
    else:
        summary = f"Requirement not confirmed by the client after {age_days} days"
    if state.confirmations:
        summary += " (its confirmation predates an undocumented scope change)"
    severity = "high" if state.work_started else "warning"
    return Finding.about_item(RULE, item, severity, summary, evidence)
