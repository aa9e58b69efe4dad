"""`client.users` against the sandbox: me, get, iter, create with roles (sync and async)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers.users import AsyncUsers, NewUser, UserRoleSpec, Users
from fluent_sdk.sandbox import Sandbox

PASSWORD = "Str0ng-pass-word!"


def store_user() -> dict[str, Any]:
    return {
        "username": "store_melb",
        "password": PASSWORD,
        "primaryEmail": "melb@example.com",
        "type": "LOCATION",
        "timezone": "Australia/Melbourne",
        "first_name": "Mel",
        "primary_location_id": 1,
        "roles": [
            "STORE_ASSISTANT",
            {"role": "ADMIN", "contexts": [("LOCATION", 1), ("LOCATION", "2")]},
        ],
        "attributes": {"badge": 12},
    }


def roles_of(user: Any) -> dict[str, list[tuple[str, str]]]:
    return {
        r.role.name: [(c.context_type, c.context_id) for c in r.contexts if c]
        for r in user.roles or []
        if r
    }


def test_me_get_and_iter(fluent_client: FluentClient) -> None:
    assert isinstance(fluent_client.users, Users)
    me = fluent_client.users.me()
    assert me is not None
    assert me.username == "sandbox_admin"

    by_username = fluent_client.users.get(username="sandbox_admin")
    by_ref = fluent_client.users.get(ref="sandbox_admin")
    by_id = fluent_client.users.get(id="1")
    assert by_username == by_ref == by_id == me
    assert fluent_client.users.get(username="nobody") is None
    assert fluent_client.users.get(ref="nobody") is None
    assert [u.username for u in fluent_client.users.iter(type=["ADMIN", "API"])] == [
        "sandbox_admin"
    ]
    assert list(fluent_client.users.iter(status="INACTIVE")) == []


def test_create_with_roles_contexts_and_defaults(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    user = fluent_client.users.create(store_user())

    assert (user.ref, user.username, user.type_) == ("store_melb", "store_melb", "LOCATION")
    assert user.first_name == "Mel"
    assert user.primary_retailer is not None
    assert user.primary_retailer.id == "1"
    assert user.primary_location is not None
    assert user.primary_location.ref == "LOC_MELB"
    assert roles_of(user) == {
        "STORE_ASSISTANT": [("RETAILER", "1")],
        "ADMIN": [("LOCATION", "1"), ("LOCATION", "2")],
    }
    assert {a.name: a.value for a in user.attributes or [] if a} == {"badge": 12}
    assert fluent_client.users.get(username="store_melb") == user
    # The password went to Fluent, and nowhere else.
    [create] = [
        e.json()["variables"]["input"]
        for e in fluent_sandbox.requests.filter("graphql")
        if e.json()["operationName"] == "CreateUser"
    ]
    assert create["password"] == PASSWORD
    assert PASSWORD not in caplog.text
    assert PASSWORD not in repr(NewUser.model_validate(store_user()))


def test_repeated_roles_are_merged() -> None:
    spec = NewUser.model_validate(
        {
            **store_user(),
            "roles": [
                UserRoleSpec(role="ADMIN", contexts=[("RETAILER", 1)]),
                {"role": "ADMIN", "contexts": [{"contextType": "LOCATION", "contextId": 3}]},
            ],
        }
    )
    data = Users._create_input(spec, retailer_id=1)
    assert data["roles"] == [
        {
            "role": {"name": "ADMIN"},
            "contexts": [
                {"contextType": "RETAILER", "contextId": "1"},
                {"contextType": "LOCATION", "contextId": "3"},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": ""}, "user.password"),
        ({"username": None}, "user.username"),
        ({"type": 5}, "user.type"),
        ({"roles": [{"role": "ADMIN", "contexts": [("RETAILER",)]}]}, "user.roles[0].contexts[0]"),
        ({"nickname": "x"}, "user.nickname"),
        ({"timezone": "x" * 40}, "user.timezone"),
    ],
)
def test_bad_users_raise_before_any_request(
    fluent_sandbox: Sandbox, change: dict[str, Any], field: str
) -> None:
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as error:
        client.users.create({**store_user(), **change})
    assert error.value.field is not None
    assert error.value.field.startswith(field)
    assert PASSWORD not in str(error.value)
    assert len(fluent_sandbox.requests) == 0


def test_get_needs_exactly_one_key(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        with pytest.raises(ValidationError):
            client.users.get()
        with pytest.raises(ValidationError):
            client.users.get(username="a", ref="b")
        with pytest.raises(ValidationError) as error:
            client.users.iter(status=[1])  # type: ignore[list-item]
    assert error.value.field == "status"
    assert len(fluent_sandbox.requests) == 0


async def test_async_users(async_fluent_client: AsyncFluentClient) -> None:
    users = async_fluent_client.users
    assert isinstance(users, AsyncUsers)
    me = await users.me()
    assert me is not None
    assert me.username == "sandbox_admin"
    assert await users.get(ref="sandbox_admin") == me
    assert await users.get(ref="nobody") is None

    created = await users.create(NewUser.model_validate(store_user()))

    assert roles_of(created)["STORE_ASSISTANT"] == [("RETAILER", "1")]
    assert await users.get(username="store_melb") == created
    assert sorted([u.username async for u in users.iter()]) == ["sandbox_admin", "store_melb"]
