"""ariadne-codegen plugin that makes the generated client go through the SDK's transport.

For every operation method it:
- drops ``**kwargs`` (a misspelt argument is an error, not silently ignored);
- lets every input-object argument also take a plain ``dict`` (validated into the model);
- sends with ``self._send_operation(query, name, variables, mutation=..., input_types=...)``,
  so queries are retried as idempotent and mutations are not;
- parses with ``Result.from_graphql_response(response, name)`` straight from bytes;
- takes its document from ``documents.py`` (`render_documents_module`), written once next to
  the clients and shared by the async client and its sync twin, instead of an inline string.

For every query whose single root field returns a connection with ``first``/``after`` variables
it adds ``iter_<method>(..., page_size=, max_items=, after=)`` returning a typed paginator. The
paginator's ``max_page_size`` is computed here: the largest page whose complexity estimate
(`fluent_sdk.graphql._complexity`) of the document stays within Fluent's limit, so the runtime
clamps ``page_size`` without loading the schema.

From the tables (`fluent_sdk._codegen.tables`, named by ``[tool.fluent-codegen] tables`` in
``codegen.toml``) it also makes the helpers' ``Sdk...`` operations private methods without a
paginator, parses the results the tables name straight into hand-written models
(`fluent_sdk.graphql.entities`), and, in `FluentAliasesPlugin` (listed after ariadne's
``ShorterResultsPlugin``, so that it copies the final signatures), adds the deprecated aliases.
"""

from __future__ import annotations

import ast
import copy
import importlib
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

from ariadne_codegen.plugins.base import Plugin
from ariadne_codegen.utils import str_to_pascal_case, str_to_snake_case
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    ListTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    TypeNode,
    VariableDefinitionNode,
    VariableNode,
)

__all__ = [
    "DOCUMENTS_MODULE",
    "FluentAliasesPlugin",
    "FluentClientPlugin",
    "connection_node_type",
    "document_constant",
    "is_private",
    "load_tables",
    "method_name",
    "render_documents_module",
    "render_whole_reads_module",
]

# Python 3.12+ nodes carry type parameters; older ones do not know the field.
_TYPE_PARAMS: dict[str, Any] = {"type_params": []} if sys.version_info >= (3, 12) else {}
PAGINATION_ARGUMENTS = ("first", "after")
SKIPPED_ITER_ARGUMENTS = ("first", "last", "before", "after")
#: The generated module holding every operation document (``documents.py``).
DOCUMENTS_MODULE = "documents"
#: The generated module holding what reading the helpers' own queries whole needs.
WHOLE_READS_MODULE = "whole_reads"
_DOCUMENTS_ALIAS = "_documents"
DEFAULT_TABLES = "fluent_sdk._codegen.tables"
_DEPRECATED_CALL = "deprecated_call"
_RENAMED_DOCUMENT = "renamed_document"


def load_tables(config_dict: dict[str, Any]) -> ModuleType:
    """The tables module ``codegen.toml`` names (``[tool.fluent-codegen] tables``)."""
    section = config_dict.get("tool", {}).get("fluent-codegen", {})
    return importlib.import_module(section.get("tables", DEFAULT_TABLES))


def is_private(operation_name: str, private_prefix: str) -> bool:
    """Whether an operation is one of the helpers' own; an empty prefix (a user's package)
    makes none private."""
    return bool(private_prefix) and operation_name.startswith(private_prefix)


def method_name(operation_name: str, private_prefix: str) -> str:
    """The client method of an operation: snake_case, private for the helpers' own
    (``SdkOrderGet`` -> ``_sdk_order_get``)."""
    from ariadne_codegen.utils import str_to_snake_case

    name = str(str_to_snake_case(operation_name))
    return f"_{name}" if is_private(operation_name, private_prefix) else name


def document_constant(method_name: str) -> str:
    """The constant of ``documents.py`` holding a method's document (``ORDER_BY_ID``)."""
    return method_name.strip("_").upper()


def _string_literal(text: str) -> str:
    if '"""' in text or "\\" in text or text.endswith('"'):
        return repr(text)
    return '"""\\\n' + text + '"""'


