"""Precision and recall of every rule on the project's own scenarios (issue 14; goal 1.0).

Two corpora, each labelled where its data is built: the demo (``sandbox/demo/seed.py``'s
``EXPECTED``, judged after the demo's two runs on the real clock) and the hard cases
(``sandbox/corpus``: GitHub, Jira Cloud, Jira Data Center, PingCode; English and Chinese;
judged with the clock frozen at 2026-11-20 noon). The real pipeline pulls each over loopback
into a real SQLite store, records its findings and writes its comments; the measure compares
the open findings the store holds with the labels, rule by rule, and reads each finding's
comment back from its tracker. ``python -m bench --only accuracy`` saves the figures; the
test suite (tests/test_accuracy.py) holds them at 1.0."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import time_machine

from bench.common import print_table, save_results
from mapping.jira import rich_text
from mapping.worktile import html_to_text
from sandbox.corpus import NOW, RULES, Label, Labels
from sandbox.corpus.demo import demo_labels
from sandbox.corpus.trackers import SECRETS as CORPUS_SECRETS
from sandbox.corpus.trackers import CorpusTrackers
from sandbox.demo import SECRETS as DEMO_SECRETS
from sandbox.demo import apply_demo_edits, demo_config, start_demo_trackers
from sync.run import RunOptions, run_once
from sync.settings import build_settings, resolve_secrets
from sync.writeback.catalogue import CATALOGUE

Found = set[tuple[str, str, str]]  # (source, subject, rule) of each open finding


def measure() -> dict[str, Any]:
    """Both corpora through the pipeline; per rule TP/FP/FN/TN, precision and recall; every
    mismatch with its item and rule; every stored finding no comment shows."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tracker-sync-accuracy-") as tmp:
        parts = [run_corpus(Path(tmp) / "corpus.db"), run_demo(Path(tmp) / "demo.db")]
    counts = {rule: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for rule in RULES}
    mismatches: list[dict[str, str]] = []
    unshown: list[dict[str, str]] = []
    for labels, found, shown in parts:
        mismatches += score(labels, found, counts)
        unshown += [
            {"source": s, "subject": subject, "rule": rule}
            for s, subject, rule in sorted(found - shown)
        ]
    return {
        "rules": {rule: with_rates(c) for rule, c in counts.items()},
        "mismatches": mismatches,
        "unshown": unshown,
        "subjects": sum(len(labels.by_subject) for labels, _, _ in parts),
        "wall_seconds": round(time.perf_counter() - started, 2),
    }


def run_corpus(db: Path) -> tuple[Labels, Found, Found]:
    """The hard cases, seeded and judged at the corpus's frozen noon; comments in Chinese."""
    with time_machine.travel(NOW, tick=True), CorpusTrackers() as trackers:
        with secrets_in_env(CORPUS_SECRETS):
            run_pipeline(trackers.config(language="zh"), db)
        bots = {"github": "tracker-bot", "jira": "bot", "worktile": "bot"}
        comments = {
            "corpus-github": github_comments(trackers.github, bots["github"]),
            "corpus-jira": jira_comments(trackers.jira, bots["jira"]),
            "corpus-jira-dc": jira_comments(trackers.jira_dc, bots["jira"]),
            "corpus-pingcode": worktile_comments(trackers.worktile, bots["worktile"]),
        }
        found = stored_findings(db)
        return trackers.labels, found, shown(found, comments, "zh")


def run_demo(db: Path) -> tuple[Labels, Found, Found]:
    """The demo as ``tracker-sync --demo`` runs it: two runs, the team's edits between them."""
    github, jira, worktile = sandboxes = start_demo_trackers()
    try:
        config = demo_config(github, jira, worktile)
        with secrets_in_env(DEMO_SECRETS):
            run_pipeline(config, db)
            apply_demo_edits(github, worktile)
            run_pipeline(config, db)
        comments = {
            "demo-github": github_comments(github, "tracker-bot"),
            "demo-jira": jira_comments(jira, "bot"),
            "demo-pingcode": worktile_comments(worktile, "bot"),
        }
        found = stored_findings(db)
        return demo_labels(github, jira, worktile), found, shown(found, comments, "en")
    finally:
        for sandbox in sandboxes:
            sandbox.stop()


@contextmanager
def secrets_in_env(secrets: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in secrets}
    os.environ.update(secrets)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_pipeline(config: dict[str, Any], db: Path) -> None:
    settings = build_settings(config)
    sources = list(settings.sources)
    report, code = run_once(settings, sources, resolve_secrets(settings, sources), db, RunOptions())
    failed = [s for s in report["sources"] if s["status"] != "ok"]
    if code != 0 or failed:
        raise RuntimeError(f"the corpus run failed ({code}): {failed}")
    list(report["findings"]), list(report["writes"])  # drain the spools


def stored_findings(db: Path) -> Found:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "select source, subject, rule from findings where resolved_at is null"
        ).fetchall()
    finally:
        conn.close()
    return {(source, subject, rule) for source, subject, rule in rows}


