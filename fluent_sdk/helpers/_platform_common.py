"""Shared, I/O-free pieces of the platform helpers (catalogue, settings, users, locations,
networks): JSON comparison, model dumping, chunking, search filters.

The input model base and the attributes toolkit they used to define here are now shared by
every helper: `fluent_sdk.helpers._models` (`InputModel`; `SpecModel` is its old name) and
`fluent_sdk.helpers._attributes` (`AttributeSpec`, `attributes_input`, ...). The old names
still import from here.

Example::

    from fluent_sdk.helpers._platform_common import same_json, string_filters

    same_json({"a": 1}, {"a": 1.0})              # True
    string_filters(type_="STORE", status=None)   # {'type_': ['STORE']}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers._attributes import (
    AttributeSpec,
    attribute_type_for,
    attributes_input,
    normalize_attributes,
)
from fluent_sdk.helpers._common import missing_result
from fluent_sdk.helpers._models import SpecModel, parse_input

__all__ = [
    "AttributeSpec",
    "SpecModel",
    "attribute_type_for",
    "attributes_input",
    "chunked",
    "dump_node",
    "missing_result",
    "normalize_attributes",
    "same_json",
    "string_filters",
    "validate_spec",
]

T = TypeVar("T")

#: Deprecated name of `fluent_sdk.helpers._models.parse_input` (the same function).
validate_spec = parse_input


def same_json(left: Any, right: Any) -> bool:
    """JSON equality: ``1 == 1.0`` but ``True != 1``, mappings by key, lists in order."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-9)
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return set(left) == set(right) and all(same_json(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(
            same_json(a, b) for a, b in zip(left, right, strict=True)
        )
    return bool(left == right)


def dump_node(node: Any) -> dict[str, Any]:
    """A fetched GraphQL model (or dict) as a plain dict with Fluent's camelCase names."""
    if isinstance(node, BaseModel):
        dumped: dict[str, Any] = node.model_dump(mode="json", by_alias=True)
        return dumped
    if isinstance(node, Mapping):
        return dict(node)
    raise TypeError(f"cannot read {type(node).__name__} as a GraphQL node")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def string_filters(**filters: str | Sequence[str] | None) -> dict[str, Any]:
    """Search filters given as a value or a list of values, as lists (None ones left out).
    A trailing ``_`` (``type_``, the generated argument name) is dropped in error messages."""
    args: dict[str, Any] = {}
    for key, value in filters.items():
        name = key.rstrip("_")
        if value is None:
            continue
        values = [value] if isinstance(value, str) else value
        if isinstance(values, Mapping) or not isinstance(values, Iterable):
            raise ValidationError(f"{name} must be a string or a list of strings", field=name)
        values = list(values)
        if not all(isinstance(v, str) for v in values):
            raise ValidationError(f"{name} must be a string or a list of strings", field=name)
        args[key] = values
    return args
