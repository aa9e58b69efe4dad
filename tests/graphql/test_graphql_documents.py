"""Each operation document is stored once (``fluent_sdk/_generated/documents.py``), shared by the
sync and async clients, sent as written, and importing it parses nothing."""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path

import httpx

from fluent_sdk import FluentClient
from fluent_sdk._codegen.tables import ALIASES
from fluent_sdk._generated import documents
from fluent_sdk._generated.operation_index import OPERATIONS
from fluent_sdk.graphql import AsyncGraphQL, GraphQL

GENERATED = Path(documents.__file__).parent


def _document_reads(path: Path) -> dict[str, str]:
    """Method name -> the ``documents`` constant its ``query = ...`` line reads."""
    reads: dict[str, str] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and isinstance(statement.value, ast.Attribute)
                and isinstance(statement.value.value, ast.Name)
                and statement.value.value.id == "_documents"
            ):
                reads[node.name] = statement.value.attr
    return reads


def test_every_method_reads_its_document_from_the_one_module() -> None:
    sync_reads = _document_reads(GENERATED / "client.py")
    async_reads = _document_reads(GENERATED / "async_client.py")
    assert sync_reads == async_reads
    assert set(sync_reads) == set(OPERATIONS)
    for method, constant in sync_reads.items():
        _kind, operation, _fields = OPERATIONS[method]
        assert documents.BY_OPERATION[operation] is getattr(documents, constant), method
    assert len(set(sync_reads.values())) == len(sync_reads)  # one document per method
    # The deprecated aliases store nothing: they rename their target's document on first use.
    source = "".join((GENERATED / "client.py").read_text(encoding="utf-8").split())
    for alias in ALIASES:
        if not alias.name.startswith("iter_"):
            constant = sync_reads[alias.target]
            assert f"renamed_document(_documents.{constant}," in source, alias.name


def test_the_clients_inline_no_document_text() -> None:
    for name in ("client.py", "async_client.py"):
        source = (GENERATED / name).read_text(encoding="utf-8")
        strings = [
            node.value
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        ]
        assert not [s for s in strings if "{" in s and ("query " in s or "mutation " in s)]
        assert "gql(" not in source
    # Spot check: the method's source names its constant, the constant holds the document.
    assert "_documents.ORDER_BY_ID" in inspect.getsource(GraphQL.order_by_id)
    assert "_documents.ORDER_BY_ID" in inspect.getsource(AsyncGraphQL.order_by_id)


def test_documents_are_plain_strings_and_import_parses_nothing() -> None:
    for operation, text in documents.BY_OPERATION.items():
        assert isinstance(text, str)
        assert text == text.strip()
        assert f" {operation}" in text.splitlines()[0], operation
    code = (
        "import sys; import fluent_sdk._generated.client, fluent_sdk._generated.async_client; "
        "print(sorted(m for m in sys.modules if m == 'graphql' or m.startswith('graphql.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"  # graphql-core is not even imported


def test_the_stored_document_is_what_is_sent() -> None:
    sent: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"data": {"orderById": None}})

    with FluentClient(
        base_url="https://acme.sandbox.api.fluentretail.com",
        token="t",
        transport=httpx.MockTransport(answer),
    ) as client:
        assert client.graphql.order_by_id(id="1") is None
    assert sent[0]["query"] == documents.ORDER_BY_ID
    assert sent[0]["operationName"] == "OrderById"
