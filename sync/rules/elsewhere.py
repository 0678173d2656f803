"""The rules that are not about one requirement (milestones, scope, client questions), run
beside the requirement rules: in a thread on a small store, in a second Python process on a
large one. Threads share one GIL, and the two halves are mostly Python: only a process lets
them use two cores (``bench/rules``: the split is what keeps 100k items under 2 s).

The second process is a fork when this process runs no other thread (a CLI run, the daemon
between runs: a fork costs nothing and imports nothing); else, since forking a process whose
other threads may hold locks can hang the child, a fresh interpreter (``sync.rules.child``)
handed its work on stdin. Either answers on a pipe, pickled. Unlike ``multiprocessing``,
neither re-imports the caller's main module (a script without a ``__main__`` guard would run
itself again)."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any

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
    child: SecondProcess | None = None
    if store_items(store) > process_above:
        kind = ForkedRules if threading.active_count() == 1 else SpawnedRules
        try:
            child = kind(work, path, settings, as_of)
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


class SecondProcess:
    """``work`` in a second process, its answer read from ``self.answers``. Should the child
    fail (it is killed, its work raises), its share is done here instead, after a warning: a
    run never loses findings to the way they were computed."""

    answers: IO[bytes]

    def __init__(self, work: Work, path: str, settings: Settings, as_of: date) -> None:
        self.args = (work, path, settings, as_of)

    def result(self) -> list[Finding]:
        answer = self.answers.read()
        code = self.wait()
        try:
            status, value = pickle.loads(answer)
        except Exception:  # noqa: BLE001 — nothing or a broken answer: the child died
            status, value = "error", f"the rules' second process ended with exit code {code}"
        if status == "ok":
            return value
        log.warning("%s; evaluating those rules in this process instead", value)
        work, path, settings, as_of = self.args
        return work(path, settings, as_of)

    def wait(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class ForkedRules(SecondProcess):
    def __init__(self, work: Work, path: str, settings: Settings, as_of: date) -> None:
        super().__init__(work, path, settings, as_of)
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(read_end)
            answer_and_exit(lambda: work(path, settings, as_of), os.fdopen(write_end, "wb"))
        os.close(write_end)
        self.answers = os.fdopen(read_end, "rb")

    def wait(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """The caller stopped early (an error): the child is not needed."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            self.wait()
        self.answers.close()


class SpawnedRules(SecondProcess):
    def __init__(self, work: Work, path: str, settings: Settings, as_of: date) -> None:
        super().__init__(work, path, settings, as_of)
        # the child imports this very package, whatever the working directory holds
        root = str(Path(__file__).resolve().parents[2])
        start = f"import sys; sys.path.insert(0, {root!r}); import sync.rules.child as c; c.main()"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", start], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.answers = self.process.stdout  # type: ignore[assignment]
        try:
            pickle.dump(self.args, self.process.stdin)  # a pipe: never in argv or the env
            self.process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass  # the child died at once: ``result`` says so and does the work here

    def wait(self) -> int:
        return self.process.wait()

    def close(self) -> None:
        """The caller stopped early (an error): the child is not needed."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.answers.close()


def answer_and_exit(work: Callable[[], Any], out: IO[bytes]) -> None:
    """In the child: do the work, answer (an error answer, one line, if it raised) and exit
    at once, running nothing of the parent's (no atexit, no finalisers: the parent's SQLite
    connections must not be closed from here). Stopping is the parent's decision: Ctrl-C
    reaches the whole process group, so SIGINT and SIGTERM are ignored."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            answer: tuple[str, Any] = ("ok", work())
        except Exception as error:  # noqa: BLE001 — reported to the parent, which does it again
            answer = ("error", f"the rules' second process failed: {type(error).__name__}: {error}")
        pickle.dump(answer, out)
        out.flush()
    except BaseException:  # noqa: BLE001 — the parent sees no answer and does the work itself
        code = 1
    finally:
        os._exit(code)
