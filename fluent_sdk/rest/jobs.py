"""The Job and Batch API (``/api/v4.1/job``): jobs, inventory and retailer batches, batch status.

``client.jobs`` is a `Jobs` (sync) or `AsyncJobs` (async); `_JobsBase` holds the logic.

A job is a container for batches that stays open until midnight UTC. Fluent recommends one job
per day reused by every batch: `Jobs.open_job_for_today` does that, remembering the jobs this
client created or saw.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, TypeVar

import pydantic
from pydantic import AfterValidator, AliasChoices, Field, WrapValidator
from pydantic_core import PydanticCustomError

from fluent_sdk._types import JSON_HEADERS, ApiCall, AsyncRestClient, RestClient
from fluent_sdk.errors import APIError, BatchTimeoutError, ValidationError
from fluent_sdk.rest._common import (
    AsyncNamespace,
    CheckedRetailerId,
    IdStr,
    LenientEnum,
    Plan,
    RequestModel,
    ResponseModel,
    RetailerId,
    Sleep,
    SyncNamespace,
    check_path_segment,
    json_model_parser,
    perform,
    response_json,
    retailer,
    to_validation_error,
    unexpected_response,
    utc_now,
    validate_request,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "MAX_BATCH_RECORDS",
    "AsyncJobs",
    "Batch",
    "BatchCreated",
    "BatchRecordResult",
    "BatchState",
    "BatchSummary",
    "BatchTimeoutError",
    "InventoryBatch",
    "InventoryRecord",
    "Job",
    "JobCreated",
    "JobStatus",
    "Jobs",
    "RetailerBatch",
    "RetailerRecord",
]

JOB_PATH = "/api/v4.1/job"
#: Fluent's per-batch record limit; larger loads go in several batches.
MAX_BATCH_RECORDS = 5000


class JobStatus(LenientEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class BatchState(LenientEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    #: Finished, with or without record errors (see `Batch.failed_results`).
    COMPLETE = "COMPLETE"


def _whole_number(value: Any, handler: pydantic.ValidatorFunctionWrapHandler) -> int:
    """A whole number of units (an int, a whole float, a digit string as CSV gives), or an
    error that says what was given: never a boolean, NaN or an infinity."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "quantity_type",
            "expected a whole number of units, got a boolean ({got})",
            {"got": str(value)},
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError(
            "quantity_type",
            "expected a whole number of units, got {got}",
            {"got": repr(value)},
        )
    try:
        number: int = handler(value)
    except pydantic.ValidationError:
        shown = str(value) if isinstance(value, (int, float)) else repr(value)
        if len(shown) > 40:
            shown = shown[:39] + "…"
        raise PydanticCustomError(
            "quantity_type", "expected a whole number of units, got {got}", {"got": shown}
        ) from None
    return number


def _on_hand(value: int) -> int:
    if value < 0:
        raise PydanticCustomError(
            "negative_on_hand",
            "the on-hand quantity cannot be negative, got {got}: give the absolute stock on "
            "hand (0 or more); to subtract units, send a delta with inventory.send_deltas",
            {"got": value},
        )
    return value


#: A stock quantity: an int, a whole float or a digit string (CSV input); never a boolean,
#: NaN or an infinity. Its sign is not checked.
Quantity = Annotated[int, WrapValidator(_whole_number)]
#: An absolute on-hand quantity (``qty``): a `Quantity` of 0 or more.
OnHandQuantity = Annotated[int, WrapValidator(_whole_number), AfterValidator(_on_hand)]


# -- request models ------------------------------------------------------------------------


class JobCreate(RequestModel):
    """The body of ``POST /api/v4.1/job``."""

    name: str = Field(min_length=1)
    retailer_id: CheckedRetailerId | None = Field(default=None, alias="retailerId")
    #: e.g. ``{"preprocessing": "skip"}`` to bypass Batch Pre-Processing.
    meta: dict[str, Any] | None = None


