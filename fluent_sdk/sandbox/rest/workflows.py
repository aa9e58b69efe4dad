"""Workflow API: ``PUT``/``POST /api/v4.1/workflow`` and
``GET /api/v4.1/workflow/{retailerId}/{TYPE}::{SUBTYPE}`` (``?version=N`` for an older one).

Each save of a workflow name for a retailer adds a version (1, 2, …). Rulesets of the latest
version drive the event status engine (see :mod:`fluent_sdk.sandbox.rest.events`).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from fluent_sdk.sandbox.messages import SandboxResponse, json_response, v41_error
from fluent_sdk.sandbox.store import Record, Store

if TYPE_CHECKING:
    from fluent_sdk.sandbox.routes import RequestContext

__all__ = ["get_workflow", "post_workflow", "put_workflow", "save_workflow", "workflow_problem"]


def workflow_problem(body: Any) -> str | None:
    """Why ``body`` is not a valid workflow, or ``None``."""
    if not isinstance(body, dict):
        return "Workflow must be a JSON object"
    if body.get("retailerId") in (None, ""):
        return "'retailerId' is required"
    name = body.get("name")
    if not name and not (body.get("entityType") and body.get("entitySubtype")):
        return "'name' (TYPE::SUBTYPE) or 'entityType' and 'entitySubtype' are required"
    if name and "::" not in str(name):
        return f"Workflow name '{name}' must look like TYPE::SUBTYPE"
    for key in ("rulesets", "statuses"):
        if key in body and not isinstance(body[key], list):
            return f"'{key}' must be a list"
    for ruleset in body.get("rulesets") or []:
        if not isinstance(ruleset, dict) or not ruleset.get("name"):
            return "Every ruleset needs a 'name'"
        if not isinstance(ruleset.get("rules", []), list):
            return f"Ruleset '{ruleset.get('name')}' has 'rules' that are not a list"
    return None


def save_workflow(store: Store, body: dict[str, Any], *, user: str | None = None) -> Record:
    name = str(body.get("name") or f"{body['entityType']}::{body['entitySubtype']}")
    retailer_id = str(body["retailerId"])
    with store.lock:
        versions = store.workflows.setdefault((retailer_id, name), [])
        version = int(versions[-1]["version"]) + 1 if versions else 1
        entity_type, _, subtype = name.partition("::")
        saved = copy.deepcopy(body)
        saved.update(
            {
                "id": f"{retailer_id}-{name}",
                "name": name,
                "retailerId": retailer_id,
                "entityType": body.get("entityType") or entity_type,
                "entitySubtype": body.get("entitySubtype") or subtype,
                "version": version,
                "createdOn": store.now_iso(),
                "createdBy": user,
            }
        )
        versions.append(saved)
    return saved


def _save(ctx: RequestContext, *, validate: bool) -> SandboxResponse:
    try:
        body = ctx.request.json()
    except ValueError:
        return v41_error(400, "Request body is not valid JSON")
    problem = workflow_problem(body)
    if problem is not None and (validate or not isinstance(body, dict) or "retailerId" not in body):
        return v41_error(400, problem)
    saved = save_workflow(ctx.app.store, body, user=ctx.username)
    entity_id = f"{saved['retailerId']}-{saved['name']}::{saved['version']}"
    return json_response(200, {"entityId": entity_id, "eventStatus": "COMPLETE"})


def put_workflow(ctx: RequestContext) -> SandboxResponse:
    return _save(ctx, validate=True)


def post_workflow(ctx: RequestContext) -> SandboxResponse:
    # Fluent's POST skips validation of the rules; the sandbox keeps only the minimum it needs.
    return _save(ctx, validate=False)


def get_workflow(ctx: RequestContext) -> SandboxResponse:
    key = (ctx.params["retailer_id"], ctx.params["name"])
    wanted = ctx.request.query.get("version")
    with ctx.app.store.lock:
        versions = ctx.app.store.workflows.get(key) or []
        if wanted is not None:
            versions = [v for v in versions if str(v["version"]) == wanted]
        if not versions:
            return v41_error(404, "Unable to find Workflow")
        return json_response(200, versions[-1])
