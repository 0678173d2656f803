"""What the status report says about each open milestone of one store, as plain data (the HTML
pages and ``report.json`` are two views of it). Items are counted as the milestone rules count
them, and the forecast is the slipping rule's own Monte Carlo, so the page never disagrees with
the finding a person read in the tracker."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sync.report.burnup import burnup_series
from sync.report.verdict import VerdictFacts, milestone_verdict
from sync.rule_settings import SlippingMilestoneRule
from sync.rules.facts import cutoff_of
from sync.rules.scope import Scope, milestone_scopes
from sync.rules.slipping import HORIZON_DAYS, forecast_days, load_throughput
from sync.settings import Settings
from sync.store import report_queries as q
from sync.store.report_queries import ReadOnlyStore
from sync.store.rewind import rewind_items


@dataclass
class Member:
    key: str
    kind: str
    category: str
    created_at: str
    closed_at: str | None


@dataclass
class StoreView:
    """One store's rows, grouped: members per milestone, open findings by rule."""

    members: dict[tuple[str, str], list[Member]] = field(default_factory=dict)
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    acks: list[dict[str, Any]] = field(default_factory=list)
    due_changes: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)


def gather_store(
    store: ReadOnlyStore,
    settings: Settings,
    as_of: date,
    only: str | None = None,
    used: set[str] | None = None,
) -> dict[str, Any]:
    """{"path", "sources": [...], "milestones": [...]} for one store, as of the end of
    ``as_of``; ``only`` keeps the milestones with that title; ``used`` holds the file names
    other stores took."""
    rule = settings.rules.slipping_milestone
    cutoff = (as_of + timedelta(days=1)).isoformat()
    # the items and memberships of the end of that day, as the milestone rules read them (a
    # temp shadow: the store stays read-only); nothing is built when nothing changed since
    rewind_items(store, cutoff_of(as_of), ())  # type: ignore[arg-type]
    scopes = milestone_scopes(store, settings, as_of)  # type: ignore[arg-type]  # reads only
    milestones = [row for row in q.milestone_rows(store) if only is None or row[2] == only]
    view = load_view(store, rule, cutoff)
    throughput = load_throughput(store, rule, as_of, {row[0] for row in milestones})
    sources = [
        {"name": name, "kind": kind, "status": status, "last_run_at": at}
        for name, kind, status, at in q.source_rows(store)
    ]
    pages = []
    used = set() if used is None else used
    for row in milestones:
        page = milestone_page(row, view, rule, as_of, throughput, scopes.get((row[0], row[1])))
        page["file"] = unique_file(page["source"], page["title"], page["id"], used)
        page["store"] = str(store.path)
        pages.append(page)
    return {"path": str(store.path), "sources": sources, "milestones": pages}


def load_view(store: ReadOnlyStore, rule: SlippingMilestoneRule, cutoff: str) -> StoreView:
    prefix, _, suffix = rule.tracking_title.partition("{title}")
    view = StoreView()
    for source, milestone, *rest in q.member_rows(
        store, rule.tracking_label, prefix, suffix, cutoff
    ):
        view.members.setdefault((source, milestone), []).append(Member(*rest))
    for row in q.open_finding_rows(store):
        rule_name, source, subject, subject_type, subject_id, severity, summary, evidence = row[:8]
        view.findings.setdefault(rule_name, []).append(
            {
                "source": source,
                "subject": subject,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "severity": severity,
                "summary": summary,
                "evidence": json.loads(evidence or "{}"),
                "url": row[8],
            }
        )
    names = ("rule", "source", "subject", "by", "at", "until", "reason", "origin")
    view.acks = [dict(zip(names, row, strict=True)) for row in q.ack_rows(store)]
    for source, milestone, at, author, old, new in q.due_change_rows(store, cutoff):
        view.due_changes.setdefault((source, milestone), []).append(
            {"from": old, "to": new, "by": author, "at": at}
        )
    wanted = [f["subject"] for found in view.findings.values() for f in found]
    view.titles = q.item_title_rows(store, sorted(set(wanted)))
    return view


