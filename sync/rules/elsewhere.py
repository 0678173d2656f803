"""What the requirement rules need from elsewhere (the links of every open requirement) and
the rules that are not about one requirement (milestones, scope, client questions), computed
beside the requirement rules: in threads on a small store, in a second Python process on a
large one. Threads share one GIL, and both halves are mostly Python: only a process lets them
use two cores, and one process beside this one, not three threads on two cores, keeps both
busy (``bench/rules``).

The second process is a fork when this process runs no other thread (a CLI run, the daemon
between runs: a fork costs nothing and imports nothing); else, since forking a process whose
other threads may hold locks can hang the child, a fresh interpreter (``sync.rules.child``)
handed its work on stdin. Either answers on a pipe, one pickled answer per piece of work, in
order: the links as soon as they are known, then the findings. Unlike ``multiprocessing``,
neither re-imports the caller's main module (a script without a ``__main__`` guard would run
itself again)."""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any

from sync.rules.facts import Pending
from sync.settings import Settings
from sync.store import Store
from sync.store.rule_queries import store_items

log = logging.getLogger(__name__)

Work = Callable[[str, Settings, date], Any]
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@contextmanager
def run_beside(
    works: Sequence[Work], store: Store, settings: Settings, as_of: date, process_above: int
) -> Iterator[list[Pending[Any]]]:
    """Each ``work(path, settings, as_of)`` started beside the caller; yields what gives
    each one's result, in order (take them in order)."""
    path = str(store.path)
    child: SecondProcess | None = None
    if store_items(store) > process_above:
        # a fork copies SQLite's lock bookkeeping: only from a connection at rest
        alone = threading.active_count() == 1 and not store.db.conn.in_transaction
        kind = ForkedRules if alone else SpawnedRules
        try:
            child = kind(works, path, settings, as_of)
        except Exception as error:  # noqa: BLE001 — no process to be had: threads do it
            log.warning("the rules' second process could not start (%s); using a thread", error)
    if child is not None:
        try:
            yield [Answer(child, n) for n in range(len(works))]
        finally:
            child.close()
        return
    with ThreadPoolExecutor(max_workers=len(works), thread_name_prefix="rules") as pool:
        yield [pool.submit(work, path, settings, as_of) for work in works]


class SecondProcess:
    """``works`` in a second process, their answers read in order from ``self.answers``.
    Should the child fail (it is killed, a work raises), that work is done here instead,
    after a warning: a run never loses findings to the way they were computed."""

    answers: IO[bytes]

    def __init__(self, works: Sequence[Work], path: str, settings: Settings, as_of: date) -> None:
        self.works, self.args = list(works), (path, settings, as_of)
        self.results: list[Any] = []
        self.broken = False

    def ready(self, n: int) -> bool:
        """Answer ``n`` is read, or the pipe holds the start of the next one."""
        if n < len(self.results) or self.broken:
            return True
        poller = select.poll()
        poller.register(self.answers, select.POLLIN | select.POLLHUP)
        return bool(poller.poll(0)) and n == len(self.results)

    def result(self, n: int) -> Any:
        while len(self.results) <= n:
            self.results.append(self._next(len(self.results)))
        return self.results[n]

    def _next(self, n: int) -> Any:
        status, value = "error", ""
        if not self.broken:
            try:
                status, value = pickle.load(self.answers)
            except Exception:  # noqa: BLE001 — nothing or a broken answer: the child died
                self.broken = True
        if status == "ok":
            return value
        if self.broken:
            # a garbled answer from a child still writing: stopped first, or both would wait
            # for each other (it on the full pipe, this on its exit)
            value = f"the rules' second process ended with exit code {self.stop()}"
        log.warning("%s; evaluating its part in this process instead", value)
        return self.works[n](*self.args)

    def stop(self) -> int:
        """Kill the child if it still runs, reap it; its exit code."""
        raise NotImplementedError

    def close(self) -> None:
        """Every answer read, or the caller stopped early: the child is not needed."""
        self.stop()
        self.answers.close()


class Answer:
    """The ``n``-th answer of a second process, as a future offers it."""

    def __init__(self, process: SecondProcess, n: int) -> None:
        self.process, self.n = process, n

    def done(self) -> bool:
        return self.process.ready(self.n)

    def result(self) -> Any:
        return self.process.result(self.n)


class ForkedRules(SecondProcess):
    def __init__(self, works: Sequence[Work], path: str, settings: Settings, as_of: date) -> None:
        super().__init__(works, path, settings, as_of)
        self.code = 0
        read_end, write_end = os.pipe()
        # no signal may reach the child before it ignores them (the parent's handlers would
        # run in it); and its GC must not touch the parent's objects, or every page is copied
        stopping = {signal.SIGINT, signal.SIGTERM}
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
        gc.freeze()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        finally:
            if getattr(self, "pid", 1):  # the parent (or no child): as it was
                gc.unfreeze()
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if self.pid == 0:  # the child: never returns
            try:
                os.close(read_end)
                answer_and_exit(
                    [lambda work=work: work(path, settings, as_of) for work in works],
                    os.fdopen(write_end, "wb"),
                    unblock=blocked,
                )
            finally:
                os._exit(1)
        os.close(write_end)
        self.answers = os.fdopen(read_end, "rb")

    def stop(self) -> int:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status = os.waitpid(self.pid, 0)
            self.pid, self.code = 0, os.waitstatus_to_exitcode(status)
        return self.code


class SpawnedRules(SecondProcess):
    def __init__(self, works: Sequence[Work], path: str, settings: Settings, as_of: date) -> None:
        super().__init__(works, path, settings, as_of)
        # the child imports this very package, whatever the working directory holds
        root = str(Path(__file__).resolve().parents[2])
        start = f"import sys; sys.path.insert(0, {root!r}); import sync.rules.child as c; c.main()"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", start], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.answers = self.process.stdout  # type: ignore[assignment]
        try:
            # a pipe: never in argv or the env
            pickle.dump((list(works), path, settings, as_of), self.process.stdin)
        except OSError:
            pass  # the child died at once: ``result`` says so and does the work here
        except BaseException:  # the work could not be sent: no child left waiting for it
            self.close()
            raise
        finally:
            try:
                self.process.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait()


def answer_and_exit(
    works: Sequence[Callable[[], Any]], out: IO[bytes], unblock: Iterable[int] = ()
) -> None:
    """In the child: do each work and answer at once (an error answer, one line, if it
    raised), then exit, running nothing of the parent's (no atexit, no finalisers: the
    parent's SQLite connections must not be closed from here). Stopping is the parent's
    decision: Ctrl-C reaches the whole process group, so SIGINT and SIGTERM are ignored; and
    should the parent die, the child dies with it (it holds the parent's run lock too)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, unblock)
        die_with_parent()
        for work in works:
            try:
                answer: tuple[str, Any] = ("ok", work())
            except Exception as error:  # noqa: BLE001 — the parent does that work again
                answer = (
                    "error",
                    f"the rules' second process failed: {type(error).__name__}: {error}",
                )
            pickle.dump(answer, out)
            out.flush()
    except BaseException:  # noqa: BLE001 — the parent sees no answer and does the work itself
        code = 1
    finally:
        os._exit(code)


def die_with_parent() -> None:
    """Linux's PR_SET_PDEATHSIG: SIGKILL when the parent exits; elsewhere, nothing (the
    child's next answer then meets a closed pipe and it exits)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
