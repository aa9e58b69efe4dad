"""Ad-hoc documents: local validation (field, line:column), variables, models, DSL."""

from __future__ import annotations

import pydantic
import pytest
import respx
from graphql_test_data import graphql_body

from fluent_sdk.errors import GraphQLError, ValidationError
from fluent_sdk.graphql import AsyncGraphQL, GraphQL, dsl


def test_execute_returns_data_dict(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(json={"data": {"orderById": {"ref": "O-1"}}})
    data = gql.execute("query Q($id: ID!) { orderById(id: $id) { ref } }", {"id": "1"})
    assert data == {"orderById": {"ref": "O-1"}}
    body = graphql_body(graphql_route.calls.last.request)
    assert body["operationName"] == "Q"
    assert body["variables"] == {"id": "1"}


def test_unknown_field_is_named_with_line_and_column(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    document = "query Q($id: ID!) {\n  orderById(id: $id) {\n    reff\n  }\n}"
    with pytest.raises(ValidationError) as caught:
        gql.execute(document, {"id": "1"})
    assert caught.value.field == "reff"
    assert "line 3:5" in str(caught.value)
    assert graphql_route.call_count == 0


def test_syntax_error_reports_position(gql: GraphQL) -> None:
    with pytest.raises(ValidationError, match=r"line 1:\d+"):
        gql.execute("query { orderById(id: 1) { ref }")


def test_variables_are_checked_against_definitions(
    gql: GraphQL, graphql_route: respx.Route
) -> None:
    document = "query Q($id: ID!) { orderById(id: $id) { ref } }"
    with pytest.raises(ValidationError) as caught:
        gql.execute(document, {})
    assert caught.value.field == "id"
    with pytest.raises(ValidationError) as caught:
        gql.execute(document, {"id": "1", "extra": 2})
    assert caught.value.field == "extra"
    mutation = "mutation M($input: UpdateOrderInput) { updateOrder(input: $input) { id } }"
    with pytest.raises(ValidationError) as caught:
        gql.execute(mutation, {"input": {"status": "X"}})
    assert caught.value.field == "input"
    assert graphql_route.call_count == 0


def test_several_operations_need_a_name(gql: GraphQL, graphql_route: respx.Route) -> None:
    document = "query A { me { id } }\nquery B { me { ref } }"
    with pytest.raises(ValidationError) as caught:
        gql.execute(document)
    assert caught.value.field == "operation_name"
    graphql_route.respond(json={"data": {"me": {"ref": "u"}}})
    assert gql.execute(document, operation_name="B") == {"me": {"ref": "u"}}


def test_result_validates_into_a_model(gql: GraphQL, graphql_route: respx.Route) -> None:
    class Ref(pydantic.BaseModel):
        ref: str

    class Data(pydantic.BaseModel):
        orderById: Ref | None

    graphql_route.respond(json={"data": {"orderById": {"ref": "O-1"}}})
    result = gql.execute("{ orderById(id: 1) { ref } }", model=Data)
    assert isinstance(result, Data)
    assert result.orderById == Ref(ref="O-1")


def test_errors_in_ad_hoc_response(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(
        json={"data": {"me": None}, "errors": [{"message": "C0020E: denied", "path": ["me"]}]}
    )
    with pytest.raises(GraphQLError) as caught:
        gql.execute("{ me { id } }")
    assert caught.value.data == {"me": None}


def test_mutation_is_not_retried(gql: GraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(status_code=503)
    with pytest.raises(Exception, match="503"):
        gql.execute("mutation { updateOrder(input: {id: 1}) { id } }")
    assert graphql_route.call_count == 1


def test_dsl_documents_are_validated_and_sent(gql: GraphQL, graphql_route: respx.Route) -> None:
    from gql.dsl import DSLQuery, dsl_gql

    ds = dsl()
    document = dsl_gql(DSLQuery(ds.Query.orderById.args(id="1").select(ds.Order.ref)))
    graphql_route.respond(json={"data": {"orderById": {"ref": "O-1"}}})
    assert gql.execute(document) == {"orderById": {"ref": "O-1"}}
    assert "orderById" in graphql_body(graphql_route.calls.last.request)["query"]
    with pytest.raises(AttributeError):
        _ = ds.Order.notAField


async def test_async_execute(agql: AsyncGraphQL, graphql_route: respx.Route) -> None:
    graphql_route.respond(json={"data": {"me": {"id": "1"}}})
    assert await agql.execute("{ me { id } }") == {"me": {"id": "1"}}
    with pytest.raises(ValidationError):
        await agql.execute("{ me { nope } }")
