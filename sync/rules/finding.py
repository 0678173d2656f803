"""A finding: what a rule says about one item or milestone, as stored and reported."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.rules.facts import Item

SEVERITY_ORDER = {"high": 0, "warning": 1, "info": 2}
# one encoder for every finding: ``json.dumps`` with options builds a new one per call
EVIDENCE_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


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

    @classmethod
    def about_item(
        cls, rule: str, item: Item, severity: str, summary: str, evidence: dict[str, Any]
    ) -> Finding:
        """A finding on one item: its key is the subject, its URL where to look."""
        subject = (item.source, "item", item.key, item.id)
        return cls(rule, *subject, severity, summary, evidence, item.url)

    @classmethod
    def about_milestone(
        cls,
        rule: str,
        milestone: Any,
        severity: str,
        summary: str,
        evidence: dict[str, Any],
    ) -> Finding:
        """A finding on one milestone (anything with source, id, title and url): its title is
        the subject, as people name it."""
        subject = (milestone.source, "milestone", milestone.title, milestone.id)
        return cls(rule, *subject, severity, summary, evidence, milestone.url)

    @cached_property
    def evidence_json(self) -> str:
        """The evidence as the store keeps it, encoded once by whichever process found it (a
        second process encodes its own findings, sparing the one that saves them)."""
        return EVIDENCE_JSON.encode(self.evidence)

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
