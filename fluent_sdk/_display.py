"""Rich display for notebooks and tables: HTML summaries, flattening, pandas conversion.

Models, pages and reports use these to render a compact table of their important fields with the
raw JSON collapsible (``_repr_html_``), and to become rows (``to_records``) or a DataFrame
(``to_pandas``). Secrets never reach this module's HTML: values pass through `redact`, and
values under secret-looking keys (``clientSecret``, ``password``, ``apiKey``...) are masked
(`mask_secrets`), in HTML and in ``to_records`` / ``to_pandas`` rows alike.

Nothing here runs while parsing or calling: only the display methods call in. `ModelDisplay`
gives every generated model ``_repr_html_`` / ``to_records`` / ``to_pandas``; `nodes_html` and
`node_records` serve connection pages and paginators. pandas is imported by `to_pandas` only.

`flatten_node` is the SDK's one flattening (rows of models, pages, paginators, ``execute``
dicts through `fluent_sdk.to_records`, CLI tables and CSV): dotted columns in Fluent's
spelling, connections as their nodes, date-times as ``datetime`` when asked.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from fluent_sdk._redact import MASK, redact

if TYPE_CHECKING:
    import pandas

__all__ = [
    "ModelDisplay",
    "connection_nodes",
    "datetime_columns",
    "flatten",
    "flatten_node",
    "html_summary",
    "is_connection",
    "is_secret_key",
    "jsonable",
    "mask_secrets",
    "model_fields_summary",
    "model_html",
    "model_records",
    "node_records",
    "nodes_html",
    "parse_datetime",
    "records_to_pandas",
    "require_pandas",
]

_MAX_CELL = 120
#: Rows of a model's summary table before "… N more fields".
MAX_SUMMARY_FIELDS = 30
#: Nodes shown in a page's HTML table (the rest are counted).
MAX_TABLE_ROWS = 20
#: Columns shown in a page's HTML table (the rest are named in a note).
MAX_TABLE_COLUMNS = 16
#: The fields that say what an entity is, in the order a summary shows them.
KEY_FIELDS = (
    "id",
    "ref",
    "name",
    "status",
    "type",
    "username",
    "title",
    "createdOn",
    "updatedOn",
)
_KEY_RANK = {name: rank for rank, name in enumerate(KEY_FIELDS)}
_SECRET_KEY = re.compile(r"(?i)password|secret|token|api_?key|authorization|credential")


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
    """``value`` (a model or JSON) as one flat row: nested objects become dotted columns
    (``customer.ref``), a connection its list of nodes, other lists stay whole values;
    date-times stay as text (see `flatten_node`)."""
    return flatten_node(jsonable(value), prefix, datetimes=False)


_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$"
)


def parse_datetime(text: str) -> datetime | None:
    """An ISO-8601 date-time with a zone (Fluent's ``2024-05-01T10:00:00.000Z``), or None."""
    match = _DATETIME.match(text)
    if match is None:
        return None
    moment, fraction, zone = match.groups()
    fraction = (fraction or "").ljust(6, "0")[:6]
    zone = "+00:00" if zone == "Z" else zone
    if len(zone) == 5:
        zone = zone[:3] + ":" + zone[3:]
    try:
        return datetime.fromisoformat(f"{moment}.{fraction}{zone}")
    except ValueError:
        return None


def is_connection(value: Any) -> bool:
    """A connection as JSON: a dict with an ``edges`` list."""
    return isinstance(value, dict) and isinstance(value.get("edges"), list)


def connection_nodes(connection: Mapping[str, Any]) -> list[Any]:
    """The nodes of a connection as JSON (null edges and nodes left out)."""
    return [
        edge["node"]
        for edge in connection.get("edges") or []
        if isinstance(edge, dict) and edge.get("node") is not None
    ]


def _whole(value: Any, datetimes: bool) -> Any:
    """A whole value: connections as their nodes (recursively), date-times parsed."""
    if is_connection(value):
        return [_whole(node, datetimes) for node in connection_nodes(value)]
    if isinstance(value, dict):
        return {key: _whole(item, datetimes) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole(item, datetimes) for item in value]
    if datetimes and isinstance(value, str):
        parsed = parse_datetime(value)
        return value if parsed is None else parsed
    return value


def flatten_node(node: Any, prefix: str = "", *, datetimes: bool = True) -> dict[str, Any]:
    """One node (JSON-ready, secrets masked) as a flat row: nested objects as dotted columns,
    connections and lists as whole values."""
    if not isinstance(node, dict):
        return {prefix or "value": _whole(node, datetimes)}
    row: dict[str, Any] = {}
    for key, item in node.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, dict) and item and not is_connection(item):
            row.update(flatten_node(item, name, datetimes=datetimes))
        else:
            row[name] = _whole(item, datetimes)
    return row


