"""Pulling: each source's pages into the store, one puller per tracker kind, run concurrently
and isolated from each other (``sources``)."""
