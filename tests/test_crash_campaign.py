"""A slice of the crash campaign (bench/crashes.py kills at 20 points): the pipeline killed
with SIGKILL mid-run, then rerun, leaves a sound database equal to the tracker and exactly one
own comment on each flagged item."""

from __future__ import annotations

import pytest

from bench.crashes import crash_run


@pytest.mark.parametrize("seed", [1, 5])
def test_killed_at_a_random_moment_then_rerun_recovers_fully(seed):
    result = crash_run(seed, issues=150)
    assert result["killed"], "the kill must land while the run is going"
    assert result["integrity"] == "ok"
    assert result["store_equals_tracker"], result["differences"]
    assert result["duplicate_comments"] == 0
    assert result["flagged_without_comment"] == 0
