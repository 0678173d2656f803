"""On a large store the milestone and conversation rules run in a second process (see
``sync.rules.elsewhere``): the findings must be exactly those of the one-process evaluation,
and a second process that dies must cost nothing but time. Over the demo's store (its three
sandbox trackers synced twice, with the team's edits between, as ``--demo`` does)."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.rules import evaluate_rules, other_findings
from sync.rules.elsewhere import ForkedRules, SpawnedRules
from sync.rules.facts import work_links
from sync.store import Store
from tests.conftest import synced_demo

TODAY = datetime.now(UTC).date()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    with synced_demo(db) as (settings, _):
        yield settings, db


def said(findings) -> list[tuple]:
    """What a person reads of each finding, in a stable order."""
    return sorted(
        (f.rule, f.source, f.subject, f.severity, f.summary, repr(sorted(f.evidence.items())))
        for f in findings
    )


def test_a_second_process_finds_exactly_what_one_process_finds(demo_store, caplog):
    settings, db = demo_store
    store = Store(db)
    try:
        in_one = said(evaluate_rules(store, settings, TODAY))
        with caplog.at_level(logging.WARNING):
            in_two = said(evaluate_rules(store, settings, TODAY, process_above=0))
    finally:
        store.close()
    assert "second process" not in caplog.text  # the child did its share
    rules = {finding[0] for finding in in_one}
    assert {"slipping_milestone", "scope_creep", "unanswered_client"} <= rules  # both halves
    assert {"unconfirmed_requirement", "undocumented_change"} <= rules
    assert in_two == in_one


def test_a_process_without_threads_forks_and_finds_the_same(demo_store, tmp_path):
    """A CLI run has no other thread when the rules start: the second process is a fork."""
    settings, db = demo_store
    store = Store(db)
    try:
        in_one = said(evaluate_rules(store, settings, TODAY))
    finally:
        store.close()
    (tmp_path / "settings.pickle").write_bytes(pickle.dumps(settings))
    script = (
        "import pickle, sys, threading\n"
        "from sync.rules import evaluate_rules\n"
        "from sync.store import Store\n"
        "from tests.test_rules_process import said, TODAY\n"
        "settings = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "assert threading.active_count() == 1\n"
        "found = said(evaluate_rules(Store(sys.argv[2]), settings, TODAY, process_above=0))\n"
        "sys.stdout.write(repr(found))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "settings.pickle"), str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr  # no warning, no fallback
    assert done.stdout == repr(in_one)


def fails_elsewhere(path, settings, as_of):
    """A piece of work that fails in the second process only (a fresh interpreter imports
    this module anew: the parent's pid comes in the environment)."""
    if os.getpid() != int(os.environ["RULES_TEST_PARENT"]):
        raise RuntimeError("no memory left")
    return ["done here"]


def links_said(links) -> list:
    return sorted((key, tuple(map(repr, value))) for key, value in links.items())


@pytest.mark.parametrize("kind", [ForkedRules, SpawnedRules])
def test_a_killed_second_process_costs_no_finding(demo_store, caplog, kind):
    """The kernel may kill the child (memory, an operator): each answer it owed is computed
    in the parent, after a warning that says so."""
    settings, db = demo_store
    links, expected = work_links(str(db), settings, TODAY), other_findings(str(db), settings, TODAY)
    child = kind([work_links, other_findings], str(db), settings, TODAY)
    os.kill(child.pid if kind is ForkedRules else child.process.pid, signal.SIGKILL)
    with caplog.at_level(logging.WARNING):
        found = [child.result(0), child.result(1)]
    child.close()
    assert links and expected
    assert links_said(found[0]) == links_said(links) and said(found[1]) == said(expected)
    assert "second process ended" in caplog.text and "in this process instead" in caplog.text


@pytest.mark.parametrize("kind", [ForkedRules, SpawnedRules])
def test_a_failing_part_is_done_again_and_the_next_part_still_comes(
    demo_store, caplog, kind, monkeypatch
):
    settings, db = demo_store
    monkeypatch.setenv("RULES_TEST_PARENT", str(os.getpid()))
    child = kind([fails_elsewhere, other_findings], str(db), settings, TODAY)
    with caplog.at_level(logging.WARNING):
        first = child.result(0)
        second = said(child.result(1))
    child.close()
    assert first == ["done here"]
    assert "second process failed: RuntimeError: no memory left" in caplog.text
    assert second == said(other_findings(str(db), settings, TODAY))
    assert caplog.text.count("in this process instead") == 1  # the findings came from the child


def chatty(path, settings, as_of):
    """A piece of work whose library prints to stdout, then a big answer."""
    sys.stdout.write("a library saying hello\n")
    sys.stdout.flush()
    return [f"value {n}" for n in range(20_000)]


def test_a_fresh_interpreters_stdout_cannot_garble_its_answers(demo_store, caplog):
    """The fresh interpreter answers on its stdout: what else is printed there goes to stderr,
    and a big answer after it still arrives whole (no fallback, no hang)."""
    settings, db = demo_store
    child = SpawnedRules([chatty, chatty], str(db), settings, TODAY)
    with caplog.at_level(logging.WARNING):
        answers = [child.result(0), child.result(1)]
    child.close()
    assert answers == [chatty("", None, None)] * 2
    assert "second process" not in caplog.text
