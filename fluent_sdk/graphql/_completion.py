"""Nested connections in a user's document: seen, reported when cut short, completed on request.

A document such as ``orders { edges { node { items(first: 10) { … } } } }`` gets at most 10
items per order. This module, with no I/O, makes that visible and fixable:

1. `analyse` rewrites the document once (cached) so every answer says where more pages are:
   each connection gets ``_fluentSdkPageInfo: pageInfo { hasNextPage }``, each ``edges``
   ``_fluentSdkCursor: cursor``, and each entity holding a nested connection
   ``_fluentSdkId: id`` (or ``_fluentSdkRef: ref``, see `Lookup`). It also records the shape of
   the answer: where the nested connections are, with the user's own selection of each.
2. `Completion.run` is a plan (a generator): it walks an answer, and for every nested
   connection whose ``hasNextPage`` is true it yields `FollowUp` requests, each fetching the next
   page for up to `FOLLOW_UP_BATCH` parents at once through aliased look-ups
   (``p0: orderById(id: $id0) { items(first: $first, after: $after0) { … } }``), sized to stay
   within the complexity limit; it merges the edges in place, level by level (new nodes may
   hold truncated connections of their own), until nothing is cut short. Without completion it
   only lists the truncated paths.
3. `strip` removes what step 1 added, so the caller sees the shape it asked for.

The driver (``client.graphql.execute(..., complete=True)``, the document paginator, or a
helper's plan through `complete_nested`) sends each `FollowUp` and sends back the decoded
``data``. A document this module wrote (`is_rewritten`) goes through ``execute`` untouched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from fluent_sdk.errors import PaginationError, ValidationError
from fluent_sdk.graphql._complexity import (
    COMPLEXITY_LIMIT,
    FLUENT_DEFAULT_PAGE_SIZE,
    PageCost,
    field_type,
    fragments_of,
    is_connection,
    is_entity,
    operation_of,
    page_cost,
    selected_fields,
)

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
    "CURSOR_KEY",
    "FOLLOW_UP_BATCH",
    "ID_KEY",
    "PAGE_INFO_KEY",
    "REF_KEY",
    "Analysis",
    "Completion",
    "ConnectionShape",
    "FollowUp",
    "FollowUpTemplate",
    "Lookup",
    "QueryResult",
    "Shape",
    "analyse",
    "analysis_data",
    "analysis_from_data",
    "complete_nested",
    "is_rewritten",
    "relay",
    "strip",
]

CallT = TypeVar("CallT")

CURSOR_KEY = "_fluentSdkCursor"
PAGE_INFO_KEY = "_fluentSdkPageInfo"
ID_KEY = "_fluentSdkId"
REF_KEY = "_fluentSdkRef"
_INTERNAL_KEYS = frozenset({CURSOR_KEY, PAGE_INFO_KEY, ID_KEY, REF_KEY})
#: Parents whose next page one follow-up request fetches at most.
FOLLOW_UP_BATCH = 50
_MAX_PAGE_SIZE = 5000
_FIRST = "fluentSdkFirst"


@dataclass(frozen=True, slots=True)
class Lookup:
    """How to read an entity again by itself: ``orderById(id: …)``, ``order(id: …)`` or, with
    no look-up by id, ``payment(ref: …)``."""

    root_field: str
    argument: str
    argument_type: str
    key: str  # the internal response key holding the value (ID_KEY or REF_KEY)


@dataclass(eq=False)
class Shape:
    """What an object of the answer holds, by response key: nested objects (or lists of them)
    and connections."""

    objects: dict[str, Shape] = field(default_factory=dict)
    connections: dict[str, ConnectionShape] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FollowUpTemplate:
    """A connection's follow-up for one parent, as text: ``selection`` is its fields paged by
    ``$fluentSdkFirst`` / ``$fluentSdkAfter0`` (the document's own selection inside),
    ``definitions`` the document's variables it still uses (``variables``, by name), and
    ``fragments`` the fragment definitions it spreads. `_follow_up_text` repeats it for as many
    parents as a request reads."""

    selection: str
    definitions: tuple[str, ...]
    variables: tuple[str, ...]
    fragments: str


@dataclass(eq=False)
class ConnectionShape:
    """One connection field of the document (all selections of one response key, merged).

    Everything completion reads is plain data (the code generator writes it for the SDK's own
    queries: `analysis_data`); ``fields``, the document's selections, are there only in an
    analysis made from a document (`analyse`)."""

    label: str  # dotted response keys from the root, without edges/node: "orders.items"
    key: str  # response key in its parent
    fields: list[FieldNode]
    parent_name: str | None  # the type holding the field; None at the root
    nested: bool = False  # below an entity (completable by looking it up), not a root field
    field_name: str = ""  # the schema's name of the field ("items")
    node: Shape = field(default_factory=Shape)
    edges_keys: list[str] = field(default_factory=list)
    node_keys: list[str] = field(default_factory=list)
    page_info_keys: list[str] = field(default_factory=list)
    lookup: Lookup | None = None
    inside_connection: bool = False  # under another connection's nodes
    after_variable: str | None = None  # the query's variable its ``after`` is bound to
    own_page_size: int = FLUENT_DEFAULT_PAGE_SIZE  # its literal ``first``/``last``
    follow_up: FollowUpTemplate | None = None  # worked out on first use (`_follow_up_template`)
    cost: PageCost | None = None  # of a one-parent follow-up, on first use (`_follow_up_cost`)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One request of a completion: send ``text`` with ``variables``, answer with ``data``.
    ``connection`` is the connection it reads more of (a helper names its requests by it)."""

    text: str
    operation_name: str
    variables: dict[str, Any]
    connection: ConnectionShape | None = field(default=None, compare=False, repr=False)


@dataclass(eq=False)
class Analysis:
    """A document rewritten to report its connections, and the shape of its answers."""

    text: str  # what to send
    operation_name: str | None
    variables: tuple[str, ...]  # the variables the operation declares
    root: Shape
    connections: list[ConnectionShape]
    # The document and schema it was made from; None in an analysis read from plain data
    # (`analysis_from_data`), which completes with no schema and nothing to parse.
    document: DocumentNode | None = None
    operation: OperationDefinitionNode | None = None
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    schema: GraphQLSchema | None = None

    @property
    def nested(self) -> list[ConnectionShape]:
        return [c for c in self.connections if c.nested]

    @property
    def cursor_connection(self) -> ConnectionShape | None:
        """The nested connection whose ``after`` is a variable of the query: whoever runs the
        query pages it (a helper's plan), so completion leaves it as read."""
        return next((c for c in self.nested if c.after_variable is not None), None)

    def check_completable(self, skip: ConnectionShape | None = None) -> None:
        """`ValidationError` (before any request) for a nested connection that completion
        could not page: its parent has no look-up, or one page of it alone is too complex."""
        for connection in self.nested:
            if connection is skip:
                continue
            if connection.lookup is None:
                raise ValidationError(
                    f"complete=True cannot fetch more of {connection.label}: Fluent has no "
                    f"look-up of a {connection.parent_name} by id or by ref alone. Leave "
                    "complete out (result.truncated then names what was cut short), or query these "
                    f"{connection.key} through their own root field",
                    field="complete",
                )
            cost = _follow_up_cost(self, connection)
            if cost.at(1) > COMPLEXITY_LIMIT:
                raise ValidationError(
                    f"complete=True cannot fetch more of {connection.label}: even one node "
                    f"per page is estimated at {cost.at(1):,}, above Fluent's complexity "
                    f"limit of {COMPLEXITY_LIMIT:,}; select less inside {connection.key}",
                    field="complete",
                )


# ---- analysis --------------------------------------------------------------------------------


def _lookup(schema: GraphQLSchema, type_: GraphQLNamedType) -> Lookup | None:
    from graphql import GraphQLNonNull, get_named_type

    query = schema.query_type
    if query is None:
        return None
    lower = type_.name[0].lower() + type_.name[1:]
    candidates = [(lower + "ById", "id"), (lower, "id"), (lower, "ref")]
    for name, argument in candidates:
        root = query.fields.get(name)
        if root is None or get_named_type(root.type) is not type_ or argument not in root.args:
            continue
        others = [a for n, a in root.args.items() if n != argument]
        if any(isinstance(a.type, GraphQLNonNull) for a in others):
            continue
        if argument == "ref" and "ref" not in getattr(type_, "fields", {}):
            continue
        key = ID_KEY if argument == "id" else REF_KEY
        return Lookup(name, argument, str(root.args[argument].type), key)
    return None


def _alias(
    alias: str | None, name: str, selection_set: SelectionSetNode | None = None
) -> FieldNode:
    from graphql import FieldNode, NameNode

    return FieldNode(
        alias=None if alias is None else NameNode(value=alias),
        name=NameNode(value=name),
        arguments=(),
        directives=(),
        selection_set=selection_set,
    )


class _Rewriter:
    """Copies selection sets, adding the internal fields (see the module doc)."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType
    ) -> SelectionSetNode | None:
        from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

        if selection_set is None:
            return None
        selections: list[Any] = []
        holds_connection = False
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                named = field_type(selection, parent)
                if named is not None and is_connection(named):
                    holds_connection = True
                inner = (
                    self.selection_set(selection.selection_set, named)
                    if named is not None
                    else selection.selection_set
                )
                selections.append(_copy(selection, selection_set=inner))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner_type = self.schema.get_type(condition.name.value) if condition else parent
                selections.append(
                    _copy(
                        selection,
                        selection_set=self.selection_set(
                            selection.selection_set, inner_type or parent
                        ),
                    )
                )
            else:
                selections.append(selection)
        selections.extend(self.additions(parent, holds_connection))
        return SelectionSetNode(selections=tuple(selections))

    def additions(self, parent: GraphQLNamedType, holds_connection: bool) -> list[FieldNode]:
        from graphql import SelectionSetNode

        fields = getattr(parent, "fields", None) or {}
        added: list[FieldNode] = []
        if is_connection(parent) and "pageInfo" in fields:
            has_next = _alias(None, "hasNextPage")
            added.append(
                _alias(PAGE_INFO_KEY, "pageInfo", SelectionSetNode(selections=(has_next,)))
            )
        if parent.name.endswith("Edge") and "cursor" in fields and "node" in fields:
            added.append(_alias(CURSOR_KEY, "cursor"))
        if holds_connection and is_entity(parent):
            added.append(_alias(ID_KEY, "id"))
            lookup = _lookup(self.schema, parent)
            if lookup is not None and lookup.key == REF_KEY:
                added.append(_alias(REF_KEY, "ref"))
        return added


def _copy(node: Any, **changes: Any) -> Any:
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    values.update(changes)
    return type(node)(**values)


class _ShapeBuilder:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self.connections: list[ConnectionShape] = []

    def build(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        shape: Shape,
        label: str,
        *,
        root: bool,
        inside_connection: bool,
    ) -> None:
        for node, on in selected_fields(selection_set, parent, self.fragments, self.schema):
            key = node.alias.value if node.alias else node.name.value
            if key in _INTERNAL_KEYS:
                continue
            named = field_type(node, on)
            if named is None or node.selection_set is None:
                continue
            path = f"{label}.{key}" if label else key
            if is_connection(named):
                connection = shape.connections.get(key)
                if connection is None:
                    connection = ConnectionShape(
                        label=path,
                        key=key,
                        fields=[],
                        parent_name=None if root else on.name,
                        nested=not root and is_entity(on),
                        field_name=node.name.value,
                        lookup=None if root else _lookup(self.schema, on),
                        inside_connection=inside_connection,
                    )
                    shape.connections[key] = connection
                    self.connections.append(connection)
                connection.fields.append(node)
                self.connection(node, named, connection)
            else:
                inner = shape.objects.setdefault(key, Shape())
                self.build(
                    node.selection_set,
                    named,
                    inner,
                    path,
                    root=False,
                    inside_connection=inside_connection,
                )

    def connection(
        self, node: FieldNode, named: GraphQLNamedType, connection: ConnectionShape
    ) -> None:
        for edges, on in selected_fields(node.selection_set, named, self.fragments, self.schema):
            key = edges.alias.value if edges.alias else edges.name.value
            if edges.name.value == "pageInfo" and key != PAGE_INFO_KEY:
                _append_new(connection.page_info_keys, key)
            if edges.name.value != "edges":
                continue
            _append_new(connection.edges_keys, key)
            edge_type = field_type(edges, on)
            if edge_type is None:
                continue
            for item, item_on in selected_fields(
                edges.selection_set, edge_type, self.fragments, self.schema
            ):
                if item.name.value != "node":
                    continue
                _append_new(connection.node_keys, item.alias.value if item.alias else "node")
                node_type = field_type(item, item_on)
                if node_type is not None:
                    self.build(
                        item.selection_set,
                        node_type,
                        connection.node,
                        connection.label,
                        root=False,
                        inside_connection=True,
                    )


def _append_new(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


@functools.lru_cache(maxsize=256)
def analyse(text: str, operation_name: str | None, schema: GraphQLSchema | None = None) -> Analysis:
    """The rewritten document and the shape of its answers (cached per text)."""
    from graphql import (
        DocumentNode,
        FragmentDefinitionNode,
        OperationDefinitionNode,
        parse,
        print_ast,
    )

    if schema is None:
        from fluent_sdk._schema import load_schema

        schema = load_schema()
    original = parse(text)
    fragments = fragments_of(original)
    operation = operation_of(original, operation_name)
    root_type = schema.get_root_type(operation.operation)
    assert root_type is not None
    rewriter = _Rewriter(schema, fragments)
    definitions: list[Any] = []
    for definition in original.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if definition is not operation:
                continue
            definitions.append(
                _copy(
                    definition,
                    selection_set=rewriter.selection_set(definition.selection_set, root_type),
                )
            )
        elif isinstance(definition, FragmentDefinitionNode):
            on = schema.get_type(definition.type_condition.name.value)
            if on is not None:
                definition = _copy(
                    definition, selection_set=rewriter.selection_set(definition.selection_set, on)
                )
            definitions.append(definition)
    document = DocumentNode(definitions=tuple(definitions))
    return _analysis_of(document, schema, print_ast(document))


def _analysis_of(document: DocumentNode, schema: GraphQLSchema, text: str) -> Analysis:
    from graphql import OperationDefinitionNode

    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = fragments_of(document)
    root_type = schema.get_root_type(operation.operation)
    assert root_type is not None
    builder = _ShapeBuilder(schema, fragments)
    root = Shape()
    builder.build(operation.selection_set, root_type, root, "", root=True, inside_connection=False)
    for connection in builder.connections:
        connection.after_variable = _after_variable(connection.fields)
        connection.own_page_size = _own_page_size(connection.fields)
    return Analysis(
        text=text,
        operation_name=operation.name.value if operation.name else None,
        variables=tuple(d.variable.name.value for d in operation.variable_definitions),
        root=root,
        connections=builder.connections,
        document=document,
        operation=operation,
        fragments=fragments,
        schema=schema,
    )


def reanalyse(analysis: Analysis, document: DocumentNode) -> Analysis:
    """The analysis of ``document``, a further rewrite of ``analysis.document``."""
    from graphql import print_ast

    assert analysis.schema is not None  # made from a document, not from plain data
    return _analysis_of(document, analysis.schema, print_ast(document))


def _after_variable(fields: Sequence[FieldNode]) -> str | None:
    from graphql import VariableNode

    for node in fields:
        for argument in node.arguments:
            if argument.name.value == "after" and isinstance(argument.value, VariableNode):
                return argument.value.name.value
    return None


def _own_page_size(fields: Sequence[FieldNode]) -> int:
    from graphql import IntValueNode

    for node in fields:
        for argument in node.arguments:
            if argument.name.value in {"first", "last"} and isinstance(
                argument.value, IntValueNode
            ):
                return int(argument.value.value)
    return FLUENT_DEFAULT_PAGE_SIZE


# ---- plain data ------------------------------------------------------------------------------


def analysis_data(analysis: Analysis) -> dict[str, Any]:
    """``analysis`` as plain data (text, numbers, lists, dicts), everything completion needs
    worked out: the code generator writes it for the SDK's own queries
    (``fluent_sdk/_generated/whole_reads.py``), so that a helper completes them with no schema
    to load. `analysis_from_data` reads it back."""
    index = {id(connection): i for i, connection in enumerate(analysis.connections)}

    def shape(value: Shape) -> dict[str, Any]:
        return {
            "objects": {key: shape(inner) for key, inner in value.objects.items()},
            "connections": {key: index[id(c)] for key, c in value.connections.items()},
        }

    def connection(value: ConnectionShape) -> dict[str, Any]:
        completable = value.nested and value.lookup is not None
        template = _follow_up_template(analysis, value) if completable else None
        cost = _follow_up_cost(analysis, value) if completable else None
        lookup = value.lookup
        return {
            "label": value.label,
            "key": value.key,
            "field_name": value.field_name,
            "parent_name": value.parent_name,
            "nested": value.nested,
            "node": shape(value.node),
            "edges_keys": list(value.edges_keys),
            "node_keys": list(value.node_keys),
            "page_info_keys": list(value.page_info_keys),
            "lookup": None
            if lookup is None
            else [lookup.root_field, lookup.argument, lookup.argument_type, lookup.key],
            "inside_connection": value.inside_connection,
            "after_variable": value.after_variable,
            "own_page_size": value.own_page_size,
            "follow_up": None
            if template is None
            else {
                "selection": template.selection,
                "definitions": list(template.definitions),
                "variables": list(template.variables),
                "fragments": template.fragments,
            },
            "cost": None if cost is None else [cost.fixed, cost.per_page],
        }

    return {
        "text": analysis.text,
        "operation_name": analysis.operation_name,
        "variables": list(analysis.variables),
        "connections": [connection(c) for c in analysis.connections],
        "root": shape(analysis.root),
    }


def analysis_from_data(data: Mapping[str, Any]) -> Analysis:
    """The `Analysis` that `analysis_data` wrote: no schema, nothing parsed."""
    connections = [
        ConnectionShape(
            label=c["label"],
            key=c["key"],
            fields=[],
            parent_name=c["parent_name"],
            nested=c["nested"],
            field_name=c["field_name"],
            edges_keys=list(c["edges_keys"]),
            node_keys=list(c["node_keys"]),
            page_info_keys=list(c["page_info_keys"]),
            lookup=None if c["lookup"] is None else Lookup(*c["lookup"]),
            inside_connection=c["inside_connection"],
            after_variable=c["after_variable"],
            own_page_size=c["own_page_size"],
            follow_up=None
            if c["follow_up"] is None
            else FollowUpTemplate(
                selection=c["follow_up"]["selection"],
                definitions=tuple(c["follow_up"]["definitions"]),
                variables=tuple(c["follow_up"]["variables"]),
                fragments=c["follow_up"]["fragments"],
            ),
            cost=None if c["cost"] is None else PageCost(*c["cost"]),
        )
        for c in data["connections"]
    ]

    def shape(value: Mapping[str, Any]) -> Shape:
        return Shape(
            objects={key: shape(inner) for key, inner in value["objects"].items()},
            connections={key: connections[i] for key, i in value["connections"].items()},
        )

    for connection, raw in zip(connections, data["connections"], strict=True):
        connection.node = shape(raw["node"])
    return Analysis(
        text=data["text"],
        operation_name=data["operation_name"],
        variables=tuple(data["variables"]),
        root=shape(data["root"]),
        connections=connections,
    )


# ---- follow-up documents ---------------------------------------------------------------------


def _variables_used(nodes: Sequence[Any]) -> list[str]:
    from graphql import Visitor, visit

    names: list[str] = []

    class Collect(Visitor):
        def enter_variable(self, node: Any, *_args: Any) -> None:
            if node.name.value not in names:
                names.append(node.name.value)

    for node in nodes:
        visit(node, Collect())
    return names


def _spreads(nodes: Sequence[Any], fragments: Mapping[str, FragmentDefinitionNode]) -> list[Any]:
    from graphql import Visitor, visit

    found: dict[str, FragmentDefinitionNode] = {}
    pending = list(nodes)

    class Collect(Visitor):
        def enter_fragment_spread(self, node: Any, *_args: Any) -> None:
            name = node.name.value
            if name not in found and name in fragments:
                found[name] = fragments[name]
                pending.append(fragments[name])

    while pending:
        visit(pending.pop(), Collect())
    return [found[name] for name in sorted(found)]


def _paged_field(field_node: FieldNode, first: str, after: str) -> FieldNode:
    """The connection field with ``first``/``after`` bound to the follow-up's variables (and
    ``last``/``before`` dropped)."""
    from graphql import ArgumentNode, NameNode, VariableNode

    paging = {"first", "after", "last", "before"}
    kept = [a for a in field_node.arguments if a.name.value not in paging]
    for name, variable in (("first", first), ("after", after)):
        kept.append(
            ArgumentNode(
                name=NameNode(value=name), value=VariableNode(name=NameNode(value=variable))
            )
        )
    paged: FieldNode = _copy(field_node, arguments=tuple(kept))
    return paged


def _follow_up_template(analysis: Analysis, connection: ConnectionShape) -> FollowUpTemplate:
    """The connection's follow-up for one parent (worked out once, from the document)."""
    if connection.follow_up is not None:
        return connection.follow_up
    from graphql import print_ast

    assert analysis.operation is not None  # an analysis read from data carries its templates
    paged = [_paged_field(node, _FIRST, "fluentSdkAfter0") for node in connection.fields]
    fragments = _spreads(connection.fields, analysis.fragments)
    # The user's variables the follow-up still uses: not those of the paging arguments it
    # replaced (``items(first: $n)``: an unused $n would make the document invalid).
    own = {d.variable.name.value: d for d in analysis.operation.variable_definitions}
    ours = {_FIRST, "fluentSdkAfter0"}
    used = [v for v in _variables_used([*paged, *fragments]) if v not in ours and v in own]
    connection.follow_up = FollowUpTemplate(
        selection="\n".join(print_ast(node) for node in paged),
        definitions=tuple(print_ast(own[name]) for name in used),
        variables=tuple(used),
        fragments="\n\n".join(print_ast(fragment) for fragment in fragments),
    )
    return connection.follow_up


