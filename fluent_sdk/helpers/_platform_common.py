"""Shared, I/O-free pieces of the platform helpers (catalogue, settings, users, locations,
networks): input model base, attribute specs, JSON comparison, model dumping, chunking.

Example::

    from fluent_sdk.helpers._platform_common import attributes_input, normalize_attributes

    attributes_input(normalize_attributes({"brand": "Acme", "sizes": [1, 2]}))
    # [{'name': 'brand', 'type': 'STRING', 'value': 'Acme'},
    #  {'name': 'sizes', 'type': 'JSON', 'value': [1, 2]}]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from fluent_sdk._validation import validate_input
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql._runtime import UnexpectedResponseError
from fluent_sdk.rest._common import RequestModel, validate_request

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
SpecT = TypeVar("SpecT", bound=BaseModel)


class SpecModel(RequestModel):
    """Base of the helpers' input models: snake_case or Fluent's camelCase keys, unknown keys
    refused (typos fail before any request), errors as the SDK's `ValidationError`."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class AttributeSpec(SpecModel):
    """One ``{name, type, value}`` attribute. ``type`` is inferred from ``value`` when left out
    (str -> STRING, bool -> BOOLEAN, int -> INTEGER, float -> FLOAT, other -> JSON)."""

    name: str = Field(min_length=1)
    value: Any
    type: str | None = None

    @property
    def resolved_type(self) -> str:
        return self.type or attribute_type_for(self.value)


def attribute_type_for(value: Any) -> str:
    """Fluent attribute type for a Python value."""
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "FLOAT"
    return "JSON"


def normalize_attributes(value: Any, *, field: str = "attributes") -> list[AttributeSpec] | None:
    """``{"name": value}`` or a list of `AttributeSpec`/dicts as a list of `AttributeSpec`.

    ``field`` prefixes error paths; model validators pass ``""`` (pydantic adds the rest)."""
    if value is None:
        return None
    if isinstance(value, Mapping) and not {"name", "value"} <= set(value):
        return [AttributeSpec(name=str(name), value=item) for name, item in value.items()]
    if isinstance(value, Mapping | AttributeSpec):
        value = [value]
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(
            "attributes must be a mapping of name to value or a list of attributes",
            field=field,
        )
    specs = [
        _attribute(item, f"{field}[{i}]" if field else f"[{i}]") for i, item in enumerate(value)
    ]
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValidationError(
            f"attribute names must be unique, repeated: {', '.join(duplicates)}",
            field=field,
        )
    return specs


def _attribute(item: Any, where: str) -> AttributeSpec:
    if isinstance(item, AttributeSpec):
        return item
    if not isinstance(item, Mapping):
        raise ValidationError("an attribute must be a mapping", field=where)
    return validate_input(AttributeSpec, item, field=where)


def attributes_input(specs: Iterable[AttributeSpec]) -> list[dict[str, Any]]:
    """`AttributeSpec` values as GraphQL ``AttributeInput`` dicts."""
    return [{"name": s.name, "type": s.resolved_type, "value": s.value} for s in specs]


def validate_spec(model: type[SpecT], value: Any, *, field: str) -> SpecT:
    """``value`` (a ``model`` instance or a mapping) as ``model``, or a `ValidationError`
    naming ``field`` (messages never include the input values)."""
    return validate_request(model, value, field=field)


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


def missing_result(operation: str) -> UnexpectedResponseError:
    """The error for a mutation that answered without the entity it should return."""
    return UnexpectedResponseError(f"{operation} returned no data", operation=operation)


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
