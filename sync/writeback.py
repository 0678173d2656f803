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
from dataclasses import dataclass
from typing import Any

from connectors.errors import TrackerError
from sync.pull import build_connector
from sync.render import digest_of, finding_document, resolved_document
from sync.rules.finding import SEVERITY_ORDER
from sync.settings import Settings, SourceSettings
from sync.store import Store
from sync.writeback_targets import TARGETS, Target, comment_marker, marker_in

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


def desired_findings(store: Store) -> dict[str, dict[str, tuple[str, list[dict[str, Any]]]]]:
    """source -> item key -> (item id, findings to show there). Milestone findings go to the
    milestone's tracking item, else to each of its open items."""
    desired: dict[str, dict[str, tuple[str, list[dict[str, Any]]]]] = defaultdict(dict)
    keys = {
        (r["source"], r["key"]): r["id"] for r in store.query("select source, id, key from items")
    }
    for row in store.query("select * from findings where resolved_at is null"):
        finding = {**row, "evidence": json.loads(row["evidence"] or "{}")}
        source = row["source"]
        if row["subject_type"] == "item":
            targets = [row["subject"]]
        elif finding["evidence"].get("tracking_item"):
            targets = [finding["evidence"]["tracking_item"]]
        else:
            targets = [
                r["key"]
                for r in store.query(
                    "select key from items where source = ? and milestone_id = ?"
                    " and status_category != 'done' and type != 'pull_request'",
                    [source, row["subject_id"]],
                )
            ]
        for key in targets:
            if (source, key) in keys:
                entry = desired[source].setdefault(key, (keys[(source, key)], []))
                entry[1].append(finding)
    for per_item in desired.values():
        for _, findings in per_item.values():
            findings.sort(
                key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["rule"], f["subject"])
            )
    return desired


def stored_own_comments(store: Store, source: str) -> dict[str, list[tuple[str, str, str]]]:
    """item key -> [(comment id, digest, created_at)] of the service's own marked comments."""
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    rows = store.query(
        "select c.id, c.body, c.raw, c.created_at, i.key from comments c"
        " join items i on i.source = c.source and i.id = c.item_id"
        " where c.source = ? and c.is_own = 1 order by c.created_at, c.id",
        [source],
    )
    for row in rows:
        marked = marker_in(row["body"], json.loads(row["raw"] or "{}"))
        if marked and marked[0] == row["key"]:
            found[row["key"]].append((row["id"], marked[1], row["created_at"]))
    return found


def plan_source(
    source: SourceSettings,
    target: Target,
    desired: dict[str, tuple[str, list[dict[str, Any]]]],
    own: dict[str, list[tuple[str, str, str]]],
    settings: Settings,
    item_ids: dict[str, str],
) -> list[Write]:
    language = settings.writeback.language
    writes = []
    for key, (item_id, findings) in sorted(desired.items()):
        doc = finding_document(findings, language)
        digest = digest_of(doc)
        existing = own.get(key, [])
        if existing and existing[0][1] == digest:
            continue
        body = target.render(doc, key, digest, language)
        action = "update" if existing else "create"
        comment_id = existing[0][0] if existing else None
        writes.append(
            Write(source.name, key, item_id, action, digest, body, comment_id, target.preview(body))
        )
    for key, comments in sorted(own.items()):
        if key in desired or key not in item_ids:
            continue
        comment_id, digest, _ = comments[0]
        if settings.writeback.on_resolved == "delete":
            writes.append(Write(source.name, key, item_ids[key], "delete", "", None, comment_id))
        elif digest != "resolved":
            doc = resolved_document(language)
            body = target.render(doc, key, "resolved", language)
            writes.append(
                Write(
                    source.name,
                    key,
                    item_ids[key],
                    "resolve",
                    "resolved",
                    body,
                    comment_id,
                    target.preview(body),
                )
            )
    return writes


def run_writeback(
    settings: Settings,
    sources: list[SourceSettings],
    secrets: dict[str, dict[str, str]],
    store: Store,
    *,
    dry_run: bool,
    allow_bulk: bool,
) -> tuple[list[Write], dict[str, str]]:
    """Plan (and unless ``dry_run``, carry out) the writes of each source; returns them and
    the sources the bulk limit failed."""
    desired = desired_findings(store)
    writes: list[Write] = []
    failures: dict[str, str] = {}
    for source in sources:
        identity = dict(store.identity(source.name))
        connector = None if dry_run else build_connector(source, secrets.get(source.name, {}))
        target = TARGETS[source.kind](source, connector, identity)
        item_ids = {
            r["key"]: r["id"]
            for r in store.query("select key, id from items where source = ?", [source.name])
        }
        planned = plan_source(
            source,
            target,
            desired.get(source.name, {}),
            stored_own_comments(store, source.name),
            settings,
            item_ids,
        )
        creates = sum(1 for w in planned if w.action == "create")
        limit = settings.writeback.max_new_comments
        if creates > limit and not allow_bulk:
            message = (
                f"{source.name}: {creates} new comments planned, more than max_new_comments"
                f" ({limit}); nothing was written. Check the findings, then run with --allow-bulk."
            )
            if dry_run:
                log.warning("%s (a real run would refuse this plan)", message)
            else:
                failures[source.name] = message
            writes += planned
            continue
        if not dry_run and planned:
            try:
                for write in planned:
                    carry_out(write, target, store)
            finally:
                if identity != store.identity(source.name):
                    store.save_identity(source.name, identity)
                connector.close()
        writes += planned
    return writes, failures


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
