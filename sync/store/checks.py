"""Before any request: is this path a tracker-sync store we can use? A directory, a folder we
cannot write, junk, another application's SQLite file, a schema newer than this version knows
or a damaged file each stop the run with one line naming the path and the cause (exit 2)."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from sync.store.migrations import migrations

SQLITE_HEADER = b"SQLite format 3\x00"
NOT_OURS = "not a tracker-sync store"


class StoreError(Exception):
    """The store cannot be used; the message is the one line the user sees."""

    def __init__(self, path: str | os.PathLike[str], cause: str) -> None:
        super().__init__(f"store {path}: {cause}")


def check_store(path: str | os.PathLike[str]) -> None:
    """Raise StoreError unless ``path`` is a usable store, or a place one can be created.
    Reads only: a store that passes is opened and migrated by ``Store`` as before."""
    file = Path(path)
    if file.is_dir():
        raise StoreError(path, "is a directory")
    folder = file.parent if str(file.parent) else Path(".")
    if not file.exists():
        _create(path, file)
        return
    if not os.access(file, os.R_OK | os.W_OK):
        raise StoreError(path, "cannot be read and written (permission denied)")
    _probe_folder(path, folder)
    with file.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if not header:
        return  # created empty (mode 0600) by a run that stopped before the tables were made
    if header != SQLITE_HEADER:
        raise StoreError(path, f"{NOT_OURS} (not an SQLite database)")
    _check_schema(path, file)


def _create(path: str | os.PathLike[str], file: Path) -> None:
    """Create the store's file (owner-only, as ``Store`` would), or say why it cannot be."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(path, f"cannot be created: {exc.strerror or exc}") from None


def _probe_folder(path: str | os.PathLike[str], folder: Path) -> None:
    """SQLite writes its journal beside the store: the folder must take a new file. Tried,
    not inferred from the mode bits (which do not bind root)."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tracker-sync-probe-"):
            pass
    except OSError as exc:
        raise StoreError(
            path, f"its folder {folder} is not writable ({exc.strerror or exc})"
        ) from None


def _check_schema(path: str | os.PathLike[str], file: Path) -> None:
    conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        tables = {row[0] for row in conn.execute("select name from sqlite_master")}
        if tables and "_sqlite_migrations" not in tables:
            raise StoreError(path, f"{NOT_OURS} (another application's SQLite file)")
        applied = set()
        if tables:
            applied = {
                row[0]
                for row in conn.execute(
                    "select name from _sqlite_migrations where migration_set = ?",
                    [migrations.name],
                )
            }
            if not applied:
                raise StoreError(path, f"{NOT_OURS} (another application's SQLite file)")
        known = {migration.name for migration in migrations._migrations}
        newer = sorted(applied - known)
        if newer:
            raise StoreError(
                path,
                f"made by a newer tracker-sync (schema {newer[-1]} is unknown to this version)",
            )
        verdict = [row[0] for row in conn.execute("PRAGMA quick_check")]
        if verdict != ["ok"]:
            raise StoreError(path, f"damaged (PRAGMA quick_check: {_first_problem(verdict)})")
    except sqlite3.DatabaseError as exc:
        raise StoreError(path, f"cannot be read: {exc}") from None
    finally:
        conn.close()


def _first_problem(verdict: list[str]) -> str:
    """quick_check's first complaint, on one line (it may send several, each multi-line)."""
    lines = [line.strip() for row in verdict for line in str(row).splitlines()]
    problems = [line for line in lines if line and not line.startswith("***")]
    more = f"; {len(problems) - 1} more" if len(problems) > 1 else ""
    return (problems[0] if problems else "failed") + more
