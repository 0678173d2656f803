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
        self._file.seek(0, 2)
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._file.write(line.encode())
        self._count += 1

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._file.flush()
        self._file.seek(0)
        position = 0
        while position < self._count:
            line = self._file.readline()
            position += 1
            offset = self._file.tell()
            yield json.loads(line)
            self._file.seek(offset)  # another reader may have moved the file meanwhile

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def close(self) -> None:
        self._file.close()
