"""`client.settings` against the sandbox: get, create-or-update by value type, search."""

from __future__ import annotations

from typing import Any

import pytest

from fluent_sdk import FluentClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.helpers._common import Plan
from fluent_sdk.helpers.settings import Setting, Settings, infer_value_type
from fluent_sdk.sandbox import Sandbox


def stored(sandbox: Sandbox, name: str) -> list[dict[str, Any]]:
    return [r for r in sandbox.store.all("Setting") if r.get("name") == name]


def sent(sandbox: Sandbox, operation: str) -> list[dict[str, Any]]:
    return [
        entry.json()["variables"]["input"]
        for entry in sandbox.requests.filter("graphql")
        if entry.json().get("operationName") == operation
    ]


def test_get_reads_each_context_and_decodes_the_value(fluent_client: FluentClient) -> None:
    assert isinstance(fluent_client.settings, Settings)

    retailer = fluent_client.settings.get("sandbox.retailer.config")
    account = fluent_client.settings.get("fc.enable.batch.preprocessing", context="ACCOUNT")

    assert retailer is not None
    assert (retailer.context, retailer.context_id, retailer.value_type) == ("RETAILER", 1, "JSON")
    assert retailer.value == {"currency": "AUD", "defaultCatalogue": "PC:MASTER:1"}
    assert account is not None
    assert account.value is False
    assert account.raw_value == "false"
    assert fluent_client.settings.get("sandbox.retailer.config", context_id=2) is None
    assert fluent_client.settings.get("fc.graphql.comment.access") is None  # ACCOUNT only
    assert fluent_client.settings.value("missing.setting", default="dflt") == "dflt"


@pytest.mark.parametrize(
    ("value", "value_type", "raw", "lob"),
    [
        (True, "BOOLEAN", "true", None),
        (42, "INTEGER", "42", None),
        ("hello", "STRING", "hello", None),
        ({"AU": ["DC1", "DC2"]}, "JSON", None, {"AU": ["DC1", "DC2"]}),
        ([1, 2], "JSON", None, [1, 2]),
    ],
)
def test_set_creates_with_the_inferred_value_type(
    fluent_client: FluentClient,
    fluent_sandbox: Sandbox,
    value: Any,
    value_type: str,
    raw: str | None,
    lob: Any,
) -> None:
    setting = fluent_client.settings.set("acme.setting", value)

    assert (setting.value_type, setting.value) == (value_type, value)
    [created] = sent(fluent_sandbox, "CreateSetting")
    expected = {"lobValue": lob} if lob is not None else {"value": raw}
    assert created == {
        "name": "acme.setting",
        "valueType": value_type,
        "context": "RETAILER",
        "contextId": 1,
        **expected,
    }
    assert fluent_client.settings.value("acme.setting") == value


