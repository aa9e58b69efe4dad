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

from fluent_sdk.sandbox.graphql import fluent_error
from fluent_sdk.sandbox.messages import SandboxResponse, json_response, v41_error, v41_json_object
from fluent_sdk.sandbox.rest.events import batch_event, event_context
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


def _user_retailer(ctx: RequestContext) -> str | None:
    user = ctx.app.tokens.user(ctx.username or "")
    retailer = user.get("primaryRetailer") if user else None
    return retailer.id if isinstance(retailer, Link) else None


def create_job(ctx: RequestContext) -> SandboxResponse:
    body = v41_json_object(ctx.request)
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
    body = v41_json_object(ctx.request)
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
    results = []
    if batch["entityType"] == "INVENTORY":
        handler = _InventoryUpsert(app, job, batch)
        process = handler.upsert
    else:

        def process(record: Record) -> Record:
            return _create_retailer(app, job, batch, record)

    failure = app.faults.batch_record_failure
    for record in batch["entities"]:
        fault = failure(record)
        if fault is not None:
            ref = record.get("skuRef") or record.get("productRef") or record.get("retailerId")
            results.append(_result(None, ref, fault.response_code, fault.message))
            continue
        results.append(process(record))
    batch["results"] = results


_PRODUCT_TYPES = ("StandardProduct", "VariantProduct", "GroupProduct")


