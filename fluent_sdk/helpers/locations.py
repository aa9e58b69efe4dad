"""Locations (``client.locations``): look up, list and create stores and warehouses.

Usage::

    store = client.locations.get("LOC_MELB")              # Location or None
    for location in client.locations.iter(type="STORE", status="ACTIVE"):
        print(location.ref, location.primary_address.city)
    client.locations.create(
        NewLocation(
            ref="LOC_BRIS", name="Brisbane Store", type="STORE",
            address=AddressSpec(city="Brisbane", country="Australia",
                                latitude=-27.47, longitude=153.02, time_zone="Australia/Brisbane"),
            opening_schedule=OpeningScheduleSpec.every_day(900, 1700),
        )
    )  # or a dict with the same keys

``retailer_id`` defaults to the client's retailer, the address ``ref`` to ``<ref>_ADDRESS`` and
the opening schedule to open all hours. Every call returns the same `Location` model.

`_LocationsBase` holds the logic without I/O; `Locations` / `AsyncLocations` only send.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from pydantic import AliasChoices, Field, field_validator

from fluent_sdk._generated.fragments import LocationFields
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE
from fluent_sdk.helpers._platform_common import (
    AttributeSpec,
    SpecModel,
    attributes_input,
    missing_result,
    normalize_attributes,
    string_filters,
    validate_spec,
)
from fluent_sdk.rest._common import AsyncNamespace, SyncNamespace

__all__ = [
    "AddressSpec",
    "AsyncLocations",
    "Location",
    "Locations",
    "NewLocation",
    "OpeningScheduleSpec",
]

#: The location model every call returns (``get``, ``iter``, ``create``).
Location = LocationFields

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class AddressSpec(SpecModel):
    """A location's primary address; ``latitude`` and ``longitude`` are required by Fluent."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    ref: str | None = None
    name: str | None = None
    company_name: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None
    time_zone: str | None = None
    email: str | None = None


class OpeningScheduleSpec(SpecModel):
    """Opening hours as HHMM integers per day (``mon_start=900, mon_end=1700``); 0/0 is closed.
    ``all_hours=True`` means always open."""

    all_hours: bool = False
    mon_start: int = Field(default=0, ge=0, le=2400)
    mon_end: int = Field(default=0, ge=0, le=2400)
    tue_start: int = Field(default=0, ge=0, le=2400)
    tue_end: int = Field(default=0, ge=0, le=2400)
    wed_start: int = Field(default=0, ge=0, le=2400)
    wed_end: int = Field(default=0, ge=0, le=2400)
    thu_start: int = Field(default=0, ge=0, le=2400)
    thu_end: int = Field(default=0, ge=0, le=2400)
    fri_start: int = Field(default=0, ge=0, le=2400)
    fri_end: int = Field(default=0, ge=0, le=2400)
    sat_start: int = Field(default=0, ge=0, le=2400)
    sat_end: int = Field(default=0, ge=0, le=2400)
    sun_start: int = Field(default=0, ge=0, le=2400)
    sun_end: int = Field(default=0, ge=0, le=2400)

    @classmethod
    def always_open(cls) -> OpeningScheduleSpec:
        return cls(all_hours=True)

    @classmethod
    def every_day(cls, start: int, end: int) -> OpeningScheduleSpec:
        """The same hours each day, e.g. ``every_day(900, 1700)``."""
        hours = {
            f"{day}_{edge}": value
            for day in _DAYS
            for edge, value in (("start", start), ("end", end))
        }
        return cls.model_validate(hours)

    def to_input(self) -> dict[str, Any]:
        dumped: dict[str, Any] = self.model_dump(by_alias=True)
        return dumped


