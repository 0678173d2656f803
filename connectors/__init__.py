"""Tracker connectors: HTTP and each tracker's API contract, nothing of the store or rules.
The registry in ``sync.trackers`` names the connector of each kind."""
