"""No-I/O logic shared by `GraphQL` (``_sync``) and `AsyncGraphQL` (``_async``).

``execute`` and a document paginator's pages are plans: generators that yield `Send` (one POST
to ``/graphql``) and receive the `httpx.Response`; the twins only perform the requests
(``_drive`` / ``_adrive``). A plan reads nested connections through `_completion`: with
``complete=True`` it follows their remaining pages in batched follow-ups, otherwise it names
what was cut short (``result.truncated``; and a warning logged once per call for connections
whose ``pageInfo`` the document does not select, which the caller could not see otherwise).
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import pydantic

from fluent_sdk._types import JSON_HEADERS  # one definition; re-exported here
from fluent_sdk.errors import UnexpectedResponseError, ValidationError
from fluent_sdk.graphql._adhoc import (
    PreparedDocument,
    document_text,
    prepare_document,
    validate_variables,
)
from fluent_sdk.graphql._completion import (
    CURSOR_KEY,
    PAGE_INFO_KEY,
    Completion,
    FollowUp,
    QueryResult,
    analyse,
    is_rewritten,
    relay,
    strip,
)
from fluent_sdk.graphql._complexity import COMPLEXITY_LIMIT, page_cost
from fluent_sdk.graphql._document_paging import PagedDocument, paged_document
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE, PageSource, _check_page_size
from fluent_sdk.graphql._runtime import decode_data, decode_result, encode_request

if TYPE_CHECKING:
    import httpx
    from gql.graphql_request import GraphQLRequest
    from graphql import DocumentNode

__all__ = [
    "JSON_HEADERS",
    "DocumentPaging",
    "PaginateRequest",
    "Send",
    "execute_plan",
    "finish_execute",
    "is_document",
    "paginate_request",
    "paginator_method",
    "prepare_execute",
    "prepare_paging",
    "validated_data",
]

logger = logging.getLogger("fluent_sdk.graphql")

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)
T = TypeVar("T")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SHOWN_PATHS = 5


@dataclass(frozen=True, slots=True)
class Send:
    """One POST of a GraphQL body; the plan is sent back the response."""

    body: bytes
    operation: str | None
    idempotent: bool


#: Yields `Send`, receives the `httpx.Response`, returns the result.
Plan = Generator[Send, "httpx.Response", T]


def prepare_execute(
    document: str | DocumentNode | GraphQLRequest,
    variables: dict[str, Any] | None,
    operation_name: str | None,
) -> tuple[PreparedDocument, bytes]:
    prepared = prepare_document(document_text(document), operation_name)
    body = encode_request(
        prepared.text, prepared.operation_name, validate_variables(prepared, variables)
    )
    return prepared, body


def finish_execute(
    response: httpx.Response, prepared: PreparedDocument, model: type[ModelT] | None
) -> Any:
    if model is None:
        return QueryResult(decode_data(response, prepared.operation_name))
    return decode_result(response, model, prepared.operation_name)


def validated_data(model: type[ModelT], data: Any, operation: str | None) -> ModelT:
    """Decoded ``data`` validated into ``model``; a mismatch is an `UnexpectedResponseError`
    naming the operation and where (``model`` is the generated result, or a user's model)."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        raise UnexpectedResponseError(
            f"response does not match {model.__name__}: {first['msg']} at "
            f"{'.'.join(map(str, first['loc']))}",
            operation=operation,
        ) from None


def _follow(completion: Completion, data: dict[str, Any]) -> Plan[list[str]]:
    """Run a completion over ``data``, sending its follow-ups; the paths still truncated."""

    def send(follow_up: FollowUp) -> Plan[dict[str, Any]]:
        response = yield Send(
            encode_request(follow_up.text, follow_up.operation_name, follow_up.variables),
            follow_up.operation_name,
            True,
        )
        return decode_data(response, follow_up.operation_name)

    return (yield from relay(completion.run(data), send))


def _warn_truncated(what: str | None, truncated: Sequence[str]) -> None:
    shown = ", ".join(truncated[:_SHOWN_PATHS])
    more = f", … {len(truncated) - _SHOWN_PATHS} more" if len(truncated) > _SHOWN_PATHS else ""
    logger.warning(
        "%s: %d nested connection(s) have more pages than were fetched (%s%s); pass "
        "complete=True to fetch them all, or read result.truncated",
        what or "execute",
        len(truncated),
        shown,
        more,
    )


