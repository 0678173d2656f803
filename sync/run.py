"""One run of the pipeline: pull every selected source, then (as they land) rules and
write-back, recorded in ``runs`` and summed up in the report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from connectors.interrupt import Interrupted
from sync.noise import exempt
from sync.notify.channels import notify_channels
from sync.pull.sources import pull_sources
from sync.rules import RULES, enabled_rules, evaluate_rules
from sync.rules.finding import SEVERITY_ORDER, Finding
from sync.settings import Settings, SourceSettings
from sync.spool import Spool
from sync.stopping import STOP
from sync.store import Store, utc_now
from sync.store.ack_queries import running_acks
from sync.writeback.commands import process_acks
from sync.writeback.plan import run_writeback

log = logging.getLogger(__name__)

EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 75, 130


@dataclass
class RunOptions:
    dry_run: bool = False
    full: bool = False
    as_of: date | None = None
    allow_bulk: bool = False
    source_names: list[str] = field(default_factory=list)
    # --as-of on the command line: a look at another day, so nothing is written to a tracker
    # and no finding is recorded (in-process callers may pass ``as_of`` alone to freeze time)
    what_if: bool = False
    now: datetime | None = None  # the clock quiet hours are read by (tests pass it in)


def run_once(
    settings: Settings,
    sources: list[SourceSettings],
    secrets: dict[str, dict[str, str]],
    db_path: str | Path,
    options: RunOptions,
) -> tuple[dict[str, Any], int]:
    """Run the pipeline once; return the report and the exit code (0 ok, 1 a source failed).
    The report's findings and writes are spools: iterate them, they are not lists."""
    as_of = (options.as_of or datetime.now(UTC).date()).isoformat()
    # --as-of (what_if) looks at the past: it writes to no tracker and records no findings
    dry_run = options.dry_run or not settings.writeback.enabled or options.what_if
    started = utc_now()
    store = Store(db_path)  # idle while the sources pull, each on its own connection
    try:
        run_id = store.start_run(dry_run=dry_run, as_of=as_of)
        results = pull_sources(sources, secrets, db_path, full=options.full, read_only=dry_run)
        exit_code = (
            EXIT_OK
            if all(r.status in ("ok", "interrupted") for r in results)
            else EXIT_SOURCE_FAILED
        )
        if STOP.is_set() or any(r.status == "interrupted" for r in results):
            return _interrupted(store, run_id, started, dry_run, as_of, results)
        rules = enabled_rules(settings)
        found = _findings(store, settings, rules, date.fromisoformat(as_of), options, run_id)
        # no writes after a stop was asked for, nor for a source that did not pull
        pulled = set() if STOP.is_set() else {r.name for r in results if r.status == "ok"}
        writes, refused = (
            (Spool(), {})
            if options.what_if
            else run_writeback(
                settings,
                [s for s in sources if s.name in pulled],
                secrets,
                store,
                dry_run=dry_run,
                allow_bulk=options.allow_bulk,
                run_id=run_id,
                as_of=as_of,
                now=options.now or datetime.now(UTC),
                gone={r.name: r.gone for r in results if r.gone},
            )
        )
        for result in results:
            if result.name in refused:
                result.status, result.error = "failed", refused[result.name][0]  # said once
                result.error_kind, result.error_facts = "bulk_refused", refused[result.name][1]
                exit_code = EXIT_SOURCE_FAILED
        quiet_chats = options.dry_run or options.what_if  # --as-of records and sends nothing
        now = options.now or datetime.now(UTC)
        chats = notify_after_run(settings, secrets, store, as_of, quiet_chats, now)
        if any(chat["status"] == "failed" for chat in chats):
            exit_code = EXIT_SOURCE_FAILED
        report = run_report(started, dry_run, as_of, results, found, writes, chats)
        store.finish_run(
            run_id,
            status="ok" if exit_code == EXIT_OK else "failed",
            exit_code=exit_code,
            stats={"sources": report["sources"]},
        )
    except Interrupted:  # a stop during the write-back: the comment in hand was not sent
        return _interrupted(store, run_id, started, dry_run, as_of, results)
    finally:
        store.close()
    return report, exit_code


