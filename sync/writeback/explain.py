"""Each finding as sentences a person can act on: why it was raised (what showed that work
started and when, which change by whom, what puts the milestone at risk) and what resolves
it, naming the configured means. Only dates and counts that move with tracker activity are
shown, never ages: a quiet tracker's comment reads the same tomorrow (its digest too).

Tracker and configuration values are quoted (“…”), never translated; every other word comes
from the catalogue, never from a finding's English ``summary``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sync.rule_settings import RulesSettings
from sync.writeback.explain_client import CLIENT_EXPLAINERS

Blocks = list[tuple[str, Any]]


def day(value: Any) -> str:
    """An ISO date from a timestamp (the tracker's UTC day)."""
    return str(value or "")[:10]


def quoted(words: dict[str, str], values: Any) -> str:
    """Values from a tracker or the configuration, each in quotes, joined with "or"."""
    items = [words["quote"].format(v) for v in values if str(v)]
    if len(items) <= 1:
        return "".join(items)
    return words["sep"].join(items[:-1]) + words["or"] + items[-1]


def finding_blocks(finding: dict[str, Any], words: dict[str, str], rules: RulesSettings) -> Blocks:
    rule = finding["rule"]
    severity = words.get(f"severity_{finding['severity']}", finding["severity"])
    name = words.get(f"rule_{rule}", rule)
    blocks: Blocks = [("heading", words["heading"].format(rule=name, severity=severity))]
    explain = EXPLAINERS.get(rule)
    if explain is None:  # a rule without its sentences yet: its own summary, as it is
        return [*blocks, ("para", finding.get("summary") or "")]
    return blocks + explain(finding, words, rules)


def acknowledged_blocks(
    finding: dict[str, Any], ack: dict[str, Any], words: dict[str, str]
) -> Blocks:
    """An acknowledged finding: who, until when, why — nothing that changes until the ack
    ends or the finding changes, so the comment is written once."""
    name = words.get(f"rule_{finding['rule']}", finding["rule"])
    values = {"date": day(ack.get("at")), "until": ack.get("until")}
    if ack.get("origin") == "deleted_comment":
        said = words["acked_deleted"].format(**values)
    else:
        who = words["quote"].format(ack.get("by") or "?")
        said = words["acked_by"].format(who=who, **values)
    blocks: Blocks = [("heading", words["acked_heading"].format(rule=name)), ("para", said)]
    if ack.get("reason") and ack.get("origin") != "deleted_comment":
        reason = words["quote"].format(ack["reason"])
        blocks.append(("para", words["acked_reason"].format(reason=reason)))
    asked = ack.get("asked_days") or 0
    if asked > 90:
        blocks.append(("para", words["acked_held"].format(days=asked)))
    return [*blocks, ("note", words["acked_until"])]


def unconfirmed(finding: dict[str, Any], words: dict[str, str], rules: RulesSettings) -> Blocks:
    evidence = finding.get("evidence") or {}
    created = day(finding.get("item_created"))
    started = day(evidence.get("work_started_at"))
    settings = rules.unconfirmed_requirement
    if started:
        why = words["why_started"].format(date=started)
    else:
        why = words["why_waiting"].format(date=created, days=settings.grace_days)
    blocks: Blocks = [("para", why)]
    if evidence.get("voided_confirmations"):
        blocks.append(
            ("para", words["why_voided"].format(date=day(evidence.get("voided_by_change_at"))))
        )
    bullets = [words["open_since"].format(date=created)] if created else []
    if evidence.get("started_by"):
        items = words["sep"].join(words["quote"].format(k) for k in evidence["started_by"])
        bullets.append(words["started_items"].format(items=items))
    elif started:
        bullets.append(words["started_self"].format(date=started))
    if bullets:
        blocks.append(("bullets", bullets))
    means = []
    if settings.confirmed_labels:
        means.append(words["means_labels"].format(values=quoted(words, settings.confirmed_labels)))
    if settings.confirmed_statuses:
        statuses = quoted(words, settings.confirmed_statuses)
        means.append(words["means_statuses"].format(values=statuses))
    if settings.confirmed_field:
        means.append(words["means_field"].format(values=quoted(words, [settings.confirmed_field])))
    phrases = quoted(words, settings.confirm_phrases)
    if rules.clients:
        accounts = quoted(words, rules.clients)
        means.append(words["means_comment"].format(accounts=accounts, phrases=phrases))
    else:
        means.append(words["means_comment_any"].format(phrases=phrases))
    fix = words["fix_unconfirmed_requirement"].format(means=words["means_sep"].join(means))
    return [*blocks, ("note", fix)]


def undocumented(finding: dict[str, Any], words: dict[str, str], rules: RulesSettings) -> Blocks:
    evidence = finding.get("evidence") or {}
    blocks: Blocks = [
        ("para", words["why_undocumented"].format(date=day(evidence.get("baseline"))))
    ]
    lines = []
    for change in evidence.get("changes", []):
        values = {
            "field": words.get(f"field_{change['field']}", words["quote"].format(change["field"])),
            "old": words["quote"].format(change["from"]) if change.get("from") else words["empty"],
            "new": words["quote"].format(change["to"]) if change.get("to") else words["empty"],
            "date": day(change.get("when")),
        }
        if change.get("who"):
            lines.append(words["change"].format(who=words["quote"].format(change["who"]), **values))
        else:
            lines.append(words["change_unknown"].format(**values))
    if lines:
        blocks.append(("bullets", lines))
    settings = rules.undocumented_change
    fix = words["fix_undocumented_change"].format(
        types=quoted(words, settings.change_request_types),
        labels=quoted(words, settings.change_request_labels),
        phrases=quoted(words, settings.change_phrases),
        documented=quoted(words, settings.documented_labels),
    )
    return [*blocks, ("note", fix)]


def slipping(finding: dict[str, Any], words: dict[str, str], rules: RulesSettings) -> Blocks:
    evidence = finding.get("evidence") or {}
    title = words["quote"].format(finding.get("subject", ""))
    due = evidence.get("due_date")
    why = words["why_slipping" if due else "why_slipping_undated"].format(title=title, due=due)
    open_items, done_items = evidence.get("open_items", 0), evidence.get("done_items", 0)
    total = open_items + done_items
    lines = []
    for reason in evidence.get("reasons", []):
        kind = reason.get("reason")
        if kind == "overdue":
            line = words["reason_overdue"].format(due=due, open=open_items, total=total)
        elif kind == "forecast":
            line = words["reason_forecast"].format(
                days=rules.slipping_milestone.history_days,
                p50=forecast_day(words, reason.get("p50")),
                p85=forecast_day(words, reason.get("p85")),
                due=reason.get("due") or due,
            )
        elif kind == "behind_schedule":
            line = words["reason_behind"].format(
                done=done_items, total=total, start=reason.get("start")
            )
        elif kind == "moved":
            line = words["reason_moved"].format(old=reason.get("from"), new=reason.get("to"))
        else:
            continue
        lines.append(line)
    blocks: Blocks = [("para", why)]
    if lines:
        blocks.append(("bullets", lines))
    return [*blocks, ("note", words["fix_slipping_milestone"])]


def forecast_day(words: dict[str, str], value: Any) -> str:
    """A forecast date, or "after" the simulation's horizon."""
    text = str(value or "")
    if text.startswith("after "):
        return words["after"].format(date=text.removeprefix("after "))
    return text


EXPLAINERS = {
    "unconfirmed_requirement": unconfirmed,
    "undocumented_change": undocumented,
    "slipping_milestone": slipping,
    **CLIENT_EXPLAINERS,
}


def steady_forecast(
    finding: dict[str, Any], shown: dict[str, Any] | None, update_days: int
) -> dict[str, Any] | None:
    """The forecast dates to show: the ones shown before while the P85 has moved by less
    than ``update_days`` and the severity is the same; else the new ones (returned, to be
    remembered). ``None`` when the finding has no forecast."""
    reasons = (finding.get("evidence") or {}).get("reasons") or []
    forecast = next((r for r in reasons if r.get("reason") == "forecast"), None)
    if forecast is None or not forecast.get("p85"):
        return None
    if shown and shown.get("severity") == finding["severity"] and shown.get("p85"):
        new, old = (str(v).removeprefix("after ") for v in (forecast["p85"], shown["p85"]))
        moved = abs(date.fromisoformat(new) - date.fromisoformat(old))
        if moved < timedelta(days=max(update_days, 1)):
            forecast["p50"], forecast["p85"] = shown["p50"], shown["p85"]
            return None
    return {"p50": forecast["p50"], "p85": forecast["p85"], "severity": finding["severity"]}
