"""The store: the one package that knows the schema and holds SQL. Everything else reads and
writes through the functions named here."""

from sync.store.checks import StoreError, check_store
from sync.store.status_queries import read_status, source_names
from sync.store.store import Store, create_private_file, on_own_connection, utc_now

__all__ = [
    "Store",
    "StoreError",
    "check_store",
    "create_private_file",
    "on_own_connection",
    "read_status",
    "source_names",
    "utc_now",
]
