"""`client.locations` against the sandbox: get, iter, create (sync and async)."""

from __future__ import annotations

from typing import Any

import pytest

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers.locations import (
    AddressSpec,
    AsyncLocations,
    Locations,
    NewLocation,
    OpeningScheduleSpec,
)
from fluent_sdk.sandbox import Sandbox


def brisbane(**changes: Any) -> dict[str, Any]:
    return {
        "ref": "LOC_BRIS",
        "name": "Brisbane Store",
        "type": "STORE",
        "address": {
            "street": "1 Queen St",
            "city": "Brisbane",
            "country": "Australia",
            "latitude": -27.47,
            "longitude": 153.02,
            "timeZone": "Australia/Brisbane",
        },
        "attributes": {"pickup": True},
        **changes,
    }


def test_get_and_iter(fluent_client: FluentClient) -> None:
    assert isinstance(fluent_client.locations, Locations)
    melbourne = fluent_client.locations.get("LOC_MELB")
    assert melbourne is not None
    assert melbourne.name == "Melbourne Store"
    assert melbourne.primary_address is not None
    assert melbourne.primary_address.city == "Melbourne"
    assert fluent_client.locations.get("LOC_NOWHERE") is None
    stores = sorted(loc.ref or "" for loc in fluent_client.locations.iter(type="STORE"))
    assert stores == ["LOC_MELB", "LOC_SYD"]
    assert len(list(fluent_client.locations.iter(page_size=1, max_items=2))) == 2
    assert [loc.ref for loc in fluent_client.locations.iter(ref=["LOC_DC", "LOC_X"])] == ["LOC_DC"]


def test_create_fills_defaults_and_returns_the_stored_location(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    location = fluent_client.locations.create(brisbane(network_ids=[2]))

    assert (location.ref, location.type_, location.name) == ("LOC_BRIS", "STORE", "Brisbane Store")
    assert location.retailer is not None
    assert location.retailer.id == "1"
    assert location.primary_address is not None
    assert location.primary_address.ref == "LOC_BRIS_ADDRESS"
    assert location.primary_address.name == "Brisbane Store"
    assert location.primary_address.latitude == -27.47
    assert location.opening_schedule is not None
    assert location.opening_schedule.all_hours is True
    assert {a.name: a.value for a in location.attributes or [] if a} == {"pickup": True}
    [sent] = [
        e.json()["variables"]["input"]
        for e in fluent_sandbox.requests.filter("graphql")
        if e.json()["operationName"] == "CreateLocation"
    ]
    assert sent["networks"] == [{"id": "2"}]
    assert sent["openingSchedule"]["allHours"] is True
    assert fluent_client.locations.get("LOC_BRIS") == location


def test_opening_schedule_helpers() -> None:
    hours = OpeningScheduleSpec.every_day(900, 1700).to_input()
    assert hours["allHours"] is False
    assert (hours["monStart"], hours["sunEnd"]) == (900, 1700)
    assert len(hours) == 15
    assert OpeningScheduleSpec.always_open().to_input()["allHours"] is True
    spec = NewLocation(
        ref="L",
        name="L",
        type="WAREHOUSE",
        address=AddressSpec(latitude=0, longitude=0),
        retailer_id=5,
    )
    assert Locations._create_input(spec, retailer_id=None)["retailer"] == {"id": "5"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ref": ""}, "location.ref"),
        ({"address": {"latitude": 100, "longitude": 0}}, "location.address.latitude"),
        ({"address": {"city": "x"}}, "location.address.latitude"),
        ({"opening_schedule": {"monStart": 2500}}, "location.opening_schedule.monStart"),
        ({"colour": "red"}, "location.colour"),
    ],
)
def test_bad_locations_raise_before_any_request(
    fluent_sandbox: Sandbox, changes: dict[str, Any], field: str
) -> None:
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as error:
        client.locations.create(brisbane(**changes))
    assert error.value.field == field
    assert len(fluent_sandbox.requests) == 0


async def test_async_locations(async_fluent_client: AsyncFluentClient) -> None:
    locations = async_fluent_client.locations
    assert isinstance(locations, AsyncLocations)
    assert (await locations.get("LOC_SYD")) is not None
    created = await locations.create(NewLocation.model_validate(brisbane()))
    assert created.ref == "LOC_BRIS"
    assert await locations.get("LOC_BRIS") == created
    refs = sorted([loc.ref or "" async for loc in locations.iter(type=["STORE"])])
    assert refs == ["LOC_BRIS", "LOC_MELB", "LOC_SYD"]