def render_documents_module(documents: dict[str, tuple[str, str]]) -> str:
    """Source of ``documents.py``: one constant per operation (``{name: (constant, text)}``)
    and ``BY_OPERATION`` mapping operation names to them. Plain strings, nothing parsed."""
    lines = [
        '"""Every operation document the generated clients send, each stored once.',
        "",
        "The async client and its sync twin both read their documents from here; the fragments",
        "an operation spreads follow it in its text, as sent. Nothing is parsed at import.",
        '"""',
        "",
        '__all__ = ["BY_OPERATION"]',
        "",
    ]
    for name in sorted(documents, key=lambda n: documents[n][0]):
        constant, text = documents[name]
        lines += [f"{constant} = {_string_literal(text)}", ""]
    lines.append("#: Operation name -> document text.")
    lines.append("BY_OPERATION: dict[str, str] = {")
    for name in sorted(documents):
        lines.append(f"    {name!r}: {documents[name][0]},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _named_type_name(node: TypeNode) -> str:
    while isinstance(node, (NonNullTypeNode, ListTypeNode)):
        node = node.type
    return node.name.value  # type: ignore[attr-defined,no-any-return]


def _unwrap(type_: Any) -> GraphQLNamedType:
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    return type_  # type: ignore[no-any-return]


def connection_node_type(type_: Any) -> GraphQLObjectType | None:
    """The node type when ``type_`` is a Relay connection (``edges { cursor node }``)."""
    from fluent_sdk._schema.operations import connection_node

    node = connection_node(_unwrap(type_))
    return node if isinstance(node, GraphQLObjectType) else None


def _only_field(selection_set: SelectionSetNode | None, name: str) -> FieldNode | None:
    if selection_set is None:
        return None
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and selection.name.value == name:
            return selection
    return None


def _response_key(field: FieldNode) -> str:
    return field.alias.value if field.alias else field.name.value


def render_whole_reads_module(
    documents: dict[str, tuple[str, str]], schema: GraphQLSchema, private_prefix: str
) -> str | None:
    """Source of ``whole_reads.py``: for each of the helpers' own queries (``Sdk...``, one root
    field) whose nested connections completion can page, its analysis as plain data
    (`fluent_sdk.graphql._completion.analysis_data`: the rewritten text, the connections, the
    follow-ups' text and complexity). A helper reads it whole (`fluent_sdk.helpers._whole`)
    with no schema to load. None when there is no such query (a user's package)."""
    import pprint

    from graphql import parse

    from fluent_sdk.errors import ValidationError
    from fluent_sdk.graphql._completion import analyse, analysis_data
    from fluent_sdk.graphql._complexity import operation_of

    reads: dict[str, dict[str, Any]] = {}
    for name in sorted(documents):
        text = documents[name][1]
        if not is_private(name, private_prefix):
            continue
        operation = operation_of(parse(text), name)
        if (
            operation.operation != OperationType.QUERY
            or len(operation.selection_set.selections) != 1
        ):
            continue
        analysis = analyse(text, name, schema)
        try:
            analysis.check_completable(skip=analysis.cursor_connection)
        except ValidationError:
            continue  # complete=True refuses it at run time
        reads[name] = analysis_data(analysis)
    if not reads:
        return None
    lines = [
        '"""What reading the helpers\' own queries whole needs, worked out with the schema when',
        "the client was generated: each query's analysis for nested completion, as plain data",
        "(`fluent_sdk.graphql._completion.analysis_from_data` reads it). Nothing is parsed and no",
        'schema is loaded at run time."""',
        "",
        "from typing import Any",
        "",
        '__all__ = ["WHOLE_READS"]',
        "",
        "#: Operation name -> its analysis (`fluent_sdk.graphql._completion.analysis_data`).",
        "WHOLE_READS: dict[str, dict[str, Any]] = "
        + pprint.pformat(reads, width=96, sort_dicts=False),
    ]
    return "\n".join(lines) + "\n"


class FluentClientPlugin(Plugin):
    def __init__(self, schema: GraphQLSchema, config_dict: dict[str, Any]) -> None:
        super().__init__(schema, config_dict)
        self._input_type_names = {
            name for name, t in schema.type_map.items() if isinstance(t, GraphQLInputObjectType)
        }
        self._enum_names = {
            name
            for name, t in schema.type_map.items()
            if isinstance(t, GraphQLEnumType) and not name.startswith("__")
        }
        self._module_uses_lenient_enum = False
        self._result_classes: set[str] = set()
        # operation name -> (constant in documents.py, document text)
        self._documents: dict[str, tuple[str, str]] = {}
        # (method name, iter arguments, node class, node module, first/after python names)
        self._paginated: list[dict[str, Any]] = []
        tables = load_tables(config_dict)
        self._private_prefix: str = tables.PRIVATE_PREFIX
        self._result_models: dict[str, list[Any]] = {}
        for entry in tables.RESULT_MODELS:
            self._result_models.setdefault(entry.operation, []).append(entry)
        self._mapped: set[tuple[str, str]] = set()

    # -- names ----------------------------------------------------------------------------

    def process_name(self, name: str, node: Any = None) -> str:
        """The helpers' own operations (``Sdk...``) become private methods and modules."""
        if (
            isinstance(node, OperationDefinitionNode)
            and node.name is not None
            and is_private(node.name.value, self._private_prefix)
            and not name.startswith("_")
        ):
            return f"_{name}"
        return name

    # -- arguments ------------------------------------------------------------------------

    def generate_arguments(
        self,
        arguments: ast.arguments,
        variable_definitions: tuple[VariableDefinitionNode, ...],
    ) -> ast.arguments:
        arguments.kwarg = None
        for arg in [*arguments.args, *arguments.kwonlyargs]:
            if arg.annotation is not None:
                arg.annotation = self._accept_dicts(arg.annotation)
        return arguments

    def _accept_dicts(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Name) and node.id.strip("\"'") in self._input_type_names:
            return ast.Subscript(
                value=ast.Name(id="Union"),
                slice=ast.Tuple(
                    elts=[
                        node,
                        ast.Subscript(
                            value=ast.Name(id="dict"),
                            slice=ast.Tuple(elts=[ast.Name(id="str"), ast.Name(id="Any")]),
                        ),
                    ]
                ),
            )
        if isinstance(node, ast.Subscript):
            node.slice = self._accept_dicts(node.slice)
        elif isinstance(node, ast.Tuple):
            node.elts = [self._accept_dicts(e) for e in node.elts]
        return node

    # -- result classes (to know which node classes exist) --------------------------------

    def generate_result_class(
        self, class_def: ast.ClassDef, operation_definition: Any, selection_set: Any
    ) -> ast.ClassDef:
        self._result_classes.add(class_def.name)
        return class_def

    # -- lenient enums in results ----------------------------------------------------------

    def generate_result_field(
        self, field_implementation: ast.AnnAssign, operation_definition: Any, field: Any
    ) -> ast.AnnAssign:
        """A result enum also accepts any string: a newer server may send values this schema
        does not list. Known values still parse to the enum member."""
        field_implementation.annotation = self._lenient_enums(field_implementation.annotation)
        return field_implementation

    def _lenient_enums(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Name) and node.id.strip("\"'") in self._enum_names:
            self._module_uses_lenient_enum = True
            return ast.Subscript(
                value=ast.Name(id="Annotated"),
                slice=ast.Tuple(
                    elts=[
                        ast.Subscript(
                            value=ast.Name(id="Union"),
                            slice=ast.Tuple(elts=[node, ast.Name(id="str")]),
                        ),
                        ast.Call(
                            func=ast.Name(id="Field"),
                            args=[],
                            keywords=[
                                ast.keyword(arg="union_mode", value=ast.Constant("left_to_right"))
                            ],
                        ),
                    ]
                ),
            )
        if isinstance(node, ast.Subscript):
            node.slice = self._lenient_enums(node.slice)
        elif isinstance(node, ast.Tuple):
            node.elts = [self._lenient_enums(e) for e in node.elts]
        return node

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: Any
    ) -> ast.Module:
        name = operation_definition.name.value if operation_definition.name else ""
        for entry in self._result_models.get(name, []):
            self._use_model(module, name, entry)
        fragments = {
            alias.asname or alias.name
            for statement in module.body
            if isinstance(statement, ast.ImportFrom) and statement.module == "fragments"
            for alias in statement.names
        }
        module.body = [_fragment_subclass(statement, fragments) for statement in module.body]
        if self._module_uses_lenient_enum:
            # Duplicate imports are merged (and unused ones dropped) by the ruff pass.
            module.body[0:0] = [
                ast.ImportFrom(
                    module="typing",
                    names=[ast.alias(name="Annotated"), ast.alias(name="Union")],
                    level=0,
                ),
                ast.ImportFrom(module="pydantic", names=[ast.alias(name="Field")], level=0),
            ]
            self._module_uses_lenient_enum = False
        return module

    def _use_model(self, module: ast.Module, operation: str, entry: Any) -> None:
        """Replace the generated class at ``entry.path`` (and the classes only it uses) with
        an import of ``entry.model`` under the generated name."""
        target = operation + "".join(str_to_pascal_case(key) for key in entry.path.split("."))
        defined: dict[str, ast.stmt] = {}
        for statement in module.body:
            if isinstance(statement, ast.ClassDef):
                defined[statement.name] = statement
            elif isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
                defined[statement.targets[0].id] = statement
        if target not in defined:
            raise RuntimeError(f"{operation}: no result class {target} for {entry.path!r}")
        removed: set[str] = set()
        pending = [target]
        while pending:
            current = pending.pop()
            if current in removed:
                continue
            removed.add(current)
            statement = defined[current]
            if isinstance(statement, ast.ClassDef):
                for field in statement.body:
                    if isinstance(field, ast.AnnAssign):
                        pending.extend(
                            n
                            for n in _referenced_names(field.annotation)
                            if n in defined and n != current
                        )
        module.body = [
            statement
            for statement in module.body
            if not (
                isinstance(statement, (ast.ClassDef, ast.Assign))
                and (
                    (
                        statement.name
                        if isinstance(statement, ast.ClassDef)
                        else getattr(statement.targets[0], "id", None)
                    )
                    in removed
                )
            )
        ]
        # ``from <module> import Model as _Model`` then ``Target = _Model``: the client imports
        # ``Target`` from this module like any result class.
        model_module, _, model_class = entry.model.rpartition(".")
        local = f"_{model_class}"
        module.body.insert(
            0,
            ast.ImportFrom(
                module=model_module, names=[ast.alias(name=model_class, asname=local)], level=0
            ),
        )
        module.body.append(
            ast.Assign(targets=[ast.Name(id=target)], value=ast.Name(id=local), lineno=1)
        )
        self._mapped.add((operation, entry.path))

    # -- inputs ---------------------------------------------------------------------------

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        """Input models derive from ``BaseInputModel`` (unknown keys refused), results stay on
        the lenient ``BaseModel``."""
        for node in module.body:
            if isinstance(node, ast.ImportFrom) and node.module == "base_model":
                node.names = [ast.alias(name="BaseInputModel")]
            elif isinstance(node, ast.ClassDef):
                node.bases = [
                    ast.Name(id="BaseInputModel")
                    if isinstance(base, ast.Name) and base.id == "BaseModel"
                    else base
                    for base in node.bases
                ]
        return module

    # -- methods --------------------------------------------------------------------------

    def generate_client_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
        operation_name = operation_definition.name.value if operation_definition.name else None
        mutation = operation_definition.operation == OperationType.MUTATION
        query_assign, variables_assign, response_assign, _data_assign, return_stmt = method_def.body
        assert isinstance(query_assign, ast.Assign)
        assert isinstance(variables_assign, (ast.Assign, ast.AnnAssign))
        assert isinstance(response_assign, ast.Assign)
        assert isinstance(return_stmt, ast.Return)
        assert isinstance(return_stmt.value, ast.Call)
        query_name = query_assign.targets[0]
        variables_name = (
            variables_assign.target
            if isinstance(variables_assign, ast.AnnAssign)
            else variables_assign.targets[0]
        )
        query_assign.value = self._stored_document(
            method_def.name, operation_name or "", query_assign.value
        )
        input_types = {
            definition.variable.name.value: _named_type_name(definition.type)
            for definition in operation_definition.variable_definitions
            if _named_type_name(definition.type) in self._input_type_names
        }
        send: ast.expr = ast.Call(
            func=ast.Attribute(value=ast.Name(id="self"), attr="_send_operation"),
            args=[query_name, ast.Constant(operation_name), variables_name],
            keywords=[
                ast.keyword(arg="mutation", value=ast.Constant(mutation)),
                ast.keyword(
                    arg="input_types",
                    value=ast.Dict(
                        keys=[ast.Constant(k) for k in sorted(input_types)],
                        values=[ast.Constant(input_types[k]) for k in sorted(input_types)],
                    )
                    if input_types
                    else ast.Constant(None),
                ),
            ],
        )
        if isinstance(response_assign.value, ast.Await):
            send = ast.Await(value=send)
        response_assign.value = send
        response_name = response_assign.targets[0]
        result_call = return_stmt.value
        assert isinstance(result_call.func, ast.Attribute)
        result_call.func.attr = "from_graphql_response"
        result_call.args = [response_name, ast.Constant(operation_name)]
        method_def.body = [query_assign, variables_assign, response_assign, return_stmt]
        private = is_private(operation_name or "", self._private_prefix)
        if not mutation and not private:
            self._record_pagination(method_def, operation_definition)
        return method_def

    def _stored_document(self, method_name: str, operation_name: str, value: ast.expr) -> ast.expr:
        """Record the document of ariadne's ``query = gql(...)`` for ``documents.py`` and
        read it from there instead."""
        assert isinstance(value, ast.Call)
        assert value.args
        # ariadne passes the document as a list of one constant per line.
        parts: Any = value.args[0]
        lines = parts if isinstance(parts, list) else [parts]
        text = textwrap.dedent("".join(str(line.value) for line in lines)).strip()
        constant = document_constant(method_name)
        self._documents[operation_name] = (constant, text)
        return ast.Attribute(value=ast.Name(id=_DOCUMENTS_ALIAS), attr=constant)

    def _record_pagination(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation: OperationDefinitionNode,
    ) -> None:
        roots = operation.selection_set.selections
        if len(roots) != 1 or not isinstance(roots[0], FieldNode):
            return
        root = roots[0]
        query_type = self.schema.query_type
        if query_type is None or root.name.value not in query_type.fields:
            return
        if connection_node_type(query_type.fields[root.name.value].type) is None:
            return
        variable_of_argument = {
            argument.name.value: argument.value.name.value
            for argument in root.arguments
            if isinstance(argument.value, VariableNode)
        }
        if not all(name in variable_of_argument for name in PAGINATION_ARGUMENTS):
            return
        edges = _only_field(root.selection_set, "edges")
        node = _only_field(edges.selection_set if edges else None, "node")
        if edges is None or node is None or _only_field(edges.selection_set, "cursor") is None:
            return
        operation_name = operation.name.value if operation.name else ""
        node_class = "".join(
            str_to_pascal_case(part)
            for part in (operation_name, _response_key(root), _response_key(edges))
        ) + str_to_pascal_case(_response_key(node))
        python_names = {
            argument: str_to_snake_case(variable_of_argument[argument])
            for argument in SKIPPED_ITER_ARGUMENTS
            if argument in variable_of_argument
        }
        self._paginated.append(
            {
                "method": method_def.name,
                "arguments": method_def.args,
                "node_class": node_class,
                "module": method_def.name,
                "python_names": python_names,
                "field": root.name.value,
                "operation": operation_name,
                "first_variable": variable_of_argument["first"],
            }
        )

    # -- module ---------------------------------------------------------------------------

    def generate_client_module(self, module: ast.Module) -> ast.Module:
        client_class = next(s for s in module.body if isinstance(s, ast.ClassDef))
        base_module = next(
            s
            for s in module.body
            if isinstance(s, ast.ImportFrom) and s.module and s.module.endswith("base_client")
        )
        self._paginator = "AsyncPaginator" if "async" in (base_module.module or "") else "Paginator"
        unused = {
            (entry.operation, entry.path)
            for entries in self._result_models.values()
            for entry in entries
            if entry.operation in self._documents
        } - self._mapped
        if unused:
            raise RuntimeError(f"result models never applied: {sorted(unused)}")
        # The documents live in documents.py now: ariadne's identity ``gql`` is unused.
        module.body = [
            s for s in module.body if not (isinstance(s, ast.FunctionDef) and s.name == "gql")
        ]
        self._write_documents_module()
        imports: list[ast.stmt] = [
            ast.ImportFrom(
                module="fluent_sdk.graphql._pagination",
                names=[ast.alias(name="DEFAULT_PAGE_SIZE")],
                level=0,
            ),
            ast.ImportFrom(
                module=None,
                names=[ast.alias(name=DOCUMENTS_MODULE, asname=_DOCUMENTS_ALIAS)],
                level=1,
            ),
        ]
        for entry in self._paginated:
            if entry["node_class"] not in self._result_classes:
                continue
            client_class.body.append(self._iter_method(entry))
            imports.append(
                ast.ImportFrom(
                    module=entry["module"], names=[ast.alias(name=entry["node_class"])], level=1
                )
            )
        imports.append(
            ast.ImportFrom(
                module=base_module.module, names=[ast.alias(name=self._paginator)], level=1
            )
        )
        position = module.body.index(base_module) + 1
        module.body[position:position] = imports
        return module

    def _write_documents_module(self) -> None:
        path = _documents_path(self.config_dict)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_documents_module(self._documents), encoding="utf-8")
        whole_reads = render_whole_reads_module(self._documents, self.schema, self._private_prefix)
        if whole_reads is not None:
            path.with_name(f"{WHOLE_READS_MODULE}.py").write_text(whole_reads, encoding="utf-8")

    def _largest_page(self, entry: dict[str, Any]) -> int:
        """The largest page size whose complexity estimate of the operation's document (as
        sent, fragments included; other variables at their defaults) is within Fluent's limit.
        Computed here, with the schema at hand, so that paginators clamp their page size with
        no schema to load at run time."""
        from fluent_sdk.graphql._complexity import page_cost

        operation = entry["operation"]
        document = self._documents[operation][1]
        largest = page_cost(
            document, {}, entry["first_variable"], operation_name=operation, schema=self.schema
        ).largest_page()
        if largest < 1:
            raise RuntimeError(
                f"{operation}: above Fluent's complexity limit even at one node per page"
            )
        return largest

    def _iter_method(self, entry: dict[str, Any]) -> ast.FunctionDef:
        source: ast.arguments = entry["arguments"]
        skipped = set(entry["python_names"].values())
        positional = [a for a in source.args if a.arg != "self" and a.arg not in skipped]
        defaults_by_name = (
            dict(
                zip(
                    [a.arg for a in source.args][-len(source.defaults) :],
                    source.defaults,
                    strict=True,
                )
            )
            if source.defaults
            else {}
        )
        keep = list(positional)
        call_keywords = [ast.keyword(arg=a.arg, value=ast.Name(id=a.arg)) for a in keep]
        names = entry["python_names"]
        call_keywords.append(ast.keyword(arg=names["first"], value=ast.Name(id="first")))
        call_keywords.append(ast.keyword(arg=names["after"], value=ast.Name(id="after")))
        fetch = ast.Lambda(
            args=ast.arguments(
                posonlyargs=[],
                args=[ast.arg(arg="first"), ast.arg(arg="after")],
                kwonlyargs=[],
                kw_defaults=[],
                defaults=[],
            ),
            body=ast.Call(
                func=ast.Attribute(value=ast.Name(id="self"), attr=entry["method"]),
                args=[],
                keywords=call_keywords,
            ),
        )
        body: list[ast.stmt] = [
            ast.Return(
                value=ast.Call(
                    func=ast.Attribute(value=ast.Name(id="self"), attr="_paginate"),
                    args=[fetch],
                    keywords=[
                        ast.keyword(arg="page_size", value=ast.Name(id="page_size")),
                        ast.keyword(arg="max_items", value=ast.Name(id="max_items")),
                        ast.keyword(arg="after", value=ast.Name(id="after")),
                        ast.keyword(arg="operation", value=ast.Constant(entry["field"])),
                        ast.keyword(
                            arg="max_page_size", value=ast.Constant(self._largest_page(entry))
                        ),
                    ],
                )
            )
        ]
        required = [a for a in keep if a.arg not in defaults_by_name]
        optional = [a for a in keep if a.arg in defaults_by_name]
        arguments = ast.arguments(
            posonlyargs=[],
            args=[ast.arg(arg="self"), *required, *optional],
            kwonlyargs=[
                ast.arg(arg="page_size", annotation=ast.Name(id="int")),
                ast.arg(arg="max_items", annotation=ast.Name(id="Optional[int]")),
                ast.arg(arg="after", annotation=ast.Name(id="Optional[str]")),
            ],
            kw_defaults=[
                ast.Name(id="DEFAULT_PAGE_SIZE"),
                ast.Constant(None),
                ast.Constant(None),
            ],
            defaults=[defaults_by_name[a.arg] for a in optional],
        )
        paginator = self._paginator
        return ast.FunctionDef(
            name=f"iter_{entry['method']}",
            args=arguments,
            body=body,
            decorator_list=[],
            returns=ast.Subscript(
                value=ast.Name(id=paginator), slice=ast.Name(id=entry["node_class"])
            ),
            lineno=1,
            **_TYPE_PARAMS,
        )


