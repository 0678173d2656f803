"""Write-back: one comment per item holding all its current findings, kept up to date.

The plan compares the desired comment of each item with the service's own marked comment on
it (marker AND author), giving create, update (only when the digest differs), resolve or
delete, or nothing. Before creating, the item's comments are read fresh from the tracker and an
own marked comment is adopted, so a crash between a create and its record never leaves two
(``sync.writeback.outbox`` carries each write out). Findings a person acknowledged by deleting
the comment are not shown again until they change; a forecast keeps the dates it showed until
its P85 moves by ``forecast_update_days``. A dry run (or ``writeback.enabled = false``) plans
from the store and sends nothing at all.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sync.noise import in_quiet_hours
from sync.rules.finding import SEVERITY_ORDER
from sync.settings import Settings, SourceSettings
from sync.spool import Spool
from sync.store import Store
from sync.store.writeback_log import record_write, save_shown_forecasts, shown_forecasts
from sync.store.writeback_queries import (
    item_finding_rows,
    milestone_finding_rows,
    own_comment_rows,
)
from sync.trackers import build_connector, build_target
from sync.writeback.acks import Acks, finding_digest
from sync.writeback.explain import steady_forecast
from sync.writeback.outbox import Outbox
from sync.writeback.render import digest_of, finding_document, resolved_document
from sync.writeback.target import Target, marker_in

log = logging.getLogger(__name__)


@dataclass
class Write:
    source: str
    item: str
    item_id: str
    action: str  # create | update | resolve | delete
    digest: str
    body: Any = None
    comment_id: str | None = None
    preview: str | None = None
    done: bool = False
    error: str | None = None
    error_kind: str | None = None  # what went wrong, for a report in another language
    error_facts: dict[str, Any] | None = None
    covers: list[list[str]] | None = None  # [rule, subject, digest] of each finding shown
    write_id: int | None = None
    deleted_comment: bool = False  # a person had deleted the comment: taken as an ack
    refused: bool = False  # not sent: the source's plan broke max_new_comments
    deferred: bool = False  # not sent: quiet hours; the first run after them sends it

    def report(self, dry_run: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "source": self.source,
            "item": self.item,
            "action": self.action,
            "done": self.done,
        }
        if self.error:
            entry["error"] = self.error
            entry["error_kind"], entry["error_facts"] = self.error_kind, self.error_facts
        if self.deleted_comment:
            entry["deleted_comment"] = True  # extensions, never renames
        if self.refused:
            entry["refused"] = True
        if self.deferred:
            entry["deferred"] = True
        if dry_run and self.preview:
            entry["comment"] = self.preview  # an extension: the planned comment, in full
        return entry


def findings_by_item(store: Store, source: str) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """(item key, item id, findings to show there), one item at a time in key order. A
    milestone finding goes to the milestone's tracking item, else to each of its open items;
    SQLite does that fan-out and the sort, so a store of any size is planned in small memory."""
    shared = {  # a milestone finding's evidence, decoded once for all the items it is shown on
        (rule, subject): json.loads(evidence or "{}")
        for rule, subject, evidence in milestone_finding_rows(store, source)
    }
    rows, names = item_finding_rows(store, source)
    for (key, item_id), group in groupby(rows, key=lambda row: (row[0], row[1])):
        findings = []
        for row in group:
            finding = dict(zip(names[2:], row[2:], strict=True))
            if finding["subject_type"] == "milestone":
                finding["evidence"] = shared.get((finding["rule"], finding["subject"]), {})
            else:
                finding["evidence"] = json.loads(finding["evidence"] or "{}")
            findings.append(finding)
        findings.sort(key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["rule"], f["subject"]))
        yield key, item_id, findings


@dataclass(frozen=True)
class OwnComment:
    id: str
    digest: str
    item_id: str


def stored_own_comments(store: Store, source: str) -> dict[str, list[OwnComment]]:
    """item key -> the service's own marked comments on it, oldest first."""
    found: dict[str, list[OwnComment]] = defaultdict(list)
    for comment_id, body, raw, key, item_id in own_comment_rows(store, source):
        marked = marker_in(body, json.loads(raw or "{}"))
        if marked and marked[0] == key:
            found[key].append(OwnComment(comment_id, marked[1], item_id))
    return found


