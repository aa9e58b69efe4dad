"""Tables from any result: the one flattening behind every ``to_records`` / ``to_pandas``.

``fluent_sdk.to_records(result, explode=None)`` takes what the SDK hands out — a dict from
``client.graphql.execute``, a generated or your own pydantic model, a `Page`, a (sync)
`Paginator`, or a list of nodes — and gives flat rows:

- connections lose their ``edges`` / ``node`` wrappers: a connection is its nodes (a
  connection at the top gives one row per node; a nested one, unless exploded, is one cell
  holding the list of its nodes);
- nested objects become dotted columns (``customer.ref``, ``items.product.ref``); other lists
  stay whole values;
- ``explode="items"`` gives one row per nested item (a connection or a list), carrying its
  parent's columns; a dotted path (``"fulfilments.items"``) explodes level by level; a parent
  without items keeps one row;
- column names are Fluent's spelling (the wire names, camelCase), on every path: models are
  dumped by alias;
- date-times become ``datetime`` values (timezone-aware), and real datetime columns in
  `to_pandas` / `to_polars`;
- a ``data`` dict with a single root field is unwrapped (``{"orders": {...}}`` is the orders);
- values under secret-looking keys are masked, as in notebook display.

The models' ``to_records()``, pages and paginators, and the CLI's ``-o csv|table|jsonl`` use the
same functions. pandas and polars are imported only by `to_pandas` / `to_polars`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from fluent_sdk._display import (
    connection_nodes,
    flatten_node,
    is_connection,
    jsonable,
    mask_secrets,
    records_to_pandas,
    require_pandas,
)
from fluent_sdk.errors import ValidationError

if TYPE_CHECKING:
    import pandas

__all__ = [
    "node_rows",
    "plain",
    "records_to_pandas",
    "records_to_polars",
    "require_pandas",
    "require_polars",
    "to_pandas",
    "to_polars",
    "to_records",
]


def _elements(value: Any) -> list[Any]:
    if value is None:
        return []
    if is_connection(value):
        return connection_nodes(value)
    if isinstance(value, list):
        return [item for item in value if item is not None]
    return [value]


class _Exploder:
    def __init__(self, path: str, datetimes: bool) -> None:
        self.path = path
        self.segments = path.split(".")
        self.datetimes = datetimes
        self.found = False

    def rows(self, node: Any, segments: list[str], prefix: str) -> list[dict[str, Any]]:
        if not segments or not isinstance(node, dict):
            return [flatten_node(node, prefix, datetimes=self.datetimes)]
        head, rest = segments[0], segments[1:]
        if head in node:
            self.found = True
        base = {key: value for key, value in node.items() if key != head}
        row = flatten_node(base, prefix, datetimes=self.datetimes) if base else {}
        name = f"{prefix}.{head}" if prefix else head
        rows = []
        for child in _elements(node.get(head)):
            for sub in self.rows(child, rest, name):
                rows.append({**row, **sub})
        return rows or [row]


def plain(value: Any) -> Any:
    """A node as JSON, secrets masked: what rows are made of."""
    return mask_secrets(jsonable(value))


def _sources(result: Any, *, unwrap: bool) -> list[Any]:
    """The nodes a result stands for (each becomes one row, or several when exploded)."""
    if hasattr(result, "__aiter__") and not hasattr(result, "__iter__"):
        raise ValidationError(
            "an AsyncPaginator is read with `await paginator.to_records()` (or "
            "`await paginator.to_pandas()`), not fluent_sdk.to_records",
            field="result",
        )
    if hasattr(result, "nodes") and hasattr(result, "has_next_page"):  # a Page
        return [plain(node) for node in result.nodes]
    iterable = isinstance(result, Iterable) and not isinstance(result, (str, bytes, Mapping))
    if iterable and not hasattr(result, "model_dump"):  # models iterate over their fields
        return [plain(item) for item in result]  # a list, a Paginator, a generator
    value = plain(result)
    if unwrap and isinstance(value, dict) and len(value) == 1 and not is_connection(value):
        only = next(iter(value.values()))
        if isinstance(only, (dict, list)):
            value = only
    if is_connection(value):
        return connection_nodes(value)
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [value]


def node_rows(
    sources: Iterable[Any], explode: str | None = None, *, datetimes: bool = True
) -> list[dict[str, Any]]:
    """Rows from nodes already JSON-ready (see `to_records`)."""
    if explode is None:
        return [flatten_node(node, datetimes=datetimes) for node in sources]
    if not isinstance(explode, str) or not explode or any(not part for part in explode.split(".")):
        raise ValidationError(
            "explode must name a field, e.g. explode='items' or 'fulfilments.items'",
            field="explode",
        )
    exploder = _Exploder(explode, datetimes)
    rows = [row for node in sources for row in exploder.rows(node, exploder.segments, "")]
    if rows and not exploder.found:
        columns = sorted({key.split(".")[0] for row in rows for key in row})
        raise ValidationError(
            f"explode={explode!r}: no row has a field {explode.split('.')[0]!r}; fields: "
            f"{', '.join(columns[:20])}",
            field="explode",
        )
    return rows


def to_records(
    result: Any, explode: str | None = None, *, datetimes: bool = True
) -> list[dict[str, Any]]:
    """Flat rows (dicts) from any result: see the module doc.

    ``datetimes=False`` keeps date-times as the text Fluent sent (for CSV and JSON output)."""
    return node_rows(_sources(result, unwrap=True), explode, datetimes=datetimes)


def require_polars() -> Any:
    """Import polars, or explain how to get it (imported by name: an optional extra that
    type checking does not require)."""
    try:
        return importlib.import_module("polars")
    except ImportError:
        raise ImportError(
            "polars is needed for to_polars(): pip install 'fluent-sdk[polars]'"
        ) from None


def records_to_polars(records: Iterable[Mapping[str, Any]]) -> Any:
    """Rows (already flat) as a polars DataFrame; date-times as ``Datetime`` (UTC)."""
    pl = require_polars()
    rows = [dict(row) for row in records]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return pl.from_dicts(
        [{column: row.get(column) for column in columns} for row in rows],
        infer_schema_length=None,
        strict=False,
    )


def to_pandas(result: Any, explode: str | None = None) -> pandas.DataFrame:
    """`to_records` as a pandas DataFrame (needs ``fluent-sdk[pandas]``, checked first)."""
    require_pandas()
    return records_to_pandas(to_records(result, explode))


def to_polars(result: Any, explode: str | None = None) -> Any:
    """`to_records` as a ``polars.DataFrame`` (needs ``fluent-sdk[polars]``, checked first)."""
    require_polars()
    return records_to_polars(to_records(result, explode))
