"""Tracker JSON made safe to store: a lone surrogate (``"\\ud800"`` is valid JSON, and not
encodable text) or a NUL in any string is replaced, so one damaged body is one cleaned item,
never a failed source."""

from __future__ import annotations

import re
from typing import Any

_BAD = re.compile("[\ud800-\udfff\x00]")
_SUSPECT = (b"\\ud", b"\\uD", b"\\u0000", b"\x00")


def clean_json(data: Any, raw: bytes) -> Any:
    """``data`` decoded from ``raw``; walked only when the raw body holds a suspect escape,
    so the common case costs one scan of the bytes."""
    if not any(mark in raw for mark in _SUSPECT):
        return data
    return _clean(data)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _BAD.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value
