"""The rules that are not about one requirement (milestones, scope, client questions), run
beside the requirement rules: in a thread on a small store, in a second Python process on a
large one. Threads share one GIL, and the two halves are mostly Python: only a process lets
them use two cores (``bench/rules``: the split is what keeps 100k items under 2 s).

The child is ``sync.rules.child``, handed its work on stdin and answering on
stdout, both pickled: unlike ``multiprocessing``, it never re-imports the caller's main
module (a script without a ``__main__`` guard would run itself again) and never forks a
process that has threads."""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sync.rules.finding import Finding
from sync.settings import Settings
from sync.store import Store
from sync.store.rule_queries import store_items

log = logging.getLogger(__name__)

Work = Callable[[str, Settings, date], list[Finding]]


@contextmanager
def run_beside(
    work: Work, store: Store, settings: Settings, as_of: date, process_above: int
) -> Iterator[Callable[[], list[Finding]]]:
    """``work(path, settings, as_of)`` started beside the caller; yields what returns its
    findings, waiting for them."""
    path = str(store.path)
    child = None
    if store_items(store) > process_above:
        try:
            child = ChildRules(work, path, settings, as_of)
        except OSError as error:  # no process to be had (limits): a thread does it
            log.warning("the rules' second process could not start (%s); using a thread", error)
    if child is not None:
        try:
            yield child.result
        finally:
            child.close()
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rules") as pool:
        future: Future[list[Finding]] = pool.submit(work, path, settings, as_of)
        yield future.result


class ChildRules:
    """``work`` in a second process. Should the child fail (it cannot start, it is killed,
    its work raises), its share is done here instead, after a warning: a run never loses
    findings to the way they were computed."""

    def __init__(self, work: Work, path: str, settings: Settings, as_of: date) -> None:
        self.args = (work, path, settings, as_of)
        # the child imports this very package, whatever the working directory holds
        root = str(Path(__file__).resolve().parents[2])
        start = f"import sys; sys.path.insert(0, {root!r}); import sync.rules.child as c; c.main()"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", start], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        try:
            pickle.dump(self.args, self.process.stdin)  # a pipe: never in argv or the env
            self.process.stdin.close()
        except OSError:
            pass  # the child died at once: ``result`` says so and does the work here

    def result(self) -> list[Finding]:
        answer = self.process.stdout.read()
        code = self.process.wait()
        try:
            status, value = pickle.loads(answer)
        except Exception:  # noqa: BLE001 — nothing or a broken answer: the child died
            status, value = "error", f"the rules' second process ended with exit code {code}"
        if status == "ok":
            return value
        log.warning("%s; evaluating those rules in this process instead", value)
        work, path, settings, as_of = self.args
        return work(path, settings, as_of)

    def close(self) -> None:
        """The caller stopped early (an error, or enough findings): the child is not needed."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
