"""Records kept in a temporary file as JSON lines instead of in memory: at 100,000 items a run
plans and reports more comments and findings than it should hold at once."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any


class Spool:
    """Append-only; iterating reads the records back in the order they were appended. The
    file lives in the temporary directory and is removed when the spool is closed or
    collected."""

    def __init__(self, records: Iterable[dict[str, Any]] = ()) -> None:
        self._file = tempfile.TemporaryFile()
        self._count = 0
        for record in records:
            self.append(record)

    def append(self, record: dict[str, Any]) -> None:
        self._file.seek(0, 2)  # after a pass, back to the end
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._file.write(line.encode())
        self._count += 1

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """One pass over the records; one reader at a time, and no appends meanwhile."""
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def close(self) -> None:
        self._file.close()
