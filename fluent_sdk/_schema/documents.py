"""Validate GraphQL operation documents (and their shared fragments) against a schema.

Layout under an operations folder (default ``graphql/operations``):

* ``fragments/**/*.graphql`` hold fragment definitions. Each file is self-contained: every
  fragment it spreads is defined in the same file.
* every other ``**/*.graphql`` file holds named operations, which may spread any fragment from
  ``fragments/``; the needed fragment definitions are appended before validation.

Operation and fragment names must be unique across the folder, as code generators require,
with one exception: a hand-written operation named like a generated default document
(``generated/``, first line the generator's header) *overrides* it. The generated file stays (it
is reproducible and covers the schema), but the client is built from the override, which must
keep the default's contract: same kind, same single root field, and every variable of the
default passed to the same argument with the same type. It may add variables (the page size of
a nested connection, say). `overridden_files` names the generated files so replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Node,
    NoUnusedFragmentsRule,
    OperationDefinitionNode,
    Source,
    VariableNode,
    parse,
    print_ast,
    specified_rules,
    validate,
    visit,
)
from graphql.language import Visitor

from fluent_sdk.errors import DocumentValidationError

__all__ = [
    "DEFAULT_OPERATIONS_DIR",
    "DocumentProblem",
    "DocumentValidationError",
    "collect_documents",
    "estimate_cost",
    "estimate_costs",
    "overridden_files",
    "validate_operations_dir",
    "validate_texts",
]

DEFAULT_OPERATIONS_DIR = Path("graphql/operations")
_FRAGMENTS_DIR = "fragments"
_FRAGMENT_FILE_RULES = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]


@dataclass(frozen=True)
class DocumentProblem:
    """One validation problem, located by file, line and column (1-based)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


def _problem_at(node: Node | None, fallback: str, message: str) -> DocumentProblem:
    if node is not None and node.loc is not None:
        source = node.loc.source
        location = source.get_location(node.loc.start)
        return DocumentProblem(source.name, location.line, location.column, message)
    return DocumentProblem(fallback, 1, 1, message)


def _problems_from_errors(errors: Iterable[GraphQLError], fallback: str) -> list[DocumentProblem]:
    problems: list[DocumentProblem] = []
    for error in errors:
        node = error.nodes[0] if error.nodes else None
        problems.append(_problem_at(node, fallback, error.message))
    return problems


class _SpreadCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: object) -> None:
        self.names.add(node.name.value)


def _spread_names(node: Node) -> set[str]:
    collector = _SpreadCollector()
    visit(node, collector)
    return collector.names


def _parse(path: str, text: str) -> DocumentNode | DocumentProblem:
    try:
        return parse(Source(text, path))
    except GraphQLSyntaxError as exc:
        location = exc.locations[0] if exc.locations else None
        line, column = (location.line, location.column) if location else (1, 1)
        return DocumentProblem(path, line, column, exc.message)


def _with_fragments(
    document: DocumentNode, library: Mapping[str, FragmentDefinitionNode]
) -> DocumentNode:
    """Append the library fragments ``document`` needs (transitively) and does not define."""
    local = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    needed: dict[str, FragmentDefinitionNode] = {}
    pending = sorted(_spread_names(document) - local)
    while pending:
        name = pending.pop()
        if name in needed or name in local or name not in library:
            continue  # unknown names are reported by validation (KnownFragmentNames)
        needed[name] = library[name]
        pending.extend(sorted(_spread_names(library[name]) - local - set(needed)))
    if not needed:
        return document
    definitions = (*document.definitions, *(needed[name] for name in sorted(needed)))
    return DocumentNode(definitions=definitions, loc=document.loc)


def _is_generated_text(text: str) -> bool:
    from fluent_sdk._schema.operations import GENERATED_HEADER

    return text.split("\n", 1)[0].rstrip() == GENERATED_HEADER


def _named_operations(path: str, text: str) -> list[OperationDefinitionNode]:
    parsed = _parse(path, text)
    if isinstance(parsed, DocumentProblem):
        return []
    return [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode) and d.name]


def _overrides(
    operations: Mapping[Path, str] | Mapping[str, str],
) -> dict[str, tuple[OperationDefinitionNode, OperationDefinitionNode, str]]:
    """Operation name -> (override, generated default, generated file) for each generated
    default that exactly one hand-written operation redefines."""
    generated: dict[str, tuple[OperationDefinitionNode, str]] = {}
    written: dict[str, list[OperationDefinitionNode]] = {}
    for raw_path, text in operations.items():
        path = str(raw_path)
        for operation in _named_operations(path, text):
            assert operation.name is not None
            if _is_generated_text(text):
                generated[operation.name.value] = (operation, path)
            else:
                written.setdefault(operation.name.value, []).append(operation)
    return {
        name: (written[name][0], default, path)
        for name, (default, path) in generated.items()
        if len(written.get(name, [])) == 1
    }


def overridden_files(operations: Mapping[Path, str]) -> set[Path]:
    """The generated default documents that a hand-written operation overrides."""
    names = _overrides(operations)
    return {path for path in operations if str(path) in {v[2] for v in names.values()}}


