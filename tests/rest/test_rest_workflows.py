"""The Workflow API namespace and the lossless `Workflow` model."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from fluent_sdk.errors import BadRequestError, NotFoundError, ServerError, ValidationError
from fluent_sdk.rest.workflows import AsyncWorkflows, Workflow, Workflows

from .conftest import Rest, body_of

# Shaped like the documented appeasement workflow, plus fields this SDK does not model
# (they must survive a read/write unchanged).
WORKFLOW: dict[str, Any] = {
    "retailerId": "1",
    "version": "1.27",
    "entityType": "ORDER",
    "entitySubtype": "HD",
    "name": "ORDER::HD",
    "description": "Home delivery orders",
    "versionComment": "add cancel",
    "createdBy": "api_user",
    "createdOn": "2024-05-10T09:59:00.000+0000",
    "id": 3,
    "statuses": [
        {"name": "CREATED", "entityType": "ORDER", "category": "BOOKING"},
        {"name": "CANCELLED", "entityType": "ORDER", "category": "DONE", "colour": "#ff0000"},
    ],
    "rulesets": [
        {
            "name": "CancelOrder",
            "description": "Cancel an order",
            "type": "ORDER",
            "subtype": "HD",
            "eventType": "NORMAL",
            "rules": [
                {"name": "ACME.order.SetState", "props": {"status": "CANCELLED"}},
                {
                    "name": "ACME.order.SendWebhook",
                    "props": {"url": "https://x.example", "retries": 3},
                },
                {"name": "FLUENTRETAIL.base.Noop", "props": None},
            ],
            "triggers": [{"status": "CREATED"}, {"status": "BOOKED", "weight": 2}],
            "userActions": [
                {"context": [{"label": "Cancel", "type": "PRIMARY", "modules": ["adminconsole"]}]}
            ],
            "ruleCollectionVersion": 2,
        }
    ],
    "settings": [{"name": "SLA", "value": 1.5}],
    "unknownFlag": True,
}
SAVED = {"entityId": "1-ORDER::HD::1.28", "eventStatus": "COMPLETE"}


def workflows_of(rest: Rest) -> Workflows | AsyncWorkflows:
    namespace: Workflows | AsyncWorkflows = rest.make(Workflows, AsyncWorkflows)
    return namespace


async def test_get_reads_the_workflow(rest: Rest, api: respx.MockRouter) -> None:
    route = api.get("/api/v4.1/workflow/1/ORDER::HD").respond(200, json=WORKFLOW)

    workflow = await rest.run(workflows_of(rest).get("ORDER", "HD"))

    assert route.called
    assert workflow.name == "ORDER::HD"
    cancel = workflow.ruleset("CancelOrder")
    assert cancel is not None
    assert cancel.rules[0].name == "ACME.order.SetState"
    assert cancel.rules[1].props == {"url": "https://x.example", "retries": 3}
    assert [t.status for t in cancel.triggers] == ["CREATED", "BOOKED"]
    assert workflow.model_extra == {
        "settings": [{"name": "SLA", "value": 1.5}],
        "unknownFlag": True,
    }
    assert workflow.to_dict() == WORKFLOW  # nothing lost, nothing added, nothing coerced


async def test_get_for_another_retailer(rest: Rest, api: respx.MockRouter) -> None:
    route = api.get("/api/v4.1/workflow/5/INVENTORY_CATALOGUE::DEFAULT").respond(
        200, json={**WORKFLOW, "retailerId": 5}
    )

    workflow = await rest.run(
        workflows_of(rest).get("INVENTORY_CATALOGUE", "DEFAULT", retailer_id=5)
    )

    assert route.called
    assert workflow.retailer_id == 5


async def test_put_writes_what_was_read(rest: Rest, api: respx.MockRouter) -> None:
    api.get("/api/v4.1/workflow/1/ORDER::HD").respond(200, json=WORKFLOW)
    put = api.put("/api/v4.1/workflow").respond(200, json=SAVED)
    workflows = workflows_of(rest)

    workflow = await rest.run(workflows.get("ORDER", "HD"))
    saved = await rest.run(workflows.put(workflow))

    assert body_of(put.calls.last) == WORKFLOW
    assert saved.entity_id == "1-ORDER::HD::1.28"
    assert saved.version == "1.28"
    assert saved.event_status == "COMPLETE"


async def test_put_edits_are_sent(rest: Rest, api: respx.MockRouter) -> None:
    put = api.put("/api/v4.1/workflow").respond(200, json=SAVED)
    workflow = Workflow.model_validate(copy.deepcopy(WORKFLOW))
    workflow.version_comment = "raise SLA"
    cancel = workflow.ruleset("CancelOrder")
    assert cancel is not None
    assert cancel.rules[0].props is not None
    cancel.rules[0].props["status"] = "CANCELLED_BY_SDK"

    await rest.run(workflows_of(rest).put(workflow))

    sent = body_of(put.calls.last)
    assert sent["versionComment"] == "raise SLA"
    assert sent["rulesets"][0]["rules"][0]["props"] == {"status": "CANCELLED_BY_SDK"}
    assert sent["settings"] == WORKFLOW["settings"]


async def test_put_fills_a_missing_retailer(rest: Rest, api: respx.MockRouter) -> None:
    put = api.put("/api/v4.1/workflow").respond(200, json=SAVED)
    mapping = {k: v for k, v in WORKFLOW.items() if k != "retailerId"}

    await rest.run(workflows_of(rest).put(mapping))

    assert body_of(put.calls.last) == {**mapping, "retailerId": 1}


@pytest.mark.parametrize(
    ("status", "answer", "error"),
    [
        (
            400,
            {"errors": [{"code": "400", "message": "Rule ACME.order.Nope not found"}]},
            BadRequestError,
        ),
        (404, {"errors": [{"code": "404", "message": "Unable to find Workflow"}]}, NotFoundError),
        (
            500,
            {"errors": [{"code": "500", "message": "Error occurred whilst saving Workflow"}]},
            ServerError,
        ),
    ],
)
async def test_put_error_shapes(
    rest: Rest, api: respx.MockRouter, status: int, answer: dict[str, Any], error: type[Exception]
) -> None:
    api.put("/api/v4.1/workflow").respond(status, json=answer)

    with pytest.raises(error, match=answer["errors"][0]["message"]):
        await rest.run(workflows_of(rest).put(WORKFLOW))


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("ORDER/../x", "HD"), {}, "entity_type"),
        (("ORDER", ""), {}, "entity_subtype"),
        (("ORDER::HD", "X"), {}, "entity_type"),
        (("ORDER", "HD"), {"retailer_id": "one"}, "retailer_id"),
    ],
)
async def test_bad_get_is_refused_before_any_request(
    rest: Rest, api: respx.MockRouter, args: tuple[str, str], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await rest.run(workflows_of(rest).get(*args, **kwargs))
    assert caught.value.field == field
    assert not api.calls


@pytest.mark.parametrize(
    ("workflow", "field"),
    [
        ({**WORKFLOW, "rulesets": "none"}, "workflow.rulesets"),
        ({**WORKFLOW, "rulesets": [{"rules": []}]}, "workflow.rulesets[0].name"),
        ({"description": "empty"}, "workflow.name"),
        ("ORDER::HD", "workflow"),
    ],
)
async def test_bad_put_is_refused_before_any_request(
    rest: Rest, api: respx.MockRouter, workflow: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await rest.run(workflows_of(rest).put(workflow))
    assert caught.value.field == field
    assert not api.calls


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    original = tmp_path / "ORDER-HD.json"
    original.write_text(json.dumps(WORKFLOW), encoding="utf-8")

    workflow = Workflow.load(original)
    written = workflow.save(tmp_path / "copy.json")

    assert json.loads(written.read_text(encoding="utf-8")) == WORKFLOW
    assert Workflow.load(written).to_dict() == WORKFLOW


def test_load_refuses_missing_or_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as missing:
        Workflow.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError) as broken:
        Workflow.load(bad)

    assert missing.value.field == "path"
    assert broken.value.field == "workflow"


async def test_get_is_retried_on_503(rest: Rest, api: respx.MockRouter) -> None:
    route = api.get("/api/v4.1/workflow/1/ORDER::HD")
    route.side_effect = [httpx.Response(503), httpx.Response(200, json=WORKFLOW)]

    workflow = await rest.run(workflows_of(rest).get("ORDER", "HD"))

    assert route.call_count == 2
    assert workflow.version == "1.27"


def test_sparse_workflow_gains_no_fields() -> None:
    sparse = {
        "name": "RETURN_ORDER::DEFAULT",
        "rulesets": [
            {"name": "Create", "rules": [{"name": "ACME.returns.Create"}], "triggers": [{}]}
        ],
        "statuses": [{"name": "CREATED"}],
    }

    assert Workflow.from_json(json.dumps(sparse)).to_dict() == sparse
