"""The rules, evaluated over the whole store at once; they read the store and never call a
tracker. ``evaluate_rules`` returns every current finding."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

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

log = logging.getLogger(__name__)

RULES = (
    "unconfirmed_requirement",
    "undocumented_change",
    "slipping_milestone",
    "incomplete_requirement",
    "scope_creep",
    "unanswered_client",
)
REQUIREMENT_RULES = ("unconfirmed_requirement", "undocumented_change", "incomplete_requirement")


def enabled_rules(settings: Settings) -> list[str]:
    return [name for name in RULES if getattr(settings.rules, name).enabled]


def evaluate_rules(store: Store, settings: Settings, as_of: date) -> Iterator[Finding]:
    """Every current finding, as the rules reach it (in no particular order): the caller
    stores them as they come, so they never all sit in memory. The milestone rule runs on
    its own connection in a second thread: SQLite releases the GIL while it works, so its
    queries overlap the requirement rules' Python on another core."""
    rules = settings.rules
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rules") as pool:
        milestones = pool.submit(on_own_connection, store.path, milestone_findings, settings, as_of)
        if any(getattr(rules, name).enabled for name in REQUIREMENT_RULES):
            yield from requirement_findings(store, settings, as_of)
        yield from milestones.result()


def milestone_findings(store: Store, settings: Settings, as_of: date) -> list[Finding]:
    """The rules that judge milestones and the conversation, on the second connection."""
    rules = settings.rules
    findings: list[Finding] = []
    if rules.slipping_milestone.enabled:
        findings += slipping_findings(store, rules.slipping_milestone, as_of)
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