def github_comments(gh: Any, bot: str) -> dict[str, str]:
    return {
        f"{gh.repo}#{number}": "\n".join(
            c["body"] for c in gh.comments_on(number) if c["user"] == bot
        )
        for number in gh.issues
    }


def jira_comments(jira: Any, bot: str) -> dict[str, str]:
    return {
        issue["key"]: "\n".join(
            rich_text(c["body"]) for c in jira.comments_on(issue["key"]) if c["author"] == bot
        )
        for issue in jira.issues.values()
    }


def worktile_comments(wt: Any, bot: str) -> dict[str, str]:
    return {
        item["identifier"]: "\n".join(
            html_to_text(c["content"])
            for c in wt.live_comments(item["id"])
            if c["created_by"] == bot
        )
        for item in wt.items.values()
    }


def shown(found: Found, comments: dict[str, dict[str, str]], language: str) -> Found:
    """The findings a person can read in a tracker: an item's in the service's comment on it
    (its rule's heading there), a milestone's in a comment that names the milestone."""
    seen = set()
    for source, subject, rule in found:
        heading = CATALOGUE[language][f"rule_{rule}"]
        texts = comments.get(source, {})
        if subject in texts:
            if heading in texts[subject]:
                seen.add((source, subject, rule))
        elif any(heading in text and subject in text for text in texts.values()):
            seen.add((source, subject, rule))
    return seen


def score(labels: Labels, found: Found, counts: dict[str, dict[str, int]]) -> list[dict[str, str]]:
    """Add one corpus's verdicts to ``counts``; the mismatches, each with its case, and each
    known failure that no longer fails (its label's ``known`` is then out of date)."""
    mismatches = []
    for (source, subject), label in sorted(labels.by_subject.items()):
        wrong = False
        for rule in RULES:
            expected, got = rule in label.fires, (source, subject, rule) in found
            verdict = {(True, True): "tp", (False, True): "fp", (True, False): "fn"}.get(
                (expected, got), "tn"
            )
            counts[rule][verdict] += 1
            if verdict in ("fp", "fn"):
                wrong = True
                mismatches.append(mismatch(rule, source, subject, verdict, label))
        if label.known and not wrong:
            mismatches.append(mismatch("-", source, subject, "fixed", label))
    for source, subject, rule in sorted(found):
        if (source, subject) not in labels.by_subject:
            counts[rule]["fp"] += 1
            stray = Label(source, subject, frozenset(), "(no label: not in the corpus)")
            mismatches.append(mismatch(rule, source, subject, "fp", stray))
    return mismatches


def mismatch(rule: str, source: str, subject: str, verdict: str, label: Label) -> dict[str, str]:
    said = {
        "fp": "fired, labelled quiet",
        "fn": "quiet, labelled to fire",
        "fixed": "a known failure that now holds: drop its known=",
    }[verdict]
    text = f"{rule} on {source} {subject}: {said} — {label.case}"
    return {
        "rule": rule,
        "source": source,
        "subject": subject,
        "verdict": {"fp": "false positive", "fn": "false negative"}.get(verdict, verdict),
        "known": label.known if verdict != "fixed" else "",
        "text": text + (f" [known: {label.known}]" if label.known and verdict != "fixed" else ""),
    }


def with_rates(c: dict[str, int]) -> dict[str, Any]:
    flagged, relevant = c["tp"] + c["fp"], c["tp"] + c["fn"]
    return {
        **c,
        "precision": round(c["tp"] / flagged, 3) if flagged else 1.0,
        "recall": round(c["tp"] / relevant, 3) if relevant else 1.0,
    }


def bench_accuracy() -> dict[str, Any]:
    result = measure()
    known = [m for m in result["mismatches"] if m["known"]]
    table: list[list[Any]] = [
        [
            f"{rule}: TP / FP / FN (TN)",
            f"{r['tp']} / {r['fp']} / {r['fn']} ({r['tn']})",
            "FP 0, FN 0",
        ]
        for rule, r in result["rules"].items()
    ]
    table += [
        [f"{rule}: precision, recall", f"{r['precision']:.2f}, {r['recall']:.2f}", "1.0, 1.0"]
        for rule, r in result["rules"].items()
    ]
    table += [
        ["labelled subjects (items and milestones, 2 corpora, 7 sources)", result["subjects"], "—"],
        ["known failures (labelled; their FN above)", len(known), "0"],
        ["other mismatches", len(result["mismatches"]) - len(known), "0"],
        ["findings no tracker comment shows", len(result["unshown"]), "0"],
        ["wall time (seed, pull, judge, write, both corpora)", f"{result['wall_seconds']} s", "—"],
    ]
    figures = {**result, "table": table}
    save_results("accuracy", figures)
    print_table("accuracy (the project's own scenarios)", table)
    for line in result["mismatches"]:
        print("  MISMATCH", line["text"])
    return figures
