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
the opening schedule to open all hours. Every call returns the same `Location` model (the
generated ``LocationFields`` plus ``found_existing``).

`create` never creates twice: when its reply is lost the location is looked up by ref before
any retry, and a ref conflict on a retry resolves to the location an earlier try made; either
way it is returned with ``found_existing=True`` (`fluent_sdk.helpers._common.create_once`). A
ref taken before the call is a `ConflictError`.

`_LocationsBase` holds the logic once, as plans (no I/O); `Locations` / `AsyncLocations` only
run them (`fluent_sdk.helpers._common`). ``iter`` is a `Paginator` (async: `AsyncPaginator`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import AliasChoices, Field

from fluent_sdk._generated import fragments as _fragments
from fluent_sdk._generated.fragments import LocationFields
from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE
from fluent_sdk.helpers._attributes import Attributes, attributes_input
from fluent_sdk.helpers._calls import Listing, Operation, Plan, ResolveRetailer
from fluent_sdk.helpers._common import check_ref, create_and_read
from fluent_sdk.helpers._driver import AsyncHelper, Lists, SyncHelper
from fluent_sdk.helpers._models import Address, FoundExisting, InputModel, parse_input
from fluent_sdk.helpers._platform_common import string_filters
from fluent_sdk.rest._common import IdStr, RetailerIdText

__all__ = [
    "AddressSpec",
    "AsyncLocations",
    "Location",
    "Locations",
    "NewLocation",
    "OpeningScheduleSpec",
]


class Location(LocationFields, FoundExisting):
    """The location model every call returns (``get``, ``iter``, ``create``): the generated
    ``LocationFields``, plus ``found_existing`` (True when `Locations.create` found the location
    an earlier try had created, after a lost reply; never sent, left out of dumps)."""


Location.model_rebuild(_types_namespace=vars(_fragments))

PagesT = TypeVar("PagesT")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class AddressSpec(Address):
    """A location's primary address; ``latitude`` and ``longitude`` are required by Fluent."""

    ref: str | None = None
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class OpeningScheduleSpec(InputModel):
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


class NewLocation(InputModel):
    """A location to create. ``type`` is free text in Fluent (STORE, WAREHOUSE, ...)."""

    ref: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1)
    type: str = Field(min_length=1, max_length=50)
    address: AddressSpec = Field(
        validation_alias=AliasChoices("address", "primary_address", "primaryAddress")
    )
    opening_schedule: OpeningScheduleSpec = Field(default_factory=OpeningScheduleSpec.always_open)
    retailer_id: RetailerIdText | None = None
    support_phone_number: str | None = None
    default_carrier: str | None = None
    network_ids: list[IdStr] | None = None
    attributes: Attributes = None


class _LocationsBase(Lists[PagesT]):
    """No I/O: argument checks, the ``createLocation`` input, the listing, and the plans."""

    @staticmethod
    def _new_location(location: NewLocation | Mapping[str, Any]) -> NewLocation:
        return parse_input(NewLocation, location, field="location")

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

    def iter(
        self,
        *,
        ref: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        name: str | Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> PagesT:
        """Locations matching every filter given (each a value or a list of values): a
        `Paginator` (async client: an `AsyncPaginator`, ``async for``)."""
        call = Operation("locations", string_filters(ref=ref, type_=type, status=status, name=name))
        listing = Listing(
            call, "locations", Location.from_node, page_size=page_size, max_items=max_items
        )
        return self._paginate(listing)

    # ---- plans --------------------------------------------------------------------------------
    def _get_plan(self, ref: Any) -> Plan[Location | None]:
        node = yield Operation("location", {"ref": check_ref(ref, field="ref")})
        return None if node is None else Location.from_node(node)

    def _create_plan(self, location: NewLocation | Mapping[str, Any]) -> Plan[Location]:
        spec = self._new_location(location)
        retailer_id = yield ResolveRetailer(spec.retailer_id)
        create = Operation("create_location", {"input": self._create_input(spec, retailer_id)})
        found = yield from create_and_read(
            create, lambda: self._get_plan(spec.ref), operation="createLocation"
        )
        return found


class Locations(SyncHelper, _LocationsBase[Paginator[Location]]):
    """``client.locations`` (see the module docstring)."""

    def get(self, ref: str) -> Location | None:
        """The location with this ref, or None."""
        return self._run(self._get_plan(ref))

    def create(self, location: NewLocation | Mapping[str, Any]) -> Location:
        """Create a location and return it as stored; a lost reply never makes two (the one
        found is returned with ``found_existing=True``)."""
        return self._run(self._create_plan(location))


class AsyncLocations(AsyncHelper, _LocationsBase[AsyncPaginator[Location]]):
    """The async twin of `Locations`."""

    async def get(self, ref: str) -> Location | None:
        """See `Locations.get`."""
        return await self._run(self._get_plan(ref))

    async def create(self, location: NewLocation | Mapping[str, Any]) -> Location:
        """See `Locations.create`."""
        return await self._run(self._create_plan(location))
