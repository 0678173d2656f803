"""The store's one way of writing a timestamp: UTC, ``YYYY-MM-DDTHH:MM:SSZ``."""

from datetime import UTC, datetime


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
