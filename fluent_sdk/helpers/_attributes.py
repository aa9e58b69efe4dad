"""The helpers' one attributes toolkit: Fluent's ``[{name, type, value}]`` in and out.

Every helper takes attributes as ``{name: value}`` or as a list of `AttributeSpec` / dicts, and
sends them through `attributes_input`; the type follows the value by one rule
(`attribute_type_for`) unless a spec names it, and every value is checked the same way (finite,
JSON-serialisable) before anything is sent::

    attributes_input({"brand": "Acme", "sizes": [1, 2]})
    # [{'name': 'brand', 'type': 'STRING', 'value': 'Acme'},
    #  {'name': 'sizes', 'type': 'JSON', 'value': [1, 2]}]
    attributes_input([AttributeSpec(name="weight", value=1, type="FLOAT")])
    # [{'name': 'weight', 'type': 'FLOAT', 'value': 1}]

Reading goes the other way: `attributes_from_data` turns Fluent's list into ``{name: value}``,
and `WithAttributes` is an output model whose ``attributes`` are read that way.

The rules themselves (the type rule, the value check, reading, one ``AttributeInput``) live once,
below every layer, in `fluent_sdk._attributes`; `WithAttributes` is
`fluent_sdk.graphql.entities.WithAttributes`. Both are re-exported here under their old names;
this module adds what a helper's input needs: the specs, their checks and error paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from fluent_sdk._attributes import (
    attribute_input,
    attribute_type_for,
    attribute_value_problem,
    attributes_from_data,
)
from fluent_sdk._validation import join_path, validate_input
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql.entities import WithAttributes
from fluent_sdk.helpers._models import InputModel

__all__ = [
    "AttributeSpec",
    "Attributes",
    "WithAttributes",
    "attribute_type_for",
    "attributes_from_data",
    "attributes_input",
    "normalize_attributes",
]


class AttributeSpec(InputModel):
    """One ``{name, type, value}`` attribute. ``type`` follows `attribute_type_for` when left
    out; ``value`` must be JSON (finite numbers, strings, lists, mappings, booleans, None)."""

    name: str = Field(min_length=1)
    value: Any
    type: str | None = None

    @field_validator("value")
    @classmethod
    def _json_value(cls, value: Any) -> Any:
        problem = attribute_value_problem(value)
        if problem is not None:
            raise ValueError(f"value {problem}")
        return value

    @property
    def resolved_type(self) -> str:
        return self.type or attribute_type_for(self.value)

    def to_input(self) -> dict[str, Any]:
        """This attribute as a GraphQL ``AttributeInput``."""
        return attribute_input(self.name, self.value, self.type)


def normalize_attributes(value: Any, *, field: str = "attributes") -> list[AttributeSpec] | None:
    """``{"name": value}``, one attribute dict, or a list of `AttributeSpec`/dicts as a list of
    `AttributeSpec` (names unique).

    ``field`` prefixes error paths; model validators pass ``""`` (pydantic adds the rest)."""
    if value is None:
        return None
    if isinstance(value, Mapping) and not {"name", "value"} <= set(value):
        return [_from_pair(str(name), item, field) for name, item in value.items()]
    if isinstance(value, Mapping | AttributeSpec):
        value = [value]
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(
            "attributes must be a mapping of name to value or a list of attributes",
            field=field or None,
        )
    specs = [_from_item(item, join_path(field, f"[{i}]")) for i, item in enumerate(value)]
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValidationError(
            f"attribute names must be unique, repeated: {', '.join(duplicates)}",
            field=field or None,
        )
    return specs


#: A model field of attributes: ``{name: value}``, one attribute dict or a list of
#: `AttributeSpec` / dicts, kept as a list of `AttributeSpec` (``attributes: Attributes = None``).
Attributes = Annotated[
    list[AttributeSpec] | None, BeforeValidator(lambda value: normalize_attributes(value, field=""))
]


def _from_pair(name: str, value: Any, field: str) -> AttributeSpec:
    where = join_path(field, name)
    problem = attribute_value_problem(value)
    if problem is not None:
        raise ValidationError(f"attribute {name!r} {problem}", field=where)
    return validate_input(AttributeSpec, {"name": name, "value": value}, field=where)


def _from_item(item: Any, where: str) -> AttributeSpec:
    if isinstance(item, AttributeSpec):
        return item
    if not isinstance(item, Mapping):
        raise ValidationError("an attribute must be a mapping", field=where)
    return validate_input(AttributeSpec, item, field=where)


def attributes_input(
    attributes: Mapping[str, Any] | Iterable[AttributeSpec | Mapping[str, Any]] | None,
    *,
    field: str = "attributes",
) -> list[dict[str, Any]] | None:
    """Attributes as Fluent's ``[AttributeInput]``, or None when there are none.

    A mapping is ``{name: value}`` (every key an attribute name, even ``"name"``); a list holds
    `AttributeSpec` values or ``{name, value[, type]}`` dicts. Bad values are a `ValidationError`
    naming ``attributes.<name>`` (a mapping) or ``attributes[<i>]`` (a list)."""
    if not attributes:
        return None
    if isinstance(attributes, Mapping):
        specs = [_from_pair(str(name), value, field) for name, value in attributes.items()]
    else:
        specs = normalize_attributes(attributes, field=field) or []
    return [spec.to_input() for spec in specs] or None
