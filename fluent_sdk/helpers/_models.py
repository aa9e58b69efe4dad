"""The helpers' model bases: one for what the caller gives (`InputModel`); what Fluent returns
and `FoundExisting` (results a create may have found instead of made) have their one home below
the generated client, in `fluent_sdk.graphql.entities` (`EntityModel`, `FoundExisting`), and are
importable from here too (`OutputModel` is `EntityModel`).

Every helper input (orders, fulfilments, consignments, payments, locations, users, networks,
catalogue specs) derives from `InputModel`::

    class NewThing(InputModel):
        ref: str = Field(min_length=1)
        display_name: str | None = None

    NewThing(ref=" T-1 ")                                  # ref == "T-1" (whitespace stripped)
    parse_input(NewThing, {"ref": "T", "displayName": "x"}, field="thing")  # camelCase too
    parse_input(NewThing, {"ref": "T", "nmae": "x"}, field="thing")
    # ValidationError: thing.nmae: unknown field (did you mean ...?)

Keys may be snake_case or Fluent's camelCase; an error names the key as the caller wrote it (a
missing field by its snake_case name); ``model_dump(by_alias=True)`` gives Fluent's names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, AliasGenerator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from fluent_sdk._validation import StrictModel, validate_input
from fluent_sdk.graphql.entities import AddressFields, EntityModel, FoundExisting

__all__ = ["Address", "FoundExisting", "InputModel", "OutputModel", "SpecModel", "parse_input"]

InputT = TypeVar("InputT", bound=BaseModel)


def _snake_or_camel(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


class InputModel(StrictModel):
    """Something the caller gives a helper: snake_case or camelCase keys, surrounding whitespace
    stripped from strings, unknown keys refused with a did-you-mean, and every problem a
    `ValidationError` naming the field (``items[2].quantity``)."""

    model_config = ConfigDict(
        str_strip_whitespace=True,
        alias_generator=AliasGenerator(alias=to_camel, validation_alias=_snake_or_camel),
        populate_by_name=True,
    )

    def fluent_input(self, *, exclude: Iterable[str] = (), **values: Any) -> dict[str, Any]:
        """The fields given, by Fluent's (camelCase) names, for a create or update input: every
        field but those that are None or in ``exclude``, then ``values`` (Fluent's names; None
        ones left out) for what is named or shaped differently."""
        data: dict[str, Any] = self.model_dump(
            by_alias=True, exclude_none=True, exclude=set(exclude)
        )
        data.update((key, value) for key, value in values.items() if value is not None)
        return data


class SpecModel(InputModel):
    """Deprecated: derive from `InputModel` (the platform helpers' spec base, before the two
    merged; a subclass rather than a plain alias so that type checkers see its fields)."""


def parse_input(model: type[InputT], value: Any, *, field: str = "") -> InputT:
    """``value`` (a ``model`` or a mapping) as ``model``, or a `ValidationError` naming the bad
    field under ``field`` (messages never include the input values)."""
    return validate_input(model, value, field=field)


#: Something Fluent returned: the one result-model base, `fluent_sdk.graphql.entities.EntityModel`
#: (this name is kept for imports from here).
OutputModel = EntityModel


class Address(InputModel, AddressFields):
    """A postal address: an order's delivery or billing address, a location's primary one
    (`fluent_sdk.helpers.locations.AddressSpec`, where latitude and longitude are required).
    ``ref`` defaults to one the helper derives (``to_input(ref=...)``)."""

    ref: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    def to_input(self, *, ref: str | None) -> dict[str, Any]:
        """The address as Fluent's input, ``ref`` (when it has none of its own) its ref."""
        return self.fluent_input(exclude={"ref"}, ref=self.ref or ref)
