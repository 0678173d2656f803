"""The rules, evaluated over the whole store at once; they read the store and never call a
tracker. ``evaluate_rules`` returns every current finding."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from sync.rules.facts import load_facts, open_requirements
from sync.rules.finding import Finding
from sync.rules.requirements import analyse_requirement
from sync.rules.slipping import slipping_findings
from sync.rules.unconfirmed import unconfirmed_finding
from sync.rules.undocumented import undocumented_finding
from sync.rules.vocabulary import Vocabulary
from sync.settings import Settings
from sync.store import Store, on_own_connection
from sync.store.rewind import drop_rewound

log = logging.getLogger(__name__)

RULES = ("unconfirmed_requirement", "undocumented_change", "slipping_milestone")


def enabled_rules(settings: Settings) -> list[str]:
    return [name for name in RULES if getattr(settings.rules, name).enabled]


def evaluate_rules(store: Store, settings: Settings, as_of: date) -> Iterator[Finding]:
    """Every current finding, as the rules reach it (in no particular order): the caller
    stores them as they come, so they never all sit in memory. The milestone rule runs on
    its own connection in a second thread: SQLite releases the GIL while it works, so its
    queries overlap the requirement rules' Python on another core."""
    rules = settings.rules
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rules") as pool:
        milestones = (
            pool.submit(
                on_own_connection, store.path, slipping_findings, rules.slipping_milestone, as_of
            )
            if rules.slipping_milestone.enabled
            else None
        )
        if rules.unconfirmed_requirement.enabled or rules.undocumented_change.enabled:
            yield from requirement_findings(store, settings, as_of)
        if milestones is not None:
            yield from milestones.result()


def requirement_findings(store: Store, settings: Settings, as_of: date) -> Iterator[Finding]:
    rules = settings.rules
    facts = load_facts(store, settings, as_of)
    words = Vocabulary.from_settings(settings)
    try:
        for requirement in open_requirements(store, facts, words):
            state = analyse_requirement(requirement, facts, words)
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
