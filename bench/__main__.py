"""``python -m bench``: measure what the issues ask to be measured; write bench/results.json
and bench/results.md."""

from __future__ import annotations

import argparse

from bench.accuracy import bench_accuracy
from bench.churn_bench import bench_churn
from bench.concurrency_bench import bench_concurrency
from bench.crashes import bench_crashes
from bench.faults import bench_faults
from bench.github_pull import bench_github_pull
from bench.jira_pull import bench_jira_pull
from bench.report_bench import bench_report
from bench.rules_bench import bench_rules
from bench.scale import bench_scale
from bench.soak import soak
from bench.worktile_pull import bench_worktile_pull
from bench.writeback_bench import bench_writeback

BENCHES = {
    "accuracy": lambda items, latency: bench_accuracy(),
    "github_pull": bench_github_pull,
    "jira_pull": bench_jira_pull,
    "rules": lambda items, latency: bench_rules(max(items, 100_000)),
    "report": lambda items, latency: bench_report(100_000, 100),
    "writeback": lambda items, latency: bench_writeback(1000),
    "churn": lambda items, latency: bench_churn(1000, 30),
    "concurrency": lambda items, latency: bench_concurrency(1000, latency),
    "worktile_pull": lambda items, latency: bench_worktile_pull(3000, latency),
    "faults": lambda items, latency: bench_faults(20),
    "crashes": lambda items, latency: bench_crashes(20),
    "soak": lambda items, latency: soak(500),
    "scale": lambda items, latency: bench_scale(),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", choices=sorted(BENCHES), action="append")
    parser.add_argument("--issues", type=int, default=5000, help="items per tracker")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds added to each request")
    args = parser.parse_args()
    for name in args.only or sorted(BENCHES):
        BENCHES[name](args.issues, args.latency)


if __name__ == "__main__":
    main()
