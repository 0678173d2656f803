"""The rules, evaluated over the whole store at once; they read the store and never call a
tracker. ``evaluate_rules`` returns every current finding."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import get_args

from sync.rule_settings import RuleName
from sync.rules.elsewhere import run_beside
from sync.rules.facts import (
    Pending,
    cutoff_of,
    gathered_facts,
    once_linked,
    open_requirements,
    work_links,
)
from sync.rules.finding import Finding
from sync.rules.incomplete import incomplete_finding, missing_elements
from sync.rules.requirements import RequirementState, analyse_requirement
from sync.rules.scope import milestone_scopes
from sync.rules.scope_creep import scope_creep_findings
from sync.rules.slipping import slipping_findings
from sync.rules.unanswered import unanswered_findings
from sync.rules.unconfirmed import unconfirmed_finding
from sync.rules.undocumented import undocumented_finding
from sync.rules.vocabulary import Vocabulary
from sync.settings import Settings
from sync.store import Store, on_own_connection
from sync.store.rewind import drop_rewound, rewind_items

log = logging.getLogger(__name__)

RULES: tuple[str, ...] = get_args(RuleName)  # the order people read them in
PROCESS_ABOVE_ITEMS = 20_000
REQUIREMENT_RULES = ("unconfirmed_requirement", "undocumented_change", "incomplete_requirement")


def enabled_rules(settings: Settings) -> list[str]:
    return [name for name in RULES if getattr(settings.rules, name).enabled]


def evaluate_rules(
    store: Store, settings: Settings, as_of: date, process_above: int = PROCESS_ABOVE_ITEMS
) -> Iterator[Finding]:
    """Every current finding, as the rules reach it (in no particular order): the caller
    stores them as they come, so they never all sit in memory. The open requirements' links,
    then the milestone and conversation rules, are computed beside the requirement rules: in
    a second process on a store of more than ``process_above`` items, in threads on a smaller
    one (see ``elsewhere``)."""
    rules = settings.rules
    requirements = any(getattr(rules, name).enabled for name in REQUIREMENT_RULES)
    works = [work_links if requirements else no_links, other_findings]
    with run_beside(works, store, settings, as_of, process_above) as (links, others):
        if requirements:
            yield from requirement_findings(store, settings, as_of, links)
        yield from others.result()


def no_links(path: str, settings: Settings, as_of: date) -> dict:
    return {}


def other_findings(path: str, settings: Settings, as_of: date) -> list[Finding]:
    """The rules that are not about one requirement, on a connection of their own; their
    evidence encoded here, beside the requirement rules rather than after them."""
    findings = on_own_connection(path, milestone_and_conversation_findings, settings, as_of)
    for finding in findings:
        finding.evidence_json  # noqa: B018 — computed now, kept by the finding
    return findings


def milestone_and_conversation_findings(
    store: Store, settings: Settings, as_of: date
) -> list[Finding]:
    """Over the items as they were at the end of ``as_of``; slipping and scope creep share
    one pass over the milestones' members."""
    rules = settings.rules
    rewind_items(store, cutoff_of(as_of), ())
    findings: list[Finding] = []
    if rules.slipping_milestone.enabled or rules.scope_creep.enabled:
        scopes = milestone_scopes(store, settings, as_of)
        if rules.slipping_milestone.enabled:
            findings += slipping_findings(store, rules.slipping_milestone, as_of, scopes)
        if rules.scope_creep.enabled:
            findings += scope_creep_findings(scopes, settings)
    if rules.unanswered_client.enabled:
        findings += unanswered_findings(store, settings, as_of)
    return findings


def requirement_findings(
    store: Store, settings: Settings, as_of: date, links: Pending[dict]
) -> Iterator[Finding]:
    """The requirement rules over every open requirement; ``links`` (``work_links``) is
    being computed elsewhere and is taken when first needed."""
    rules = settings.rules
    words = Vocabulary.from_settings(settings)
    try:
        facts = gathered_facts(store, settings, as_of)
        missing = (
            missing_elements(store, settings, as_of) if rules.incomplete_requirement.enabled else {}
        )
        for requirement in once_linked(open_requirements(store, facts, words), facts, links):
            state = analyse_requirement(requirement, facts, words)
            yield from judged(state, missing, settings, as_of)
    finally:
        drop_rewound(store)  # the connection goes on to record findings in the real items


def judged(
    state: RequirementState, missing: dict, settings: Settings, as_of: date
) -> Iterator[Finding]:
    """The requirement rules' findings about one open requirement."""
    rules = settings.rules
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
