"""Event API: ``/api/v4.1/event`` (async, sync, get, search) and the tiny status engine.

A sync or async event whose ``name`` is a known transition for the entity's type moves the
entity's ``status``. Transitions come from workflows stored through the Workflow API (a ruleset
named like the event, with ``triggers[].status`` and a rule whose ``props.status`` is the new
status) or from the transition table (seed ``transitions`` / ``Sandbox.add_transition``).
Unknown names or entities answer ``NO_MATCH``; a transition with a ``fail_message`` ``FAILED``.

Processing an event completes its context from the entity (id, ref, root entity), as Fluent
does, and writes the orchestration audit in Fluent's shape (``ORCHESTRATION_AUDIT`` events
whose ``context.sourceEvents`` holds the processed event's id):

- a ``ruleSet`` event named after the ruleset, then one ``rule`` event per rule (with its
  ``props``), each with ``startTimer`` / ``stopTimer`` attributes (epoch milliseconds);
- an ``ACTION`` event for the status it set;
- for a failing rule, the rule ``FAILED`` and an ``exception`` event (``message``,
  ``lastRule``, ``lastRuleSet`` attributes);
- for ``NO_MATCH``, one ``ruleSet`` event named ``No matching ruleset`` whose ``message`` says
  what did not match (the entity, the ruleset name, or the entity's status). The sync answer
  keeps Fluent's documented shape (no ``errorMessage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from fluent_sdk.sandbox.messages import SandboxResponse, json_response, v41_error, v41_json_object
from fluent_sdk.sandbox.store import Link, Record, Store

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
    body = v41_json_object(ctx.request)
    if isinstance(body, SandboxResponse):
        return body
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


def _processed(
    ctx: RequestContext,
) -> tuple[dict[str, Any], Record, Record | None] | SandboxResponse:
    """The posted event recorded and processed: (body, event, its entity), or a 400."""
    body = _validated_body(ctx)
    if isinstance(body, SandboxResponse):
        return body
    with ctx.app.store.lock:
        event = _record(ctx, body)
        entity = process_event(ctx.app, event)
    return body, event, entity


def create_async(ctx: RequestContext) -> SandboxResponse:
    processed = _processed(ctx)
    if isinstance(processed, SandboxResponse):
        return processed
    return json_response(200, {"id": processed[1]["id"]})


def create_sync(ctx: RequestContext) -> SandboxResponse:
    processed = _processed(ctx)
    if isinstance(processed, SandboxResponse):
        return processed
    body, event, entity = processed
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


#: The root entity of each sub-entity type (Fluent's workflow table).
_ROOT_OF = {
    "FULFILMENT": "ORDER", "ARTICLE": "ORDER", "CONSIGNMENT": "ORDER", "WAVE": "LOCATION",
    "FULFILMENT_PLAN": "FULFILMENT_OPTIONS", "PRODUCT": "PRODUCT_CATALOGUE",
    "CATEGORY": "PRODUCT_CATALOGUE", "INVENTORY_POSITION": "INVENTORY_CATALOGUE",
    "INVENTORY_QUANTITY": "INVENTORY_CATALOGUE", "VIRTUAL_POSITION": "VIRTUAL_CATALOGUE",
    "CONTROL": "CONTROL_GROUP", "RETURN_FULFILMENT": "RETURN_ORDER",
    "CREDIT_MEMO": "BILLING_ACCOUNT", "INVOICE": "BILLING_ACCOUNT", "PAYMENT": "BILLING_ACCOUNT",
    "PAYMENT_TRANSACTION": "BILLING_ACCOUNT",
}  # fmt: skip
NO_MATCH_AUDIT_NAME = "No matching ruleset"


@dataclass
class Match:
    """The ruleset an event matched: its rules and what they do."""

    ruleset: str
    rules: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    to_status: str | None = None
    fail_message: str | None = None


def _workflow_name(entity: Record, entity_code: str) -> str:
    subtype = entity.get("type")
    return f"{entity_code}::{subtype}" if subtype else entity_code


def _transition(app: SandboxApp, entity: Record, event: Record) -> tuple[Match | None, str]:
    """The ruleset ``event`` matches on ``entity``, or None and what did not match."""
    entity_code = str(event["context"].get("entityType") or "").upper()
    name = event["name"]
    status = entity.get("status")
    workflow_ref = entity.get("workflowRef")
    retailer = event.get("retailerId") or "1"
    account = app.store.account_id
    versions = app.store.workflows.get((str(retailer), str(workflow_ref)))
    not_accepted: list[str] = []
    if versions:
        for ruleset in versions[-1].get("rulesets") or []:
            if not isinstance(ruleset, dict) or ruleset.get("name") != name:
                continue
            triggers = [
                t.get("status") for t in ruleset.get("triggers") or [] if isinstance(t, dict)
            ]
            if triggers and status not in triggers:
                not_accepted = [str(t) for t in triggers]
                continue
            rules = [
                (str(rule.get("name") or f"{account}.base.Rule"), dict(rule.get("props") or {}))
                for rule in ruleset.get("rules") or []
                if isinstance(rule, dict)
            ]
            new_status = next((props["status"] for _, props in rules if props.get("status")), None)
            return Match(name, rules, new_status), ""
    transition = app.store.transitions.get((entity_code, name))
    if transition is not None and (
        transition.from_statuses is None or status in transition.from_statuses
    ):
        default_rule = "SetState" if transition.fail_message is None else name
        rule = transition.rule or f"{account}.base.{default_rule}"
        props = {"status": transition.to_status} if transition.to_status else {}
        return Match(name, [(rule, props)], transition.to_status, transition.fail_message), ""
    if transition is not None and transition.from_statuses is not None:
        not_accepted = sorted(transition.from_statuses)
    workflow = _workflow_name(entity, entity_code)
    if not_accepted:
        return None, (
            f"Ruleset '{name}' of workflow {workflow} does not accept status {status} "
            f"(accepts {', '.join(not_accepted)})"
        )
    return None, f"No ruleset '{name}' in workflow {workflow} for {entity_code} in status {status}"


def _root_of(app: SandboxApp, entity: Record, entity_code: str) -> Record | None:
    """The entity's root entity (itself for a root type), following links up to two hops."""
    root_code = _ROOT_OF.get(entity_code)
    if root_code is None:
        return entity
    frontier = [entity]
    for _ in range(2):
        found: list[Record] = []
        for record in frontier:
            for value in record.values():
                if not isinstance(value, Link):
                    continue
                target = app.store.deref(value)
                if target is None:
                    continue
                code = app.engine.model.by_entity_code.get(root_code)
                if code is not None and target.get("__typename") in app.engine.model.impls(code):
                    return target
                found.append(target)
        frontier = found
    return None