def _override_problems(
    override: OperationDefinitionNode, default: OperationDefinitionNode, fallback: str
) -> list[DocumentProblem]:
    name = override.name.value if override.name else ""

    def problem(message: str) -> DocumentProblem:
        return _problem_at(
            override, fallback, f"Operation {name!r} overrides the generated default but {message}."
        )

    if override.operation != default.operation:
        return [problem(f"is a {override.operation.value}, not a {default.operation.value}")]
    [default_root] = default.selection_set.selections
    roots = override.selection_set.selections
    if (
        len(roots) != 1
        or not isinstance(roots[0], FieldNode)
        or not isinstance(default_root, FieldNode)
        or roots[0].name.value != default_root.name.value
    ):
        return [problem("does not select the same single root field")]
    root = roots[0]
    passed = {
        argument.name.value: argument.value.name.value
        for argument in root.arguments
        if isinstance(argument.value, VariableNode)
    }
    types = {d.variable.name.value: print_ast(d.type) for d in override.variable_definitions}
    problems = []
    for definition in default.variable_definitions:
        variable = definition.variable.name.value
        if types.get(variable) != print_ast(definition.type) or passed.get(variable) != variable:
            problems.append(
                problem(f"does not pass ${variable}: {print_ast(definition.type)} as {variable}")
            )
    return problems


def validate_texts(
    schema: GraphQLSchema,
    operations: Mapping[Path, str] | Mapping[str, str],
    fragments: Mapping[Path, str] | Mapping[str, str] | None = None,
) -> list[DocumentProblem]:
    """Validate operation documents and fragment files given as text, keyed by path."""
    problems: list[DocumentProblem] = []
    library: dict[str, FragmentDefinitionNode] = {}
    fragment_origin: dict[str, str] = {}
    for raw_path, text in sorted((fragments or {}).items(), key=lambda item: str(item[0])):
        path = str(raw_path)
        parsed = _parse(path, text)
        if isinstance(parsed, DocumentProblem):
            problems.append(parsed)
            continue
        for definition in parsed.definitions:
            if not isinstance(definition, FragmentDefinitionNode):
                problems.append(
                    _problem_at(definition, path, "Fragment files may only define fragments.")
                )
                continue
            name = definition.name.value
            if name in library:
                problems.append(
                    _problem_at(
                        definition,
                        path,
                        f"Fragment {name!r} is already defined in {fragment_origin[name]}.",
                    )
                )
                continue
            library[name] = definition
            fragment_origin[name] = path
        problems.extend(_problems_from_errors(validate(schema, parsed, _FRAGMENT_FILE_RULES), path))

    overrides = _overrides(operations)
    overridden = {path for _override, _default, path in overrides.values()}
    operation_origin: dict[str, str] = {}
    for raw_path, text in sorted(
        operations.items(), key=lambda item: (str(item[0]) not in overridden, str(item[0]))
    ):
        path = str(raw_path)
        parsed = _parse(path, text)
        if isinstance(parsed, DocumentProblem):
            problems.append(parsed)
            continue
        operation_nodes = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
        if not operation_nodes:
            problems.append(DocumentProblem(path, 1, 1, "Document defines no operation."))
        for operation in operation_nodes:
            if operation.name is None:
                problems.append(
                    _problem_at(operation, path, "Operations must be named (operationName).")
                )
                continue
            name = operation.name.value
            if name in overrides and operation_origin.get(name) == overrides[name][2]:
                problems.extend(_override_problems(operation, overrides[name][1], path))
            elif name in operation_origin:
                problems.append(
                    _problem_at(
                        operation,
                        path,
                        f"Operation {name!r} is already defined in {operation_origin[name]}.",
                    )
                )
            else:
                operation_origin[name] = path
        for definition in parsed.definitions:
            if isinstance(definition, FragmentDefinitionNode) and definition.name.value in library:
                problems.append(
                    _problem_at(
                        definition,
                        path,
                        f"Fragment {definition.name.value!r} is already defined in "
                        f"{fragment_origin[definition.name.value]}.",
                    )
                )
        combined = _with_fragments(parsed, library)
        problems.extend(_problems_from_errors(validate(schema, combined), path))
    # A broken fragment is reported by its own file and again by each operation using it.
    return list(dict.fromkeys(problems))


def collect_documents(
    operations_dir: str | Path = DEFAULT_OPERATIONS_DIR,
) -> tuple[dict[Path, str], dict[Path, str]]:
    """Read ``(operations, fragments)`` texts under ``operations_dir``, keyed by path."""
    root = Path(operations_dir)
    fragments_root = root / _FRAGMENTS_DIR
    operations: dict[Path, str] = {}
    fragments: dict[Path, str] = {}
    for path in sorted(root.rglob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        if path.is_relative_to(fragments_root):
            fragments[path] = text
        else:
            operations[path] = text
    return operations, fragments


def validate_operations_dir(
    schema: GraphQLSchema, operations_dir: str | Path = DEFAULT_OPERATIONS_DIR
) -> list[DocumentProblem]:
    """Validate every operation and fragment file under ``operations_dir``."""
    operations, fragments = collect_documents(operations_dir)
    return validate_texts(schema, operations, fragments)


def estimate_cost(
    document: DocumentNode, *, page_size: int = 10, schema: GraphQLSchema | None = None
) -> int:
    """The highest ``estimate_costs`` value among the document's operations (0 if none)."""
    return max(estimate_costs(document, page_size=page_size, schema=schema).values(), default=0)


def estimate_costs(
    document: DocumentNode, *, page_size: int = 10, schema: GraphQLSchema | None = None
) -> dict[str, int]:
    """Complexity per operation, by the SDK's one estimate (`fluent_sdk.graphql.complexity`:
    one per root field, plus the product of the enclosing page sizes for every nested
    connection and linked entity).

    A connection's page size is its ``first`` (or ``last``) when that is an integer literal or a
    variable with a default, otherwise ``page_size`` (Fluent's default page is 10). ``schema``
    defaults to the one shipped with the SDK.
    """
    from fluent_sdk.graphql._complexity import complexity

    costs: dict[str, int] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name else ""
        single = DocumentNode(
            definitions=(
                definition,
                *(d for d in document.definitions if isinstance(d, FragmentDefinitionNode)),
            )
        )
        costs[name] = complexity(single, schema=schema, default_page_size=page_size)
    return costs
