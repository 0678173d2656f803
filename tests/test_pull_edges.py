"""Pull edge cases found by reading, each shown against the GitHub sandbox: a 304 must not
replay a cached "no next page", and the cursor must not pass an object shifted across a page
boundary until the re-page has brought it."""

from __future__ import annotations

from sandbox.scenario import seed_github_repo
from tests.conftest import github_source, rows, sync


def stored_ids(db) -> set[str]:
    return {r["id"] for r in rows(db, "select id from items where source = 'acme-github'")}


def test_a_304_on_a_full_last_page_still_finds_a_new_item_on_page_2(make_github, tmp_path):
    sandbox = make_github()
    stamp = "2026-11-20T10:00:00Z"
    for n in range(100):  # exactly one full page (per_page=100) in the `since` window
        sandbox.add_issue(f"Issue {n}", created_at=stamp, updated_at=stamp)
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))
    assert len(stored_ids(db)) == 100
    # a new item, updated after all of them: page 1 is unchanged (same ETag), page 2 is new
    new = sandbox.add_issue("Arrived later", created_at=stamp, updated_at="2026-11-20T10:00:30Z")
    sandbox.clear_log()
    report, code = sync(db, github_source(sandbox))
    assert code == 0
    assert str(new["number"]) in stored_ids(db), "the item on page 2 was never fetched"
    issue_pages = [r for r in sandbox.log if r.path.endswith("/issues")]
    assert len(issue_pages) <= 6, [(r.query, r.status) for r in issue_pages]


def test_a_quiet_sync_of_a_short_last_page_is_still_one_304(make_github, tmp_path):
    sandbox = make_github()
    seed_github_repo(sandbox, issues=30, comments_per_issue=0, events_per_issue=0, milestones=0)
    db = tmp_path / "store.db"
    sync(db, github_source(sandbox))
    sandbox.clear_log()
    sync(db, github_source(sandbox))
    issue_pages = [r for r in sandbox.log if r.path.endswith("/issues")]
    assert [r.status for r in issue_pages] == [304]


def test_the_cursor_waits_for_the_re_page_that_recovers_a_shifted_item(make_github, tmp_path):
    """The oldest issue is edited while page 2 is served: every later issue moves up one, so
    the first issue of page 2 slips onto page 1, already read. The re-page that would bring it
    fails; the cursor saved must still cover it, so the next run finds it."""
    sandbox = make_github(mid_paging_change="edit")
    seed_github_repo(sandbox, issues=330, comments_per_issue=0, events_per_issue=0, milestones=0)
    db = tmp_path / "store.db"
    edited: list[str] = []
    first_pages: list[int] = []
    serve = sandbox.route

    def route(request):
        if request.path.endswith("/issues"):
            page = request.query.get("page", "1")
            if page == "2" and not edited:
                edited.append(page)
                sandbox.on_insert_fault(request)  # the edit, exactly while page 2 is served
            if page == "1":
                first_pages.append(1)
                if len(first_pages) == 2:  # the re-page: the tracker refuses it this time
                    return sandbox.error(401, "Bad credentials")
        return serve(request)

    sandbox.route = route
    report, code = sync(db, github_source(sandbox))
    assert edited and code == 1 and report["sources"][0]["status"] == "failed"
    sandbox.route = serve
    report, code = sync(db, github_source(sandbox))
    assert code == 0
    with sandbox.state_lock:
        expected = {str(n) for n in sandbox.issues}
    assert stored_ids(db) == expected