class Planner:
    """What one source's comments should say, item by item."""

    def __init__(
        self, source: SourceSettings, target: Target, store: Store, settings: Settings, as_of: str
    ) -> None:
        self.source, self.target, self.store, self.settings = source, target, store, settings
        self.language = settings.writeback.language
        self.acks = Acks(store, source.name, as_of)
        self.shown = shown_forecasts(store, source.name)
        self.new_forecasts: list[dict[str, Any]] = []
        self.digests: dict[tuple[str, str], str] = {}

    def finding_digest(self, finding: dict[str, Any]) -> str:
        """The finding's own digest, the same in every language: what an ack covers. A
        milestone finding's is computed once for all the items it is shown on."""
        if finding["subject_type"] != "milestone":
            return finding_digest(finding)
        key = (finding["rule"], finding["subject"])
        if key not in self.digests:
            self.digests[key] = finding_digest(finding)
        return self.digests[key]

    @property
    def rules(self) -> Any:
        return self.settings.rules

    def steady(self, finding: dict[str, Any]) -> None:
        """Show the forecast dates shown before unless the P85 moved enough."""
        if finding["rule"] != "slipping_milestone":
            return
        days = self.settings.writeback.forecast_update_days
        new = steady_forecast(finding, self.shown.get(finding["subject"]), days)
        if new is not None:
            row = {"source": self.source.name, "subject": finding["subject"], **new}
            self.shown[finding["subject"]] = row
            self.new_forecasts.append(row)

    def plan(self) -> Iterator[Write]:
        """Each item's desired comment against the service's own comment on it: create,
        update (only when the digest differs), then resolve or delete where no finding is
        left; older duplicates of an own comment are deleted, the newest kept."""
        name = self.source.name
        own = stored_own_comments(self.store, name)
        for key, item_id, findings in findings_by_item(self.store, name):
            for finding in findings:
                self.steady(finding)
            covers = [[f["rule"], f["subject"], self.finding_digest(f)] for f in findings]
            existing = own.pop(key, [])
            yield from self.duplicates(key, existing)
            if not existing and self.acks.all_covered([tuple(c) for c in covers]):
                continue  # a person deleted the comment: acknowledged, and unchanged since
            acked = {
                (f["rule"], f["subject"]): a
                for f, (_, _, digest) in zip(findings, covers, strict=True)
                if (a := self.acks.get(f, digest))
            }
            doc = finding_document(findings, self.language, self.rules, acked)
            digest = digest_of(doc)
            if existing and existing[-1].digest == digest:
                continue
            body = self.target.render(doc, key, digest, self.language)
            comment_id = existing[-1].id if existing else None
            action = "update" if existing else "create"
            yield Write(
                name, key, item_id, action, digest, body, comment_id, self.target.preview(body),
                covers=covers,
            )  # fmt: skip
        for key, comments in sorted(own.items()):  # own comments on items with no finding left
            yield from self.duplicates(key, comments)
            yield from self.resolution(key, comments[-1])

    def duplicates(self, key: str, comments: list[OwnComment]) -> Iterator[Write]:
        for older in comments[:-1]:
            yield Write(self.source.name, key, older.item_id, "delete", "", None, older.id)

    def resolution(self, key: str, last: OwnComment) -> Iterator[Write]:
        if self.settings.writeback.on_resolved == "delete":
            yield Write(self.source.name, key, last.item_id, "delete", "", None, last.id)
        elif last.digest != "resolved":
            body = self.target.render(
                resolved_document(self.language), key, "resolved", self.language
            )
            yield Write(
                self.source.name, key, last.item_id, "resolve", "resolved", body, last.id,
                self.target.preview(body),
            )  # fmt: skip


def run_writeback(
    settings: Settings,
    sources: list[SourceSettings],
    secrets: dict[str, dict[str, str]],
    store: Store,
    *,
    dry_run: bool,
    allow_bulk: bool,
    run_id: int | None = None,
    as_of: str = "",
    now: datetime | None = None,
    gone: dict[str, dict[str, tuple[str, str]]] | None = None,
) -> tuple[Spool, dict[str, tuple[str, dict[str, Any]]]]:
    """Plan (and unless ``dry_run``, carry out) the writes of each source; returns their
    report entries and the sources the bulk limit failed (the English line and its facts).
    The plan is spooled to disk, not held: the bulk limit needs the whole plan counted before
    the first write. Inside ``quiet_hours`` (at ``now``) the writes are planned and recorded
    as ``deferred``, none sent: nothing was written, so the first run after them plans and
    sends them. ``gone``:
    per source, the own comments the pull found deleted (acknowledgements, before planning)."""
    report = Spool()
    failures: dict[str, tuple[str, dict[str, Any]]] = {}
    wb = settings.writeback
    quiet = not dry_run and in_quiet_hours(wb.quiet_hours, wb.timezone, now or datetime.now(UTC))
    if quiet:
        log.info("quiet hours (%s, %s): writes are deferred", wb.quiet_hours, wb.timezone)
    for source in sources:
        identity = dict(store.identity(source.name))
        idle = dry_run or quiet
        connector = None if idle else build_connector(source, secrets.get(source.name, {}))
        target = build_target(source, connector, identity)
        outbox = Outbox(store, target, source.name, run_id, as_of, settings.rules.ack_days)
        if connector is not None:
            outbox.recover()
        if not dry_run:
            for comment_id, (key, _) in (gone or {}).get(source.name, {}).items():
                outbox.gone_from_tracker(key, comment_id)
        planner = Planner(source, target, store, settings, as_of or "0000-00-00")
        planned = Spool(asdict(w) for w in planner.plan())
        creates = sum(1 for w in planned if w["action"] == "create")
        limit = settings.writeback.max_new_comments
        refused = creates > limit and not allow_bulk
        if refused:
            message = (
                f"{source.name}: {creates} new comments planned, more than max_new_comments"
                f" ({limit}); nothing was written. Check the findings, then run with --allow-bulk."
            )
            if dry_run:
                log.warning("%s (a real run would refuse this plan)", message)
            else:
                facts = {"source": source.name, "creates": creates, "limit": limit}
                failures[source.name] = (message, facts)
        try:
            for entry in planned:
                write = Write(**entry)
                if not idle and not refused:
                    outbox.carry_out(write)
                else:
                    write.refused = refused and not dry_run
                    write.deferred = quiet and not refused
                    record_write(
                        store, run_id, source.name, write.item, write.action,
                        digest=write.digest, comment_id=write.comment_id,
                        status="deferred" if write.deferred else "planned",
                    )  # fmt: skip
                report.append(write.report(dry_run))
            if not idle and not refused:  # shown: the dates a later run keeps until P85 moves
                save_shown_forecasts(store, planner.new_forecasts)
        finally:
            planned.close()
            if connector is not None:
                connector.close()
    return report, failures