def test_set_updates_in_place_and_skips_identical_writes(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    first = fluent_client.settings.set("sandbox.retailer.config", {"currency": "NZD"})
    again = fluent_client.settings.set("sandbox.retailer.config", {"currency": "NZD"})
    as_lob = fluent_client.settings.set("sandbox.retailer.config", "big text", value_type="lob")

    assert first.id == again.id == as_lob.id == "3"
    assert len(stored(fluent_sandbox, "sandbox.retailer.config")) == 1
    updates = sent(fluent_sandbox, "UpdateSetting")
    assert [u.get("lobValue") for u in updates] == [{"currency": "NZD"}, "big text"]
    assert updates[0]["id"] == "3"
    assert (as_lob.value_type, as_lob.value) == ("LOB", "big text")


def test_set_with_explicit_types_and_contexts(
    fluent_client: FluentClient, fluent_sandbox: Sandbox
) -> None:
    account = fluent_client.settings.set("fc.graphql.comment.access", "everyone", context="account")
    agent = fluent_client.settings.set(
        "acme.store.flag", "TRUE", context="AGENT", context_id=7, value_type="BOOLEAN"
    )
    number_text = fluent_client.settings.set("acme.limit", "15", value_type="INTEGER")
    string_of_number = fluent_client.settings.set("acme.label", 15, value_type="STRING")

    assert (account.id, account.context, account.context_id) == ("1", "ACCOUNT", 0)
    assert account.value == "everyone"
    assert (agent.context, agent.context_id, agent.value) == ("AGENT", 7, True)
    assert number_text.value == 15
    assert string_of_number.value == "15"


def test_iter_filters_by_wildcard_name_and_context(fluent_client: FluentClient) -> None:
    fluent_client.settings.set("acme.one", 1)
    fluent_client.settings.set("acme.two", "2", context="ACCOUNT")

    names = sorted(s.name for s in fluent_client.settings.iter(name="acme.%"))
    account = sorted(s.name for s in fluent_client.settings.iter(context="ACCOUNT"))
    paged = list(fluent_client.settings.iter(page_size=1, max_items=3))

    assert names == ["acme.one", "acme.two"]
    assert account == ["acme.two", "fc.enable.batch.preprocessing", "fc.graphql.comment.access"]
    assert len(paged) == 3
    assert all(isinstance(s, Setting) for s in paged)


def test_secret_looking_settings_are_masked_in_reprs(fluent_client: FluentClient) -> None:
    setting = fluent_client.settings.set("acme.carrier.api_key", "k-123456789")
    plain = fluent_client.settings.set("acme.colour", "blue")

    assert "k-123456789" not in repr(setting)
    assert "k-123456789" not in setting._repr_html_()
    assert setting.value == "k-123456789"
    assert "'blue'" in repr(plain)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "value": 1}, "name"),
        ({"name": "a.%", "value": 1}, "name"),
        ({"name": "a", "value": None}, "value"),
        ({"name": "a", "value": 1.5}, "value_type"),
        ({"name": "a", "value": object()}, "value_type"),
        ({"name": "a", "value": "yes", "value_type": "BOOLEAN"}, "value"),
        ({"name": "a", "value": "x1", "value_type": "INTEGER"}, "value"),
        ({"name": "a", "value": {"a": 1}, "value_type": "STRING"}, "value"),
        ({"name": "a", "value": {1, 2}, "value_type": "JSON"}, "value"),
        ({"name": "a", "value": 1, "context": "AGENT"}, "context_id"),
        ({"name": "a", "value": 1, "context": ""}, "context"),
        ({"name": "a", "value": 1, "context_id": -1}, "context_id"),
    ],
)
def test_bad_arguments_raise_before_any_request(
    fluent_sandbox: Sandbox, kwargs: dict[str, Any], field: str
) -> None:
    with fluent_sandbox.client() as client, pytest.raises(ValidationError) as error:
        client.settings.set(**kwargs)
    assert error.value.field == field
    assert len(fluent_sandbox.requests) == 0


def test_infer_value_type() -> None:
    values: tuple[Any, ...] = (False, 0, "", {}, [], ())
    assert [infer_value_type(v) for v in values] == [
        "BOOLEAN",
        "INTEGER",
        "STRING",
        "JSON",
        "JSON",
        "JSON",
    ]


def test_a_concurrent_create_turns_into_an_update(
    fluent_client: FluentClient, fluent_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone else creates the setting between our lookup and our create.
    original = Settings._find_plan
    calls = {"n": 0}

    def find_then_race(self: Settings, name: str, scope: Any) -> Plan[Setting | None]:
        calls["n"] += 1
        found = yield from original(self, name, scope)
        if calls["n"] == 1:
            other = fluent_sandbox.client()
            other.graphql.create_setting(
                input={
                    "name": name,
                    "valueType": "STRING",
                    "value": "theirs",
                    "context": "RETAILER",
                    "contextId": 1,
                }
            )
            other.close()
        return found

    monkeypatch.setattr(Settings, "_find_plan", find_then_race)

    setting = fluent_client.settings.set("acme.raced", "ours")

    assert setting.value == "ours"
    assert [r["value"] for r in stored(fluent_sandbox, "acme.raced")] == ["ours"]
    # Theirs, ours (a conflict: looked up again), then our update.
    ops = [e.json()["operationName"] for e in fluent_sandbox.requests.filter("graphql")][-4:]
    assert ["Create" in op for op in ops] == [True, True, False, False]
    assert ops[2] == "Settings"
    assert "Update" in ops[3]