def _complete_context(app: SandboxApp, event: Record, entity: Record) -> None:
    """Fill what the sender left out of the event's context from the entity (Fluent knows
    every processed event's entity and root)."""
    context = event["context"]
    entity_code = str(context.get("entityType") or "").upper()
    root = _root_of(app, entity, entity_code)
    known = {"entityId": entity.get("id"), "entityRef": entity.get("ref")}
    if root is not None:
        root_code = _ROOT_OF.get(entity_code, entity_code)
        known |= {"rootEntityType": root_code, "rootEntityId": root.get("id"),
                  "rootEntityRef": root.get("ref")}  # fmt: skip
    for key, value in known.items():
        if context.get(key) is None and value is not None:
            context[key] = str(value)


def _attribute(name: str, value: Any, kind: str = "STRING") -> dict[str, Any]:
    return {"name": name, "value": value, "type": kind}


def _timers(store: Store) -> list[dict[str, Any]]:
    millis = int(store.now() * 1000)
    return [_attribute("startTimer", millis, "LONG"), _attribute("stopTimer", millis, "LONG")]


def _audit(
    app: SandboxApp, event: Record, name: str, category: str, status: str, attributes: Any
) -> Record:
    return make_event(
        app.store,
        name=name,
        retailer_id=event.get("retailerId"),
        context={**event["context"], "sourceEvents": [event["id"]]},
        event_type="ORCHESTRATION_AUDIT",
        status=status,
        attributes=attributes,
        category=category,
        source="Fluent-Orchestration",
        generated_by="Rubix",
    )


def _write_audit(app: SandboxApp, event: Record, match: Match, previous_status: Any) -> None:
    """The audit of a matched ruleset: the ruleset, its rules, the action or the exception."""
    failed = match.fail_message is not None
    status = "FAILED" if failed else "COMPLETE"
    store = app.store
    _audit(app, event, match.ruleset, "ruleSet", status, _timers(store))
    for rule, props in match.rules:
        attributes = [_attribute("props", props, "JSON"), *_timers(store)]
        _audit(app, event, rule, "rule", status, attributes)
        if failed:
            _audit(app, event, "RuleExecutionException", "exception", "FAILED", [
                _attribute("message", match.fail_message),
                _attribute("lastRule", rule),
                _attribute("lastRuleSet", match.ruleset),
            ])  # fmt: skip
            return  # Fluent stops the ruleset at the failing rule
    if match.to_status is not None:
        _audit(app, event, "SetState", "ACTION", "COMPLETE", [
            _attribute("status", match.to_status),
            _attribute("previousStatus", previous_status),
        ])  # fmt: skip


def process_event(app: SandboxApp, event: Record) -> Record | None:
    """Run the status engine for ``event``; sets its ``eventStatus``, writes its orchestration
    audit and returns the entity."""
    entity = find_entity(app, event["context"])
    if entity is None:
        context = event["context"]
        what = (
            f"ref {context.get('entityRef')}"
            if context.get("entityRef")
            else (f"id {context.get('entityId')}")
        )
        why = f"No {str(context.get('entityType') or 'entity').upper()} found with {what}"
        match = None
    else:
        _complete_context(app, event, entity)
        match, why = _transition(app, entity, event)
    if match is None:
        event["eventStatus"] = "NO_MATCH"
        _audit(app, event, NO_MATCH_AUDIT_NAME, "ruleSet", "NO_MATCH", [
            _attribute("message", why), _attribute("eventName", event["name"]),
        ])  # fmt: skip
        return entity
    assert entity is not None
    previous = entity.get("status")
    if match.fail_message is not None:
        event["eventStatus"] = "FAILED"
        event["errorMessage"] = match.fail_message
    else:
        if match.to_status is not None:
            entity = app.engine.update_record(entity, {"status": match.to_status})
        event["eventStatus"] = "COMPLETE"
    _write_audit(app, event, match, previous)
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
