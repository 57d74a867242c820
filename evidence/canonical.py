"""Canonical JSON: one byte sequence per content, so that a hash or a signature of it can be
checked by anyone who re-serialises what they read."""

import json
from decimal import Decimal


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        # Shares: six decimals are enough (METRICS.md asks for at least four) and keep the
        # text identical on every platform.
        return round(value, 6)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def canonical_json(value) -> bytes:
    """Sorted keys, no spaces, UTF-8, decimals as strings."""
    return json.dumps(
        _plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
