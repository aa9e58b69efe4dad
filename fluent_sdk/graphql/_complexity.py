"""Our estimate of a document's complexity, as Fluent limits it (11,111; error ``C0001E``).

Fluent computes a query's complexity from the database operations it can cause and refuses a
query above 11,111. Its formula is not published; this is our estimate, an upper bound built the
same way:

- every root field counts 1 (the search or look-up itself);
- every connection below the root, and every linked entity (an object with an ``id``, such as
  ``customer`` or ``product``), counts the product of the page sizes of the connections that
  enclose it: ``orders(first: 100) { edges { node { items(first: 10) { edges { node {
  product { ref } } } } } } }`` is 1 (``orders``) + 100 (one ``items`` per order) + 100 x 10 (one
  ``product`` per item) = 1,101;
- a page size is the connection's ``first`` (or ``last``): a literal, a variable's value or its
  default; Fluent's default of 10 when none is given; at most 5,000;
- scalars, value objects (``attributes``, ``pageInfo``, addresses held inline) cost nothing.

`complexity` gives the figure; paginators use `page_cost` to pick the largest page size whose
estimate stays within the limit. The sandbox applies the same estimate and answers ``C0001E``
above the limit, so tests catch a document that Fluent would refuse.

The schema helpers here (`is_connection`, `is_entity`, `selected_fields`) are shared by the
other document analyses (`_completion`, `_document_paging`). No I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluent_sdk.errors import ValidationError

if TYPE_CHECKING:
    from graphql import (
        DocumentNode,
        FieldNode,
        FragmentDefinitionNode,
        GraphQLNamedType,
        GraphQLSchema,
        OperationDefinitionNode,
        SelectionSetNode,
    )

__all__ = [
    "COMPLEXITY_LIMIT",
    "FLUENT_DEFAULT_PAGE_SIZE",
    "PageCost",
    "complexity",
    "is_connection",
    "is_entity",
    "operation_of",
    "page_cost",
    "safe_page_size",
    "selected_fields",
]

#: Fluent refuses a query whose complexity is above this (error ``C0001E``).
COMPLEXITY_LIMIT = 11_111
#: The page size of a connection given neither ``first`` nor ``last``.
FLUENT_DEFAULT_PAGE_SIZE = 10
_MAX_PAGE_SIZE = 5000


def _schema(schema: GraphQLSchema | None) -> GraphQLSchema:
    if schema is not None:
        return schema
    from fluent_sdk._schema import load_schema

    return load_schema()


def is_connection(type_: Any) -> bool:
    """A Relay connection type: an object named ``…Connection`` with ``edges { node }``."""
    from graphql import GraphQLObjectType, get_named_type

    if not isinstance(type_, GraphQLObjectType) or not type_.name.endswith("Connection"):
        return False
    edges = type_.fields.get("edges")
    if edges is None:
        return False
    edge = get_named_type(edges.type)
    return isinstance(edge, GraphQLObjectType) and "node" in edge.fields


def is_entity(type_: Any) -> bool:
    """An entity: an object or interface with a non-null ``id`` (``RetailerLink``-like value
    objects have a nullable one)."""
    from graphql import GraphQLInterfaceType, GraphQLNonNull, GraphQLObjectType

    return (
        isinstance(type_, GraphQLObjectType | GraphQLInterfaceType)
        and "id" in type_.fields
        and isinstance(type_.fields["id"].type, GraphQLNonNull)
    )


def selected_fields(
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType,
    fragments: Mapping[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
    """The fields of a selection set with the type each is selected on, fragments expanded."""
    from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection, parent
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner = schema.get_type(condition.name.value) if condition else parent
            yield from selected_fields(selection.selection_set, inner or parent, fragments, schema)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                inner = schema.get_type(fragment.type_condition.name.value) or parent
                yield from selected_fields(fragment.selection_set, inner, fragments, schema)


def field_type(field: FieldNode, parent: GraphQLNamedType) -> GraphQLNamedType | None:
    """The named type ``field`` returns on ``parent`` (None for ``__typename`` or unknown)."""
    from graphql import get_named_type

    fields = getattr(parent, "fields", None)
    if not fields:
        return None
    definition = fields.get(field.name.value)
    if definition is None:
        return None
    named: GraphQLNamedType = get_named_type(definition.type)
    return named


def operation_of(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    """The operation to run: the named one, or the only one."""
    from graphql import OperationDefinitionNode

    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        what = f"no operation named {operation_name!r}" if operation_name else "several operations"
        raise ValidationError(
            f"the document has {what}; pass operation_name", field="operation_name"
        )
    return operations[0]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    from graphql import FragmentDefinitionNode

    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    from graphql import value_from_ast_untyped

    return {
        v.variable.name.value: value_from_ast_untyped(v.default_value)
        for v in operation.variable_definitions
        if v.default_value is not None
    }


class _Estimator:
    """One walk over an operation: `cost` of its root selection."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_page_size = default_page_size

    def page_size(self, field: FieldNode) -> int:
        from graphql import IntValueNode, VariableNode

        arguments = {a.name.value: a.value for a in field.arguments}
        for name in ("first", "last"):
            value = arguments.get(name)
            size: Any = None
            if isinstance(value, IntValueNode):
                size = int(value.value)
            elif isinstance(value, VariableNode):
                size = self.variables.get(value.name.value)
            if isinstance(size, int) and not isinstance(size, bool):
                return max(0, min(size, _MAX_PAGE_SIZE))
        return self.default_page_size

    def root(self, operation: OperationDefinitionNode) -> int:
        root_type = self.schema.get_root_type(operation.operation)
        if root_type is None:
            return 0
        total = 0
        for field, parent in selected_fields(
            operation.selection_set, root_type, self.fragments, self.schema
        ):
            named = field_type(field, parent)
            if named is None:
                continue
            total += 1 + self.inside(field, named, 1)
        return total

    def selection(self, field: FieldNode, parent: GraphQLNamedType, multiplier: int) -> int:
        """Cost of ``field`` (selected on ``parent``) under ``multiplier`` enclosing records."""
        named = field_type(field, parent)
        if named is None:
            return 0
        own = multiplier if is_connection(named) or is_entity(named) else 0
        return own + self.inside(field, named, multiplier)

    def inside(self, field: FieldNode, named: GraphQLNamedType, multiplier: int) -> int:
        """Cost of what ``field`` selects inside its value."""
        if field.selection_set is None:
            return 0
        if not is_connection(named):
            return sum(
                self.selection(child, parent, multiplier)
                for child, parent in selected_fields(
                    field.selection_set, named, self.fragments, self.schema
                )
            )
        per_node = multiplier * self.page_size(field)
        total = 0
        for edges, edge_parent in selected_fields(
            field.selection_set, named, self.fragments, self.schema
        ):
            edge_type = field_type(edges, edge_parent)
            if edges.name.value != "edges" or edge_type is None:
                continue
            for node, node_parent in selected_fields(
                edges.selection_set, edge_type, self.fragments, self.schema
            ):
                node_type = field_type(node, node_parent)
                if node.name.value == "node" and node_type is not None:
                    total += self.inside(node, node_type, per_node)
        return total