def milestone_page(
    row: tuple,
    view: StoreView,
    rule: SlippingMilestoneRule,
    as_of: date,
    throughput: dict[str, list[int]],
    scope_of: Scope | None = None,
) -> dict[str, Any]:
    source, mid, title, url, start_date, due_date, first_due = row
    members = view.members.get((source, mid), [])
    keys = {m.key for m in members}
    open_items = sum(1 for m in members if m.category != "done")
    forecast = milestone_forecast(throughput.get(source, []), open_items, rule, as_of)
    scope = milestone_scope(view, source, title, scope_of, len(members))
    unconfirmed = item_findings(view, "unconfirmed_requirement", source, keys)
    requirements = sum(1 for m in members if m.kind == "requirement")
    moved = bool(first_due and due_date and first_due < due_date)
    facts = VerdictFacts(
        open_items=open_items,
        as_of=as_of,
        due=_day(due_date),
        p50=_day(forecast.get("p50")),
        p85=_day(forecast.get("p85")),
        moved=moved,
        scope_creep=scope["finding"],
        unconfirmed_started=sum(1 for f in unconfirmed if f["work_started"]),
    )
    verdict, reasons = milestone_verdict(facts)
    start = start_date or min((m.created_at[:10] for m in members), default=None)
    return {
        "source": source,
        "id": mid,
        "title": title,
        "url": url,
        "due_date": due_date,
        "first_due_date": first_due if first_due and first_due != due_date else None,
        "start_date": start,
        "verdict": verdict,
        "reasons": reasons,
        "numbers": {
            "total": len(members),
            "done": len(members) - open_items,
            "open": open_items,
            "requirements_confirmed": requirements - len(unconfirmed),
            "requirements_unconfirmed": len(unconfirmed),
        },
        "forecast": forecast,
        "scope": scope,
        "burnup": burnup_series(
            members, start, as_of, {a["key"]: a["at"] for a in scope.get("added") or []}
        ),
        "due_history": due_history(view, source, mid, first_due, due_date),
        "unconfirmed": unconfirmed,
        "questions": item_findings(view, "unanswered_client", source, keys),
        "undocumented": item_findings(view, "undocumented_change", source, keys),
        "acks": [a for a in view.acks if a["source"] == source and a["subject"] in keys | {title}],
    }


def milestone_forecast(
    samples: list[int], open_items: int, rule: SlippingMilestoneRule, as_of: date
) -> dict[str, Any]:
    """The slipping rule's Monte Carlo, with its own fallback threshold: P50/P85 as dates, or
    why there is none."""
    if open_items == 0:
        return {"basis": "done"}
    if sum(samples) < rule.min_history_items:
        return {"basis": "too_little_history", "history_items": sum(samples)}
    p50, p85 = forecast_days(samples, open_items, rule) or (HORIZON_DAYS + 1,) * 2
    return {
        "basis": "monte_carlo",
        "p50": (as_of + timedelta(days=p50)).isoformat(),
        "p85": (as_of + timedelta(days=p85)).isoformat(),
        "beyond_horizon": p85 > HORIZON_DAYS,
        "throughput_per_day": round(sum(samples) / len(samples), 2),
    }


def milestone_scope(
    view: StoreView, source: str, title: str, scope: Scope | None, current: int
) -> dict[str, Any]:
    """Committed, added and removed scope, computed as the scope_creep rule computes it (the
    same function), and whether that rule flagged the milestone. A milestone the rule does not
    judge (no open items) shows its current items as committed and no history."""
    flagged = any(
        f["source"] == source and f["subject"] == title
        for f in view.findings.get("scope_creep", [])
    )
    if scope is None:
        return {"finding": flagged, "committed": current, "added": None, "removed": None}
    return {
        "finding": flagged,
        "committed": scope.committed,
        "commitment_time": scope.commitment_time,
        **scope.changes(),
    }


def item_findings(view: StoreView, rule: str, source: str, keys: set[str]) -> list[dict]:
    """The rule's open findings about items in the milestone, with what the page shows."""
    shown = []
    for finding in view.findings.get(rule, []):
        if finding["source"] != source or finding["subject"] not in keys:
            continue
        title, url = view.titles.get(finding["subject"], ("", finding["url"]))
        evidence = finding["evidence"]
        shown.append(
            {
                "key": finding["subject"],
                "title": title,
                "url": url or finding["url"],
                "severity": finding["severity"],
                "work_started": bool(evidence.get("work_started") or evidence.get("started_by")),
                "who": evidence.get("who"),
                "asked_at": evidence.get("asked_at"),
                "question": evidence.get("question"),
                "changes": evidence.get("changes", []),
            }
        )
    return shown


def due_history(
    view: StoreView, source: str, mid: str, first_due: str | None, due: str | None
) -> list[dict[str, Any]]:
    """Each move of the due date: the tracker's history where it keeps one, else the first
    date the store saw against today's (who and when unknown)."""
    changes = view.due_changes.get((source, mid))
    if changes:
        return changes
    if first_due and due and first_due != due:
        return [{"from": first_due, "to": due, "by": None, "at": None}]
    return []


def unique_file(source: str, title: str, mid: str, used: set[str]) -> str:
    """``<source>--<milestone-slug>.html``; a title with no ASCII letters or digits, or one
    that two milestones share, is told apart by the milestone's id."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or f"milestone-{mid}"
    name = f"{source}--{slug}.html"
    if name in used:
        name = f"{source}--{slug}-{re.sub(r'[^A-Za-z0-9]+', '-', mid)}.html"
    used.add(name)
    return name


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def by_due(milestones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Soonest due first; milestones with no date last."""
    return sorted(milestones, key=lambda m: (m["due_date"] or "9999", m["source"], m["title"]))


def group_counts(milestones: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for milestone in milestones:
        counts[milestone["verdict"]] += 1
    return dict(counts)
