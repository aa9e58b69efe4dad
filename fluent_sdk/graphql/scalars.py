"""Python sides of the schema's custom scalars, used by the generated models.

- ``DateTime`` is a timezone-aware `datetime.datetime`. Results parse ISO-8601 text natively
  (pydantic); `ensure_aware` marks a value without an offset as UTC, which is what Fluent sends.
  Inputs go out through `serialize_datetime` (naive values are taken as UTC).
- ``Json`` is `typing.Any`: whatever JSON value the attribute holds, passed through untouched.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

__all__ = ["ensure_aware", "serialize_datetime", "to_json_value"]


def ensure_aware(value: datetime) -> datetime:
    """Return ``value`` with UTC attached when it carries no offset."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def serialize_datetime(value: datetime) -> str:
    """ISO-8601 text for a ``DateTime`` input; naive values are taken as UTC."""
    aware = ensure_aware(value)
    if aware.utcoffset() == timezone.utc.utcoffset(None):
        return aware.replace(tzinfo=None).isoformat() + "Z"
    return aware.isoformat()


def to_json_value(value: Any) -> Any:
    """Convert a plain variable value (datetimes, nested lists/dicts) to JSON-ready form."""
    if isinstance(value, datetime):
        return serialize_datetime(value)
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json_value(item) for key, item in value.items()}
    return value
