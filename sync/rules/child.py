"""The fresh-interpreter second process of ``sync.rules.elsewhere``, for a parent that runs
other threads (forking it could hang the child): it reads its work from stdin and answers on
stdout, both pickled."""

from __future__ import annotations

import logging
import os
import pickle
import sys

from sync.rules.elsewhere import answer_and_exit


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        works, path, settings, as_of = pickle.load(sys.stdin.buffer)
    except Exception:  # noqa: BLE001 — no work (the parent died): answer nothing
        works, path, settings, as_of = [], "", None, None
    # the answers keep the pipe; anything else written to stdout (a library's print) goes to
    # stderr, and cannot garble them
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    answer_and_exit([lambda work=work: work(path, settings, as_of) for work in works], answers)
