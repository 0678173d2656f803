"""Benchmark plumbing: run tracker-sync as a real process (so its peak RSS is its own, not the
sandbox's) and keep the figures in ``bench/results.json`` and ``bench/results.md``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_JSON = ROOT / "bench" / "results.json"
RESULTS_MD = ROOT / "bench" / "results.md"


class PeakRss:
    """A child's peak memory, watched while it runs: its own ``VmHWM`` (the kernel's
    high-water mark), or, when it starts processes of its own (the rules' second process),
    the largest sum of the family's proportional set sizes seen (``Pss``: pages a fork
    shares with its parent counted once, not twice), whichever is larger. ``wait4``'s
    ``ru_maxrss`` will not do: Linux carries the high-water mark of the image before ``exec``
    into the child, and before exec the child is this process, sandboxes and all (a bench
    holding 100k items reported 317 MB for a program whose own peak was 138 MB)."""

    def __init__(self, pid: int, every: float = 0.01) -> None:
        self.pid, self.every = pid, every
        self.kilobytes = 0
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        tick = 0
        while os.path.exists(f"/proc/{self.pid}/status"):
            own = _status_kilobytes(self.pid, "VmHWM:")
            # smaps_rollup walks the page tables under the process's mmap lock: read it at a
            # fifth of the pace, or the watch slows what it watches
            family = _descendants(self.pid) if tick % 5 == 0 else []
            if family:
                own = max(own, sum(_pss_kilobytes(p) for p in [self.pid, *family]))
            self.kilobytes = max(self.kilobytes, own)
            tick += 1
            time.sleep(self.every)

    def megabytes(self) -> float:
        """Call after the child is reaped: a zombie has no memory and ends the watch."""
        self._thread.join(timeout=5)
        return round(self.kilobytes / 1024, 1)


def _status_kilobytes(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _pss_kilobytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, from ``/proc/<pid>/task/<tid>/children``."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                for child in map(int, children.read().split()):
                    found += [child, *_descendants(child)]
        except (OSError, ValueError):
            continue
    return found


def run_sync_process(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """``run_sync.py ARGS --json`` as a child process: its report, wall time, and its own peak
    RSS (see ``PeakRss``) and CPU time (from ``wait4``)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "run_sync.py"), *args, "--json", "-q"],
            stdout=out,
            stderr=err,
            env={**os.environ, **env},
            cwd=ROOT,
        )
        peak = PeakRss(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"run_sync failed ({process.returncode}): {stderr.decode()[-2000:]}")
    return {
        "report": json.loads(stdout),
        "wall_seconds": round(wall, 2),
        "peak_rss_mb": peak.megabytes(),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
    }


def write_config(path: Path, sources: list[dict[str, Any]], **tables: dict[str, Any]) -> Path:
    """A tracker-sync config file, as a user writes it: the ``tables`` ([store], [writeback],
    [daemon]) and one [[sources]] table per source. Strings are written as JSON strings,
    which TOML reads the same."""
    lines: list[str] = []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
    for source in sources:
        lines.append("[[sources]]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in source.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def save_results(section: str, figures: dict[str, Any]) -> None:
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    results[section] = figures
    RESULTS_JSON.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    RESULTS_MD.write_text(render_markdown(results))


def render_markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench`; machine: {os.cpu_count()} cores.",
        "",
    ]
    for section, figures in sorted(results.items()):
        lines += [f"## {section}", "", "| figure | value | goal |", "|---|---|---|"]
        for row in figures.get("table", []):
            lines.append(f"| {row[0]} | {row[1]} | {row[2]} |")
        lines.append("")
    return "\n".join(lines)


def print_table(title: str, rows: list[list[Any]]) -> None:
    print(f"\n{title}")
    width = max(len(str(r[0])) for r in rows)
    for name, value, goal in rows:
        print(f"  {str(name):<{width}}  {str(value):>14}   goal: {goal}")
