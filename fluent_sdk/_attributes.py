"""Fluent attributes, one home: the ``[{name, type, value}]`` lists entities and events carry.

No I/O and no other SDK module, so every layer uses it: the REST event records
(`fluent_sdk.rest.events.EventRecord.attribute_map`), webhooks, the GraphQL entities
(`fluent_sdk.graphql.entities.WithAttributes`) and the helpers' toolkit
(`fluent_sdk.helpers._attributes`: `AttributeSpec`, `attributes_input`, the ``Attributes`` field
type, which add the input checks and error paths)::

    attributes_from_data([{"name": "size", "type": "STRING", "value": "M"}])  # {'size': 'M'}
    attribute_type_for(1.5), attribute_type_for([1, 2])      # 'FLOAT', 'JSON'
    attribute_value_problem(float("nan"))                    # 'is not a finite number'
    attribute_input("weight", 1.5)     # {'name': 'weight', 'type': 'FLOAT', 'value': 1.5}

Writing has one type rule (`attribute_type_for`) and one value check (`attribute_value_problem`);
reading keeps each item's value by name (`attributes_from_data`), or its type too
(`attribute_items`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "attribute_input",
    "attribute_items",
    "attribute_type_for",
    "attribute_value_problem",
    "attributes_from_data",
]


def attribute_type_for(value: Any) -> str:
    """Fluent's attribute type for a Python value: bool -> BOOLEAN, int -> INTEGER,
    float -> FLOAT, str -> STRING, anything else -> JSON."""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "FLOAT"
    if isinstance(value, str):
        return "STRING"
    return "JSON"


def attribute_value_problem(value: Any) -> str | None:
    """What is wrong with an attribute value, or None: it must travel as JSON (finite numbers,
    strings, booleans, None, and lists and mappings of those)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number"
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return "is not JSON-serialisable"
    return None


def attribute_input(name: str, value: Any, type: str | None = None) -> dict[str, Any]:
    """One GraphQL ``AttributeInput``; ``type`` follows `attribute_type_for` when not given.
    The value is sent as it is: check it first (`attribute_value_problem`)."""
    return {"name": name, "type": type or attribute_type_for(value), "value": value}


def attribute_items(value: Any) -> list[Mapping[str, Any]]:
    """The named ``{name, type, value}`` items of an attribute list (anything that is not a
    list has none)."""
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping) and item.get("name") is not None]


def attributes_from_data(value: Any) -> dict[str, Any]:
    """Fluent's ``[{name, type, value}]`` as ``{name: value}``, whichever shape was sent: a
    mapping is kept as it is, null or anything else is empty."""
    if isinstance(value, Mapping):
        return dict(value)
    return {str(item["name"]): item.get("value") for item in attribute_items(value)}