def run_report(
    started: str,
    dry_run: bool,
    as_of: str,
    results: list[Any],
    findings: Spool,
    writes: Spool,
    notifications: list[dict[str, Any]],
) -> dict[str, Any]:
    """The ``--json`` report (DESIGN's public contract), in its order; extend, never rename."""
    return {
        "started_at": started,
        "finished_at": utc_now(),
        "dry_run": dry_run,
        "as_of": as_of,
        "sources": [r.report() for r in results],
        "findings": findings,
        "writes": writes,
        "notifications": notifications,
    }


def notify_after_run(
    settings: Settings,
    secrets: dict[str, dict[str, str]],
    store: Store,
    as_of: str,
    dry_run: bool,
    now: datetime,
) -> list[dict[str, Any]]:
    """The chat digests, after the write-back: one report entry per ``[[notify]]`` channel.
    Only ``--dry-run`` (or ``--as-of``) holds them back: ``[writeback] enabled = false`` is
    about trackers."""
    if not settings.notify or STOP.is_set():
        return []
    reports = notify_channels(
        settings.notify,
        secrets,
        store,
        now=now,
        as_of=date.fromisoformat(as_of),
        dry_run=dry_run,
    )
    return [channel.report(dry_run) for channel in reports]


# -- interruption, --as-of and --source (issue 16) -------------------------------------------


def _findings(
    store: Store,
    settings: Settings,
    rules: list[str],
    as_of: date,
    options: RunOptions,
    run_id: int,
) -> Spool:
    """The findings the report shows: recorded and read back, or (``what_if``, the CLI's
    ``--as-of``) evaluated and shown without being recorded; only the selected sources' when
    ``--source`` is given."""
    shown = set(options.source_names)
    found = exempt(store, settings, evaluate_rules(store, settings, as_of))
    if not options.what_if:
        # every rule's open findings are judged: a switched-off rule's resolve
        store.save_findings(found, RULES, run_id)
        process_acks(store, settings, list(settings.sources), as_of.isoformat(), run_id)
        acks = running_acks(store, as_of.isoformat())
        rows = (
            with_ack(Finding(**row).report(), acks)
            for row in store.open_findings(rules, SEVERITY_ORDER)
        )
    else:
        rows = (f.report() for f in sorted(found, key=_reading_order))
    return Spool(row for row in rows if not shown or row["source"] in shown)


def _reading_order(finding: Finding) -> tuple:
    """As ``open_findings`` orders them: severity, then source, rule and subject."""
    rank = SEVERITY_ORDER.get(finding.severity, len(SEVERITY_ORDER))
    return (rank, finding.source, finding.rule, finding.subject)


def with_ack(finding: dict[str, Any], acks: dict[tuple[str, str, str], Any]) -> dict[str, Any]:
    """The report's finding, with ``acknowledged`` when an ack covers it."""
    ack = acks.get((finding["rule"], finding["source"], finding["subject"]))
    if ack is not None:
        finding["acknowledged"] = {k: ack[k] for k in ("by", "at", "until", "reason", "origin")}
    return finding


def _interrupted(
    store: Store,
    run_id: int,
    started: str,
    dry_run: bool,
    as_of: str,
    results: list[Any],
) -> tuple[dict[str, Any], int]:
    """A stop was asked for: nothing more is evaluated or written; the run is recorded as
    interrupted, and the next run resumes from the cursors the pages left."""
    report = run_report(started, dry_run, as_of, results, Spool(), Spool(), [])
    store.finish_run(
        run_id,
        status="interrupted",
        exit_code=EXIT_INTERRUPTED,
        stats={"sources": report["sources"]},
    )
    return report, EXIT_INTERRUPTED
