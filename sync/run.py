"""One run of the pipeline: pull every selected source, then (as they land) rules and
write-back, recorded in ``runs`` and summed up in the report."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sync.pull.sources import pull_sources
from sync.rules import RULES, enabled_rules, evaluate_rules
from sync.rules.finding import SEVERITY_ORDER, Finding
from sync.settings import Settings, SourceSettings
from sync.spool import Spool
from sync.stopping import STOP
from sync.store import Store, utc_now
from sync.writeback.plan import run_writeback

log = logging.getLogger(__name__)

EXIT_OK, EXIT_SOURCE_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75


@dataclass
class RunOptions:
    dry_run: bool = False
    full: bool = False
    as_of: date | None = None
    allow_bulk: bool = False
    source_names: list[str] = field(default_factory=list)


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
    # --as-of looks at the past: it writes to no tracker and records no findings
    dry_run = options.dry_run or options.as_of is not None or not settings.writeback.enabled
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
        rules = enabled_rules(settings)
        evaluated = evaluate_rules(store, settings, date.fromisoformat(as_of))
        writes: Any = Spool()
        refused: dict[str, str] = {}
        if options.as_of is not None:
            found = Spool(f.report() for f in sorted(evaluated, key=_reading_order))
        else:  # every rule's open findings are judged: a switched-off rule's resolve
            store.save_findings(evaluated, RULES)
            found = Spool(
                Finding(**row).report() for row in store.open_findings(rules, SEVERITY_ORDER)
            )
            # no writes after a stop was asked for, nor for a source that did not pull
            pulled = set() if STOP.is_set() else {r.name for r in results if r.status == "ok"}
            writes, refused = run_writeback(
                settings,
                [s for s in sources if s.name in pulled],
                secrets,
                store,
                dry_run=dry_run,
                allow_bulk=options.allow_bulk,
            )
        for result in results:
            if result.name in refused:
                result.status, result.error = "failed", refused[result.name]
                log.error("%s", result.error)
                exit_code = EXIT_SOURCE_FAILED
        report: dict[str, Any] = {
            "started_at": started,
            "finished_at": utc_now(),
            "dry_run": dry_run,
            "as_of": as_of,
            "sources": [r.report() for r in results],
            "findings": found,
            "writes": writes,
        }
        store.finish_run(
            run_id,
            status="ok" if exit_code == EXIT_OK else "failed",
            exit_code=exit_code,
            stats={"sources": report["sources"]},
        )
    finally:
        store.close()
    return report, exit_code


def _reading_order(finding: Finding) -> tuple:
    """As ``open_findings`` orders them: severity, then source, rule and subject."""
    rank = SEVERITY_ORDER.get(finding.severity, len(SEVERITY_ORDER))
    return (rank, finding.source, finding.rule, finding.subject)
