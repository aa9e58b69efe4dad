"""The Plugin (rules) API namespace."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
import respx

from fluent_sdk.errors import BadRequestError, PermissionDeniedError, ValidationError
from fluent_sdk.rest.plugins import AsyncPlugins, Plugins

from .conftest import Rest, body_of

RULES = {
    "FLUENTRETAIL.base.SendEventToVirtualCatalogue": {
        "name": "SendEventToVirtualCatalogue",
        "description": "Sends an event to the virtual catalogue {catalogueRef}",
        "eventAttributes": [],
        "ruleInfo": {
            "name": "SendEventToVirtualCatalogue",
            "description": "Sends an event to the virtual catalogue",
            "accepts": [
                {
                    "entityType": "INVENTORY_POSITION",
                    "entitySubtype": "DEFAULT",
                    "eventName": "",
                    "status": "",
                }
            ],
            "produces": [{"eventName": "{eventName}", "entityType": "VIRTUAL_POSITION"}],
            "ruleException": [],
        },
        "parameters": [
            {
                "name": "catalogueRef",
                "description": "Virtual catalogue ref",
                "type": "STRING",
                "multiple": False,
            },
            {
                "name": "eventName",
                "description": "Event to send",
                "type": "STRING",
                "multiple": False,
            },
        ],
        "futureField": {"kept": True},
    },
    "ACME.order.SetState": {"name": "SetState", "parameters": []},
}
PLUGIN_PATH = "/orchestration/rest/v1/plugin"


def plugins_of(rest: Rest) -> Plugins | AsyncPlugins:
    namespace: Plugins | AsyncPlugins = rest.make(Plugins, AsyncPlugins)
    return namespace


@pytest.fixture
def jar(tmp_path: Path) -> Path:
    path = tmp_path / "acme-order-1.0.3.jar"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    return path


@pytest.fixture
def jar_bytes(jar: Path) -> bytes:
    return jar.read_bytes()


async def test_list_rules(rest: Rest, api: respx.MockRouter) -> None:
    route = api.get(f"{PLUGIN_PATH}/").respond(200, json=RULES)

    rules = await rest.run(plugins_of(rest).list())

    assert route.called
    assert sorted(rules) == sorted(RULES)
    rule = rules["FLUENTRETAIL.base.SendEventToVirtualCatalogue"]
    assert [p.name for p in rule.parameters] == ["catalogueRef", "eventName"]
    assert rule.parameters[0].type == "STRING"
    assert rule.accepts[0].entity_type == "INVENTORY_POSITION"
    assert rule.model_extra == {"futureField": {"kept": True}}
    assert rules["ACME.order.SetState"].accepts == []


async def test_upload_sends_the_jar_as_multipart(
    rest: Rest, api: respx.MockRouter, jar: Path, jar_bytes: bytes
) -> None:
    route = api.post(f"{PLUGIN_PATH}/upload").respond(200, json={"bundleName": "ACME.order::1.0.3"})

    uploaded = await rest.run(plugins_of(rest).upload(jar))

    request = route.calls.last.request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="acme-order-1.0.3.jar"' in request.content
    assert jar_bytes in request.content
    assert uploaded.model_extra == {"bundleName": "ACME.order::1.0.3"}


async def test_upload_rejected_by_the_plugin_service(
    rest: Rest, api: respx.MockRouter, jar: Path
) -> None:
    api.post(f"{PLUGIN_PATH}/upload").respond(
        400, json={"message": '"tmpfile" is not a valid JAR file', "status": 400}
    )

    with pytest.raises(BadRequestError, match="is not a valid JAR file") as caught:
        await rest.run(plugins_of(rest).upload(str(jar)))

    assert caught.value.status == 400


async def test_upload_refuses_missing_or_non_jar_files(
    rest: Rest, api: respx.MockRouter, tmp_path: Path
) -> None:
    text = tmp_path / "rules.jar"
    text.write_text("not a zip")

    for path in (tmp_path / "missing.jar", text, tmp_path):
        with pytest.raises(ValidationError) as caught:
            await rest.run(plugins_of(rest).upload(path))
        assert caught.value.field == "path_to_jar"
    assert not api.calls


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        ({}, {"accountId": "ACME", "bundleName": "ACME.order::1.0.3"}),
        ({"account_id": "ACME2"}, {"accountId": "ACME2", "bundleName": "ACME.order::1.0.3"}),
    ],
)
async def test_install(
    rest: Rest, api: respx.MockRouter, kwargs: dict[str, Any], body: dict[str, str]
) -> None:
    route = api.post(f"{PLUGIN_PATH}/install").respond(200, content=b"")

    await rest.run(plugins_of(rest).install("ACME.order::1.0.3", **kwargs))

    assert body_of(route.calls.last) == body


async def test_status(rest: Rest, api: respx.MockRouter) -> None:
    api.get(f"{PLUGIN_PATH}/ACME.order::1.0.3/status").respond(
        200, json={"bundleVersion": "1.0.3", "bundleStatus": "ACTIVE"}
    )

    status = await rest.run(plugins_of(rest).status("ACME.order::1.0.3"))

    assert (status.bundle_version, status.bundle_status) == ("1.0.3", "ACTIVE")


async def test_permission_error_shape(rest: Rest, api: respx.MockRouter) -> None:
    api.get(f"{PLUGIN_PATH}/").respond(403, json={"message": "PLUGIN_VIEW required", "status": 403})

    with pytest.raises(PermissionDeniedError, match="PLUGIN_VIEW required"):
        await rest.run(plugins_of(rest).list())


@pytest.mark.parametrize(
    "bundle_name", ["", "ACME", "ACME.order", "ACME.order::1/../x", "../x::1", None]
)
async def test_bad_bundle_name_is_refused_before_any_request(
    rest: Rest, api: respx.MockRouter, bundle_name: Any
) -> None:
    plugins = plugins_of(rest)
    for call in (plugins.install, plugins.status):
        with pytest.raises(ValidationError) as caught:
            await rest.run(call(bundle_name))
        assert caught.value.field == "bundle_name"
    assert not api.calls
