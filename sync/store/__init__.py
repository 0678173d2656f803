"""The store: the one package that knows the schema and holds SQL. Everything else reads and
writes through the functions named here."""

from sync.store.store import Store, create_private_file, on_own_connection, utc_now

__all__ = ["Store", "create_private_file", "on_own_connection", "utc_now"]