def execute_plan(
    document: str | DocumentNode | GraphQLRequest,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    model: type[ModelT] | None,
    *,
    complete: bool = False,
) -> Plan[Any]:
    """``client.graphql.execute``: validate, send, complete or report nested connections."""
    if not isinstance(complete, bool):
        raise ValidationError("complete must be True or False", field="complete")
    prepared = prepare_document(document_text(document), operation_name)
    values = validate_variables(prepared, variables)
    operation = prepared.operation_name
    # A document _completion wrote (for a plan that reads it whole) is sent as it is.
    analysis = None if is_rewritten(prepared.text) else analyse(prepared.text, operation)
    if analysis is None or not analysis.nested:
        response = yield Send(
            encode_request(prepared.text, operation, values), operation, not prepared.mutation
        )
        return finish_execute(response, prepared, model)
    if complete:
        analysis.check_completable()
    response = yield Send(
        encode_request(analysis.text, operation, values), operation, not prepared.mutation
    )
    data = decode_data(response, operation)
    completion = Completion(analysis, values, complete=complete)
    truncated = yield from _follow(completion, data)
    strip(data, analysis.root)
    if completion.unseen:
        _warn_truncated(operation, completion.unseen)
    if model is not None:
        return validated_data(model, data, operation)
    return QueryResult(data, truncated)


# ---- paginating a document -------------------------------------------------------------------


def is_document(operation: Any) -> bool:
    """A document (text with a selection, an AST or a gql request), not a root field name."""
    return not isinstance(operation, str) or "{" in operation


@dataclass(eq=False)
class DocumentPaging:
    """A paginator's view of a document: `page_plan` reads one page (see `PageSource`)."""

    paged: PagedDocument
    variables: dict[str, Any]
    model: type[pydantic.BaseModel] | None
    complete: bool
    warned: bool = False

    def page_plan(self, first: int, after: str | None) -> Plan[PageSource]:
        paged = self.paged
        analysis = paged.analysis
        operation = analysis.operation_name
        variables = {**self.variables, paged.first_variable: first, paged.after_variable: after}
        response = yield Send(encode_request(analysis.text, operation, variables), operation, True)
        data = decode_data(response, operation)
        completion = Completion(analysis, variables, complete=self.complete, skip=paged.connection)
        truncated = yield from _follow(completion, data)
        connection = paged.connection_in(data)
        nodes, cursors, has_next = _read_connection(connection, paged)
        strip(data, analysis.root)
        if completion.unseen and not self.warned:
            self.warned = True
            _warn_truncated(paged.label, completion.unseen)
        if self.model is not None:
            nodes = [validated_data(self.model, node, operation) for node in nodes]
        return PageSource(
            nodes=nodes,
            cursors=cursors,
            has_next_page=has_next,
            connection=connection,
            truncated=tuple(truncated),
        )


def _read_connection(
    connection: Any, paged: PagedDocument
) -> tuple[list[Any], list[str | None], bool]:
    if not isinstance(connection, dict):
        return [], [], False
    shape = paged.connection
    nodes: list[Any] = []
    cursors: list[str | None] = []
    for edges_key in shape.edges_keys[:1]:
        for edge in connection.get(edges_key) or ():
            if not isinstance(edge, dict):
                continue
            node = next((edge[k] for k in shape.node_keys if edge.get(k) is not None), None)
            if node is None:
                continue
            nodes.append(node)
            cursors.append(edge.get(CURSOR_KEY))
    page_info = connection.get(PAGE_INFO_KEY)
    has_next = isinstance(page_info, dict) and bool(page_info.get("hasNextPage"))
    return nodes, cursors, has_next


def prepare_paging(
    document: str | DocumentNode | GraphQLRequest,
    variables: Mapping[str, Any] | None,
    *,
    operation_name: str | None,
    path: str | None,
    page_size: int | None,
    after: str | None,
    model: type[pydantic.BaseModel] | None,
    complete: bool,
) -> tuple[DocumentPaging, int, str | None]:
    """Everything checked before any request: (the paging, the page size, the start cursor).

    The page size is ``page_size``, else the document's own ``first`` (its variable's value or
    its literal), else `DEFAULT_PAGE_SIZE`; then lowered so that our complexity estimate stays
    within Fluent's limit."""
    if path is not None and not isinstance(path, str):
        raise ValidationError("path must be a dotted string such as 'orders'", field="path")
    if not isinstance(complete, bool):
        raise ValidationError("complete must be True or False", field="complete")
    if model is not None and not (
        isinstance(model, type) and issubclass(model, pydantic.BaseModel)
    ):
        raise ValidationError("model must be a pydantic model class", field="model")
    prepared = prepare_document(document_text(document), operation_name)
    if prepared.mutation:
        raise ValidationError(
            "paginate reads queries; this document is a mutation", field="document"
        )
    values = validate_variables(prepared, dict(variables or {}))
    paged = paged_document(prepared.text, prepared.operation_name, path)
    if complete:
        paged.analysis.check_completable(skip=paged.connection)
    own = values.get(paged.first_variable)
    size = page_size if page_size is not None else own if own is not None else paged.own_page_size
    size = _check_page_size(DEFAULT_PAGE_SIZE if size is None else size)
    largest = page_cost(
        paged.analysis.text, values, paged.first_variable, schema=paged.analysis.schema
    ).largest_page()
    if largest < 1:
        raise ValidationError(
            f"{paged.label}: even one node per page is estimated above Fluent's complexity "
            f"limit of {COMPLEXITY_LIMIT:,}; select fewer nested connections or lower their "
            "first",
            field="document",
        )
    if size > largest:
        logger.info(
            "%s: pages of %d instead of %d keep the complexity estimate within %s",
            paged.label,
            largest,
            size,
            f"{COMPLEXITY_LIMIT:,}",
        )
        size = largest
    start = after if after is not None else values.get(paged.after_variable)
    paging = DocumentPaging(paged=paged, variables=values, model=model, complete=complete)
    return paging, size, start


