"""A digest: the findings opened, reopened and resolved since a channel's last message, grouped
by milestone and source, each milestone with its verdict when it changed. Built from rows the
store returns (``sync/store/notify_queries.py``) and rendered as lines by each platform, which
decides how a link looks and how many entries fit ("and N more" past that)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync.notify.catalogue import say
from sync.report.verdict import verdict_from_findings
from sync.store import Store
from sync.store.notify_queries import finding_changes, milestone_facts

SEVERITY_RANK = {"high": 0, "warning": 1, "info": 2}
Link = Callable[[str, str | None], str]


@dataclass
class Entry:
    change: str  # opened | reopened | resolved
    severity: str
    subject: str
    summary: str
    url: str | None


@dataclass
class Group:
    source: str
    milestone: str | None
    milestone_url: str | None
    verdict: str | None  # set only when it changed since the channel's last message
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Digest:
    trigger: str  # new_high | daily
    language: str
    groups: list[Group]
    last_event: int
    verdicts: dict[str, str]  # every verdict of the milestones in this digest, by key

    @property
    def size(self) -> int:
        return sum(len(group.entries) for group in self.groups)

    def count(self, change: str) -> int:
        return sum(1 for g in self.groups for e in g.entries if e.change == change)

    def title(self) -> str:
        return say(self.language, f"title.{self.trigger}")

    def counts(self) -> str:
        return say(
            self.language,
            "counts",
            opened=self.count("opened"),
            reopened=self.count("reopened"),
            resolved=self.count("resolved"),
        )

    def heading(self, group: Group, link: Link) -> str:
        name = group.milestone or say(self.language, "no_milestone")
        line = say(
            self.language, "group", milestone=link(name, group.milestone_url), source=group.source
        )
        if group.verdict:
            verdict = say(self.language, f"verdict.{group.verdict}")
            line += say(self.language, "verdict", verdict=verdict)
        return line

    def entry(self, entry: Entry, link: Link) -> str:
        return say(
            self.language,
            "entry",
            change=say(self.language, f"change.{entry.change}"),
            severity=say(self.language, f"severity.{entry.severity}"),
            subject=link(entry.subject, entry.url),
            summary=entry.summary,
        )

    def more(self, n: int) -> str:
        return say(self.language, "more", n=n)

    def sections(self, shown: int, link: Link) -> tuple[list[tuple[str, list[str]]], int]:
        """The first ``shown`` entries as (heading, entry lines) per group, and how many were
        left out."""
        out: list[tuple[str, list[str]]] = []
        left = shown
        for group in self.groups:
            if left <= 0:
                break
            lines = [self.entry(e, link) for e in group.entries[:left]]
            left -= len(lines)
            out.append((self.heading(group, link), lines))
        return out, self.size - min(shown, self.size)

    def lines(self, shown: int, link: Link) -> list[str]:
        """The digest as plain lines: title, counts, each group and its entries."""
        sections, hidden = self.sections(shown, link)
        lines = [self.title(), self.counts()]
        for heading, entries in sections:
            lines += ["", heading, *("• " + e for e in entries)]
        if hidden:
            lines += ["", self.more(hidden)]
        return lines


def fit(build: Callable[[int], Any], total: int, fits: Callable[[Any], bool]) -> Any:
    """The body showing the most entries that still fits the platform's limit (binary search
    on the number shown; the rest become "and N more")."""
    if fits(body := build(total)):
        return body
    low, high = 0, total - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(build(middle)):
            low = middle
        else:
            high = middle - 1
    return build(low)


def plain_link(text: str, url: str | None) -> str:
    return f"{text} <{url}>" if url else text


def build_digest(
    store: Store,
    *,
    trigger: str,
    language: str,
    after_event: int,
    sources: Iterable[str] | None,
    as_of: date,
    told: dict[str, str],
) -> Digest | None:
    """The digest of the changes after event ``after_event`` of ``sources`` (all when None);
    None when nothing was opened, reopened or resolved."""
    wanted = set(sources) if sources is not None else None
    changes = [
        row
        for row in finding_changes(store, after_event)
        if wanted is None or row["source"] in wanted
    ]
    if not changes:
        return None
    groups: dict[tuple[str, str | None], Group] = {}
    verdicts: dict[str, str] = {}
    for row in changes:
        key = (row["source"], row["milestone_id"])
        if key not in groups:
            verdict = _verdict(store, row, as_of)
            name = f"{row['source']}/{row['milestone_id']}"
            if verdict:
                verdicts[name] = verdict
            groups[key] = Group(
                row["source"],
                row["milestone"],
                row["milestone_url"],
                verdict if verdict and told.get(name) != verdict else None,
            )
        groups[key].entries.append(
            Entry(row["change"], row["severity"], row["subject"], row["summary"], row["url"])
        )
    for group in groups.values():
        group.entries.sort(key=lambda e: (SEVERITY_RANK.get(e.severity, 9), e.subject))
    ordered = sorted(
        groups.values(), key=lambda g: (g.milestone is None, g.milestone or "", g.source)
    )
    last = max(row["event_id"] for row in changes)
    return Digest(trigger, language, ordered, last, verdicts)


def _verdict(store: Store, row: dict[str, Any], as_of: date) -> str | None:
    if not row["milestone_id"]:
        return None
    facts = milestone_facts(store, row["source"], row["milestone_id"])
    if facts is None:
        return None
    return verdict_from_findings(
        due_date=facts["due_date"],
        open_items=facts["open_items"],
        as_of=as_of,
        first_due_date=facts["first_due_date"],
        findings=facts["findings"],
    )
