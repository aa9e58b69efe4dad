"""Pages and paginators in a notebook: a page is a table of its nodes with the cursor and
hasNextPage; a paginator describes itself without any request; ``to_records`` / ``to_pandas``
walk the nodes (``max_items`` caps the rows and the page requested) into dotted columns; a
missing pandas is explained before anything is fetched."""

from __future__ import annotations

import builtins
import html
import json
import re
import sys
from typing import Any

import pytest
from IPython.core.formatters import DisplayFormatter

from fluent_sdk import AsyncFluentClient, FluentClient
from fluent_sdk._display import nodes_html
from fluent_sdk._redact import MASK
from fluent_sdk.graphql import AsyncPaginator, Page, Paginator
from fluent_sdk.sandbox import Sandbox

from .support import CLIENT_SECRET, SERVICE_TOKEN, add_providers, graphql_requests

PANDAS_HINT = "pip install 'fluent-sdk[pandas]'"


def _first_page(client: FluentClient, page_size: int) -> Page[Any]:
    return next(iter(client.graphql.iter_payment_service_providers(page_size=page_size).pages()))


def _columns(page_html: str) -> list[str]:
    header = re.search(r"<thead>(.*?)</thead>", page_html)
    assert header is not None, "no node table"
    return [html.unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", header.group(1))]


def _first_variables(sandbox: Sandbox) -> dict[str, Any]:
    body = json.loads(sandbox.requests.filter("POST /graphql")[0].body)
    variables: dict[str, Any] = body["variables"]
    return variables


@pytest.fixture
def client(fluent_sandbox: Sandbox, fluent_client: FluentClient) -> FluentClient:
    add_providers(fluent_sandbox, 5)
    return fluent_client


@pytest.fixture
def no_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import pandas`` fail, as where it is not installed."""
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)


# ---- Page -----------------------------------------------------------------------------------


def test_page_html_is_a_node_table_with_cursor_and_has_next_page(client: FluentClient) -> None:
    page = _first_page(client, 2)

    text = page._repr_html_()

    assert "<b>Page: 2 nodes</b>" in text
    assert re.search(r"hasNextPage</th><td[^>]*>true<", text)
    assert page.end_cursor
    assert html.escape(page.end_cursor) in text
    assert _columns(text)[:3] == ["id", "ref", "name"]
    assert {"retailer.id", "clientSecret"} <= set(_columns(text))
    assert text.count("<tr><td") == 2
    assert "attributes" in _columns(text)
    assert "[1 item]" in text
    assert CLIENT_SECRET not in text
    assert SERVICE_TOKEN not in text
    assert MASK in text
    assert "<script>" not in text


def test_page_table_shows_the_first_rows_only(client: FluentClient) -> None:
    page = _first_page(client, 5)

    text = nodes_html("Page", page.nodes, max_rows=2, max_columns=3)

    assert text.count("<tr><td") == 2
    assert _columns(text) == ["id", "ref", "name"]
    assert "first 2 of 5 nodes shown" in text
    assert "more columns: " in text
    assert "clientId" in text


def test_page_plain_repr_is_short(client: FluentClient) -> None:
    page = _first_page(client, 2)

    text = repr(page)

    assert text == f"<Page nodes=2 has_next_page=True end_cursor={page.end_cursor!r}>"


def test_page_to_pandas_has_a_row_per_node_and_dotted_columns(client: FluentClient) -> None:
    page = _first_page(client, 3)

    frame = page.to_pandas()

    assert list(frame["ref"]) == [node.ref for node in page.nodes]
    assert "retailer.id" in frame.columns
    assert set(frame["clientSecret"]) == {MASK}
    assert page.to_records()[0]["retailer.id"] == "1"


# ---- paginators -----------------------------------------------------------------------------


def test_displaying_a_paginator_makes_no_request(
    client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    client.login()
    before = len(fluent_sandbox.requests)
    paginator = client.graphql.iter_payment_service_providers(page_size=2, max_items=3)

    plain = repr(paginator)
    rich = paginator._repr_html_()
    bundle, _ = DisplayFormatter().format(paginator)  # what Jupyter does with a cell's value

    assert len(fluent_sandbox.requests) == before
    assert plain == (
        "<Paginator operation='paymentServiceProviders' page_size=2 max_items=3 after=None "
        "cursor=None>"
    )
    assert "Paginator over paymentServiceProviders" in rich
    assert "for node in" in rich
    assert bundle["text/html"] == rich
    assert bundle["text/plain"] == plain


def test_paginator_repr_follows_the_cursor(client: FluentClient, fluent_sandbox: Sandbox) -> None:
    paginator = client.graphql.iter_payment_service_providers(page_size=2)
    first = next(iter(paginator.pages()))
    requests = len(fluent_sandbox.requests)

    assert f"cursor={first.end_cursor!r}" in repr(paginator)
    assert html.escape(str(first.end_cursor)) in paginator._repr_html_()
    assert len(fluent_sandbox.requests) == requests


def test_paginator_to_pandas_walks_every_page(
    client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    paginator = client.graphql.iter_payment_service_providers(page_size=2)

    frame = paginator.to_pandas()

    assert sorted(frame["ref"]) == [f"PSP-{n:02d}" for n in range(5)]
    assert graphql_requests(fluent_sandbox) == 3
    assert {"retailer.id", "createdOn", "clientSecret"} <= set(frame.columns)
    assert set(frame["clientSecret"]) == {MASK}
    assert paginator.cursor is not None  # resumable, as after a for loop


def test_paginator_to_pandas_max_items_caps_rows_and_the_page_asked_for(
    client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    paginator = client.graphql.iter_payment_service_providers()  # page_size 1000

    frame = paginator.to_pandas(max_items=2)

    assert len(frame) == 2
    assert graphql_requests(fluent_sandbox) == 1
    assert _first_variables(fluent_sandbox)["first"] == 2
    # The paginator's own settings are unchanged: a later walk sees every node.
    assert len(paginator.to_records()) == 5


def test_paginator_to_records_respects_the_paginators_own_max_items(
    client: FluentClient,
) -> None:
    paginator = client.graphql.iter_payment_service_providers(page_size=2, max_items=3)

    assert len(paginator.to_records()) == 3
    assert len(paginator.to_records(max_items=10)) == 3
    assert len(paginator.to_records(max_items=1)) == 1


def test_to_pandas_rejects_a_bad_max_items_before_any_request(
    client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    from fluent_sdk.errors import ValidationError

    with pytest.raises(ValidationError, match="max_items"):
        client.graphql.iter_payment_service_providers().to_pandas(max_items=-1)
    assert graphql_requests(fluent_sandbox) == 0


async def test_async_paginator_to_pandas_is_awaited(
    fluent_sandbox: Sandbox, async_fluent_client: AsyncFluentClient
) -> None:
    add_providers(fluent_sandbox, 5)
    paginator = async_fluent_client.graphql.iter_payment_service_providers(page_size=2)
    assert isinstance(paginator, AsyncPaginator)
    requests = len(fluent_sandbox.requests)

    assert "AsyncPaginator over paymentServiceProviders" in paginator._repr_html_()
    assert "async for node in" in paginator._repr_html_()
    assert repr(paginator).startswith("<AsyncPaginator operation='paymentServiceProviders'")
    assert len(fluent_sandbox.requests) == requests

    frame = await paginator.to_pandas()
    capped = await paginator.to_pandas(max_items=3)
    records = await paginator.to_records(max_items=1)

    assert sorted(frame["ref"]) == [f"PSP-{n:02d}" for n in range(5)]
    assert "retailer.id" in frame.columns
    assert len(capped) == 3
    assert len(records) == 1
    page = await anext(paginator.pages())
    assert page.to_pandas()["ref"].tolist() == [node.ref for node in page.nodes]


# ---- pandas missing -------------------------------------------------------------------------


@pytest.mark.usefixtures("no_pandas")
def test_missing_pandas_is_explained_before_any_request(
    client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    paginator = client.graphql.iter_payment_service_providers(page_size=2)

    with pytest.raises(ImportError, match=re.escape(PANDAS_HINT)):
        paginator.to_pandas()
    assert graphql_requests(fluent_sandbox) == 0


@pytest.mark.usefixtures("no_pandas")
def test_missing_pandas_is_explained_for_models_and_pages(client: FluentClient) -> None:
    page = _first_page(client, 2)
    model = page.nodes[0]

    for convert in (page.to_pandas, model.to_pandas):
        with pytest.raises(ImportError, match=re.escape(PANDAS_HINT)):
            convert()
    assert page.to_records()
    assert model.to_records()


async def test_missing_pandas_is_explained_for_async_paginators(
    fluent_sandbox: Sandbox, async_fluent_client: AsyncFluentClient, no_pandas: None
) -> None:
    paginator = async_fluent_client.graphql.iter_payment_service_providers()

    with pytest.raises(ImportError, match=re.escape(PANDAS_HINT)):
        await paginator.to_pandas()
    assert graphql_requests(fluent_sandbox) == 0


def test_paginator_types() -> None:
    # The display additions are on the classes the generated clients return.
    assert hasattr(Paginator, "to_pandas")
    assert hasattr(AsyncPaginator, "to_pandas")
    assert hasattr(Page, "_repr_html_")
