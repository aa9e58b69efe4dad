"""Event API: ``/api/v4.1/event`` (async, sync, get, search) and the tiny status engine.

A sync or async event whose ``name`` is a known transition for the entity's type moves the
entity's ``status``. Transitions come from workflows stored through the Workflow API (a ruleset
named like the event, with ``triggers[].status`` and a rule whose ``props.status`` is the new
status) or from the transition table (seed ``transitions`` / ``Sandbox.add_transition``).
Unknown names or entities answer ``NO_MATCH``; a transition with a ``fail_message`` ``FAILED``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from fluent_sdk.sandbox.messages import SandboxResponse, json_response, v41_error
from fluent_sdk.sandbox.store import Link, Record, Store, Transition

if TYPE_CHECKING:
    from fluent_sdk.sandbox.app import SandboxApp
    from fluent_sdk.sandbox.routes import RequestContext

__all__ = [
    "DEFAULT_SEARCH_COUNT",
    "batch_event",
    "create_async",
    "create_sync",
    "event_context",
    "get",
    "make_event",
    "process_event",
    "search",
]

DEFAULT_SEARCH_COUNT = 100
_SEARCH_WINDOW = timedelta(days=30)
_CONTEXT_KEYS = (
    "entityType",
    "entityId",
    "entityRef",
    "rootEntityType",
    "rootEntityId",
    "rootEntityRef",
)


def make_event(
    store: Store,
    *,
    name: str,
    retailer_id: Any,
    context: dict[str, Any],
    event_type: str = "ORCHESTRATION",
    status: str = "PENDING",
    attributes: Any = None,
    category: str | None = None,
    source: str | None = None,
    generated_by: str | None = None,
    shared_context: bool = False,
    generated_on: str | None = None,
) -> Record:
    """Build and record an event in the shape the Event API returns.

    With ``shared_context`` the ``context`` is already :func:`event_context`-shaped and is
    stored as is (many events of one batch share it; stored events are never mutated).
    ``generated_on`` saves reading the clock again when the caller just did.
    """
    event: Record = {
        "id": store.next_event_id(),
        "name": name,
        "type": event_type,
        "accountId": store.account_id,
        "retailerId": None if retailer_id is None else str(retailer_id),
        "category": category,
        "context": context if shared_context else event_context(context),
        "eventStatus": status,
        "attributes": attributes,
        "source": source,
        "generatedBy": generated_by,
        "generatedOn": generated_on or store.now_iso(),
    }
    return store.add_event(event)


def batch_event(
    store: Store, name: str, retailer_id: str, context: Record, attributes: Record, source: str,
    generated_on: str,
) -> Record:  # fmt: skip
    """``make_event(..., status="COMPLETE", category="BATCH", shared_context=True)`` for the
    one event per batch record: same shape, without the keyword plumbing."""
    return store.add_event(
        {"id": store.next_event_id(), "name": name, "type": "ORCHESTRATION",
         "accountId": store.account_id, "retailerId": retailer_id, "category": "BATCH",
         "context": context, "eventStatus": "COMPLETE", "attributes": attributes,
         "source": source, "generatedBy": None, "generatedOn": generated_on}
    )  # fmt: skip


def event_context(context: dict[str, Any]) -> Record:
    """An event's ``context`` as stored and returned: every context key, ids as text."""
    return {
        "sourceEvents": list(context.get("sourceEvents") or []),
        "entitySubtype": context.get("entitySubtype"),
        **{key: _text(context.get(key)) for key in _CONTEXT_KEYS},
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _validated_body(ctx: RequestContext) -> dict[str, Any] | SandboxResponse:
    try:
        body = ctx.request.json()
    except ValueError:
        return v41_error(400, "Request body is not valid JSON")
    if not isinstance(body, dict):
        return v41_error(400, "Request body must be a JSON object")
    for required in ("name", "retailerId"):
        if body.get(required) in (None, ""):
            return v41_error(400, f"'{required}' is required", "NotNull")
    return body


def _record(ctx: RequestContext, body: dict[str, Any]) -> Record:
    context = {key: body.get(key) for key in (*_CONTEXT_KEYS, "entitySubtype")}
    return make_event(
        ctx.app.store,
        name=str(body["name"]),
        retailer_id=body["retailerId"],
        context=context,
        event_type=str(body.get("type") or "ORCHESTRATION"),
        attributes=body.get("attributes"),
        category=body.get("category"),
        source=body.get("source") or "Fluent-API",
        generated_by=ctx.username,
    )


def create_async(ctx: RequestContext) -> SandboxResponse:
    body = _validated_body(ctx)
    if isinstance(body, SandboxResponse):
        return body
    with ctx.app.store.lock:
        event = _record(ctx, body)
        process_event(ctx.app, event)
    return json_response(200, {"id": event["id"]})


def create_sync(ctx: RequestContext) -> SandboxResponse:
    body = _validated_body(ctx)
    if isinstance(body, SandboxResponse):
        return body
    with ctx.app.store.lock:
        event = _record(ctx, body)
        entity = process_event(ctx.app, event)
    payload: dict[str, Any] = {
        "eventId": event["id"],
        "entityId": str(entity["id"]) if entity is not None else _text(body.get("entityId")),
        "eventStatus": event["eventStatus"],
    }
    if event["eventStatus"] == "FAILED":
        payload["errorMessage"] = event.get("errorMessage") or "Event has Failed"
    return json_response(200 if event["eventStatus"] == "COMPLETE" else 400, payload)


def find_entity(app: SandboxApp, context: dict[str, Any]) -> Record | None:
    entity_type = str(context.get("entityType") or "").upper()
    type_name = app.engine.model.by_entity_code.get(entity_type)
    if type_name is None:
        return None
    candidates = app.engine.model.impls(type_name)
    if entity_type == "PRODUCT":
        candidates = ["StandardProduct", "VariantProduct", "GroupProduct"]
    for member in candidates:
        if context.get("entityId"):
            found = app.store.get(member, str(context["entityId"]))
            if found is not None:
                return found
        if context.get("entityRef"):
            matches = app.store.by_ref(member, str(context["entityRef"]))
            root_ref = context.get("rootEntityRef")
            for match in matches:
                catalogue = match.get("catalogue")
                parent = app.store.deref(catalogue) if isinstance(catalogue, Link) else None
                if parent is None or root_ref is None or parent.get("ref") == root_ref:
                    return match
    return None


def _transition(app: SandboxApp, entity: Record, event: Record) -> Transition | None:
    entity_code = str(event["context"].get("entityType") or "").upper()
    name = event["name"]
    status = entity.get("status")
    workflow_ref = entity.get("workflowRef")
    retailer = event.get("retailerId") or "1"
    versions = app.store.workflows.get((str(retailer), str(workflow_ref)))
    if versions:
        for ruleset in versions[-1].get("rulesets") or []:
            if not isinstance(ruleset, dict) or ruleset.get("name") != name:
                continue
            triggers = [
                t.get("status") for t in ruleset.get("triggers") or [] if isinstance(t, dict)
            ]
            if triggers and status not in triggers:
                continue
            new_status = next(
                (
                    rule["props"]["status"]
                    for rule in ruleset.get("rules") or []
                    if isinstance(rule, dict)
                    and isinstance(rule.get("props"), dict)
                    and rule["props"].get("status")
                ),
                None,
            )
            return Transition(new_status)
    transition = app.store.transitions.get((entity_code, name))
    if transition is None:
        return None
    if transition.from_statuses is not None and status not in transition.from_statuses:
        return None
    return transition


def process_event(app: SandboxApp, event: Record) -> Record | None:
    """Run the status engine for ``event``; sets its ``eventStatus`` and returns the entity."""
    entity = find_entity(app, event["context"])
    transition = _transition(app, entity, event) if entity is not None else None
    if entity is None or transition is None:
        event["eventStatus"] = "NO_MATCH"
        return entity
    if transition.fail_message is not None:
        event["eventStatus"] = "FAILED"
        event["errorMessage"] = transition.fail_message
        return entity
    if transition.to_status is not None:
        app.engine.update_record(entity, {"status": transition.to_status})
    event["eventStatus"] = "COMPLETE"
    return entity


def get(ctx: RequestContext) -> SandboxResponse:
    event = ctx.app.store.events_by_id.get(ctx.params["event_id"])
    if event is None:
        return v41_error(404, f"Event '{ctx.params['event_id']}' not found")
    return json_response(200, event)


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def search(ctx: RequestContext) -> SandboxResponse:
    query = ctx.request.query
    try:
        start = int(query.get("start", 0))
        count = int(query.get("count", DEFAULT_SEARCH_COUNT))
        now = datetime.fromtimestamp(ctx.app.store.now(), tz=timezone.utc)
        low = _parse_time(query["from"]) if query.get("from") else now - _SEARCH_WINDOW
        high = _parse_time(query["to"]) if query.get("to") else None
    except ValueError as error:
        return v41_error(400, f"Invalid search parameter: {error}")
    if start < 0 or count < 1:
        return v41_error(400, "'start' must be >= 0 and 'count' >= 1")
    plain = {"name": "name", "category": "category", "retailerId": "retailerId",
             "eventType": "type", "eventStatus": "eventStatus"}  # fmt: skip
    with ctx.app.store.lock:
        events = list(ctx.app.store.events)
    results: list[Record] = []
    for event in reversed(events):  # newest first
        moment = _parse_time(event["generatedOn"])
        if moment < low or (high is not None and moment > high):
            continue
        if any(
            name in query and str(event.get(field)) != query[name] for name, field in plain.items()
        ):
            continue
        context = event["context"]
        if any(
            f"context.{key}" in query and str(context.get(key)) != query[f"context.{key}"]
            for key in _CONTEXT_KEYS
        ):
            continue
        if "context.sourceEvents" in query and query["context.sourceEvents"] not in context.get(
            "sourceEvents", []
        ):
            continue
        results.append(event)
    page = results[start : start + count]
    return json_response(
        200,
        {"start": start, "count": count, "hasMore": start + count < len(results), "results": page},
    )