class InventoryRecord(RequestModel):
    """One inventory update: ``qty`` is the absolute on-hand quantity (not a delta), so it is
    never negative; ``correctedQty`` and ``reservedQty`` are whole numbers too (Fluent's
    reference does not say they are absolute counts, so their sign is left to Fluent)."""

    sku_ref: str = Field(alias="skuRef", min_length=1)
    location_ref: str = Field(alias="locationRef", min_length=1)
    qty: OnHandQuantity
    corrected_qty: Quantity | None = Field(default=None, alias="correctedQty")
    reserved_qty: Quantity | None = Field(default=None, alias="reservedQty")
    #: e.g. ``LAST_ON_HAND`` or ``IN_TRANSIT``.
    type: str | None = None
    status: str | None = None
    attributes: dict[str, Any] | None = None
    #: Filled with the batch's retailer when left out.
    retailer_id: CheckedRetailerId | None = Field(default=None, alias="retailerId")


class InventoryBatch(RequestModel):
    """An ``INVENTORY``/``UPSERT`` batch. Omitted settings take Fluent's defaults, except
    ``catalogue_ref``, which the SDK fills with ``DEFAULT:<retailerId>``."""

    action: Literal["UPSERT"] = "UPSERT"
    entity_type: Literal["INVENTORY"] = Field(default="INVENTORY", alias="entityType")
    #: Origin of the data (Fluent's default: ``batch``), e.g. ``ERP``.
    source: str | None = None
    #: Event raised per record (Fluent's default: ``InventoryChanged``).
    event: str | None = None
    catalogue_ref: str | None = Field(default=None, alias="catalogueRef", min_length=1)
    #: e.g. ``{"hasRelatedInventoryQuantities": [{"type": ..., "status": ...}]}``.
    conditions: dict[str, Any] | None = None
    entities: list[InventoryRecord] = Field(min_length=1)


class RetailerRecord(RequestModel):
    """One retailer to create; ``retailer_id`` also names the ``<retailerId>_admin`` user."""

    retailer_id: str = Field(alias="retailerId", min_length=1)
    retailer_name: str = Field(alias="retailerName", min_length=1, max_length=45)
    region: str | None = Field(default=None, max_length=255)
    trading_name: str | None = Field(default=None, alias="tradingName", max_length=255)
    customer_support_phone: str | None = Field(
        default=None, alias="customerSupportPhone", max_length=255
    )
    customer_support_email: str | None = Field(
        default=None, alias="customerSupportEmail", max_length=255
    )
    website: str | None = Field(default=None, max_length=255)


class RetailerBatch(RequestModel):
    """A ``RETAILER``/``CREATE`` batch."""

    action: Literal["CREATE"] = "CREATE"
    entity_type: Literal["RETAILER"] = Field(default="RETAILER", alias="entityType")
    entities: list[RetailerRecord] = Field(min_length=1)


BatchBody = InventoryBatch | RetailerBatch
_BATCH_MODELS: dict[str, type[InventoryBatch] | type[RetailerBatch]] = {
    "INVENTORY": InventoryBatch,
    "RETAILER": RetailerBatch,
}


# -- response models -----------------------------------------------------------------------


class JobCreated(ResponseModel):
    id: IdStr = Field(alias="id", validation_alias=AliasChoices("id", "jobId"))


class BatchSummary(ResponseModel):
    """A batch as listed in a job."""

    id: IdStr = Field(alias="batchId", validation_alias=AliasChoices("batchId", "id"))
    status: BatchState | None = None
    entity_type: str | None = Field(default=None, alias="entityType")
    action: str | None = None
    created_on: str | None = Field(default=None, alias="createdOn")


class Job(ResponseModel):
    id: IdStr = Field(alias="jobId", validation_alias=AliasChoices("jobId", "id"))
    name: str | None = None
    status: JobStatus | None = None
    retailer_id: IdStr | None = Field(default=None, alias="retailerId")
    meta: dict[str, Any] | None = None
    created_on: str | None = Field(default=None, alias="createdOn")
    batches: list[BatchSummary] = Field(
        default_factory=list, alias="batch", validation_alias=AliasChoices("batch", "batches")
    )

    @property
    def created_day(self) -> date | None:
        """The UTC day the job was created, when ``createdOn`` parses."""
        return _utc_day(self.created_on)