class _InventoryUpsert:
    """Upserts one batch's inventory records, remembering what does not change within it:
    catalogues, locations and products named (a batch only writes positions and quantities)
    and the context of the events it raises."""

    def __init__(self, app: SandboxApp, job: Record, batch: Record) -> None:
        self.app, self.store, self.engine = app, app.store, app.engine
        self.job, self.batch = job, batch
        self.batch_id = batch["batchId"]
        self.event_name = str(batch["event"])
        self.source = str(batch["source"])
        self._catalogues: dict[str, Link | None] = {}
        self._locations: dict[str, bool] = {}
        self._products: dict[str, bool] = {}
        self._contexts: dict[str, Record] = {}
        self._checked: dict[tuple[str, str, str], Link] = {}
        model = self.engine.model
        # The direct update path assumes refs unique per catalogue and an `updatedOn` field.
        self._direct: dict[tuple[str, tuple[str, ...]], bool] = {}
        self._catalogued = {
            name: model.unique.get(name) == ((name,), ("catalogue",))
            and "updatedOn" in model.fields_of(name)
            for name in ("InventoryPosition", "InventoryQuantity")
        }

    def _catalogue(self, ref: str) -> Link | None:
        if ref not in self._catalogues:
            found = self.store.by_ref("InventoryCatalogue", ref)
            self._catalogues[ref] = (
                Link("InventoryCatalogue", str(found[0]["id"])) if found else None
            )
        return self._catalogues[ref]

    def _location_known(self, ref: str) -> bool:
        known = self._locations.get(ref)
        if known is None:
            known = self._locations[ref] = bool(self.store.by_ref("Location", ref))
        return known

    def _product_known(self, ref: str) -> bool:
        known = self._products.get(ref)
        if known is None:
            known = self._products[ref] = any(self.store.by_ref(t, ref) for t in _PRODUCT_TYPES)
        return known

    def _check(self, catalogue_ref: str, location_ref: Any, product_ref: Any) -> Link | str:
        """The catalogue to upsert in, or why the record cannot be (a 404 message)."""
        catalogue = self._catalogue(catalogue_ref)
        if catalogue is None:
            return f"Inventory catalogue '{catalogue_ref}' not found"
        if not self._location_known(str(location_ref)):
            return f"Location '{location_ref}' not found"
        if not self._product_known(str(product_ref)):
            return f"Product '{product_ref}' not found"
        return catalogue

    def _context(self, catalogue_ref: str) -> Record:
        # One event context per catalogue, shared by the batch's events (never mutated).
        context = self._contexts.get(catalogue_ref)
        if context is None:
            context = self._contexts[catalogue_ref] = event_context(
                {"entityType": "INVENTORY_CATALOGUE", "entityRef": catalogue_ref,
                 "rootEntityType": "INVENTORY_CATALOGUE", "rootEntityRef": catalogue_ref,
                 "entitySubtype": "DEFAULT", "sourceEvents": []}
            )  # fmt: skip
        return context

    def _update(self, existing: Record, changes: Record, now: str, duplicated: bool) -> Record:
        """``engine.update_record`` for scalar changes of a position or quantity found by
        :meth:`Store.first_by_ref` (ref and catalogue unchanged): no generic conversion, no
        re-indexing unless an ``xRef`` gets linked."""
        type_name = existing["__typename"]
        shape = (type_name, tuple(changes))
        direct = self._direct.get(shape)
        if direct is None:  # values come from JSON, so the field names decide
            direct = self._direct[shape] = self._catalogued[
                type_name
            ] and self.engine.model.is_plain_update(type_name, changes)
        if not direct:
            return self.engine.update_record(existing, changes)
        if duplicated:  # what update_record's uniqueness check says
            raise fluent_error("C0121E", f"{type_name} with ref '{existing['ref']}' already exists")
        record = dict(existing)
        record.update(changes)
        relinked = self.engine.link_refs(type_name, record, changes)
        record["updatedOn"] = now
        if relinked:
            return self.store.put(record)
        return self.store.replace(existing, record)

    def upsert(self, record: Record) -> Record:
        store, engine, batch = self.store, self.engine, self.batch
        retailer_id = str(record.get("retailerId") or self.job["retailerId"])
        catalogue_ref = batch.get("catalogueRef") or f"DEFAULT:{retailer_id}"
        product_ref = record.get("skuRef") or record.get("productRef")
        location_ref = record.get("locationRef")
        position_ref = f"{product_ref}:{location_ref}"
        quantity = record.get("qty", record.get("quantity"))
        if not product_ref or not location_ref:
            return _result(None, position_ref, "400", "'skuRef' and 'locationRef' are required")
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            return _result(None, position_ref, "400", "'qty' must be an integer")
        names = (catalogue_ref, str(location_ref), str(product_ref))
        catalogue = self._checked.get(names)
        if catalogue is None:
            checked = self._check(catalogue_ref, location_ref, product_ref)
            if isinstance(checked, str):
                return _result(None, position_ref, "404", checked)
            catalogue = self._checked[names] = checked
        quantity_type = str(record.get("type") or "LAST_ON_HAND")
        status = str(record.get("status") or "ACTIVE")
        attributes = record.get("attributes")
        now = store.now_iso()
        position, duplicated = store.first_by_ref(
            "InventoryPosition", position_ref, "catalogue", catalogue
        )
        changes: Record = {"onHand": quantity} if quantity_type == "LAST_ON_HAND" else {}
        if position is None:
            on_hand = quantity if changes else 0
            position = engine.new_entity(
                "InventoryPosition",
                {"ref": position_ref, "type": "DEFAULT", "status": "ACTIVE",
                 "productRef": product_ref, "locationRef": location_ref, "catalogue": catalogue,
                 "onHand": on_hand},
            )  # fmt: skip
        elif changes:
            position = self._update(position, changes, now, duplicated)
        position_id = position["id"]
        quantity_ref = f"{position_ref}:{quantity_type}"
        fields: Record = {"quantity": quantity, "status": status, "type": quantity_type}
        for key in _QUANTITY_FIELDS:
            if record.get(key) is not None:
                fields[key] = record[key]
        if isinstance(attributes, dict):
            fields["attributes"] = [
                {"name": k, "type": "STRING", "value": v} for k, v in attributes.items()
            ]
        existing, duplicated = store.first_by_ref(
            "InventoryQuantity", quantity_ref, "catalogue", catalogue
        )
        if existing is None:
            fields = {
                "ref": quantity_ref,
                "catalogue": catalogue,
                "position": Link("InventoryPosition", str(position_id)),
                **fields,
            }
            engine.new_entity("InventoryQuantity", fields)
        else:
            self._update(existing, fields, now, duplicated)
        batch_event(
            store, self.event_name, retailer_id, self._context(catalogue_ref),
            {"batchId": self.batch_id, **record}, self.source, now,
        )  # fmt: skip
        entity_id = None if position_id is None else str(position_id)
        return {"entityId": entity_id, "entityRef": position_ref, "responseCode": "200",
                "message": "OK"}  # fmt: skip


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
