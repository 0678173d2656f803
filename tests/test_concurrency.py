"""Sources are pulled in parallel, each with its own session, and the store takes their pages
safely: the three sandboxes' request logs overlap in time, and every store is complete."""

from __future__ import annotations

from sandbox.scenario import seed_github_repo, seed_jira_project, seed_worktile_project
from tests.conftest import github_source, jira_source, rows, sync, worktile_source


def test_three_sources_are_pulled_at_the_same_time(make_github, make_jira, make_worktile, tmp_path):
    gh, jira, wt = make_github(latency=0.02), make_jira(latency=0.02), make_worktile(latency=0.02)
    seed_github_repo(gh, issues=150, comments_per_issue=1, events_per_issue=1, milestones=1)
    seed_jira_project(jira, issues=150, versions=1)
    seed_worktile_project(wt, items=150, comments_per_requirement=0)
    report, code = sync(
        tmp_path / "store.db", github_source(gh), jira_source(jira), worktile_source(wt)
    )
    assert code == 0, report
    windows = [(min(r.at for r in s.log), max(r.at for r in s.log)) for s in (gh, jira, wt)]
    latest_start = max(start for start, _ in windows)
    earliest_end = min(end for _, end in windows)
    assert latest_start < earliest_end, f"the sources ran one after another: {windows}"
    counts = {
        r["source"]: r["n"]
        for r in rows(tmp_path / "store.db", "select source, count(*) n from items group by source")
    }
    assert counts == {"acme-github": 150, "acme-jira": 150, "acme-pingcode": 151}