def _parsed(document: Any) -> DocumentNode:
    from graphql import DocumentNode, GraphQLError, parse

    if isinstance(document, str):
        try:
            return parse(document)
        except GraphQLError as error:
            raise ValidationError(
                f"GraphQL syntax error: {error.message}", field="document"
            ) from None
    node = document if isinstance(document, DocumentNode) else getattr(document, "document", None)
    if not isinstance(node, DocumentNode):
        raise ValidationError(
            "document must be a string, a DocumentNode or a gql request", field="document"
        )
    return node


def complexity(
    document: Any,
    variables: Mapping[str, Any] | None = None,
    *,
    operation_name: str | None = None,
    schema: GraphQLSchema | None = None,
    default_page_size: int = FLUENT_DEFAULT_PAGE_SIZE,
) -> int:
    """Our estimate of ``document``'s complexity with these ``variables`` (see the module doc).

    ``default_page_size`` is the page size of a connection whose ``first``/``last`` is not
    given (or is a variable left unset): Fluent's default of 10.
    """
    parsed = _parsed(document)
    operation = operation_of(parsed, operation_name)
    values = {**_variable_defaults(operation), **{k: v for k, v in (variables or {}).items()}}
    values = {k: v for k, v in values.items() if v is not None}
    estimator = _Estimator(_schema(schema), fragments_of(parsed), values, default_page_size)
    return estimator.root(operation)


@dataclass(frozen=True, slots=True)
class PageCost:
    """The estimate of a paged document as a function of its page size: ``fixed + per_page *
    page_size`` (everything inside the paged connection is multiplied by its page size)."""

    fixed: int
    per_page: int

    def at(self, page_size: int) -> int:
        return self.fixed + self.per_page * page_size

    def largest_page(self, limit: int = COMPLEXITY_LIMIT) -> int:
        """The largest page size whose estimate is within ``limit`` (0 when none is)."""
        if self.fixed > limit:
            return 0
        if self.per_page == 0:
            return _MAX_PAGE_SIZE
        return min(_MAX_PAGE_SIZE, (limit - self.fixed) // self.per_page)


def page_cost(
    document: Any,
    variables: Mapping[str, Any] | None,
    page_variable: str,
    *,
    operation_name: str | None = None,
    schema: GraphQLSchema | None = None,
) -> PageCost:
    """The estimate of ``document`` as a function of the variable ``page_variable`` (the
    ``first`` of the paged connection)."""
    base = dict(variables or {})
    at_zero = complexity(
        document,
        {**base, page_variable: 0},
        operation_name=operation_name,
        schema=schema,
    )
    at_one = complexity(
        document,
        {**base, page_variable: 1},
        operation_name=operation_name,
        schema=schema,
    )
    return PageCost(fixed=at_zero, per_page=at_one - at_zero)


@functools.lru_cache(maxsize=512)
def _largest_page(document: str, page_variable: str) -> int:
    return page_cost(document, {}, page_variable).largest_page()


def safe_page_size(page_size: int, document: str | None, page_variable: str = "first") -> int:
    """``page_size``, lowered to the largest page whose estimate of ``document`` (paged by the
    variable ``page_variable``) stays within the limit; as given when there is no document or
    the value is not a valid page size (the paginator reports that)."""
    valid = isinstance(page_size, int) and not isinstance(page_size, bool) and page_size >= 1
    if document is None or not valid:
        return page_size
    return max(1, min(page_size, _largest_page(document, page_variable)))
