"""The queries write-back reads: each item's findings to show (a milestone finding fanned out
to its tracking item, else to its open items) and the service's own comments."""

from __future__ import annotations

from collections.abc import Iterator

from sync.store.store import Store

# A milestone finding shown on each of its open items goes out once per item: its evidence (a
# scope's additions can run to a megabyte) is read once, apart (``milestone_finding_rows``),
# never copied into every fanned-out row, and its tracking item is read once per finding.
FINDING_COLUMNS = "f.rule, f.source, f.subject_type, f.subject, f.subject_id, f.severity, f.summary"
ITEM_FINDINGS_SQL = f"""
with milestone_finding as materialized (
  select rowid as finding, json_extract(evidence, '$.tracking_item') as tracking_item
  from findings
  where source = :source and resolved_at is null and subject_type = 'milestone'
)
select i.key, i.id, i.created_at as item_created, {FINDING_COLUMNS}, f.url, f.evidence
  from findings f
  join items i on i.source = f.source and i.key = f.subject
  where f.source = :source and f.resolved_at is null and f.subject_type = 'item'
union all
select i.key, i.id, i.created_at as item_created, {FINDING_COLUMNS}, f.url, null
  from milestone_finding m join findings f on f.rowid = m.finding
  join items i on i.source = f.source and i.key = m.tracking_item
union all
select i.key, i.id, i.created_at as item_created, {FINDING_COLUMNS}, f.url, null
  from milestone_finding m join findings f on f.rowid = m.finding
  join item_milestones im on im.source = f.source and im.milestone_id = f.subject_id
  join items i on i.source = im.source and i.id = im.item_id
  where m.tracking_item is null and i.status_category != 'done' and i.type != 'pull_request'
order by 1
"""


def milestone_finding_rows(store: Store, source: str) -> list[tuple[str, str, str]]:
    """(rule, subject, evidence) of the source's open milestone findings."""
    return store.db.execute(
        "select rule, subject, evidence from findings where source = ? and resolved_at is null"
        " and subject_type = 'milestone'",
        [source],
    ).fetchall()


def item_finding_rows(store: Store, source: str) -> tuple[Iterator[tuple], list[str]]:
    """Rows (item key, item id, item created, every findings column) in item key order, and
    the column names. SQLite does the fan-out and the sort, so a store of any size plans in
    small memory."""
    rows = store.db.execute(ITEM_FINDINGS_SQL, {"source": source})
    return rows, [d[0] for d in rows.description]


def own_comment_rows(store: Store, source: str) -> Iterator[tuple]:
    """(comment id, body, raw, item key, item id) of the service's own comments, oldest first."""
    return store.db.execute(
        "select c.id, c.body, c.raw, i.key, i.id from comments c"
        " join items i on i.source = c.source and i.id = c.item_id"
        " where c.source = ? and c.is_own = 1 order by c.created_at, c.id",
        [source],
    )


def own_comments_on(store: Store, source: str, item_ids: list[str]) -> list[tuple[str, str, str]]:
    """(comment id, item key, item id) of the service's own comments on the given items."""
    found: list[tuple[str, str, str]] = []
    for start in range(0, len(item_ids), 500):
        batch = item_ids[start : start + 500]
        marks = ", ".join("?" * len(batch))
        found += store.db.execute(
            "select c.id, i.key, i.id from comments c"
            " join items i on i.source = c.source and i.id = c.item_id"
            f" where c.source = ? and c.is_own = 1 and c.item_id in ({marks})",
            [source, *batch],
        ).fetchall()
    return found
