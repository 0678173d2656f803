"""undocumented_change: scope edited after the baseline with no change request, no explaining
comment and no documented label."""

from __future__ import annotations

from sync.rules.finding import Finding
from sync.rules.requirements import RequirementState
from sync.rules.text import abridge

RULE = "undocumented_change"
FIELD_NAMES = {
    "title": "title",
    "description": "description",
    "acceptance": "acceptance criteria",
    "estimate": "estimate",
    "due_date": "due date",
    "milestone": "milestone",
}


def undocumented_finding(state: RequirementState) -> Finding | None:
    if not state.undocumented:
        return None
    item = state.item
    changes = [
        {
            "field": change.field,
            "from": abridge(change.from_value),
            "to": abridge(change.to_value),
            "who": change.author,
            "when": change.at,
            "origin": change.origin,
        }
        for change in state.undocumented
    ]
    fields = sorted({FIELD_NAMES.get(c.field, c.field) for c in state.undocumented})
    count = len(changes)
    summary = (
        f"{count} scope change{'s' if count > 1 else ''} after "
        f"{'confirmation' if state.confirmations else 'work started'} with no change request: "
        + ", ".join(fields)
    )
    evidence = {"baseline": state.baseline, "changes": changes}
    return Finding.about_item(RULE, item, "warning", summary, evidence)
