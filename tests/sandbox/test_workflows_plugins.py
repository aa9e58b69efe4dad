from __future__ import annotations

import io
import zipfile

import httpx

from .helpers import data


def workflow(**extra: object) -> dict[str, object]:
    return {
        "retailerId": "1",
        "name": "RETURN_ORDER::DEFAULT",
        "statuses": [{"name": "CREATED"}, {"name": "APPROVED"}],
        "rulesets": [
            {
                "name": "Approve",
                "triggers": [{"status": "CREATED"}],
                "rules": [{"name": "SANDBOX.base.SetState", "props": {"status": "APPROVED"}}],
            }
        ],
        **extra,
    }


def test_put_increments_versions_and_get_returns_latest(http: httpx.Client) -> None:
    first = http.put("/api/v4.1/workflow", json=workflow())
    assert first.status_code == 200
    assert first.json() == {"entityId": "1-RETURN_ORDER::DEFAULT::1", "eventStatus": "COMPLETE"}
    second = http.put("/api/v4.1/workflow", json=workflow(description="v2"))
    assert second.json()["entityId"] == "1-RETURN_ORDER::DEFAULT::2"
    latest = http.get("/api/v4.1/workflow/1/RETURN_ORDER::DEFAULT").json()
    assert (latest["version"], latest["description"]) == (2, "v2")
    assert latest["rulesets"][0]["name"] == "Approve"
    older = http.get("/api/v4.1/workflow/1/RETURN_ORDER::DEFAULT", params={"version": "1"}).json()
    assert older["version"] == 1
    missing = http.get("/api/v4.1/workflow/1/NOPE::NOPE")
    assert missing.status_code == 404
    assert missing.json() == {"errors": [{"code": "404", "message": "Unable to find Workflow"}]}


def test_invalid_workflow_is_rejected(http: httpx.Client) -> None:
    response = http.put(
        "/api/v4.1/workflow", json={"name": "ORDER::HD", "rulesets": "nope", "retailerId": "1"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "400"


def test_new_entities_take_the_current_workflow_version(http: httpx.Client) -> None:
    http.put("/api/v4.1/workflow", json=workflow(name="CARRIER::DEFAULT"))
    http.put("/api/v4.1/workflow", json=workflow(name="CARRIER::DEFAULT"))
    carrier = data(
        http,
        'mutation { createCarrier(input: {ref: "DHL", name: "DHL", type: "DEFAULT", retailer: '
        "{id: 1}}) { workflowRef workflowVersion } }",
    )["createCarrier"]
    assert carrier == {"workflowRef": "CARRIER::DEFAULT", "workflowVersion": 2}


def jar(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_plugin_upload_install_status_and_listing(http: httpx.Client) -> None:
    listing = http.get("/orchestration/rest/v1/plugin/").json()
    assert "SANDBOX.base.SetState" in listing
    assert listing["SANDBOX.base.SetState"]["ruleInfo"]["name"] == "SetState"

    bundle = jar(
        {
            "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\r\nBundle-SymbolicName: "
            b"ACME.fulfilment\r\nBundle-Version: 1.2.0\r\n",
            "com/acme/rules/ReserveStockRule.class": b"\xca\xfe\xba\xbe",
            "com/acme/rules/Helper.class": b"\xca\xfe\xba\xbe",
        }
    )
    uploaded = http.post(
        "/orchestration/rest/v1/plugin/upload", files={"file": ("acme.jar", bundle)}
    )
    assert uploaded.status_code == 200
    assert uploaded.json()["bundleName"] == "ACME.fulfilment::1.2.0"
    installed = http.post(
        "/orchestration/rest/v1/plugin/install",
        json={"accountId": "ACME", "bundleName": "ACME.fulfilment::1.2.0"},
    )
    assert installed.json()["bundleStatus"] == "ACTIVE"
    status = http.get("/orchestration/rest/v1/plugin/ACME.fulfilment::1.2.0/status").json()
    assert status == {
        "bundleName": "ACME.fulfilment::1.2.0",
        "bundleVersion": "1.2.0",
        "bundleStatus": "ACTIVE",
    }
    rules = http.get("/orchestration/rest/v1/plugin").json()
    assert "ACME.fulfilment.ReserveStockRule" in rules
    assert not any(name.endswith("Helper") for name in rules)


def test_plugin_errors_use_plugin_shape(http: httpx.Client) -> None:
    bad = http.post("/orchestration/rest/v1/plugin/upload", files={"file": ("x.jar", b"not a jar")})
    assert bad.status_code == 400
    assert bad.json() == {"message": '"tmpfile" is not a valid JAR file', "status": 400}
    missing = http.get("/orchestration/rest/v1/plugin/NOPE::1/status")
    assert missing.status_code == 404
    assert missing.json()["status"] == 404
