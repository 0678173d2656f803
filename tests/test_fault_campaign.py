"""A fast slice of the fault campaign (bench/faults.py runs 20 seeds): with 20% faults on each
tracker, the store ends equal to the sandbox, no item lost or doubled, no history missing."""

from __future__ import annotations

import pytest

from bench.faults import campaign_run


@pytest.mark.parametrize("kind", ["github", "jira", "worktile"])
@pytest.mark.parametrize("seed", [3, 7])
def test_twenty_percent_faults_leave_the_store_equal_to_the_tracker(kind, seed):
    result = campaign_run(kind, seed, size=250 if kind != "worktile" else 120)
    assert result["faults"] > 0, "this seed must inject faults to prove anything"
    assert result["converged"], result["differences"]
    assert result["runs"] <= 2
