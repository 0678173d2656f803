"""Writes and reads of findings: one evaluation recorded at once (opened, updated, reopened,
resolved), and the open findings in the order people read them. A mixin of ``Store``."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from typing import Any

from sync.store.clock import utc_now


def _batches(values: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``itertools.batched`` of Python 3.12."""
    it = iter(values)
    while batch := list(islice(it, size)):
        yield batch


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
    f" or {STABLE.format(t='f')} is not {STABLE.format(t='r')}"
)


class FindingWrites:
    def save_findings(
        self, findings: Iterable[Any], rules: Collection[str], run_id: int | None = None
    ) -> dict[str, int]:
        """Record this evaluation: new findings are inserted, returning ones updated (and
        reopened when they had been resolved), and open findings of the evaluated ``rules``
        that are gone are resolved, never deleted. The findings are taken as the rules yield
        them, into a connection-private table, before the write lock is taken. Every change of
        a finding's state is a row of ``finding_events``, with the run that saw it."""
        self.db.execute(
            "create temp table if not exists run_findings (rule text, source text, subject text,"
            " subject_type text, subject_id text, url text, severity text, summary text,"
            " evidence text, primary key (rule, source, subject))"
        )
        conn = self.db.conn
        conn.execute("delete from run_findings")
        conn.commit()  # each write to the temp table is committed at once: the rules may
        # fill their own temp tables (BEGIN IMMEDIATE) between two batches
        insert = "insert or replace into run_findings values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        for batch in _batches(findings, 1000):
            conn.executemany(
                insert,
                [
                    (
                        finding.rule,
                        finding.source,
                        finding.subject,
                        finding.subject_type,
                        finding.subject_id,
                        finding.url,
                        finding.severity,
                        finding.summary,
                        json.dumps(finding.evidence, ensure_ascii=False, sort_keys=True),
                    )
                    for finding in batch
                ],
            )
            conn.commit()
        now = utc_now()
        marks = ", ".join("?" * len(rules)) or "null"
        with self.transaction():
            opened, new, reopened = conn.execute(
                "select count(*), count(*) - count(f.rule), count(f.resolved_at)"
                " from run_findings r left join findings f"
                " on f.rule = r.rule and f.source = r.source and f.subject = r.subject"
            ).fetchone()
            conn.execute(EVENTS_SQL, [now, run_id])
            conn.execute(
                "insert into finding_events (rule, source, subject, event, at, run_id)"
                " select rule, source, subject, 'resolved', ?, ? from findings"
                f" where resolved_at is null and rule in ({marks}) and not exists (select 1"
                " from run_findings r where r.rule = findings.rule and r.source = findings.source"
                " and r.subject = findings.subject)",
                [now, run_id, *rules],
            )
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
            gone = (
                f" and rule in ({marks}) and not exists (select 1 from run_findings r"
                " where r.rule = findings.rule and r.source = findings.source"
                " and r.subject = findings.subject)"
            )
            resolved = conn.execute(
                "update findings set resolved_at = ? where resolved_at is null" + gone,
                [now, *rules],
            ).rowcount
        return {"new": new, "open": opened, "reopened": reopened, "resolved": resolved}

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
