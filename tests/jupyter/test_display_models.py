"""Generated models in a notebook: ``_repr_html_`` (key fields first, nested objects summarised,
lists counted, raw JSON escaped and collapsible, secrets masked), ``to_records`` / ``to_pandas``
with dotted columns, and a plain repr that shows no secret."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest

from fluent_sdk import FluentClient
from fluent_sdk._display import ModelDisplay
from fluent_sdk._generated.base_model import BaseModel
from fluent_sdk._generated.payment_service_providers import (
    PaymentServiceProvidersPaymentServiceProvidersEdgesNode as ProviderNode,
)
from fluent_sdk._redact import MASK
from fluent_sdk.graphql._runtime import GeneratedModel
from fluent_sdk.sandbox import Sandbox

from .support import CLIENT_SECRET, MARKUP, SERVICE_TOKEN, add_providers


def _row_names(page_html: str) -> list[str]:
    """The row headers of the first (summary) table."""
    first_table = page_html.split("</table>", 1)[0]
    return [html.unescape(name) for name in re.findall(r"<th[^>]*>(.*?)</th>", first_table)]


def _summary(page_html: str) -> dict[str, str]:
    first_table = page_html.split("</table>", 1)[0]
    pairs = re.findall(r"<th[^>]*>(.*?)</th><td[^>]*>(.*?)</td>", first_table)
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


def _raw_json(page_html: str) -> str:
    match = re.search(
        r"<details><summary>raw JSON</summary><pre>(.*?)</pre></details>", page_html, re.S
    )
    assert match is not None, "no collapsible raw JSON"
    return match.group(1)


@pytest.fixture
def provider(fluent_sandbox: Sandbox, fluent_client: FluentClient) -> ProviderNode:
    add_providers(fluent_sandbox, 1)
    connection = fluent_client.graphql.payment_service_providers(first=1)
    assert connection is not None
    assert connection.edges
    assert connection.edges[0]
    node = connection.edges[0].node
    assert isinstance(node, ProviderNode)
    return node


def test_every_generated_model_has_the_display_methods() -> None:
    assert issubclass(ProviderNode, BaseModel)
    assert issubclass(BaseModel, ModelDisplay)
    assert issubclass(BaseModel, GeneratedModel)
    # The mixin adds behaviour only: no fields, no per-instance state, same parsing.
    assert BaseModel.model_fields == {}
    assert ModelDisplay.__slots__ == ()
    node = ProviderNode.model_validate(
        {
            "id": "1",
            "ref": "P",
            "clientId": "c",
            "clientSecret": "s",
            "serviceAuthToken": "t",
            "host": "h",
            "port": 1,
            "retailer": {"id": "1"},
        }
    )
    assert node.client_secret == "s"
    assert node.retailer.id == "1"


def test_html_shows_key_fields_first_then_nested_then_lists(provider: ProviderNode) -> None:
    page = provider._repr_html_()

    names = _row_names(page)
    assert names[:3] == ["id", "ref", "name"]
    assert names.index("createdOn") < names.index("host")  # key fields before other scalars
    assert names.index("port") < names.index("retailer") < names.index("attributes")
    summary = _summary(page)
    assert summary["ref"] == "PSP-00"
    assert summary["retailer"] == "id=1"  # a nested object by its key fields
    assert summary["attributes"] == "[1 item]"  # a list as a count
    assert "PSP-00" in page.split("<table>", 1)[0]  # the title names the entity


def test_html_escapes_markup_in_table_and_raw_json(provider: ProviderNode) -> None:
    page = provider._repr_html_()

    assert "<script>" not in page
    assert html.escape(MARKUP) in page.split("<details>", 1)[0]
    raw = _raw_json(page)
    assert "<" not in raw
    assert "&quot;ref&quot;: &quot;PSP-00&quot;" in raw
    assert html.escape(MARKUP) in raw
    assert '"tier"' in html.unescape(raw)  # the raw JSON is complete, lists included


def test_html_and_records_never_show_secret_fields(provider: ProviderNode) -> None:
    page = provider._repr_html_()
    records = provider.to_records()

    for text in (page, str(records)):
        assert CLIENT_SECRET not in text
        assert SERVICE_TOKEN not in text
    assert _summary(page)["clientSecret"] == MASK
    assert records[0]["serviceAuthToken"] == MASK
    assert provider.client_secret == CLIENT_SECRET  # the model itself keeps the value


def test_plain_repr_is_pydantics_with_secrets_masked(provider: ProviderNode) -> None:
    for text in (repr(provider), str(provider)):
        assert CLIENT_SECRET not in text
        assert SERVICE_TOKEN not in text
        assert "ref='PSP-00'" in text
        assert f"client_secret='{MASK}'" in text
    assert repr(provider).startswith("PaymentServiceProvidersPaymentServiceProvidersEdgesNode(")


def test_registered_secrets_are_masked_in_any_field(
    fluent_sandbox: Sandbox, fluent_client: FluentClient
) -> None:
    token = fluent_client.login().access_token.get_secret_value()
    password = fluent_sandbox.credentials["password"]
    add_providers(fluent_sandbox, 1, name=f"copied {password} and {token}")
    connection = fluent_client.graphql.payment_service_providers(first=1)
    assert connection is not None

    node = connection.edges[0].node  # type: ignore[index, union-attr]
    for text in (connection._repr_html_(), node._repr_html_(), repr(node)):  # type: ignore[union-attr]
        assert password not in text
        assert token not in text
        assert MASK in text


def test_connection_model_shows_a_node_table(
    fluent_sandbox: Sandbox, fluent_client: FluentClient
) -> None:
    add_providers(fluent_sandbox, 3)
    connection = fluent_client.graphql.payment_service_providers(first=2)
    assert connection is not None

    page = connection._repr_html_()

    summary = _summary(page)
    assert summary["hasNextPage"] == "true"
    assert summary["endCursor"] == connection.edges[-1].cursor  # type: ignore[index, union-attr]
    header = re.search(r"<thead>(.*?)</thead>", page)
    assert header is not None
    columns = [html.unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", header.group(1))]
    assert columns[:3] == ["id", "ref", "name"]
    assert "retailer.id" in columns
    assert page.count("<tr><td") == 2
    assert CLIENT_SECRET not in page
    assert "<script>" not in page


def test_model_to_pandas_has_dotted_columns(fluent_client: FluentClient) -> None:
    locations = fluent_client.graphql.locations(first=10)
    assert locations is not None
    assert locations.edges

    frame = locations.to_pandas()  # a connection: one row per node
    node_frame = locations.edges[0].node.to_pandas()  # type: ignore[union-attr]

    assert len(frame) == len(locations.edges) == 3
    assert {"ref", "primaryAddress.city", "retailer.ref", "openingSchedule.monStart"} <= set(
        frame.columns
    )
    assert sorted(frame["ref"]) == ["LOC_DC", "LOC_MELB", "LOC_SYD"]
    assert len(node_frame) == 1
    assert node_frame.loc[0, "retailer.ref"] == "SANDBOX"
    assert locations.edges[0].node.to_records() == [node_frame.iloc[0].dropna().to_dict()]  # type: ignore[union-attr]


def test_displaying_a_model_does_not_import_pandas() -> None:
    code = (
        "import sys\n"
        "from fluent_sdk.sandbox import Sandbox\n"
        "with Sandbox().client() as client:\n"
        "    locations = client.graphql.locations(first=2)\n"
        "    locations._repr_html_(); locations.edges[0].node._repr_html_()\n"
        "    locations.to_records(); repr(locations)\n"
        "    pages = client.graphql.iter_locations(page_size=2)\n"
        "    page = next(iter(pages.pages())); page._repr_html_(); page.to_records()\n"
        "    pages._repr_html_(); pages.to_records()\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr


def test_typename_columns_stay_in_the_rows_but_not_in_the_table(
    fluent_client: FluentClient,
) -> None:
    locations = fluent_client.graphql.locations(first=1)
    assert locations is not None

    header = re.search(r"<thead>(.*?)</thead>", locations._repr_html_())

    assert header is not None
    assert "primaryAddress.__typename" in locations.to_records()[0]
    assert "__typename" not in header.group(1)
    assert "primaryAddress.city" in header.group(1) or "more columns" in locations._repr_html_()


def test_html_titles_are_one_clean_name_per_model(fluent_client: FluentClient) -> None:
    me = fluent_client.graphql.me()
    assert "<b>Me sandbox_admin</b>" in me._repr_html_()
    assert "MeMe" not in me._repr_html_()
    orders = fluent_client.graphql.orders(first=2)
    assert "<b>Orders: " in orders._repr_html_()


def test_progress_counts_are_plain_integers(monkeypatch: pytest.MonkeyPatch) -> None:
    from fluent_sdk.helpers import _inventory_run

    shown: list[str] = []

    class Bar:
        def update(self, count: int) -> None: ...

        def set_postfix_str(self, text: str, refresh: bool = True) -> None:
            shown.append(text)

        def close(self) -> None: ...

    monkeypatch.setattr(_inventory_run, "_interactive", lambda: True)
    monkeypatch.setattr(_inventory_run, "_progress_bar", lambda total: Bar())
    progress = _inventory_run._Progress(True, 20_000)
    progress.update(1, accepted=0, rejected=20_000)
    assert shown == ["accepted=0, rejected=20000"]


def test_cli_profile_help_shows_a_placeholder() -> None:
    from typer.testing import CliRunner

    from fluent_sdk.cli import build_app

    result = CliRunner().invoke(build_app(), ["inventory", "update", "--help"])
    text = " ".join(result.output.split())
    assert "~/.fluentcommerce//" not in text
    assert "~/.fluentcommerce/PROFILE/" in text
