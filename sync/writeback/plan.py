"""Write-back: one comment per item holding all its current findings, kept up to date.

The plan compares the desired comment of each item with the service's own marked comment on
it (marker AND author), giving create, update (only when the digest differs), resolve or
delete, or nothing. Before creating, the item's comments are read fresh from the tracker and an
own marked comment is adopted, so a crash between a create and its record never leaves two.
A dry run (or ``writeback.enabled = false``) plans from the store and sends nothing at all.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import groupby
from typing import Any

from connectors.errors import TrackerError
from sync.rules.finding import SEVERITY_ORDER
from sync.settings import Settings, SourceSettings
from sync.spool import Spool
from sync.store import Store
from sync.store.writeback_queries import item_finding_rows, own_comment_rows
from sync.trackers import build_connector, build_target
from sync.writeback.render import digest_of, finding_document, resolved_document
from sync.writeback.target import Target, comment_marker, marker_in

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

    def report(self, dry_run: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "source": self.source,
            "item": self.item,
            "action": self.action,
            "done": self.done,
        }
        if self.error:
            entry["error"] = self.error
        if dry_run and self.preview:
            entry["comment"] = self.preview  # an extension: the planned comment, in full
        return entry


def findings_by_item(store: Store, source: str) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """(item key, item id, findings to show there), one item at a time in key order. A
    milestone finding goes to the milestone's tracking item, else to each of its open items;
    SQLite does that fan-out and the sort, so a store of any size is planned in small memory."""
    rows, names = item_finding_rows(store, source)
    for (key, item_id), group in groupby(rows, key=lambda row: (row[0], row[1])):
        findings = []
        for row in group:
            finding = dict(zip(names[2:], row[2:], strict=True))
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


def plan_source(
    source: SourceSettings, target: Target, store: Store, settings: Settings
) -> Iterator[Write]:
    """Each item's desired comment against the service's own comment on it: create, update
    (only when the digest differs), then resolve or delete where no finding is left."""
    language = settings.writeback.language
    own = stored_own_comments(store, source.name)
    for key, item_id, findings in findings_by_item(store, source.name):
        doc = finding_document(findings, language)
        digest = digest_of(doc)
        existing = own.pop(key, [])
        if existing and existing[0].digest == digest:
            continue
        body = target.render(doc, key, digest, language)
        comment_id = existing[0].id if existing else None
        action = "update" if existing else "create"
        yield Write(
            source.name, key, item_id, action, digest, body, comment_id, target.preview(body)
        )
    for key, comments in sorted(own.items()):  # own comments on items with no finding left
        first = comments[0]
        if settings.writeback.on_resolved == "delete":
            yield Write(source.name, key, first.item_id, "delete", "", None, first.id)
        elif first.digest != "resolved":
            body = target.render(resolved_document(language), key, "resolved", language)
            yield Write(
                source.name,
                key,
                first.item_id,
                "resolve",
                "resolved",
                body,
                first.id,
                target.preview(body),
            )


def run_writeback(
    settings: Settings,
    sources: list[SourceSettings],
    secrets: dict[str, dict[str, str]],
    store: Store,
    *,
    dry_run: bool,
    allow_bulk: bool,
) -> tuple[Spool, dict[str, str]]:
    """Plan (and unless ``dry_run``, carry out) the writes of each source; returns their
    report entries and the sources the bulk limit failed. The plan is spooled to disk, not
    held: the bulk limit needs the whole plan counted before the first write."""
    report = Spool()
    failures: dict[str, str] = {}
    for source in sources:
        identity = dict(store.identity(source.name))
        connector = None if dry_run else build_connector(source, secrets.get(source.name, {}))
        target = build_target(source, connector, identity)
        planned = Spool(asdict(w) for w in plan_source(source, target, store, settings))
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
                failures[source.name] = message
        try:
            for entry in planned:
                write = Write(**entry)
                if not dry_run and not refused:
                    carry_out(write, target, store)
                report.append(write.report(dry_run))
        finally:
            planned.close()
            if connector is not None:
                if identity != store.identity(source.name):
                    store.save_identity(source.name, identity)
                connector.close()
    return report, failures


def carry_out(write: Write, target: Target, store: Store) -> None:
    """One write; a refusal (403, 404) fails this item only."""
    try:
        if write.action == "create":
            fresh = target.fresh_own_comments(write.item_id, write.item)
            if fresh:
                adopt(write, fresh, target, store)
                return
            record = target.create(write.item_id, write.item, write.body, write.digest)
        elif write.action in ("update", "resolve"):
            record = target.update(
                write.item_id, write.item, write.comment_id, write.body, write.digest
            )
        else:
            target.delete(write.item_id, write.item, write.comment_id)
            store.delete_comment(write.source, write.comment_id)
            write.done = True
            return
        if not target.can_edit and write.comment_id:
            store.delete_comment(write.source, write.comment_id)
        store.save_comments(write.source, [record], own_author=target.identity.get("id"))
        write.done = True
    except TrackerError as exc:
        write.error = str(exc)
        log.error("%s: %s on %s failed: %s", write.source, write.action, write.item, exc)


def adopt(write: Write, fresh: list[Any], target: Target, store: Store) -> None:
    """An own marked comment already exists (a crash came between its create and its record):
    keep the oldest, bring it up to date, and remove any duplicates."""
    fresh.sort(key=lambda c: (c.created_at, c.id))
    keeper, extras = fresh[0], fresh[1:]
    marked = comment_marker(keeper)
    log.info("%s: adopting own comment %s on %s", write.source, keeper.id, write.item)
    if marked and marked[1] == write.digest:
        # the earlier run's create went through: record it, and it counts as that create
        store.save_comments(write.source, [keeper], own_author=target.identity.get("id"))
        write.done, write.comment_id = True, keeper.id
        return
    write.comment_id = keeper.id
    record = target.update(write.item_id, write.item, keeper.id, write.body, write.digest)
    store.save_comments(write.source, [record], own_author=target.identity.get("id"))
    for extra in extras:
        target.delete(write.item_id, write.item, extra.id)
        store.delete_comment(write.source, extra.id)
    write.action, write.done = "update", True
