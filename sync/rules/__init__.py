"""The rules, evaluated over the whole store at once; they read the store and never call a
tracker. ``evaluate_rules`` returns every current finding."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from sync.rules.facts import load_facts
from sync.rules.finding import SEVERITY_ORDER, Finding
from sync.rules.requirements import Vocabulary, analyse_requirement
from sync.rules.slipping import slipping_findings
from sync.rules.unconfirmed import unconfirmed_finding
from sync.rules.undocumented import undocumented_finding
from sync.settings import Settings, SlippingMilestoneRule
from sync.store import Store

log = logging.getLogger(__name__)

RULES = ("unconfirmed_requirement", "undocumented_change", "slipping_milestone")


def enabled_rules(settings: Settings) -> list[str]:
    return [name for name in RULES if getattr(settings.rules, name).enabled]


def evaluate_rules(store: Store, settings: Settings, as_of: date) -> list[Finding]:
    """The milestone rule runs on its own connection in a second thread: SQLite releases the
    GIL while it works, so its queries overlap the requirement rules' Python on another core."""
    rules = settings.rules
    findings: list[Finding] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rules") as pool:
        milestones = (
            pool.submit(_slipping_on_own_connection, store.path, rules.slipping_milestone, as_of)
            if rules.slipping_milestone.enabled
            else None
        )
        if rules.unconfirmed_requirement.enabled or rules.undocumented_change.enabled:
            findings += requirement_findings(store, settings, as_of)
        if milestones is not None:
            findings += milestones.result()
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.source, f.rule, f.subject))
    return findings


def requirement_findings(store: Store, settings: Settings, as_of: date) -> list[Finding]:
    rules = settings.rules
    facts = load_facts(store, settings, as_of)
    words = Vocabulary.from_settings(settings)
    findings: list[Finding] = []
    for item in facts.requirements:
        state = analyse_requirement(item, facts, words)
        if rules.unconfirmed_requirement.enabled:
            finding = unconfirmed_finding(state, settings, as_of)
            if finding:
                findings.append(finding)
        if rules.undocumented_change.enabled:
            finding = undocumented_finding(state)
            if finding:
                findings.append(finding)
    return findings


def _slipping_on_own_connection(
    path: Path, rule: SlippingMilestoneRule, as_of: date
) -> list[Finding]:
    store = Store(path)
    try:
        return slipping_findings(store, rule, as_of)
    finally:
        store.close()
