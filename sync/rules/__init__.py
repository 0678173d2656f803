"""The rules, evaluated over the whole store at once; they read the store and never call a
tracker. ``evaluate_rules`` returns every current finding."""

from __future__ import annotations

import logging
from datetime import date

from sync.rules.facts import load_facts
from sync.rules.finding import SEVERITY_ORDER, Finding
from sync.rules.requirements import Vocabulary, analyse_requirement, change_request_keys
from sync.rules.slipping import slipping_findings
from sync.rules.unconfirmed import unconfirmed_finding
from sync.rules.undocumented import undocumented_finding
from sync.settings import Settings
from sync.store import Store

log = logging.getLogger(__name__)

RULES = ("unconfirmed_requirement", "undocumented_change", "slipping_milestone")


def enabled_rules(settings: Settings) -> list[str]:
    return [name for name in RULES if getattr(settings.rules, name).enabled]


def evaluate_rules(store: Store, settings: Settings, as_of: date) -> list[Finding]:
    rules = settings.rules
    findings: list[Finding] = []
    if rules.unconfirmed_requirement.enabled or rules.undocumented_change.enabled:
        facts = load_facts(store, settings, as_of)
        cr_keys = change_request_keys(store, settings, facts.cutoff)
        words = Vocabulary.from_settings(settings)
        for item in facts.items.values():
            if item.kind != "requirement" or item.category == "done" or item.is_pull_request:
                continue
            state = analyse_requirement(item, facts, words, cr_keys)
            if rules.unconfirmed_requirement.enabled:
                finding = unconfirmed_finding(state, settings, as_of)
                if finding:
                    findings.append(finding)
            if rules.undocumented_change.enabled:
                finding = undocumented_finding(state)
                if finding:
                    findings.append(finding)
    if rules.slipping_milestone.enabled:
        findings += slipping_findings(store, rules.slipping_milestone, as_of)
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.source, f.rule, f.subject))
    return findings