class BatchCreated(ResponseModel):
    id: IdStr = Field(alias="id", validation_alias=AliasChoices("id", "batchId"))


class BatchRecordResult(ResponseModel):
    """The outcome of one record: ``response_code`` 200 is success."""

    entity_id: IdStr | None = Field(default=None, alias="entityId")
    entity_ref: str | None = Field(default=None, alias="entityRef")
    #: A number (200, 404, 500) or text such as ``"301 Unauthorised"``.
    response_code: int | str | None = Field(default=None, alias="responseCode")
    message: str | None = None

    @property
    def ok(self) -> bool:
        return str(self.response_code).strip().startswith("200")


class Batch(ResponseModel):
    """A batch's status and per-record results (``GET /job/{jobId}/batch/{batchId}``)."""

    id: IdStr = Field(alias="batchId", validation_alias=AliasChoices("batchId", "id"))
    job_id: IdStr | None = Field(default=None, alias="jobId")
    status: BatchState | None = None
    action: str | None = None
    entity_type: str | None = Field(default=None, alias="entityType")
    start: int | None = None
    count: int | None = None
    total: int | None = None
    created_on: str | None = Field(default=None, alias="createdOn")
    results: list[BatchRecordResult] = Field(
        default_factory=list, validation_alias=AliasChoices("results", "entities")
    )

    @property
    def is_complete(self) -> bool:
        return self.status == BatchState.COMPLETE

    @property
    def failed_results(self) -> list[BatchRecordResult]:
        return [result for result in self.results if not result.ok]


@dataclass(frozen=True)
class BatchTally:
    """A batch's answer with its per-record results counted rather than modelled.

    For bulk loads (`Inventory.update`): a 5000-record batch answers 5000 results, and a
    `BatchRecordResult` for each costs more CPU than sending the records did. Results that are
    200 are only counted; the others are kept as models, with their position in the answer,
    for their reasons. Built by `batch_tally_call`.
    """

    id: str
    status: BatchState | None
    total: int | None
    #: How many results the answer carried, accepted or not.
    results: int
    #: (position in the answer, result) of each result that is not 200, in order.
    failures: list[tuple[int, BatchRecordResult]]

    @property
    def is_complete(self) -> bool:
        return self.status == BatchState.COMPLETE


#: ``responseCode`` values that are plainly 200 (anything else is read as a model, whose
#: `BatchRecordResult.ok` decides).
_OK_CODES = (200, "200")


def _parse_tally(response: httpx.Response) -> BatchTally:
    operation = "jobs.get_batch"
    body = response_json(response, operation)
    if not isinstance(body, dict):
        raise unexpected_response(response, operation, "expected a JSON object")
    key = "results" if "results" in body else "entities"  # as `Batch` reads them
    results = body.pop(key, [])
    if not isinstance(results, list):
        raise unexpected_response(response, operation, f"{key}: expected a list")
    try:
        batch = Batch.model_validate(body)
    except pydantic.ValidationError as exc:
        raise unexpected_response(response, operation, str(to_validation_error(exc))) from None
    failures: list[tuple[int, BatchRecordResult]] = []
    # A loop rather than a comprehension: CPython 3.11 does not specialise a comprehension whose
    # filter is always false until its 8th call, and most results are plainly 200.
    for i, raw in enumerate(results):
        if type(raw) is dict and raw.get("responseCode") in _OK_CODES:
            continue
        try:
            result = BatchRecordResult.model_validate(raw)
        except pydantic.ValidationError as exc:
            problem = to_validation_error(exc, prefix=f"{key}[{i}]")
            raise unexpected_response(response, operation, str(problem)) from None
        if not result.ok:
            failures.append((i, result))
    return BatchTally(batch.id, batch.status, batch.total, len(results), failures)


_ParsedT = TypeVar("_ParsedT")


