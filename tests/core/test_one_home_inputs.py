"""Strict inputs, one validation converter, one error tree (issue: one home per concept).

Each case here failed before the change: the typo'd key was dropped silently and the write sent
without it, paths had three syntaxes, and ``except NotFoundError`` missed GraphQL answers.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluent_sdk import AsyncFluentClient, FluentClient, NotFoundError, ValidationError
from fluent_sdk.errors import ConflictError, GraphQLError
from fluent_sdk.helpers.orders import NewOrder
from fluent_sdk.sandbox import Sandbox


def graphql_posts(sandbox: Sandbox) -> int:
    return sandbox.requests.count("POST /graphql")


@pytest.mark.parametrize(
    ("method", "payload", "field", "suggestion"),
    [
        ("update_location", {"id": "3", "statuss": "INACTIVE"}, "input.statuss", "status"),
        (
            "update_fulfilment",
            {"id": "1", "items": [{"id": "1", "rejectedQty": 2}]},
            "input.items[0].rejectedQty",
            "rejectedQuantity",
        ),
        (
            "update_location",
            {"id": "3", "primaryAddress": {"id": "1", "citty": "Melbourne"}},
            "input.primaryAddress.citty",
            "city",
        ),
        (
            "create_order",
            {
                "ref": "O-1",
                "type": "HD",
                "retailer": {"id": "1"},
                "customer": {"id": "5"},
                "items": [{"ref": "I-1", "productRef": "P-1", "quantity": 1, "prise": 5}],
            },
            "input.items[0].prise",
            "price",
        ),
    ],
)
def test_a_misspelt_input_key_is_refused_before_anything_is_sent(
    fluent_client: FluentClient,
    fluent_sandbox: Sandbox,
    method: str,
    payload: dict[str, Any],
    field: str,
    suggestion: str,
) -> None:
    fluent_client.graphql.me()  # signed in: only the write itself could still be sent
    before = graphql_posts(fluent_sandbox)
    with pytest.raises(ValidationError) as caught:
        getattr(fluent_client.graphql, method)(input=payload)
    assert caught.value.field == field
    assert str(caught.value) == f"{field}: unknown field (did you mean {suggestion!r}?)"
    assert caught.value.detail == f"unknown field (did you mean {suggestion!r}?)"
    assert graphql_posts(fluent_sandbox) == before


async def test_async_inputs_are_as_strict(
    async_fluent_client: AsyncFluentClient, fluent_sandbox: Sandbox
) -> None:
    with pytest.raises(ValidationError, match=r"input\.statuss: unknown field"):
        await async_fluent_client.graphql.update_location(input={"id": "3", "statuss": "X"})
    assert graphql_posts(fluent_sandbox) == 0


def test_a_key_with_nothing_close_names_only_the_field(fluent_client: FluentClient) -> None:
    with pytest.raises(ValidationError) as caught:
        fluent_client.graphql.update_location(input={"id": "3", "zzzzzz": 1})
    assert str(caught.value) == "input.zzzzzz: unknown field"


def test_snake_case_keys_are_suggested_in_snake_case(fluent_client: FluentClient) -> None:
    with pytest.raises(ValidationError) as caught:
        fluent_client.graphql.update_location(input={"id": "3", "primary_adress": {}})
    assert "did you mean 'primary_address'?" in str(caught.value)


def test_results_stay_lenient(fluent_client: FluentClient) -> None:
    """Unknown fields in a response are ignored (schema drift), unlike unknown input keys."""
    from fluent_sdk._generated.me import MeMe

    me = MeMe.model_validate(
        {"id": "1", "ref": "u", "username": "u", "type": "ADMIN", "addedLater": True}
    )
    assert me.username == "u"


def test_one_field_path_syntax_across_rest_graphql_and_helpers(
    fluent_client: FluentClient,
) -> None:
    with pytest.raises(ValidationError) as graphql_error:
        fluent_client.graphql.create_order(
            input={
                "ref": "O-1",
                "type": "HD",
                "retailer": {"id": "1"},
                "customer": {"id": "5"},
                "items": [{"ref": "I-1", "productRef": "P-1", "quantity": "lots"}],
            }
        )
    with pytest.raises(ValidationError) as rest_error:
        fluent_client.jobs.send_batch(
            "1",
            {
                "entityType": "INVENTORY",
                "entities": [{"skuRef": "S", "locationRef": "L", "qty": 1}] * 2
                + [{"skuRef": "S", "locationRef": "L", "qty": "lots"}],
            },
        )
    with pytest.raises(ValidationError) as helper_error:
        NewOrder.model_validate(
            {
                "ref": "O-1",
                "items": [
                    {"product_ref": "P", "quantity": 1},
                    {"product_ref": "P", "quantity": "x"},
                ],
            }
        )
    assert graphql_error.value.field == "input.items[0].quantity"
    assert rest_error.value.field == "batch.entities[2].qty"
    assert helper_error.value.field == "items[1].quantity"


def test_except_not_found_catches_a_graphql_not_found(fluent_client: FluentClient) -> None:
    caught: Exception | None = None
    try:
        fluent_client.graphql.update_location(input={"id": "999999", "status": "INACTIVE"})
    except NotFoundError as error:  # one except clause for REST and GraphQL
        caught = error
    assert isinstance(caught, GraphQLError)
    assert caught.kind is NotFoundError


def test_except_conflict_catches_a_graphql_conflict(fluent_client: FluentClient) -> None:
    setting = {
        "name": "one.home.test",
        "valueType": "STRING",
        "value": "a",
        "context": "RETAILER",
        "contextId": 1,
    }
    fluent_client.graphql.create_setting(input=setting)
    with pytest.raises(ConflictError) as caught:
        fluent_client.graphql.create_setting(input=setting)
    assert isinstance(caught.value, GraphQLError)


def test_no_private_error_class_reaches_users() -> None:
    with pytest.raises(ValidationError) as caught:
        NewOrder.model_validate({"ref": "O-1", "items": [{"product_ref": "P", "quantity": 0}]})
    assert type(caught.value) is ValidationError
    assert not type(caught.value).__name__.startswith("_")


def test_every_exception_class_lives_in_errors_py() -> None:
    """One error tree: no module of the SDK defines an exception class of its own (the sandbox,
    a fake server whose errors become HTTP answers, is not SDK surface)."""
    import importlib
    import inspect
    import pkgutil

    import fluent_sdk

    stray: list[str] = []
    for info in pkgutil.walk_packages(fluent_sdk.__path__, "fluent_sdk."):
        name = info.name
        if name.startswith(
            ("fluent_sdk._generated", "fluent_sdk.sandbox", "fluent_sdk.cli", "fluent_sdk.demo")
        ):
            continue  # generated code, and the applications built on the SDK
        if name == "fluent_sdk.__main__" or name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and not issubclass(value, Warning)
                and value.__module__ == name
                and name != "fluent_sdk.errors"
            ):
                stray.append(f"{name}.{attribute}")
    assert stray == []


def test_the_drawn_tree_names_every_error_class() -> None:
    import inspect

    from fluent_sdk import errors

    drawn = errors.__doc__ or ""
    classes = [
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == "fluent_sdk.errors"
    ]
    assert [name for name in classes if name not in drawn] == []
