"""Job and Batch API: ``/api/v4.1/job`` and ``/api/v4.1/job/{id}/batch``.

A batch is ``PENDING`` when created, ``RUNNING`` at the first status poll and ``COMPLETE``
(processed) at poll ``batch_polls_to_complete`` (2 by default); ``Sandbox.complete_batches()``
settles all at once. Processing is real: an ``INVENTORY``/``UPSERT`` batch upserts inventory
positions (ref ``<skuRef>:<locationRef>``) and their quantities (ref ``<position>:<type>``) in the
catalogue ``catalogueRef`` (default ``DEFAULT:<retailerId>``); a ``RETAILER``/``CREATE`` batch
creates retailers. Each record gets a result ``{entityId, entityRef, responseCode, message}``;
records naming an unknown location or product fail with ``responseCode`` ``"404"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fluent_sdk.sandbox.messages import SandboxResponse, json_response, v41_error
from fluent_sdk.sandbox.rest.events import make_event
from fluent_sdk.sandbox.store import Link, Record

if TYPE_CHECKING:
    from fluent_sdk.sandbox.app import SandboxApp
    from fluent_sdk.sandbox.routes import RequestContext

__all__ = [
    "MAX_BATCH_SIZE",
    "advance_batch",
    "create_batch",
    "create_job",
    "get_batch",
    "get_job",
    "process_batch",
]

MAX_BATCH_SIZE = 5000
_SUPPORTED = {("INVENTORY", "UPSERT"), ("RETAILER", "CREATE")}
_QUANTITY_FIELDS = ("condition", "expectedOn", "storageAreaRef")


def _body(ctx: RequestContext) -> dict[str, Any] | SandboxResponse:
    try:
        body = ctx.request.json()
    except ValueError:
        return v41_error(400, "Request body is not valid JSON")
    if not isinstance(body, dict):
        return v41_error(400, "Request body must be a JSON object")
    return body


def _user_retailer(ctx: RequestContext) -> str | None:
    user = ctx.app.tokens.user(ctx.username or "")
    retailer = user.get("primaryRetailer") if user else None
    return retailer.id if isinstance(retailer, Link) else None


def create_job(ctx: RequestContext) -> SandboxResponse:
    body = _body(ctx)
    if isinstance(body, SandboxResponse):
        return body
    if not body.get("name"):
        return v41_error(400, "'name' is required")
    retailer_id = body.get("retailerId") or _user_retailer(ctx)
    if retailer_id in (None, ""):
        return v41_error(400, "'retailerId' is required", "NotNull")
    store = ctx.app.store
    with store.lock:
        job_id = store.next_id("__job__")
        store.jobs[job_id] = {
            "jobId": job_id,
            "name": body["name"],
            "retailerId": str(retailer_id),
            "meta": body.get("meta") or {},
            "status": "OPEN",
            "createdOn": store.now_iso(),
            "batchIds": [],
        }
    return json_response(200, {"id": job_id})


def get_job(ctx: RequestContext) -> SandboxResponse:
    store = ctx.app.store
    with store.lock:
        job = store.jobs.get(ctx.params["job_id"])
        if job is None:
            return v41_error(404, f"Job '{ctx.params['job_id']}' not found")
        payload = {key: value for key, value in job.items() if key != "batchIds"}
        payload["batch"] = [
            {
                "batchId": batch_id,
                "status": store.batches[batch_id]["status"],
                "createdOn": store.batches[batch_id]["createdOn"],
            }
            for batch_id in job["batchIds"]
        ]
    return json_response(200, payload)


def create_batch(ctx: RequestContext) -> SandboxResponse:
    body = _body(ctx)
    if isinstance(body, SandboxResponse):
        return body
    store = ctx.app.store
    job = store.jobs.get(ctx.params["job_id"])
    if job is None:
        return v41_error(404, f"Job '{ctx.params['job_id']}' not found")
    if job["status"] != "OPEN":
        return v41_error(400, f"Job '{job['jobId']}' is {job['status']}")
    for required in ("action", "entityType", "entities"):
        if body.get(required) in (None, ""):
            return v41_error(400, f"'{required}' is required", "NotNull")
    entities = body["entities"]
    if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
        return v41_error(400, "'entities' must be a list of objects", "InvalidInput")
    if len(entities) > MAX_BATCH_SIZE:
        return v41_error(
            400,
            f"Batch has {len(entities)} entities; the maximum is {MAX_BATCH_SIZE}",
            "InvalidInput",
        )
    kind = (str(body["entityType"]).upper(), str(body["action"]).upper())
    if kind not in _SUPPORTED:
        return v41_error(400, f"Unsupported batch {kind[0]}/{kind[1]}", "InvalidInput")
    with store.lock:
        batch_id = store.next_id("__batch__")
        now = store.now_iso()
        store.batches[batch_id] = {
            "batchId": batch_id,
            "jobId": job["jobId"],
            "entityType": kind[0],
            "action": kind[1],
            "status": "PENDING",
            "polls": 0,
            "catalogueRef": body.get("catalogueRef"),
            "source": body.get("source") or "batch",
            "event": body.get("event") or "InventoryChanged",
            "entities": entities,
            "results": [],
            "createdOn": now,
            "lastModifiedOn": now,
        }
        job["batchIds"].append(batch_id)
    return json_response(200, {"id": batch_id})


def advance_batch(app: SandboxApp, batch: Record, *, to_completion: bool = False) -> None:
    """One status poll: PENDING -> RUNNING -> … -> COMPLETE (processing on completion)."""
    if batch["status"] == "COMPLETE":
        return
    batch["polls"] += 1
    if to_completion or batch["polls"] >= app.config.batch_polls_to_complete:
        process_batch(app, batch)
        batch["status"] = "COMPLETE"
    else:
        batch["status"] = "RUNNING"
    batch["lastModifiedOn"] = app.store.now_iso()


def get_batch(ctx: RequestContext) -> SandboxResponse:
    store = ctx.app.store
    with store.lock:
        batch = store.batches.get(ctx.params["batch_id"])
        if batch is None or batch["jobId"] != ctx.params["job_id"]:
            return v41_error(404, f"Batch '{ctx.params['batch_id']}' not found")
        advance_batch(ctx.app, batch)
        results = batch["results"]
        query = ctx.request.query
        try:
            start = int(query.get("start", 0))
            count = int(query.get("count", max(len(results), 1)))
        except ValueError:
            return v41_error(400, "'start' and 'count' must be integers")
        page = results[start : start + count]
        payload = {
            "batchId": batch["batchId"],
            "jobId": batch["jobId"],
            "entityType": batch["entityType"],
            "action": batch["action"],
            "status": batch["status"],
            "start": start,
            "count": len(page),
            "total": len(results),
            "results": page,
            "createdOn": batch["createdOn"],
            "lastModifiedOn": batch["lastModifiedOn"],
        }
    return json_response(200, payload)


def _result(entity_id: Any, entity_ref: Any, code: str, message: str) -> Record:
    return {
        "entityId": None if entity_id is None else str(entity_id),
        "entityRef": entity_ref,
        "responseCode": code,
        "message": message,
    }


def process_batch(app: SandboxApp, batch: Record) -> None:
    job = app.store.jobs[batch["jobId"]]
    handler = _upsert_inventory if batch["entityType"] == "INVENTORY" else _create_retailer
    results = []
    for record in batch["entities"]:
        fault = app.faults.batch_record_failure(record)
        if fault is not None:
            ref = record.get("skuRef") or record.get("productRef") or record.get("retailerId")
            results.append(_result(None, ref, fault.response_code, fault.message))
            continue
        results.append(handler(app, job, batch, record))
    batch["results"] = results


def _upsert_inventory(app: SandboxApp, job: Record, batch: Record, record: Record) -> Record:
    store, engine = app.store, app.engine
    retailer_id = str(record.get("retailerId") or job["retailerId"])
    catalogue_ref = batch.get("catalogueRef") or f"DEFAULT:{retailer_id}"
    product_ref = record.get("skuRef") or record.get("productRef")
    location_ref = record.get("locationRef")
    position_ref = f"{product_ref}:{location_ref}"
    quantity = record.get("qty", record.get("quantity"))
    if not product_ref or not location_ref:
        return _result(None, position_ref, "400", "'skuRef' and 'locationRef' are required")
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        return _result(None, position_ref, "400", "'qty' must be an integer")
    catalogues = store.by_ref("InventoryCatalogue", catalogue_ref)
    if not catalogues:
        return _result(
            None, position_ref, "404", f"Inventory catalogue '{catalogue_ref}' not found"
        )
    if not store.by_ref("Location", str(location_ref)):
        return _result(None, position_ref, "404", f"Location '{location_ref}' not found")
    if not any(
        store.by_ref(t, str(product_ref))
        for t in ("StandardProduct", "VariantProduct", "GroupProduct")
    ):
        return _result(None, position_ref, "404", f"Product '{product_ref}' not found")
    catalogue = Link("InventoryCatalogue", str(catalogues[0]["id"]))
    quantity_type = str(record.get("type") or "LAST_ON_HAND")
    status = str(record.get("status") or "ACTIVE")
    attributes = record.get("attributes")
    position = next(
        (
            p
            for p in store.by_ref("InventoryPosition", position_ref)
            if p.get("catalogue") == catalogue
        ),
        None,
    )
    changes: Record = {"onHand": quantity} if quantity_type == "LAST_ON_HAND" else {}
    if position is None:
        on_hand = quantity if changes else 0
        position = engine.new_entity(
            "InventoryPosition",
            {"ref": position_ref, "type": "DEFAULT", "status": "ACTIVE", "productRef": product_ref,
             "locationRef": location_ref, "catalogue": catalogue, "onHand": on_hand},
        )  # fmt: skip
    elif changes:
        position = engine.update_record(position, changes)
    position_link = Link("InventoryPosition", str(position["id"]))
    quantity_ref = f"{position_ref}:{quantity_type}"
    fields: Record = {"quantity": quantity, "status": status, "type": quantity_type}
    fields.update({k: record[k] for k in _QUANTITY_FIELDS if record.get(k) is not None})
    if isinstance(attributes, dict):
        fields["attributes"] = [
            {"name": k, "type": "STRING", "value": v} for k, v in attributes.items()
        ]
    existing = next(
        (
            q
            for q in store.by_ref("InventoryQuantity", quantity_ref)
            if q.get("catalogue") == catalogue
        ),
        None,
    )
    if existing is None:
        engine.new_entity(
            "InventoryQuantity",
            {"ref": quantity_ref, "catalogue": catalogue, "position": position_link, **fields},
        )
    else:
        engine.update_record(existing, fields)
    make_event(
        store,
        name=str(batch["event"]),
        retailer_id=retailer_id,
        context={"entityType": "INVENTORY_CATALOGUE", "entityRef": catalogue_ref,
                 "rootEntityType": "INVENTORY_CATALOGUE", "rootEntityRef": catalogue_ref,
                 "entitySubtype": "DEFAULT", "sourceEvents": []},
        status="COMPLETE",
        attributes={"batchId": batch["batchId"], **record},
        category="BATCH",
        source=str(batch["source"]),
    )  # fmt: skip
    return _result(position["id"], position_ref, "200", "OK")


def _create_retailer(app: SandboxApp, job: Record, batch: Record, record: Record) -> Record:
    ref = record.get("retailerId")
    name = record.get("retailerName")
    if not ref:
        return _result(None, None, "400", "'retailerId' is required")
    if not name:
        return _result(None, ref, "400", "'retailerName' is required")
    if len(str(name)) > 45:
        return _result(None, ref, "400", "'retailerName' must be at most 45 characters")
    too_long = [k for k, v in record.items() if isinstance(v, str) and len(v) > 255]
    if too_long:
        return _result(None, ref, "400", f"'{too_long[0]}' must be at most 255 characters")
    if app.store.by_ref("Retailer", str(ref)):
        return _result(None, ref, "409", f"Retailer '{ref}' already exists")
    retailer = app.engine.new_entity(
        "Retailer",
        {"ref": str(ref), "tradingName": record.get("tradingName") or name, "status": "ACTIVE",
         "region": record.get("region"), "supportPhone": record.get("customerSupportPhone"),
         "supportEmail": record.get("customerSupportEmail"), "websiteUrl": record.get("website")},
    )  # fmt: skip
    app.engine.new_entity(
        "User",
        {"ref": f"{ref}_admin", "username": f"{ref}_admin", "type": "RETAILER", "status": "ACTIVE",
         "primaryRetailer": Link("Retailer", str(retailer["id"]))},
    )  # fmt: skip
    return _result(retailer["id"], ref, "200", "OK")