def _fragment_subclass(statement: ast.stmt, fragments: set[str]) -> ast.stmt:
    """``OrderOrder = OrderFields`` (a selection that is one fragment spread) as
    ``class OrderOrder(OrderFields): pass``: every result is its own class, named after its
    field, and derives from the one fragment model."""
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and isinstance(statement.value, ast.Name)
        and statement.value.id in fragments
    ):
        return ast.ClassDef(
            name=statement.targets[0].id,
            bases=[ast.Name(id=statement.value.id)],
            keywords=[],
            body=[ast.Pass()],
            decorator_list=[],
            **_TYPE_PARAMS,
        )
    return statement


def _referenced_names(annotation: ast.expr) -> set[str]:
    """Class names an annotation mentions, quoted or not."""
    names: set[str] = set()
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            names.add(node.id.strip("\"'"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value.strip("\"'"))
    return names


class FluentAliasesPlugin(Plugin):
    """Adds the deprecated aliases of the tables (`fluent_sdk._codegen.tables.ALIASES`) to the
    client. It runs after ariadne's ``ShorterResultsPlugin``, so it copies final methods.

    An alias has its old signature and warns (`fluent_sdk.graphql._runtime.deprecated_call`);
    otherwise it *is* its target: the same document (the one selection, read into the one
    model), sent under the alias's old operation name (``SettingCreate``; renamed at run time by
    `fluent_sdk.graphql._runtime.renamed_document`, so each document is still stored once), so
    nothing changes on the wire until the caller moves to the new name. An ``iter_`` alias pages
    through its page alias."""

    def generate_client_module(self, module: ast.Module) -> ast.Module:
        tables = load_tables(self.config_dict)
        client_class = next(s for s in module.body if isinstance(s, ast.ClassDef))
        methods = {
            m.name: m
            for m in client_class.body
            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        aliases = list(tables.ALIASES)
        missing = [a.name for a in aliases if a.target not in methods]
        if missing:
            raise RuntimeError(f"aliases whose target is not generated: {missing}")
        if not aliases:
            return module
        names = {a.name for a in aliases}
        for alias in aliases:
            if alias.name in methods:
                raise RuntimeError(f"alias {alias.name} is also an operation's method")
            client_class.body.append(_alias_method(alias, methods[alias.target], names))
        position = next(i for i, s in enumerate(module.body) if isinstance(s, ast.ImportFrom))
        module.body[position:position] = [
            ast.ImportFrom(
                module="typing_extensions", names=[ast.alias(name="deprecated")], level=0
            ),
            ast.ImportFrom(
                module="fluent_sdk.graphql._runtime",
                names=[ast.alias(name=_DEPRECATED_CALL), ast.alias(name=_RENAMED_DOCUMENT)],
                level=0,
            ),
        ]
        return module


def _documents_path(config_dict: dict[str, Any]) -> Path:
    section = config_dict.get("tool", {}).get("ariadne-codegen", {})
    package = Path(section["target_package_path"]) / str(section["target_package_name"])
    return package / f"{DOCUMENTS_MODULE}.py"


def _operation_of(method: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str] | None:
    """(documents constant, operation name) of an operation method; None for a paginator."""
    constant = operation = None
    for node in ast.walk(method):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == _DOCUMENTS_ALIAS
        ):
            constant = node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "_send_operation"
            and isinstance(node.args[1], ast.Constant)
        ):
            operation = str(node.args[1].value)
    return (constant, operation) if constant and operation else None