def batch_tally_call(
    job_id: str | int, batch_id: str | int, *, start: int | None = None, count: int | None = None
) -> ApiCall[BatchTally]:
    """``GET /job/{jobId}/batch/{batchId}`` read as a `BatchTally` (``start``/``count`` page
    the results)."""
    params = {
        name: value for name, value in (("start", start), ("count", count)) if value is not None
    }
    return _get_batch(job_id, batch_id, _parse_tally, params or None)


def _get_batch(
    job_id: str | int,
    batch_id: str | int,
    parse: Callable[[httpx.Response], _ParsedT],
    params: Mapping[str, int] | None = None,
) -> ApiCall[_ParsedT]:
    """``GET /job/{jobId}/batch/{batchId}``, read by ``parse``."""
    job_id = check_path_segment(job_id, field="job_id")
    batch_id = check_path_segment(batch_id, field="batch_id")
    return ApiCall(
        "GET",
        f"{JOB_PATH}/{job_id}/batch/{batch_id}",
        parse,
        params=params,
        operation="jobs.get_batch",
    )


_JSON_CONTENT = JSON_HEADERS  # one definition, in fluent_sdk._types


def send_batch_body_call(job_id: str | int, body: Mapping[str, Any]) -> ApiCall[BatchCreated]:
    """``POST /job/{jobId}/batch`` of a body the caller built and checked itself (`send_batch`
    checks and serialises a model first). ``body`` must be plain JSON data, without cycles."""
    job_id = check_path_segment(job_id, field="job_id")
    # The bytes httpx's ``json=`` would send, minus the encoder's cycle check: bodies here are
    # plain data the SDK built, and checking each of 5000 records costs a third of encoding.
    content = json.dumps(
        body, ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
    ).encode()
    # Not idempotent: a retried batch would be processed twice.
    return ApiCall(
        "POST",
        f"{JOB_PATH}/{job_id}/batch",
        json_model_parser(BatchCreated, "jobs.send_batch"),
        content=content,
        headers=_JSON_CONTENT,
        operation="jobs.send_batch",
    )


