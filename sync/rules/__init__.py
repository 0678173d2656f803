"""The rules, evaluated over the whole store at once; they read the store and never call a
tracker. ``evaluate_rules`` returns every current finding."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import get_args

from sync.rule_settings import RuleName
from sync.rules.facts import load_facts, open_requirements
from sync.rules.finding import Finding
from sync.rules.incomplete import incomplete_finding, missing_elements
from sync.rules.requirements import analyse_requirement
from sync.rules.scope_creep import scope_creep_findings
from sync.rules.slipping import slipping_findings
from sync.rules.unanswered import unanswered_findings
from sync.rules.unconfirmed import unconfirmed_finding
from sync.rules.undocumented import undocumented_finding
from sync.rules.vocabulary import Vocabulary
from sync.settings import Settings
from sync.store import Store, on_own_connection
from sync.store.rewind import drop_rewound

log = logging.getLogger(__name__)

RULES: tuple[str, ...] = get_args(RuleName)  # the order people read them in
REQUIREMENT_RULES = ("unconfirmed_requirement", "undocumented_change", "incomplete_requirement")


def enabled_rules(settings: Settings) -> list[str]:
    return [name for name in RULES if getattr(settings.rules, name).enabled]


def evaluate_rules(store: Store, settings: Settings, as_of: date) -> Iterator[Finding]:
    """Every current finding, as the rules reach it (in no particular order): the caller
    stores them as they come, so they never all sit in memory. The milestone and conversation
    rules run on connections of their own in two more threads: SQLite releases the GIL while
    it works, so their queries overlap the requirement rules' Python on another core."""
    rules = settings.rules
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="rules") as pool:
        others = [
            pool.submit(on_own_connection, store.path, work, settings, as_of)
            for work in (milestone_findings, scope_and_conversation_findings)
        ]
        if any(getattr(rules, name).enabled for name in REQUIREMENT_RULES):
            yield from requirement_findings(store, settings, as_of)
        for future in others:
            yield from future.result()


def milestone_findings(store: Store, settings: Settings, as_of: date) -> list[Finding]:
    rules = settings.rules
    if not rules.slipping_milestone.enabled:
        return []
    return slipping_findings(store, rules.slipping_milestone, as_of)


def scope_and_conversation_findings(store: Store, settings: Settings, as_of: date) -> list[Finding]:
    """Scope creep and unanswered clients, on a third connection: their queries overlap the
    other rules' Python."""
    rules = settings.rules
    findings: list[Finding] = []
    if rules.scope_creep.enabled:
        findings += scope_creep_findings(store, settings, as_of)
    if rules.unanswered_client.enabled:
        findings += unanswered_findings(store, settings, as_of)
    return findings


def requirement_findings(store: Store, settings: Settings, as_of: date) -> Iterator[Finding]:
    rules = settings.rules
    facts = load_facts(store, settings, as_of)
    words = Vocabulary.from_settings(settings)
    missing = (
        missing_elements(store, settings, as_of) if rules.incomplete_requirement.enabled else {}
    )
    try:
        for requirement in open_requirements(store, facts, words):
            state = analyse_requirement(requirement, facts, words)
            if missing:
                key = (state.item.source, state.item.id)
                finding = incomplete_finding(state, missing.get(key), settings, as_of)
                if finding:
                    yield finding
            if rules.unconfirmed_requirement.enabled:
                finding = unconfirmed_finding(state, settings, as_of)
                if finding:
                    yield finding
            if rules.undocumented_change.enabled:
                finding = undocumented_finding(state)
                if finding:
                    yield finding
    finally:
        drop_rewound(store)  # the connection goes on to record findings in the real items