@functools.lru_cache(maxsize=512)
def _follow_up_document(
    analysis: Analysis, connection: ConnectionShape, parents: int
) -> tuple[str, tuple[str, ...]]:
    """The follow-up for ``parents`` parents of ``connection``: its text, and the user's
    variables it uses. Variables: ``$fluentSdkFirst``, ``$fluentSdkKey<i>``,
    ``$fluentSdkAfter<i>``. Written from the connection's `FollowUpTemplate`: no parsing."""
    lookup = connection.lookup
    assert lookup is not None
    template = _follow_up_template(analysis, connection)
    definitions = ", ".join(
        [
            f"${_FIRST}: Int",
            *(f"$fluentSdkKey{i}: {lookup.argument_type}" for i in range(parents)),
            *(f"$fluentSdkAfter{i}: String" for i in range(parents)),
            *template.definitions,
        ]
    )
    lines = [f"query FluentSdkComplete({definitions}) {{"]
    for index in range(parents):
        selection = template.selection.replace("$fluentSdkAfter0", f"$fluentSdkAfter{index}")
        lines.append(f"  p{index}: {lookup.root_field}({lookup.argument}: $fluentSdkKey{index}) {{")
        lines.extend(f"    {line}" for line in selection.splitlines())
        lines.append("  }")
    lines.append("}")
    text = "\n".join(lines)
    if template.fragments:
        text += "\n\n" + template.fragments
    return text, template.variables


