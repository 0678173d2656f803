"""Writes and reads of findings: one evaluation recorded at once (opened, updated, reopened,
resolved), and the open findings in the order people read them. A mixin of ``Store``."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from itertools import chain
from typing import Any

from sync.store.clock import utc_now

# What a finding says, without what grows by itself (an age, days overdue, a forecast's
# dates, the share of time gone): a change of it, or of the severity, is a "changed" event.
STABLE = (
    "case when {t}.rule = 'slipping_milestone' then (select group_concat("
    "json_extract(value, '$.reason')) from json_each({t}.evidence, '$.reasons'))"
    " else json_remove({t}.evidence, '$.age_days') end"
)
EVENTS_SQL = (
    "insert into finding_events (rule, source, subject, event, at, run_id, detail)"
    " select r.rule, r.source, r.subject, case when f.rule is null then 'opened'"
    " when f.resolved_at is not null then 'reopened' else 'changed' end, ?, ?, r.severity"
    " from run_findings r left join findings f"
    " on f.rule = r.rule and f.source = r.source and f.subject = r.subject"
    " where f.rule is null or f.resolved_at is not null or f.severity != r.severity"
    # the same evidence text says the same: only a different one is read as JSON
    f" or (f.evidence is not r.evidence and {STABLE.format(t='f')} is not {STABLE.format(t='r')})"
)


class FindingWrites:
    def save_findings(
        self, findings: Iterable[Any], rules: Collection[str], run_id: int | None = None
    ) -> dict[str, int]:
        """Record this evaluation: new findings are inserted, returning ones updated (and
        reopened when they had been resolved), and open findings of the evaluated ``rules``
        that are gone are resolved, never deleted. Every change of a finding's state is a row
        of ``finding_events``, with the run that saw it. Each finding is compared with what
        is stored as the rules yield it: on a quiet day almost nothing differs, and only
        what does is written (``bench/rules``: 35k findings saved in a quarter of the time)."""
        found = iter(findings)
        first = next(found, None)  # the rules have started (their second process too) ...
        stored = self._stored_findings(rules)  # ... before what is stored is read, here only
        changed: dict[tuple[str, str, str], tuple] = {}
        seen: set[tuple[str, str, str]] = set()
        new = reopened = 0
        for finding in chain([first] if first is not None else [], found):
            key = (finding.rule, finding.source, finding.subject)
            row = (
                finding.subject_type,
                finding.subject_id,
                finding.url,
                finding.severity,
                finding.summary,
                finding.evidence_json,
            )
            if key in seen:
                changed.pop(key, None)  # the last of two wins, as the rules' order goes
            else:
                seen.add(key)
            old = stored.get(key)
            if old is None or old[:-1] != row or old[-1]:
                changed[key] = row
        for key in changed:
            old = stored.get(key)
            new += old is None
            reopened += old is not None and bool(old[-1])
        gone = [key for key, old in stored.items() if not old[-1] and key not in seen]
        self._record_evaluation(changed, gone, rules, run_id)
        return {"new": new, "open": len(seen), "reopened": reopened, "resolved": len(gone)}

    def _stored_findings(self, rules: Collection[str]) -> dict[tuple[str, str, str], tuple]:
        """(rule, source, subject) -> (subject_type, subject_id, url, severity, summary,
        evidence, resolved) of every finding of ``rules`` ever stored; of a resolved one only
        that it is (found again, it is written whole anyway), so what is held grows with the
        open findings, not with the store's history."""
        marks = ", ".join("?" * len(rules)) or "null"
        open_only = ", ".join(
            f"case when resolved_at is null then {column} end"
            for column in ("subject_type", "subject_id", "url", "severity", "summary", "evidence")
        )
        return {
            (rule, source, subject): tuple(rest)
            for rule, source, subject, *rest in self.db.execute(
                f"select rule, source, subject, {open_only}, resolved_at is not null"
                f" from findings where rule in ({marks})",
                list(rules),
            ).fetchall()
        }

    def _record_evaluation(
        self,
        changed: dict[tuple[str, str, str], tuple],
        gone: list[tuple[str, str, str]],
        rules: Collection[str],
        run_id: int | None,
    ) -> None:
        """One transaction: the new and changed findings (with their events), the gone ones
        resolved, and every open finding of ``rules`` seen now."""
        now = utc_now()
        conn = self.db.conn
        self.db.execute(
            "create temp table if not exists run_findings (rule text, source text, subject text,"
            " subject_type text, subject_id text, url text, severity text, summary text,"
            " evidence text, primary key (rule, source, subject))"
        )
        marks = ", ".join("?" * len(rules)) or "null"
        with self.transaction():
            conn.execute("delete from run_findings")
            conn.executemany(
                "insert into run_findings values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*key, *row) for key, row in changed.items()],
            )
            conn.execute(EVENTS_SQL, [now, run_id])
            conn.execute(
                "insert into findings (rule, source, subject, subject_type, subject_id, url,"
                " severity, summary, evidence, first_seen, last_seen, resolved_at)"
                " select rule, source, subject, subject_type, subject_id, url, severity, summary,"
                " evidence, ?, ?, null from run_findings where true"
                " on conflict (rule, source, subject) do update set"
                " subject_type = excluded.subject_type, subject_id = excluded.subject_id,"
                " url = excluded.url, severity = excluded.severity, summary = excluded.summary,"
                " evidence = excluded.evidence, last_seen = excluded.last_seen, resolved_at = null",
                [now, now],
            )
            conn.executemany(
                "insert into finding_events (rule, source, subject, event, at, run_id)"
                " values (?, ?, ?, 'resolved', ?, ?)",
                [(*key, now, run_id) for key in gone],
            )
            conn.executemany(
                "update findings set resolved_at = ? where rule = ? and source = ? and subject = ?",
                [(now, *key) for key in gone],
            )
            conn.execute(
                "update findings set last_seen = ? where resolved_at is null"
                f" and rule in ({marks})",
                [now, *rules],
            )
            conn.execute("delete from run_findings")

    def open_findings(
        self, rules: Collection[str], severity_order: dict[str, int]
    ) -> Iterator[dict[str, Any]]:
        """The unresolved findings of ``rules``: by severity (as ranked by ``severity_order``,
        unknown ones last), then source, rule and subject."""
        marks = ", ".join("?" * len(rules)) or "null"
        ranks = " ".join("when ? then ?" for _ in severity_order)
        cursor = self.db.execute(
            "select rule, source, subject_type, subject, subject_id, severity, summary, evidence,"
            f" url from findings where resolved_at is null and rule in ({marks}) order by"
            f" case severity {ranks} else {len(severity_order)} end, source, rule, subject",
            [*rules, *(value for pair in severity_order.items() for value in pair)],
        )
        names = [d[0] for d in cursor.description]
        for row in cursor:
            finding = dict(zip(names, row, strict=True))
            finding["evidence"] = json.loads(finding["evidence"] or "{}")
            yield finding