def _alias_signature(alias: Any, target: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.arguments:
    source = target.args
    positional = {a.arg: a for a in source.args}
    defaults = dict(
        zip(
            [a.arg for a in source.args][len(source.args) - len(source.defaults) :],
            source.defaults,
            strict=True,
        )
    )
    args: list[ast.arg] = [ast.arg(arg="self")]
    arg_defaults: list[ast.expr] = []
    for name in alias.parameters:
        if name not in positional:
            raise RuntimeError(f"alias {alias.name}: {target.name}() has no parameter {name!r}")
        args.append(copy.deepcopy(positional[name]))
        if name in alias.required:
            if arg_defaults:
                raise RuntimeError(f"alias {alias.name}: required {name!r} after optional ones")
        else:
            arg_defaults.append(copy.deepcopy(defaults.get(name, ast.Constant(None))))
    return ast.arguments(
        posonlyargs=[],
        args=args,
        kwonlyargs=copy.deepcopy(source.kwonlyargs),
        kw_defaults=copy.deepcopy(source.kw_defaults),
        defaults=arg_defaults,
    )


def _kept(value: ast.expr, names: set[str]) -> bool:
    return not isinstance(value, ast.Name) or value.id in names


def _alias_method(
    alias: Any, target: ast.FunctionDef | ast.AsyncFunctionDef, aliases: set[str]
) -> ast.FunctionDef | ast.AsyncFunctionDef:
    """The alias method: the target's body, under the alias's old operation name (the
    document, stored once, is renamed on first use and cached)."""
    arguments = _alias_signature(alias, target)
    passed = {a.arg for a in [*arguments.args, *arguments.kwonlyargs]} | {"first", "after"}
    body = copy.deepcopy(target.body)
    operation = _operation_of(target)
    if operation is not None:
        constant, old_name = operation
        name = str_to_pascal_case(alias.name)
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(node, ast.Constant) and node.value == old_name:
                node.value = name  # the operation name sent, and in error messages
            elif isinstance(node, ast.Dict):  # the variables: only what the alias takes
                kept = [
                    (k, v) for k, v in zip(node.keys, node.values, strict=True) if _kept(v, passed)
                ]
                node.keys = [k for k, _ in kept]
                node.values = [v for _, v in kept]
        for statement in body:  # the target's document, renamed (once, cached)
            if (
                isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Attribute)
                and statement.value.attr == constant
            ):
                statement.value = ast.Call(
                    func=ast.Name(id=_RENAMED_DOCUMENT),
                    args=[statement.value, ast.Constant(old_name), ast.Constant(name)],
                    keywords=[],
                )
    else:  # a paginator: page through the page alias when there is one
        page = alias.name.removeprefix("iter_")
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and (isinstance(node.func.value, ast.Name) and node.func.value.id == "self")
                and node.func.attr != "_paginate"
            ):
                if page in aliases:
                    node.func.attr = page
                node.keywords = [k for k in node.keywords if _kept(k.value, passed)]
    warning = ast.Expr(
        value=ast.Call(
            func=ast.Name(id=_DEPRECATED_CALL),
            args=[ast.Constant(alias.name), ast.Constant(target.name), ast.Constant(alias.reason)],
            keywords=[],
        )
    )
    # Type checkers and IDEs flag a deprecated call from the decorator (PEP 702); the warning at
    # run time is deprecated_call's, which spares the SDK's own modules.
    decorator = ast.Call(
        func=ast.Name(id="deprecated"),
        args=[ast.Constant(f"use {target.name}(): {alias.reason}")],
        keywords=[ast.keyword(arg="category", value=ast.Constant(None))],
    )
    imports = [statement for statement in body if isinstance(statement, ast.ImportFrom)]
    assert body[: len(imports)] == imports  # the lazy import of the result model comes first
    kind = ast.AsyncFunctionDef if isinstance(target, ast.AsyncFunctionDef) else ast.FunctionDef
    method = kind(
        name=alias.name,
        args=arguments,
        body=[*imports, warning, *body[len(imports) :]],
        decorator_list=[decorator],
        returns=copy.deepcopy(target.returns),
        lineno=1,
        **_TYPE_PARAMS,
    )
    return method
