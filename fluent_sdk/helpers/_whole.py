"""Reading a helper's own query whole: `read_whole`, what ``Operation(..., complete=True)`` is.

The helpers' queries (``graphql/operations``: ``SdkOrderGet``, ``SdkOrderFulfilments``, …) read
an entity with the connections inside it: an order's items, a fulfilment's items, an order's
transactions. A connection holds one page; the rest are read the way
``client.graphql.execute(..., complete=True)`` reads them (`fluent_sdk.graphql._completion`):

1. the query goes out rewritten to say where more pages are: the code generator rewrote it,
   and worked out what completing it needs, as plain data (``fluent_sdk/_generated/
   whole_reads.py``), so that a helper never loads the schema;
2. every connection the answer cuts short is completed in place by follow-ups, each reading the
   next page of up to 50 parents at once (12 fulfilments with more items cost one request more,
   not 12), named for what they read (``SdkFulfilmentItemsPage``) so that Fluent's logs tell the
   helpers' requests apart;
3. only then is the data validated, once, into the result model the generated method returns
   (the helper's models, `fluent_sdk.graphql.entities`).

A connection whose ``after`` is a variable of the query (``fulfilments(first: $first, after:
$after)``) is paged by the plan itself, page by page: it is left as read, and the connections
inside its nodes are completed.

`read_whole` is a plan of `Query` calls, I/O-free like every helper plan; the driver runs it for
an ``Operation(..., complete=True)``, whose answer is then the typed result, as for any
`Operation`::

    order = yield Operation("_sdk_order_get", {"ref": ref, "items_first": 200}, complete=True)
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql._completion import (
    Analysis,
    ConnectionShape,
    FollowUp,
    analysis_from_data,
    complete_nested,
)
from fluent_sdk.graphql._namespace_common import validated_data
from fluent_sdk.graphql._runtime import UNSET, renamed_document
from fluent_sdk.helpers._calls import Operation, Plan, Query

__all__ = ["read_whole"]


@dataclass(frozen=True)
class _HelperQuery:
    """What reading one helper query whole needs, read once per process."""

    operation: str  # SdkOrderGet
    analysis: Analysis
    model: type[BaseModel]  # the generated result model (SdkOrderGet)
    field: str  # its field holding the answer (order)
    variables: frozenset[str]  # the query's variables, as the document names them
    paged_here: ConnectionShape | None  # the connection the plan pages itself


@functools.cache
def _helper_query(method: str) -> _HelperQuery:
    """The query's analysis as the code generator worked it out
    (``fluent_sdk/_generated/whole_reads.py``): no schema is loaded, nothing parsed."""
    from fluent_sdk._generated.operation_index import OPERATIONS
    from fluent_sdk._generated.whole_reads import WHOLE_READS

    kind, operation, roots = OPERATIONS.get(method, ("", "", ()))
    if kind != "query" or len(roots) != 1 or operation not in WHOLE_READS:
        raise ValidationError(
            f"complete=True reads a query with one root field; {method!r} is not one",
            field="complete",
        )
    module = importlib.import_module(f"fluent_sdk._generated.{method}")
    model: type[BaseModel] = getattr(module, operation)
    field = next(name for name in model.model_fields if to_camel(name) == roots[0])
    analysis = analysis_from_data(WHOLE_READS[operation])
    paged_here = analysis.cursor_connection
    analysis.check_completable(skip=paged_here)
    variables = frozenset(analysis.variables)
    return _HelperQuery(operation, analysis, model, field, variables, paged_here)


def _wire_variables(query: _HelperQuery, arguments: Any) -> dict[str, Any]:
    """The method's keyword arguments (``items_first``) as the document's variables
    (``itemsFirst``), as its generated method names them; unset ones left out."""
    variables: dict[str, Any] = {}
    for name, value in arguments.items():
        key = to_camel(name.rstrip("_"))
        if key not in query.variables:
            raise ValidationError(
                f"{query.operation} has no variable ${key} (argument {name}=)", field=name
            )
        if value is not UNSET:
            variables[key] = value
    return variables


def _follow_up_query(follow_up: FollowUp) -> Query:
    """A completion's follow-up as a helper sends it: named for what it reads
    (``SdkFulfilmentItemsPage``: more ``items`` of fulfilments)."""
    shape = follow_up.connection
    if shape is None or shape.parent_name is None:
        return Query(follow_up.text, follow_up.operation_name, follow_up.variables)
    field = shape.field_name
    name = f"Sdk{shape.parent_name}{field[:1].upper()}{field[1:]}Page"
    text = renamed_document(follow_up.text, follow_up.operation_name, name)
    return Query(text, name, follow_up.variables)


def read_whole(call: Operation) -> Plan[Any]:
    """``call`` (a helper's own query, ``Operation("_sdk_order_get", ...)``) read whole: the
    typed result its method returns, with every page of its nested connections, validated
    once (see the module doc)."""
    query = _helper_query(call.method)
    variables = _wire_variables(query, call.arguments)
    data = yield Query(query.analysis.text, query.operation, variables)
    yield from complete_nested(
        query.analysis, variables, data, _follow_up_query, skip=query.paged_here
    )
    result = validated_data(query.model, data, query.operation)
    return getattr(result, query.field)
