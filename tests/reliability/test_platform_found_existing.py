"""Creates with a natural key in the platform helpers, after a lost reply.

The sandbox commits the create and then loses its reply (``after_commit=True``); the helper
must look the entity up by its key (ref, username, network name, setting name + context, a
catalogue item's ref), find it, and return it flagged ``found_existing=True`` (catalogue: the
report's entry), without ever making a second one. All of them go through the one
``create_once`` of ``fluent_sdk.helpers._common``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import ConflictError, FluentError, TimeoutError, TransportError
from fluent_sdk.helpers._calls import Call, Operation, Pause, Plan, ResolveRetailer
from fluent_sdk.helpers._common import LAGGING_LOOKUPS
from fluent_sdk.helpers.locations import Location, _LocationsBase
from fluent_sdk.sandbox import Sandbox


def new_location(ref: str = "LOC_BRIS") -> dict[str, Any]:
    return {
        "ref": ref,
        "name": "Brisbane Store",
        "type": "STORE",
        "address": {"city": "Brisbane", "latitude": -27.47, "longitude": 153.02},
    }


def new_user(username: str = "store_bris") -> dict[str, Any]:
    return {
        "username": username,
        "password": "A-long-pass-word-1",
        "primary_email": f"{username}@example.com",
        "type": "LOCATION",
        "roles": ["STORE_ASSISTANT"],
    }


def operations(sandbox: Sandbox) -> list[str]:
    return [entry.json()["operationName"] for entry in sandbox.requests.filter("graphql")]


def writes(sandbox: Sandbox) -> list[str]:
    """The operations that create or update (``CreateX`` / ``XCreate``, ``XUpdate``...): the
    look-ups in between are named after whichever read the helper uses."""
    return [op for op in operations(sandbox) if "Create" in op or "Update" in op]


def lose_the_next_graphql_reply(sandbox: Sandbox, *, skip: int = 0) -> None:
    """The ``skip + 1``-th GraphQL request from now is carried out, but its reply is lost."""
    sandbox.faults.read_timeout("graphql", after_commit=True, skip=skip)


# -- locations -------------------------------------------------------------------------------


def test_location_create_after_a_lost_reply_returns_the_one_location(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    lose_the_next_graphql_reply(fluent_sandbox)

    location = fluent_client.locations.create(new_location())

    assert isinstance(location, Location)
    assert location.found_existing is True
    assert location.ref == "LOC_BRIS"
    assert len(fluent_sandbox.store.by_ref("Location", "LOC_BRIS")) == 1
    assert writes(fluent_sandbox) == ["CreateLocation"]  # never sent again
    assert len(operations(fluent_sandbox)) == 2  # the create, the look-up that found it
    assert "found_existing" not in location.model_dump()
    assert fluent_client.locations.get("LOC_BRIS") == location.model_copy(
        update={"found_existing": False}
    )


async def test_async_location_create_after_a_lost_reply_returns_the_one_location(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    await async_fluent_client.login()
    lose_the_next_graphql_reply(fluent_sandbox)

    location = await async_fluent_client.locations.create(new_location())

    assert location.found_existing is True
    assert len(fluent_sandbox.store.by_ref("Location", "LOC_BRIS")) == 1
    assert writes(fluent_sandbox) == ["CreateLocation"]
    assert len(operations(fluent_sandbox)) == 2


def test_location_create_lost_before_commit_is_sent_again_and_made_once(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    fluent_sandbox.faults.read_timeout("graphql", after_commit=False)

    location = fluent_client.locations.create(new_location())

    assert location.found_existing is False
    assert len(fluent_sandbox.store.by_ref("Location", "LOC_BRIS")) == 1
    # create (lost before the sandbox handled it), look-up (not there: safe to send again),
    # create, look-up (read back)
    ops = operations(fluent_sandbox)
    assert ["Create" in op for op in ops] == [True, False, True, False]


def test_a_location_ref_taken_before_the_call_is_a_conflict(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.locations.create(new_location())
    with pytest.raises(ConflictError):
        fluent_client.locations.create(new_location())
    assert len(fluent_sandbox.store.by_ref("Location", "LOC_BRIS")) == 1


def test_lost_location_replies_are_retried_a_bounded_number_of_times(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    # create (lost before commit), lookup, create (lost), lookup, create (lost), lookup. A rule
    # counts only the requests no earlier rule failed: the n-th one skips n look-ups.
    for lookups_before in range(3):
        fluent_sandbox.faults.read_timeout("graphql", times=1, skip=lookups_before)

    with pytest.raises(TimeoutError):
        fluent_client.locations.create(new_location())

    assert operations(fluent_sandbox).count("CreateLocation") == 3
    assert fluent_sandbox.store.by_ref("Location", "LOC_BRIS") == []


def drive(plan: Plan[Any], answer: Callable[[Call], Any]) -> Any:
    """Run ``plan`` with ``answer`` standing in for Fluent (raising = the call failed)."""
    try:
        call = next(plan)
        while True:
            try:
                value = answer(call)
            except FluentError as exc:
                call = plan.throw(exc)
            else:
                call = plan.send(value)
    except StopIteration as stop:
        return stop.value


def lagging_fluent(found_after: int) -> tuple[Callable[[Call], Any], list[str]]:
    """The create's reply is lost; the retry is refused as a duplicate (the first try made it);
    look-ups by ref see it only from the ``found_after``-th one."""
    seen: list[str] = []

    def answer(call: Call) -> Any:
        if isinstance(call, ResolveRetailer):
            return "1"
        if isinstance(call, Pause):
            seen.append("pause")
            return None
        assert isinstance(call, Operation)
        seen.append(call.method)
        if call.method == "create_location":
            if seen.count("create_location") == 1:
                raise TimeoutError("POST /graphql timed out")
            raise ConflictError("C0121E: Location with ref 'LOC_LAG' already exists")
        assert call.method == "location"
        if seen.count("location") < found_after:
            return None
        return {"id": "9", "ref": "LOC_LAG", "type": "STORE", "name": "Lagging"}

    return answer, seen


def test_a_conflict_after_a_lost_reply_is_looked_up_until_the_location_shows() -> None:
    answer, seen = lagging_fluent(found_after=4)

    location = drive(_LocationsBase()._create_plan(new_location("LOC_LAG")), answer)

    assert isinstance(location, Location)
    assert (location.id, location.found_existing) == ("9", True)
    assert seen == [
        "create_location",  # reply lost
        "location",  # not visible yet
        "create_location",  # C0121E: an earlier try made it
        "location",
        "pause",
        "location",
        "pause",
        "location",  # there
    ]


def test_a_conflict_after_a_lost_reply_whose_location_never_shows_is_raised() -> None:
    answer, seen = lagging_fluent(found_after=10_000)

    with pytest.raises(ConflictError) as caught:
        drive(_LocationsBase()._create_plan(new_location("LOC_LAG")), answer)

    assert seen.count("location") == 1 + LAGGING_LOOKUPS + 1
    assert "reply was lost" in " ".join(getattr(caught.value, "__notes__", []))


# -- users, networks, settings ---------------------------------------------------------------


def test_user_create_after_a_lost_reply_returns_the_one_user(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    lose_the_next_graphql_reply(fluent_sandbox)

    user = fluent_client.users.create(new_user())

    assert user.found_existing is True
    assert user.username == "store_bris"
    assert [u["username"] for u in fluent_sandbox.store.all("User")].count("store_bris") == 1
    assert writes(fluent_sandbox) == ["CreateUser"]
    assert len(operations(fluent_sandbox)) == 2


async def test_async_user_create_after_a_lost_reply_returns_the_one_user(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    await async_fluent_client.login()
    lose_the_next_graphql_reply(fluent_sandbox)

    user = await async_fluent_client.users.create(new_user())

    assert user.found_existing is True
    assert [u["username"] for u in fluent_sandbox.store.all("User")].count("store_bris") == 1


def test_a_plain_user_create_is_not_found_existing(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    user = fluent_client.users.create(new_user())
    assert user.found_existing is False
    assert writes(fluent_sandbox) == ["CreateUser"]
    assert len(operations(fluent_sandbox)) == 2


def test_network_create_after_a_lost_reply_returns_the_one_network(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    lose_the_next_graphql_reply(fluent_sandbox, skip=1)  # after the location-ref look-up

    network = fluent_client.networks.create({"name": "NET_QLD", "location_refs": ["LOC_MELB"]})

    assert network.found_existing is True
    assert network.location_refs == ["LOC_MELB"]
    assert len(fluent_sandbox.store.by_ref("Network", "NET_QLD")) == 1
    assert operations(fluent_sandbox) == [
        "NetworkLocationIds",
        "CreateNetwork",
        "NetworkSummary",
    ]


async def test_async_network_create_after_a_lost_reply_returns_the_one_network(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    await async_fluent_client.login()
    lose_the_next_graphql_reply(fluent_sandbox)

    network = await async_fluent_client.networks.create({"name": "NET_QLD"})

    assert network.found_existing is True
    assert len(fluent_sandbox.store.by_ref("Network", "NET_QLD")) == 1


def test_setting_create_after_a_lost_reply_keeps_the_one_setting(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    lose_the_next_graphql_reply(fluent_sandbox, skip=1)  # after the look-up by name

    setting = fluent_client.settings.set("acme.lost", {"a": 1})

    assert setting.value == {"a": 1}
    stored = [s for s in fluent_sandbox.store.all("Setting") if s.get("name") == "acme.lost"]
    assert len(stored) == 1
    assert len(writes(fluent_sandbox)) == 1  # the create; the value already matched
    assert len(operations(fluent_sandbox)) == 3  # look-up, create, the look-up that found it


# -- catalogue -------------------------------------------------------------------------------

CATEGORY = {"ref": "CAT_LOST", "name": "Lost and found"}
PRODUCT = {
    "ref": "LOST-1",
    "name": "Lost",
    "gtin": "9300000000999",
    "status": "INACTIVE",
    "category_refs": ["CAT_LOST"],
}


def test_catalogue_create_after_a_lost_reply_reports_found_existing(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    fluent_client.login()
    # Three look-ups (categories, standard and variant products), then the category's create.
    lose_the_next_graphql_reply(fluent_sandbox, skip=3)

    report = fluent_client.catalogue.sync([CATEGORY], [PRODUCT])

    assert report.ok
    category = report.entry("category", "CAT_LOST")
    assert (category.action, category.found_existing) == ("create", True)
    assert category.id is not None
    assert report.found_existing == [category]
    assert report.entry("standard_product", "LOST-1").found_existing is False
    assert len(fluent_sandbox.store.by_ref("Category", "CAT_LOST")) == 1
    assert len(fluent_sandbox.store.by_ref("StandardProduct", "LOST-1")) == 1
    assert len([op for op in writes(fluent_sandbox) if "Category" in op]) == 1


async def test_async_catalogue_product_create_after_a_lost_reply_still_sets_its_status(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    await async_fluent_client.login()
    # Three look-ups, the category's create, then the product's create (lost).
    lose_the_next_graphql_reply(fluent_sandbox, skip=4)

    report = await async_fluent_client.catalogue.sync([CATEGORY], [PRODUCT])

    assert report.ok
    product = report.entry("standard_product", "LOST-1")
    assert (product.action, product.found_existing) == ("create", True)
    [stored] = fluent_sandbox.store.by_ref("StandardProduct", "LOST-1")
    assert stored["status"] == "INACTIVE"  # the status write after the create still happened
    creates = [op for op in writes(fluent_sandbox) if "StandardProduct" in op and "Create" in op]
    assert len(creates) == 1


def test_transport_error_is_the_lost_reply_create_once_handles() -> None:
    # The sandbox's after-commit timeout surfaces as the SDK's TimeoutError, a TransportError:
    # the kind of failure create_once treats as "maybe carried out".
    assert issubclass(TimeoutError, TransportError)
