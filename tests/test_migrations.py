"""Every migration written is one the store applies: a ``m0NN_*`` function that lost its
``@migrations()`` decorator (as a merge once did) would leave its table missing on every new
store while the code that needs it fails only at run time."""

from __future__ import annotations

import inspect
import sqlite3

from sync.store import Store
from sync.store import migrations as module


def test_every_migration_function_is_applied_to_a_new_store(tmp_path):
    written = {
        name
        for name, value in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("m0") and value.__module__ == module.__name__
    }
    Store(tmp_path / "store.db").close()
    conn = sqlite3.connect(tmp_path / "store.db")
    applied = {row[0] for row in conn.execute("select name from _sqlite_migrations")}
    conn.close()
    assert written and written == applied