class NewLocation(SpecModel):
    """A location to create. ``type`` is free text in Fluent (STORE, WAREHOUSE, ...)."""

    ref: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1)
    type: str = Field(min_length=1, max_length=50)
    address: AddressSpec = Field(
        validation_alias=AliasChoices("address", "primary_address", "primaryAddress")
    )
    opening_schedule: OpeningScheduleSpec = Field(default_factory=OpeningScheduleSpec.always_open)
    retailer_id: str | None = None
    support_phone_number: str | None = None
    default_carrier: str | None = None
    network_ids: list[str] | None = None
    attributes: list[AttributeSpec] | None = None

    @field_validator("retailer_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("network_ids", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("attributes", mode="before")
    @classmethod
    def _accept_attribute_mapping(cls, value: Any) -> list[AttributeSpec] | None:
        return normalize_attributes(value, field="")


class _LocationsBase:
    """No I/O: argument checks and the ``createLocation`` input."""

    @staticmethod
    def _new_location(location: NewLocation | Mapping[str, Any]) -> NewLocation:
        return validate_spec(NewLocation, location, field="location")

    @staticmethod
    def _create_input(location: NewLocation, retailer_id: Any) -> dict[str, Any]:
        address = location.address.model_dump(by_alias=True, exclude_none=True)
        address.setdefault("ref", f"{location.ref}_ADDRESS")
        address.setdefault("name", location.name)
        data: dict[str, Any] = {
            "ref": location.ref,
            "name": location.name,
            "type": location.type,
            "retailer": {"id": location.retailer_id or str(retailer_id)},
            "primaryAddress": address,
            "openingSchedule": location.opening_schedule.to_input(),
        }
        if location.support_phone_number is not None:
            data["supportPhoneNumber"] = location.support_phone_number
        if location.default_carrier is not None:
            data["defaultCarrier"] = location.default_carrier
        if location.network_ids:
            data["networks"] = [{"id": network_id} for network_id in location.network_ids]
        if location.attributes:
            data["attributes"] = attributes_input(location.attributes)
        return data

    @staticmethod
    def _check_ref(ref: Any) -> str:
        if not isinstance(ref, str) or not ref:
            raise ValidationError("ref must be a non-empty string", field="ref")
        return ref


class Locations(SyncNamespace, _LocationsBase):
    """``client.locations`` (see the module docstring)."""

    def get(self, ref: str) -> Location | None:
        """The location with this ref, or None."""
        return self._client.graphql.location_detail(ref=self._check_ref(ref))

    def iter(
        self,
        *,
        ref: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        name: str | Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> Iterator[Location]:
        """Locations matching every filter given (each a value or a list of values)."""
        args = string_filters(ref=ref, type_=type, status=status, name=name)
        return iter(
            self._client.graphql.iter_locations_page(
                **args, page_size=page_size, max_items=max_items
            )
        )

    def create(self, location: NewLocation | Mapping[str, Any]) -> Location:
        """Create a location and return it as stored."""
        spec = self._new_location(location)
        retailer_id = self._retailer_id() if spec.retailer_id is None else None
        self._client.graphql.create_location(input=self._create_input(spec, retailer_id))
        stored = self.get(spec.ref)
        if stored is None:
            raise missing_result("createLocation")
        return stored


class AsyncLocations(AsyncNamespace, _LocationsBase):
    """The async twin of `Locations`."""

    async def get(self, ref: str) -> Location | None:
        """See `Locations.get`."""
        return await self._client.graphql.location_detail(ref=self._check_ref(ref))

    def iter(
        self,
        *,
        ref: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        name: str | Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> AsyncIterator[Location]:
        """See `Locations.iter` (``async for location in client.locations.iter(...)``)."""
        args = string_filters(ref=ref, type_=type, status=status, name=name)
        paginator = self._client.graphql.iter_locations_page(
            **args, page_size=page_size, max_items=max_items
        )
        return paginator.__aiter__()

    async def create(self, location: NewLocation | Mapping[str, Any]) -> Location:
        """See `Locations.create`."""
        spec = self._new_location(location)
        retailer_id = await self._retailer_id() if spec.retailer_id is None else None
        await self._client.graphql.create_location(input=self._create_input(spec, retailer_id))
        stored = await self.get(spec.ref)
        if stored is None:
            raise missing_result("createLocation")
        return stored
