"""A finding: what a rule says about one item or milestone, as stored and reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITY_ORDER = {"high": 0, "warning": 1, "info": 2}


@dataclass
class Finding:
    rule: str
    source: str
    subject_type: str  # "item" or "milestone"
    subject: str  # item key, or milestone title
    subject_id: str  # item or milestone id in its source
    severity: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    url: str | None = None

    def report(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "source": self.source,
            "subject_type": self.subject_type,
            "subject": self.subject,
            "severity": self.severity,
            "summary": self.summary,
            "evidence": self.evidence,
            "url": self.url,  # an extension of the documented report: where to look
        }