def _follow_up_cost(analysis: Analysis, connection: ConnectionShape) -> PageCost:
    """The estimate of a one-parent follow-up by its page size (worked out once)."""
    if connection.cost is None:
        text, _used = _follow_up_document(analysis, connection, 1)
        connection.cost = page_cost(text, {}, _FIRST, schema=analysis.schema)
    return connection.cost


def _batch_plan(analysis: Analysis, connection: ConnectionShape, pending: int) -> tuple[int, int]:
    """(parents per request, page size) for ``pending`` parents: as many parents as fit (up to
    `FOLLOW_UP_BATCH`) with pages at least as large as the document's own, then pages as large
    as the rest of the complexity budget allows."""
    cost = _follow_up_cost(analysis, connection)
    floor = max(1, connection.own_page_size)
    parents = max(1, min(pending, FOLLOW_UP_BATCH))
    if parents * cost.at(floor) > COMPLEXITY_LIMIT:
        parents = max(1, COMPLEXITY_LIMIT // cost.at(floor))
    budget = max(0, COMPLEXITY_LIMIT - parents * cost.fixed)
    size = _MAX_PAGE_SIZE if cost.per_page == 0 else budget // (parents * cost.per_page)
    return parents, max(1, min(size, _MAX_PAGE_SIZE))


# ---- walking answers -------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Cut:
    """A connection in the answer with more pages."""

    shape: ConnectionShape
    parent: dict[str, Any]
    value: dict[str, Any]
    path: str


def _has_next(value: dict[str, Any]) -> bool:
    page_info = value.get(PAGE_INFO_KEY)
    return isinstance(page_info, dict) and bool(page_info.get("hasNextPage"))


def _cuts(
    value: Any, shape: Shape, path: str, skip: ConnectionShape | None, found: list[_Cut]
) -> None:
    """Every nested connection under ``value`` with more pages (paths with indexes)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            _cuts(item, shape, f"{path}[{index}]", skip, found)
        return
    if not isinstance(value, dict):
        return
    for key, inner in shape.objects.items():
        if key in value:
            _cuts(value[key], inner, f"{path}.{key}" if path else key, skip, found)
    for key, connection in shape.connections.items():
        conn = value.get(key)
        if not isinstance(conn, dict):
            continue
        where = f"{path}.{key}" if path else key
        if connection.nested and connection is not skip and _has_next(conn):
            found.append(_Cut(connection, value, conn, where))
        _connection_cuts(conn, connection, where, skip, found)


def _connection_cuts(
    conn: dict[str, Any],
    connection: ConnectionShape,
    where: str,
    skip: ConnectionShape | None,
    found: list[_Cut],
    starts: Mapping[str, int] | None = None,
) -> None:
    """Cuts inside the nodes of ``conn`` (from index ``starts[edges key]`` on, if given)."""
    for edges_key in connection.edges_keys:
        edges = conn.get(edges_key)
        if not isinstance(edges, list):
            continue
        start = starts.get(edges_key, 0) if starts is not None else 0
        for index in range(start, len(edges)):
            edge = edges[index]
            if not isinstance(edge, dict):
                continue
            for node_key in connection.node_keys:
                node = edge.get(node_key)
                if node is not None:
                    at = f"{where}.{edges_key}[{index}].{node_key}"
                    _cuts(node, connection.node, at, skip, found)


def strip(value: Any, shape: Shape) -> None:
    """Remove the internal fields `analyse` added, in place."""
    if isinstance(value, list):
        for item in value:
            strip(item, shape)
        return
    if not isinstance(value, dict):
        return
    value.pop(ID_KEY, None)
    value.pop(REF_KEY, None)
    for key, inner in shape.objects.items():
        if key in value:
            strip(value[key], inner)
    for key, connection in shape.connections.items():
        conn = value.get(key)
        if not isinstance(conn, dict):
            continue
        conn.pop(PAGE_INFO_KEY, None)
        for edges_key in connection.edges_keys:
            for edge in conn.get(edges_key) or ():
                if isinstance(edge, dict):
                    edge.pop(CURSOR_KEY, None)
                    for node_key in connection.node_keys:
                        strip(edge.get(node_key), connection.node)


def _last_cursor(conn: dict[str, Any], connection: ConnectionShape) -> str | None:
    for edges_key in connection.edges_keys:
        edges = conn.get(edges_key)
        if isinstance(edges, list):
            for edge in reversed(edges):
                if isinstance(edge, dict) and edge.get(CURSOR_KEY) is not None:
                    return str(edge[CURSOR_KEY])
    return None


class Completion:
    """Completing (or reporting) the nested connections of one answer; see the module doc.

    ``skip`` is the connection a paginator pages itself (never completed here)."""

    def __init__(
        self,
        analysis: Analysis,
        variables: Mapping[str, Any],
        *,
        complete: bool,
        skip: ConnectionShape | None = None,
    ) -> None:
        self.analysis = analysis
        self.variables = dict(variables)
        self.complete = complete
        self.skip = skip
        #: Truncated paths whose connection selects no ``pageInfo`` of the user's own: cut short
        #: without the caller being able to see it (what a warning is logged for).
        self.unseen: list[str] = []

    def run(self, data: dict[str, Any]) -> Generator[FollowUp, dict[str, Any], list[str]]:
        """Complete ``data`` in place (when asked to); returns the paths still truncated."""
        pending: list[_Cut] = []
        _cuts(data, self.analysis.root, "", self.skip, pending)
        if not self.complete:
            self.unseen = [cut.path for cut in pending if not cut.shape.page_info_keys]
            return [cut.path for cut in pending]
        while pending:
            shape = pending[0].shape
            group = [cut for cut in pending if cut.shape is shape]
            pending = [cut for cut in pending if cut.shape is not shape]
            parents, size = _batch_plan(self.analysis, shape, len(group))
            for start in range(0, len(group), parents):
                batch = group[start : start + parents]
                answer = yield self._follow_up(shape, batch, size)
                pending.extend(self._merge(shape, batch, answer))
        return []

    def _follow_up(self, shape: ConnectionShape, batch: list[_Cut], size: int) -> FollowUp:
        text, used = _follow_up_document(self.analysis, shape, len(batch))
        lookup = shape.lookup
        assert lookup is not None
        variables: dict[str, Any] = {_FIRST: size}
        for index, cut in enumerate(batch):
            variables[f"fluentSdkKey{index}"] = cut.parent.get(lookup.key)
            variables[f"fluentSdkAfter{index}"] = _last_cursor(cut.value, shape)
        for name in used:
            if name in self.variables:
                variables[name] = self.variables[name]
        return FollowUp(
            text=text, operation_name="FluentSdkComplete", variables=variables, connection=shape
        )

    def _merge(
        self, shape: ConnectionShape, batch: list[_Cut], answer: Mapping[str, Any]
    ) -> list[_Cut]:
        """Append each parent's new edges; the cuts still (or newly) truncated."""
        pending: list[_Cut] = []
        for index, cut in enumerate(batch):
            parent = answer.get(f"p{index}")
            more = parent.get(shape.key) if isinstance(parent, dict) else None
            before = _last_cursor(cut.value, shape)
            if not isinstance(more, dict):
                _set_has_next(cut.value, shape, False)  # the parent is gone: nothing more
                continue
            counts: dict[str, int] = {}
            for edges_key in shape.edges_keys:
                edges = cut.value.setdefault(edges_key, [])
                if not isinstance(edges, list):
                    continue
                counts[edges_key] = len(edges)
                edges.extend(more.get(edges_key) or [])
            has_next = _has_next(more)
            after = _last_cursor(cut.value, shape)
            if has_next and (after is None or after == before):
                raise PaginationError(
                    f"completing {cut.path}: hasNextPage is true but the cursor did not "
                    f"advance (after={before!r}); stopping instead of looping",
                    operation=shape.label,
                    cursor=before,
                )
            _set_has_next(cut.value, shape, has_next)
            if has_next:
                pending.append(cut)
            _connection_cuts(cut.value, shape, cut.path, self.skip, pending, counts)
        return pending


def _set_has_next(conn: dict[str, Any], shape: ConnectionShape, has_next: bool) -> None:
    conn[PAGE_INFO_KEY] = {"hasNextPage": has_next}
    for key in shape.page_info_keys:
        page_info = conn.get(key)
        if isinstance(page_info, dict) and "hasNextPage" in page_info:
            page_info["hasNextPage"] = has_next


class QueryResult(dict[str, Any]):
    """The ``data`` of an answer, a plain ``dict``, and ``truncated``: the paths (with
    indexes, ``orders.edges[3].node.items``) of nested connections that have more pages than
    were fetched. Empty when nothing was cut short, or when ``complete=True`` fetched it all."""

    truncated: tuple[str, ...]

    def __init__(self, data: Mapping[str, Any], truncated: Sequence[str] = ()) -> None:
        super().__init__(data)
        self.truncated = tuple(truncated)


def is_rewritten(text: str) -> bool:
    """A document `analyse` produced (or a follow-up): it carries the internal fields, and is
    sent as it is, its answer kept whole, for the plan that made it to read."""
    return ID_KEY in text or CURSOR_KEY in text or PAGE_INFO_KEY in text


def complete_nested(
    analysis: Analysis,
    variables: Mapping[str, Any],
    data: dict[str, Any],
    ask: Callable[[FollowUp], CallT],
    *,
    skip: ConnectionShape | None = None,
) -> Generator[CallT, Any, list[str]]:
    """Complete every nested connection of ``data`` (the answer to ``analysis.text``) in place,
    then strip the internal fields: for a helper's plan, ``yield from`` it. ``skip`` is a
    connection the plan pages itself (left as read; those inside its nodes are completed).

    ``ask`` turns each `FollowUp` into the call the plan's driver performs (a helper's
    ``Execute(follow_up.text, follow_up.variables)``, answered with the ``data`` dict: a
    rewritten document goes through ``client.graphql.execute`` untouched). Returns the paths
    still truncated (none: every page is fetched)::

        REPORT = analyse(ORDER_QUERY, None)              # once (cached)
        data = yield Execute(REPORT.text, variables)
        yield from complete_nested(REPORT, variables, data, lambda f: Execute(f.text, f.variables))
    """

    def one_call(follow_up: FollowUp) -> Generator[CallT, Any, dict[str, Any]]:
        answer: dict[str, Any] = yield ask(follow_up)
        return answer

    completion = Completion(analysis, variables, complete=True, skip=skip)
    truncated = yield from relay(completion.run(data), one_call)
    strip(data, analysis.root)
    return truncated


def relay(
    plan: Generator[FollowUp, dict[str, Any], list[str]],
    answer: Callable[[FollowUp], Generator[CallT, Any, dict[str, Any]]],
) -> Generator[CallT, Any, list[str]]:
    """Run a completion's ``plan``, answering each `FollowUp` with the ``data`` the sub-plan
    ``answer(follow_up)`` reads (through its driver's calls); the paths still truncated. The one
    loop behind `complete_nested` and ``client.graphql.execute(..., complete=True)``."""
    try:
        follow_up = next(plan)
        while True:
            data = yield from answer(follow_up)
            follow_up = plan.send(data)
    except StopIteration as stop:
        truncated: list[str] = stop.value
        return truncated