# ---- paginating a root field by name ---------------------------------------------------------


def _iter_method_name(operation: str) -> str:
    return "iter_" + _CAMEL_BOUNDARY.sub("_", operation).lower()


#: How a deprecated generated method names its replacement (``__deprecated__``, set by
#: ``@deprecated("use iter_orders(): <reason>")``).
_REPLACEMENT = re.compile(r"use (?P<target>\w+)\(\): (?P<reason>.*)", re.DOTALL)


def paginator_method(namespace: object, operation: str) -> Any:
    """The ``iter_<operation>`` method of ``namespace``. A deprecated root-field name
    (``paginate("ordersPage")``) pages its replacement (``iter_orders``, sending the new
    operation name) and warns at the caller's line: `DeprecationWarning` naming the new one."""
    method = getattr(namespace, _iter_method_name(operation), None)
    if method is None:
        raise ValidationError(
            f"{operation!r} is not a paginated query (no {_iter_method_name(operation)}())",
            field="operation",
        )
    replaced = _REPLACEMENT.match(str(getattr(method, "__deprecated__", "")))
    if replaced is None:
        return method
    target = replaced["target"]
    new = target.removeprefix("iter_")
    if "_" not in operation:  # asked for by its GraphQL name: answer in kind
        first, *rest = new.split("_")
        new = first + "".join(part.capitalize() for part in rest)
    warnings.warn(
        f"paginate({operation!r}) is deprecated, use paginate({new!r}) ({replaced['reason']})",
        DeprecationWarning,
        stacklevel=4,  # 1: here, 2: paginate_request, 3: paginate, 4: its caller
    )
    return getattr(namespace, target)


def check_root_field_options(
    variables: Any, *, path: Any, model: Any, complete: Any, operation_name: Any
) -> None:
    """Options that only make sense with a document."""
    given = [
        name
        for name, value in (
            ("variables", variables),
            ("path", path),
            ("model", model),
            ("complete", complete or None),
            ("operation_name", operation_name),
        )
        if value is not None
    ]
    if given:
        raise ValidationError(
            f"{given[0]} applies to a document; with a root field name pass its filters as "
            'keywords: paginate("orders", status=["CREATED"])',
            field=given[0],
        )


@dataclass(eq=False)
class PaginateRequest:
    """What ``paginate`` made of its arguments, before any request: a root field's generated
    paginator (``paginator``), or a document's `DocumentPaging` with the paginator's
    ``settings``; the twin only wraps ``paging.page_plan`` in its own fetch."""

    paginator: Any = None
    paging: DocumentPaging | None = None
    settings: dict[str, Any] = field(default_factory=dict)


def paginate_request(
    namespace: object,
    operation: str | DocumentNode | GraphQLRequest,
    variables: Mapping[str, Any] | None,
    arguments: Mapping[str, Any],
    *,
    path: str | None,
    page_size: int | None,
    max_items: int | None,
    after: str | None,
    model: type[pydantic.BaseModel] | None,
    complete: bool,
    operation_name: str | None,
) -> PaginateRequest:
    """``paginate``'s logic, written once for `GraphQL` and `AsyncGraphQL` (see
    `GraphQL.paginate`): everything is checked here, before the first request."""
    if not is_document(operation):
        assert isinstance(operation, str)
        check_root_field_options(
            variables, path=path, model=model, complete=complete, operation_name=operation_name
        )
        method = paginator_method(namespace, operation)
        paginator = method(
            **arguments,
            page_size=DEFAULT_PAGE_SIZE if page_size is None else page_size,
            max_items=max_items,
            after=after,
        )
        return PaginateRequest(paginator=paginator)
    if arguments:
        name = next(iter(arguments))
        raise ValidationError(
            f"{name}=: a document takes its variables as a dict, paginate(document, {{...}})",
            field=name,
        )
    paging, size, start = prepare_paging(
        operation,
        variables,
        operation_name=operation_name,
        path=path,
        page_size=page_size,
        after=after,
        model=model,
        complete=complete,
    )
    settings = {
        "page_size": size,
        "max_items": max_items,
        "after": start,
        "operation": paging.paged.label,
    }
    return PaginateRequest(paging=paging, settings=settings)
