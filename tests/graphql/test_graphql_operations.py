"""Typed operations: request shape, inputs, retries, scalars, lenient parsing, errors."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import respx
from graphql_test_data import graphql_body, order_node

from fluent_sdk import FluentClient
from fluent_sdk.errors import GraphQLError, NotFoundError, ServerError, ValidationError
from fluent_sdk.graphql import AsyncGraphQL, GraphQL, UnexpectedResponseError
from fluent_sdk.graphql._runtime import encode_request, prepare_variables


def test_query_sends_document_name_and_variables(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(json={"data": {"orderById": order_node(7)}})
    order = gql.order_by_id(id="7")
    assert order is not None
    assert order.ref == "O-7"
    assert order.workflow_version == 7 - 6
    request = graphql_route.calls.last.request
    body = graphql_body(request)
    assert body["operationName"] == "OrderById"
    assert body["variables"] == {"id": "7"}
    assert body["query"].startswith("query OrderById($id: ID!)")
    assert request.headers["Authorization"] == "Bearer tok-1"
    assert request.headers["Content-Type"] == "application/json"


def test_null_result_is_none(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(json={"data": {"orderById": None}})
    assert gql.order_by_id(id="404") is None


def test_unset_arguments_are_left_out(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(json={"data": {"orders": {"edges": [], "pageInfo": {}}}})
    gql.orders(status=["CREATED"], first=5)
    assert graphql_body(graphql_route.calls.last.request)["variables"] == {
        "status": ["CREATED"],
        "first": 5,
    }


def test_query_is_retried_but_mutation_is_not(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.side_effect = [
        httpx.Response(503),
        httpx.Response(200, json={"data": {"orderById": order_node(1)}}),
    ]
    assert gql.order_by_id(id="1") is not None
    assert graphql_route.call_count == 2

    graphql_route.reset()
    graphql_route.side_effect = [httpx.Response(503), httpx.Response(200, json={})]
    with pytest.raises(ServerError):
        gql.update_order(input={"id": "1", "status": "BOOKED"})
    assert graphql_route.call_count == 1


def test_dict_input_is_validated_into_the_model(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(json={"data": {"createOrder": order_node(1)}})
    gql.create_order(
        input={
            "ref": "O-1",
            "type": "HD",
            "retailer": {"id": "1"},
            "customer": {"id": "5"},
            "items": [{"ref": "I-1", "productRef": "P-1", "quantity": 2}],
            "attributes": [{"name": "gift", "type": "JSON", "value": {"wrap": True}}],
        }
    )
    variables = graphql_body(graphql_route.calls.last.request)["variables"]
    assert variables["input"]["items"] == [{"ref": "I-1", "productRef": "P-1", "quantity": 2}]
    assert variables["input"]["attributes"][0]["value"] == {"wrap": True}


def test_model_input_is_accepted(gql: GraphQL, graphql_route: respx.Route) -> None:
    from fluent_sdk._generated.input_types import UpdateOrderInput

    graphql_route.respond(json={"data": {"updateOrder": order_node(1)}})
    gql.update_order(input=UpdateOrderInput(id="1", status="BOOKED"))
    assert graphql_body(graphql_route.calls.last.request)["variables"] == {
        "input": {"id": "1", "status": "BOOKED"}
    }


def test_bad_input_names_the_field_before_any_call(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    with pytest.raises(ValidationError) as caught:
        gql.create_order(
            input={
                "ref": "O-1",
                "type": "HD",
                "retailer": {"id": "1"},
                "customer": {"id": "5"},
                "items": [{"ref": "I-1", "productRef": "P-1", "quantity": "lots"}],
            }
        )
    assert caught.value.field == "input.items[0].quantity"
    with pytest.raises(ValidationError) as caught:
        gql.update_order(input=["not", "a", "dict"])  # type: ignore[arg-type]
    assert caught.value.field is not None
    assert caught.value.field.startswith("input")
    assert graphql_route.call_count == 0


def test_datetime_round_trip_is_timezone_aware(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(
        json={"data": {"orderById": order_node(1, createdOn="2024-05-01T10:00:00.000+10:00")}}
    )
    order = gql.order_by_id(id="1")
    assert order is not None
    assert order.created_on is not None
    assert order.created_on.utcoffset() == timedelta(hours=10)
    assert order.created_on == datetime(2024, 5, 1, 0, 0, tzinfo=timezone.utc)

    graphql_route.respond(json={"data": {"orders": {"edges": [], "pageInfo": {}}}})
    gql.orders(
        created_on={"from": datetime(2024, 1, 1), "to": datetime(2024, 2, 1, tzinfo=timezone.utc)}
    )
    sent = graphql_body(graphql_route.calls.last.request)["variables"]["createdOn"]
    assert sent == {"from": "2024-01-01T00:00:00Z", "to": "2024-02-01T00:00:00Z"}


def test_json_scalar_passes_any_value(gql: GraphQL, graphql_route: respx.Route) -> None:
    values = [{"a": [1, 2]}, "text", 3.5, None, [True]]
    attributes = [{"name": f"a{i}", "type": "JSON", "value": v} for i, v in enumerate(values)]
    graphql_route.respond(json={"data": {"orderById": order_node(1, attributes=attributes)}})
    order = gql.order_by_id(id="1")
    assert order is not None
    assert order.attributes is not None
    assert [a.value for a in order.attributes if a is not None] == values


def test_unknown_fields_and_enum_values_are_accepted(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    from fluent_sdk._generated.enums import AppType

    version = {"major": 1, "minor": 0, "patch": 0}
    app = {"id": "9", "name": "a", "version": version, "type": "REFERENCE"}
    user = {"id": "1", "ref": "u", "username": "u", "type": "USER", "brandNewField": {"x": 1}}
    graphql_route.respond(
        json={"data": {"me": {**user, "apps": [app, {**app, "type": "FUTURE_KIND"}]}}}
    )
    me = gql.me()
    assert me is not None
    assert me.apps is not None
    kinds = [a.type_ for a in me.apps if a is not None]
    assert kinds == [AppType.REFERENCE, "FUTURE_KIND"]
    assert not hasattr(me, "brand_new_field")


def test_graphql_errors_keep_partial_data_and_paths(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.respond(
        json={
            "data": {"orderById": None},
            "errors": [
                {
                    "message": "C0120E: Order not found",
                    "path": ["orderById"],
                    "extensions": {"code": "C0120E"},
                }
            ],
        }
    )
    with pytest.raises(GraphQLError) as caught:
        gql.order_by_id(id="9")
    error = caught.value
    assert error.kind is NotFoundError
    assert error.paths == [("orderById",)]
    assert error.data == {"orderById": None}
    assert error.operation == "OrderById"


@pytest.mark.parametrize("header", ["x-request-id", "fluent-request-id"])
def test_graphql_errors_carry_the_request_id_like_rest_errors(
    gql: GraphQL, graphql_route: respx.Route, header: str
) -> None:
    graphql_route.respond(
        json={"data": None, "errors": [{"message": "boom"}]}, headers={header: "rid-7"}
    )
    with pytest.raises(GraphQLError) as caught:
        gql.order_by_id(id="1")
    assert caught.value.request_id == "rid-7"


def test_errors_with_data_not_matching_the_model_still_raise_graphql_error(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    partial = {"id": "1", "ref": None}  # required fields nulled by the error
    graphql_route.respond(
        json={"data": {"orderById": partial}, "errors": [{"message": "boom", "path": ["x"]}]}
    )
    with pytest.raises(GraphQLError) as caught:
        gql.order_by_id(id="1")
    assert caught.value.data == {"orderById": partial}


def test_malformed_body_raises_unexpected_response(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.respond(json={"data": {"orderById": {"id": "1"}}})
    with pytest.raises(UnexpectedResponseError, match=r"orderById\.type"):
        gql.order_by_id(id="1")
    graphql_route.respond(text="<html>")
    with pytest.raises(UnexpectedResponseError):
        gql.order_by_id(id="1")


async def test_async_client_runs_the_same_operations(
    agql: AsyncGraphQL, graphql_route: respx.Route
) -> None:
    graphql_route.respond(json={"data": {"orderById": order_node(3)}})
    order = await agql.order_by_id(id="3")
    assert order is not None
    assert order.id == "3"
    with pytest.raises(ValidationError):
        await agql.create_order(input={"ref": 1})
    assert graphql_route.call_count == 1


def test_sync_call_works_inside_a_running_event_loop(
    client: FluentClient, graphql_route: respx.Route
) -> None:
    graphql_route.respond(json={"data": {"orderById": order_node(2)}})

    async def notebook_cell() -> str | None:
        gql = GraphQL(client)
        order = gql.order_by_id(id="2")
        data = gql.execute("{ orderById(id: 2) { ref } }")
        assert data == {"orderById": order_node(2)}
        return order.ref if order else None

    assert asyncio.run(notebook_cell()) == "O-2"


def test_request_encoding_is_valid_json_and_reuses_the_document() -> None:
    import json

    body = encode_request("\n    query Q { me { id } }\n", "Q", prepare_variables({"a": 1}))
    assert json.loads(body) == {
        "query": "query Q { me { id } }",
        "operationName": "Q",
        "variables": {"a": 1},
    }
