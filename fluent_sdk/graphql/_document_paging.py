"""Paging a user's own document: which connection to follow, and how (no I/O).

``client.graphql.paginate(document, variables)`` follows the one connection whose ``after``
argument is bound to a variable (``path="orders"``, dotted response keys, chooses when several
are). Its ``first`` becomes the page size: bound to the user's variable when it is one,
otherwise (a literal, or none) to a variable of ours, ``$fluentSdkPageSize``, with the literal as
the default page size. Documents that cannot be paged fail here, before any request, with the
fix in the message.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql._completion import Analysis, ConnectionShape, analyse, reanalyse

if TYPE_CHECKING:
    from graphql import DocumentNode, FieldNode

__all__ = ["PAGE_SIZE_VARIABLE", "PagedDocument", "paged_document"]

PAGE_SIZE_VARIABLE = "fluentSdkPageSize"


@dataclass(eq=False)
class PagedDocument:
    """A document ready to page: send ``analysis.text`` with ``first_variable`` and
    ``after_variable`` set for each page; the connection sits at ``path`` in ``data``."""

    analysis: Analysis
    connection: ConnectionShape
    path: tuple[str, ...]
    first_variable: str
    after_variable: str
    own_page_size: int | None  # the document's literal ``first``, if it had one

    @property
    def label(self) -> str:
        return self.connection.label

    def connection_in(self, data: Any) -> Any:
        """The paged connection's value in ``data`` (None if a parent on the way is null)."""
        value = data
        for key in self.path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value


def _argument(field: FieldNode, name: str) -> Any:
    return next((a.value for a in field.arguments if a.name.value == name), None)


def _call(connection: ConnectionShape) -> str:
    return f"{connection.key}(first: …, after: $after)"


def _choose(analysis: Analysis, path: str | None) -> ConnectionShape:
    connections = analysis.connections
    if not connections:
        raise ValidationError(
            "paginate needs a document that selects a connection (a field returning "
            "…Connection, with edges { cursor node { … } }); this one selects none",
            field="document",
        )
    bound = [c for c in connections if c.after_variable is not None]
    pageable = [c for c in bound if not c.inside_connection]
    if path is not None:
        match = [c for c in connections if c.label == path]
        if not match:
            known = ", ".join(repr(c.label) for c in connections)
            raise ValidationError(
                f"path {path!r} names no connection of the document; its connections are {known}",
                field="path",
            )
        chosen = match[0]
        if chosen.inside_connection:
            raise ValidationError(
                f"{path!r} sits inside another connection's nodes: one cursor cannot page it "
                "for every parent. Page the outer connection, and pass complete=True to fetch "
                "every page of the inner one",
                field="path",
            )
        if chosen.after_variable is None:
            raise ValidationError(
                f"{path!r} does not take its cursor from a variable: declare `$after: String` "
                f"in the operation and write {_call(chosen)}",
                field="document",
            )
        return chosen
    if len(pageable) == 1:
        return pageable[0]
    if not pageable:
        if bound:  # only inside other connections
            return _choose(analysis, bound[0].label)
        top = next((c for c in connections if not c.inside_connection), connections[0])
        raise ValidationError(
            "paginate follows the connection whose `after` argument is a variable, and this "
            f"document has none: declare `$after: String` in the operation and write "
            f"{_call(top)}",
            field="document",
        )
    labels = ", ".join(repr(c.label) for c in pageable)
    raise ValidationError(
        f"several connections take their cursor from a variable ({labels}): pass path= "
        f"with the one to page, e.g. path={pageable[0].label!r}",
        field="path",
    )


def _with_page_size_variable(
    analysis: Analysis, connection: ConnectionShape
) -> tuple[DocumentNode, int | None]:
    """The document with the connection's ``first`` bound to ``$fluentSdkPageSize``."""
    from graphql import (
        ArgumentNode,
        IntValueNode,
        NameNode,
        OperationDefinitionNode,
        VariableDefinitionNode,
        VariableNode,
        Visitor,
        parse_type,
        visit,
    )

    own: int | None = None
    for node in connection.fields:
        value = _argument(node, "first")
        if isinstance(value, IntValueNode):
            own = int(value.value)
    targets = {id(node) for node in connection.fields}
    bound = ArgumentNode(
        name=NameNode(value="first"),
        value=VariableNode(name=NameNode(value=PAGE_SIZE_VARIABLE)),
    )

    class Bind(Visitor):
        def enter_field(self, node: Any, *_args: Any) -> Any:
            if id(node) not in targets:
                return None
            arguments = [a for a in node.arguments if a.name.value != "first"]
            return _replace(node, arguments=(*arguments, bound))

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> Any:
            definition = VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=PAGE_SIZE_VARIABLE)),
                type=parse_type("Int"),
                directives=(),
            )
            return _replace(node, variable_definitions=(*node.variable_definitions, definition))

    assert analysis.document is not None  # analysed from the user's document
    document: DocumentNode = visit(analysis.document, Bind())
    return document, own


def _replace(node: Any, **changes: Any) -> Any:
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    values.update(changes)
    return type(node)(**values)


@functools.lru_cache(maxsize=256)
def paged_document(text: str, operation_name: str | None, path: str | None) -> PagedDocument:
    """How to page ``text`` (validated already); `ValidationError` when it cannot be."""
    from graphql import VariableNode

    analysis = analyse(text, operation_name)
    connection = _choose(analysis, path)
    after = connection.after_variable
    assert after is not None
    first_value = next(
        (v for v in (_argument(n, "first") for n in connection.fields) if v is not None), None
    )
    own: int | None = None
    if isinstance(first_value, VariableNode):
        first = first_value.name.value
    else:
        document, own = _with_page_size_variable(analysis, connection)
        analysis = reanalyse(analysis, document)
        connection = next(c for c in analysis.connections if c.label == connection.label)
        first = PAGE_SIZE_VARIABLE
    return PagedDocument(
        analysis=analysis,
        connection=connection,
        path=tuple(connection.label.split(".")),
        first_variable=first,
        after_variable=after,
        own_page_size=own,
    )
