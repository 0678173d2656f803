"""A short slice of the soak (bench/soak.py runs the daemon for 500 cycles): many quick cycles
against a faulty sandbox leave no file descriptors behind, never overlap, and stop cleanly."""

from __future__ import annotations

from bench.soak import run_soak


def test_many_daemon_cycles_leak_nothing_and_never_overlap():
    result = run_soak(cycles=30, timeout=120)
    assert result["cycles"] >= 30
    assert result["exit_code"] == 0
    assert result["overlaps"] == 0
    # A sample catches the daemon mid-cycle with a few sockets and WAL files open, so counts
    # wobble by several; a leak would add at least one per cycle, 20 over the warm cycles.
    assert result["fds_late"] - result["fds_early"] < 10, (result["fds_early"], result["fds_late"])
