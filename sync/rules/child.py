"""The fresh-interpreter second process of ``sync.rules.elsewhere``, for a parent that runs
other threads (forking it could hang the child): it reads its work from stdin and answers on
stdout, both pickled."""

from __future__ import annotations

import logging
import pickle
import sys
from typing import Any

from sync.rules.elsewhere import answer_and_exit


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    def work() -> Any:
        do, path, settings, as_of = pickle.load(sys.stdin.buffer)
        return do(path, settings, as_of)

    answer_and_exit(work, sys.stdout.buffer)