def is_secret_key(name: str) -> bool:
    """True for a field name that holds a credential (``clientSecret``, ``password``...)."""
    return _SECRET_KEY.search(name) is not None


def mask_secrets(value: Any) -> Any:
    """A copy of JSON-ready ``value`` with every non-empty string under a secret-looking key
    replaced by the mask (nested mappings and lists included)."""
    if isinstance(value, dict):
        return {
            key: (
                MASK
                if isinstance(item, str) and item and is_secret_key(str(key))
                else mask_secrets(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    return value


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(jsonable(value), default=str)
    text = redact(text)
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 1] + "…"
    return html.escape(text)


def html_summary(title: str, fields: Iterable[tuple[str, Any]], raw: Any = None) -> str:
    """A two-column HTML table of ``fields`` under ``title``; ``raw`` goes in a collapsed JSON."""
    body = _fields_table(title, fields)
    if raw is not None:
        body += _raw_json(raw)
    return f"<div class='fluent-sdk'>{body}</div>"


def _fields_table(title: str, fields: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
        f"<td style='text-align:left'>{_cell(_shown(name, value))}</td></tr>"
        for name, value in fields
    )
    return f"<b>{html.escape(redact(title))}</b><table>{rows}</table>"


def _shown(name: str, value: Any) -> Any:
    return MASK if isinstance(value, str) and value and is_secret_key(name) else value


def _raw_json(raw: Any) -> str:
    dumped = redact(json.dumps(mask_secrets(jsonable(raw)), indent=2, default=str))
    return f"<details><summary>raw JSON</summary><pre>{html.escape(dumped)}</pre></details>"


# ---- generated models -----------------------------------------------------------------------


def _key_order(names: Iterable[str]) -> list[str]:
    """Key fields first (in `KEY_FIELDS` order), the others as they came."""
    indexed = list(enumerate(names))
    indexed.sort(key=lambda item: (_KEY_RANK.get(item[1], len(_KEY_RANK)), item[0]))
    return [name for _, name in indexed]


def _has_next(connection: Mapping[str, Any]) -> bool | None:
    page_info = connection.get("pageInfo")
    return page_info.get("hasNextPage") if isinstance(page_info, dict) else None


def _summarise(value: Any) -> Any:
    """One cell for a nested value: a connection as its size, a list as a count, an object
    by its key fields."""
    if is_connection(value):
        text = f"{len(connection_nodes(value))} nodes"
        return text + (" (more pages)" if _has_next(value) else "")
    if isinstance(value, list):
        return f"[{len(value)} item{'' if len(value) == 1 else 's'}]"
    if isinstance(value, dict):
        keys = [k for k in _key_order(value) if k in _KEY_RANK and value[k] not in (None, "")]
        label = str(value.get("__typename") or "")
        if not keys:
            return f"{label} {{{len(value)} fields}}".strip()
        shown = ", ".join(f"{k}={value[k]}" for k in keys[:3])
        return f"{label} {shown}".strip()
    return value


def model_fields_summary(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(name, cell) rows for a model's JSON: key scalars, other scalars, nested objects
    summarised, then lists as counts; ``__typename`` left out (it is in the title)."""
    scalars, objects, lists = [], [], []
    for name in _key_order(data):
        value = data[name]
        if name == "__typename" or value is None:
            continue
        if isinstance(value, list):
            lists.append((name, _summarise(value)))
        elif isinstance(value, dict):
            objects.append((name, _summarise(value)))
        else:
            scalars.append((name, value))
    rows = scalars + objects + lists
    if len(rows) > MAX_SUMMARY_FIELDS:
        hidden = len(rows) - MAX_SUMMARY_FIELDS + 1
        rows = [*rows[: MAX_SUMMARY_FIELDS - 1], ("…", f"{hidden} more fields in the raw JSON")]
    return rows


def model_label(cls: type) -> str:
    """A readable name for a generated model class: its GraphQL field, not the generator's
    concatenation of operation and field (``MeMe`` -> ``Me``, ``LocationLocation`` ->
    ``Location``, ``LocationFields`` -> ``Location``, ``OrdersOrdersEdgesNode`` -> ``Orders node``).
    """
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+", cls.__name__)
    node = words[-2:] == ["Edges", "Node"]
    if node:
        words = words[:-2]
    if len(words) > 1 and words[-1] == "Fields":  # a fragment's model
        words = words[:-1]
    # The generator prefixes the operation's name: the field's name starts at the first word
    # that the operation's name already used.
    for start in range(1, len(words)):
        if words[start] in words[:start]:
            words = words[start:]
            break
    label = "".join(words) or cls.__name__
    return f"{label} node" if node else label


def _model_title(model: Any, data: Mapping[str, Any]) -> str:
    name = str(data.get("__typename") or model_label(type(model)))
    for key in ("ref", "id", "name"):
        if data.get(key) not in (None, ""):
            return f"{name} {data[key]}"
    return name


def _model_json(model: Any) -> Any:
    return mask_secrets(jsonable(model))


def model_html(model: Any) -> str:
    """A model's HTML: its summary table, or a node table when it is a connection; the raw
    JSON (secrets masked) collapsed underneath."""
    data = _model_json(model)
    if not isinstance(data, dict):
        return html_summary(type(model).__name__, [("value", data)])
    if is_connection(data):
        nodes = connection_nodes(data)
        cursors = [
            edge.get("cursor")
            for edge in data["edges"]
            if isinstance(edge, dict) and edge.get("node")
        ]
        return nodes_html(
            f"{model_label(type(model))}: {len(nodes)} nodes",
            nodes,
            [("hasNextPage", _has_next(data)), ("endCursor", cursors[-1] if cursors else None)],
        )
    return html_summary(_model_title(model, data), model_fields_summary(data), raw=data)


def model_records(model: Any) -> list[dict[str, Any]]:
    """A connection's nodes, one flat row each; any other model is one flat row (the rows of
    `flatten_node`, date-times as ``datetime``)."""
    data = _model_json(model)
    if is_connection(data):
        return [flatten_node(node) for node in connection_nodes(data)]
    return [flatten_node(data)]


class ModelDisplay:
    """Notebook display for generated models (mixed into their base class; no fields, no
    effect on parsing). Rows use the wire (camelCase) names, nested fields dotted."""

    __slots__ = ()

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # pydantic's repr/str, with secret-looking fields and registered secrets masked.
        parent: Any = super()
        for name, value in parent.__repr_args__():
            if isinstance(value, str) and value:
                value = MASK if name and is_secret_key(name) else redact(value)
            yield name, value

    def _repr_html_(self) -> str:
        return model_html(self)

    def to_records(self) -> list[dict[str, Any]]:
        """Flat rows: one per node for a connection (``edges``), else one for this model;
        nested objects become dotted columns (``retailer.ref``), lists stay whole."""
        return model_records(self)

    def to_pandas(self) -> pandas.DataFrame:
        """`to_records` as a DataFrame (needs pandas)."""
        return records_to_pandas(self.to_records())


# ---- nodes of pages and paginators ----------------------------------------------------------


def node_records(nodes: Iterable[Any], *, datetimes: bool = True) -> list[dict[str, Any]]:
    """One flat row per node (`flatten_node`: dotted columns), secrets masked."""
    return [flatten_node(mask_secrets(jsonable(node)), datetimes=datetimes) for node in nodes]


def _table_cell(value: Any) -> str:
    if isinstance(value, list):
        return html.escape(f"[{len(value)} item{'' if len(value) == 1 else 's'}]")
    if value is None:
        return ""
    return _cell(value)


def nodes_html(
    title: str,
    nodes: Sequence[Any],
    fields: Iterable[tuple[str, Any]] = (),
    *,
    max_rows: int = MAX_TABLE_ROWS,
    max_columns: int = MAX_TABLE_COLUMNS,
) -> str:
    """``fields`` as a summary, then the first ``max_rows`` nodes as a flattened table."""
    rows = node_records(nodes[:max_rows], datetimes=False)
    seen: dict[str, None] = {}
    for row in rows:
        # ``__typename`` columns (codegen plumbing) are in the rows, not in the table.
        seen.update(dict.fromkeys(n for n in row if n.rpartition(".")[2] != "__typename"))
    columns = _key_order(seen)
    hidden = columns[max_columns:]
    columns = columns[:max_columns]
    head = "".join(f"<th style='text-align:left'>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='text-align:left'>{_table_cell(row.get(c))}</td>" for c in columns)
        + "</tr>"
        for row in rows
    )
    notes = []
    if len(nodes) > max_rows:
        notes.append(f"first {max_rows} of {len(nodes)} nodes shown")
    if hidden:
        notes.append(
            f"{len(hidden)} more columns: {', '.join(hidden[:10])}{'…' if len(hidden) > 10 else ''}"
        )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if rows else ""
    note = f"<p><i>{html.escape('; '.join(notes))}</i></p>" if notes else ""
    return f"<div class='fluent-sdk'>{_fields_table(title, fields)}{table}{note}</div>"


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
    """Rows (already flat) as a DataFrame; columns of ``datetime`` values become
    datetime64 columns in UTC."""
    pd = require_pandas()
    rows = [dict(row) for row in records]
    frame: pandas.DataFrame = pd.DataFrame.from_records(rows)
    for column in datetime_columns(rows):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def datetime_columns(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Columns whose values (nulls aside) are all ``datetime``."""
    kinds: dict[str, bool] = {}
    for row in records:
        for key, value in row.items():
            if value is not None:
                kinds[key] = kinds.get(key, True) and isinstance(value, datetime)
    return [key for key, is_datetime in kinds.items() if is_datetime]
