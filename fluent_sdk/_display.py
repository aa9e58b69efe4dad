"""Rich display for notebooks and tables: HTML summaries, flattening, pandas conversion.

Models, pages and reports use these to render a compact table of their important fields with the
raw JSON collapsible (``_repr_html_``), and to become rows (``to_records``) or a DataFrame
(``to_pandas``). Secrets never reach this module's output: values pass through `redact`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from fluent_sdk._redact import redact

if TYPE_CHECKING:
    import pandas

__all__ = ["flatten", "html_summary", "jsonable", "records_to_pandas", "require_pandas"]

_MAX_CELL = 120


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of ``value`` (pydantic models, enums, datetimes, nested containers)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return jsonable(dump(mode="json", by_alias=True, exclude_none=True))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings become dotted columns (``customer.ref``); lists stay whole values."""
    value = jsonable(value)
    if not isinstance(value, dict):
        return {prefix or "value": value}
    row: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(item, dict) and item:
            row.update(flatten(item, name))
        else:
            row[name] = item
    return row


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(jsonable(value), default=str)
    text = redact(text)
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 1] + "…"
    return html.escape(text)


def html_summary(title: str, fields: Iterable[tuple[str, Any]], raw: Any = None) -> str:
    """A two-column HTML table of ``fields`` under ``title``; ``raw`` goes in a collapsed JSON."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
        f"<td style='text-align:left'>{_cell(value)}</td></tr>"
        for name, value in fields
    )
    body = f"<b>{html.escape(title)}</b><table>{rows}</table>"
    if raw is not None:
        dumped = redact(json.dumps(jsonable(raw), indent=2, default=str))
        body += f"<details><summary>raw JSON</summary><pre>{html.escape(dumped)}</pre></details>"
    return f"<div class='fluent-sdk'>{body}</div>"


def require_pandas() -> Any:
    """Import pandas, or explain how to get it."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - exercised where pandas is absent
        raise ImportError(
            "pandas is needed for to_pandas(): pip install 'fluent-sdk[pandas]'"
        ) from None
    return pandas


def records_to_pandas(records: Iterable[Mapping[str, Any]]) -> pandas.DataFrame:
    """Rows (already flat) as a DataFrame."""
    pd = require_pandas()
    frame: pandas.DataFrame = pd.DataFrame.from_records(list(records))
    return frame