class _Polled(Protocol):
    """What polling reads of an answer: `Batch` and `BatchTally` both have it."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> BatchState | None: ...

    @property
    def is_complete(self) -> bool: ...


def _utc_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:  # Fluent's timestamps are UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).date()


# -- shared logic (no I/O) -----------------------------------------------------------------


class _JobsBase:
    """Validation, `ApiCall` building, the open-job memory and the polling schedule."""

    def __init__(self, *, clock: Callable[[], datetime], monotonic: Callable[[], float]) -> None:
        self._clock = clock
        self._monotonic = monotonic
        # (job name, retailer id) -> (job id, UTC day it was opened on)
        self._open_jobs: dict[tuple[str, str], tuple[str, date]] = {}

    def _today(self) -> date:
        return self._clock().astimezone(timezone.utc).date()

    # ---- plans (performed by the twins) -----------------------------------------------------
    def _create_plan(
        self, name: str, retailer_id: int | str | None, meta: Mapping[str, Any] | None
    ) -> Plan[JobCreated]:
        job = self._checked_job(name, meta)
        return (yield from perform(self._create_call(job, (yield from retailer(retailer_id)))))

    def _open_job_plan(
        self, name: str, retailer_id: int | str | None, meta: Mapping[str, Any] | None
    ) -> Plan[str]:
        """The job `Jobs.open_job_for_today` answers; the twins run it under their lock."""
        job = self._checked_job(name, meta)
        resolved = yield from retailer(retailer_id)
        known = self._open_job_today(job.name, resolved)
        if known is not None:
            return known
        for attempt in range(1, _JOB_CREATE_ATTEMPTS + 1):
            try:
                return (yield from perform(self._create_call(job, resolved))).id
            except APIError as error:
                if not _unreadable(error) or attempt == _JOB_CREATE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_batch_plan(
        self, job_id: str | int, batch: BatchBody | Mapping[str, Any]
    ) -> Plan[BatchCreated]:
        checked = self._checked_batch(batch)
        call = self._send_batch_call(job_id, checked)  # checks job_id before any login
        if self._needs_retailer(checked):
            checked = self._with_retailer(checked, (yield from retailer()))
            call = self._send_batch_call(job_id, checked)
        return (yield from perform(call))

    def _wait_plan(
        self,
        job_id: str | int,
        batch_id: str | int,
        timeout: float,
        poll_interval: float,
        max_poll_interval: float,
    ) -> Plan[Batch]:
        """Poll the batch until it is complete, waiting ``poll_interval`` seconds at first and
        doubling up to ``max_poll_interval``; `BatchTimeoutError` after ``timeout``."""
        self._check_wait(timeout, poll_interval, max_poll_interval)
        call = self._get_batch_call(job_id, batch_id)
        started = self._monotonic()
        delay = poll_interval
        while True:
            batch = yield from perform(call)
            wait = self._poll_delay(
                batch, job_id=job_id, started=started, timeout=timeout, delay=delay
            )
            if wait is None:
                return batch
            yield Sleep(wait)
            delay = min(delay * 2, max_poll_interval)

    @staticmethod
    def _checked_job(name: str, meta: Mapping[str, Any] | None) -> JobCreate:
        return validate_request(
            JobCreate, {"name": name, **({"meta": meta} if meta is not None else {})}, field="job"
        )

    def _create_call(self, job: JobCreate, retailer_id: RetailerId) -> ApiCall[JobCreated]:
        body = job.model_copy(update={"retailer_id": retailer_id}).to_body()
        parse = json_model_parser(JobCreated, "jobs.create")
        day = self._today()

        def parse_and_remember(response: Any) -> JobCreated:
            created = parse(response)
            self._open_jobs[(job.name, str(retailer_id))] = (created.id, day)
            return created

        # Retried like an idempotent request: after a lost answer the retry may open a second
        # job, but an empty job is harmless (it closes at midnight UTC), while giving up
        # would stop a whole bulk load before its first batch.
        return ApiCall(
            "POST",
            JOB_PATH,
            parse_and_remember,
            json=body,
            idempotent=True,
            operation="jobs.create",
        )

    def _get_call(self, job_id: str | int) -> ApiCall[Job]:
        job_id = check_path_segment(job_id, field="job_id")
        parse = json_model_parser(Job, "jobs.get")

        def parse_and_remember(response: Any) -> Job:
            job = parse(response)
            self._saw(job)
            return job

        return ApiCall("GET", f"{JOB_PATH}/{job_id}", parse_and_remember, operation="jobs.get")

    def _saw(self, job: Job) -> None:
        """Remember an open job created today; forget one reported closed."""
        if not job.name or job.retailer_id is None:
            return
        key = (job.name, job.retailer_id)
        today = self._today()
        if job.status == JobStatus.OPEN and job.created_day == today:
            self._open_jobs[key] = (job.id, today)
        elif (
            job.status not in (None, JobStatus.OPEN)
            and self._open_jobs.get(key, ("",))[0] == job.id
        ):
            del self._open_jobs[key]

    def _open_job_today(self, name: str, retailer_id: RetailerId) -> str | None:
        """The remembered job for ``name`` if it was opened today (UTC), else None."""
        known = self._open_jobs.get((name, str(retailer_id)))
        if known is None or known[1] != self._today():
            return None  # jobs close at midnight UTC
        return known[0]

    @staticmethod
    def _checked_batch(batch: BatchBody | Mapping[str, Any]) -> BatchBody:
        if isinstance(batch, (InventoryBatch, RetailerBatch)):
            checked: BatchBody = batch
        elif isinstance(batch, Mapping):
            kind = batch.get("entityType", batch.get("entity_type"))
            model = _BATCH_MODELS.get(str(kind).upper()) if kind is not None else None
            if model is None:
                raise ValidationError(
                    f"batch.entityType: expected one of {sorted(_BATCH_MODELS)}, got {kind!r}",
                    field="batch.entityType",
                )
            checked = validate_request(model, batch, field="batch")
        else:
            raise ValidationError(
                f"batch: expected InventoryBatch, RetailerBatch or a mapping, "
                f"got {type(batch).__name__}",
                field="batch",
            )
        if len(checked.entities) > MAX_BATCH_RECORDS:
            raise ValidationError(
                f"batch.entities: {len(checked.entities)} records, but Fluent accepts at most "
                f"{MAX_BATCH_RECORDS} per batch; send them as several batches in the same job",
                field="batch.entities",
            )
        return checked

    @staticmethod
    def _needs_retailer(batch: BatchBody) -> bool:
        return isinstance(batch, InventoryBatch) and (
            batch.catalogue_ref is None or any(r.retailer_id is None for r in batch.entities)
        )

    @staticmethod
    def _with_retailer(batch: BatchBody, retailer_id: RetailerId) -> BatchBody:
        if not isinstance(batch, InventoryBatch):
            return batch
        records = [
            r if r.retailer_id is not None else r.model_copy(update={"retailer_id": retailer_id})
            for r in batch.entities
        ]
        return batch.model_copy(
            update={
                "catalogue_ref": batch.catalogue_ref or f"DEFAULT:{retailer_id}",
                "entities": records,
            }
        )

    @staticmethod
    def _send_batch_call(job_id: str | int, batch: BatchBody) -> ApiCall[BatchCreated]:
        check_path_segment(job_id, field="job_id")  # before serialising the batch
        return send_batch_body_call(job_id, batch.to_body())

    @staticmethod
    def _get_batch_call(job_id: str | int, batch_id: str | int) -> ApiCall[Batch]:
        return _get_batch(job_id, batch_id, json_model_parser(Batch, "jobs.get_batch"))

    @staticmethod
    def _check_wait(timeout: float, poll_interval: float, max_poll_interval: float) -> None:
        for field, value in (
            ("timeout", timeout),
            ("poll_interval", poll_interval),
            ("max_poll_interval", max_poll_interval),
        ):
            if not value > 0:
                raise ValidationError(f"{field} must be positive, got {value!r}", field=field)

    def _poll_delay(
        self,
        batch: _Polled,
        *,
        job_id: str | int,
        started: float,
        timeout: float,
        delay: float,
    ) -> float | None:
        return poll_delay(
            batch,
            job_id=job_id,
            waited=self._monotonic() - started,
            timeout=timeout,
            delay=delay,
        )


def poll_delay(
    batch: _Polled, *, job_id: str | int, waited: float, timeout: float, delay: float
) -> float | None:
    """Seconds to sleep before polling ``batch`` again, None when it is complete.

    Raises `BatchTimeoutError` once ``waited`` reaches ``timeout``; the last sleep is cut so
    that one final poll happens at the deadline.
    """
    if batch.is_complete:
        return None
    if waited >= timeout:
        raise BatchTimeoutError(
            job_id=str(job_id),
            batch_id=batch.id,
            last_status=str(batch.status) if batch.status is not None else None,
            waited=waited,
        )
    return min(delay, timeout - waited)


#: Tries of `open_job_for_today` when Fluent's answer cannot be read (the transport retries
#: lost replies and 5xx itself: job creation is marked safe to repeat).
_JOB_CREATE_ATTEMPTS = 3


def _unreadable(error: APIError) -> bool:
    """A 2xx answer that was not what Fluent sends (an HTML page, truncated JSON): whether a
    job was created is unknown, and creating another is harmless."""
    return error.status is not None and 200 <= error.status < 300


def job_call(job_id: str | int) -> ApiCall[Job]:
    """``GET /job/{jobId}``: the job with the batches it holds."""
    job_id = check_path_segment(job_id, field="job_id")
    return ApiCall(
        "GET", f"{JOB_PATH}/{job_id}", json_model_parser(Job, "jobs.get"), operation="jobs.get"
    )


def batch_call(
    job_id: str | int, batch_id: str | int, *, start: int | None = None, count: int | None = None
) -> ApiCall[Batch]:
    """``GET /job/{jobId}/batch/{batchId}`` read as a `Batch`, every result modelled
    (``start``/``count`` page the results)."""
    params = {
        name: value for name, value in (("start", start), ("count", count)) if value is not None
    }
    return _get_batch(job_id, batch_id, json_model_parser(Batch, "jobs.get_batch"), params or None)


# -- I/O twins -----------------------------------------------------------------------------


class Jobs(_JobsBase, SyncNamespace[RestClient]):
    """``client.jobs``: the Job and Batch API, synchronously.

    ``clock`` (UTC now), ``monotonic`` and ``sleep`` are seams for tests.
    """

    def __init__(
        self,
        client: RestClient,
        *,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        SyncNamespace.__init__(self, client, sleep=sleep)
        _JobsBase.__init__(self, clock=clock, monotonic=monotonic)
        self._open_job_lock = threading.Lock()

    def create(
        self,
        name: str,
        *,
        retailer_id: int | str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> JobCreated:
        """Open a new job (``POST /api/v4.1/job``); ``retailer_id`` defaults to the client's."""
        return self._drive(self._create_plan(name, retailer_id, meta))

    def get(self, job_id: str | int) -> Job:
        """A job with its batches (needs JOB_VIEW and BATCH_VIEW)."""
        return self._client.call(self._get_call(job_id))

    def open_job_for_today(
        self,
        name: str,
        *,
        retailer_id: int | str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> str:
        """The id of a job named ``name`` that this client created or saw open today (UTC),
        or of a new one. Jobs close at midnight UTC, so a new day gets a new job."""
        with self._open_job_lock:
            return self._drive(self._open_job_plan(name, retailer_id, meta))

    def send_batch(
        self, job_id: str | int, batch: InventoryBatch | RetailerBatch | Mapping[str, Any]
    ) -> BatchCreated:
        """Add a batch (at most 5000 records) to an open job."""
        return self._drive(self._send_batch_plan(job_id, batch))

    def get_batch(self, job_id: str | int, batch_id: str | int) -> Batch:
        """A batch's status and per-record results."""
        return self._client.call(self._get_batch_call(job_id, batch_id))

    def wait_for_batch(
        self,
        job_id: str | int,
        batch_id: str | int,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 30.0,
    ) -> Batch:
        """Poll until the batch is ``COMPLETE``, waiting ``poll_interval`` seconds at first and
        doubling up to ``max_poll_interval``. Raises `BatchTimeoutError` after ``timeout``."""
        plan = self._wait_plan(job_id, batch_id, timeout, poll_interval, max_poll_interval)
        return self._drive(plan)


class AsyncJobs(_JobsBase, AsyncNamespace[AsyncRestClient]):
    """``client.jobs`` on `AsyncFluentClient`: the Job and Batch API, awaitable."""

    def __init__(
        self,
        client: AsyncRestClient,
        *,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        AsyncNamespace.__init__(self, client, sleep=sleep)
        _JobsBase.__init__(self, clock=clock, monotonic=monotonic)
        self._open_job_lock = asyncio.Lock()

    async def create(
        self,
        name: str,
        *,
        retailer_id: int | str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> JobCreated:
        return await self._drive(self._create_plan(name, retailer_id, meta))

    async def get(self, job_id: str | int) -> Job:
        return await self._client.call(self._get_call(job_id))

    async def open_job_for_today(
        self,
        name: str,
        *,
        retailer_id: int | str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> str:
        async with self._open_job_lock:
            return await self._drive(self._open_job_plan(name, retailer_id, meta))

    async def send_batch(
        self, job_id: str | int, batch: InventoryBatch | RetailerBatch | Mapping[str, Any]
    ) -> BatchCreated:
        return await self._drive(self._send_batch_plan(job_id, batch))

    async def get_batch(self, job_id: str | int, batch_id: str | int) -> Batch:
        return await self._client.call(self._get_batch_call(job_id, batch_id))

    async def wait_for_batch(
        self,
        job_id: str | int,
        batch_id: str | int,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        max_poll_interval: float = 30.0,
    ) -> Batch:
        plan = self._wait_plan(job_id, batch_id, timeout, poll_interval, max_poll_interval)
        return await self._drive(plan)
