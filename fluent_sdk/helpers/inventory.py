"""``client.inventory``: the inventory master interface (bulk updates, deltas, read-back).

Usage::

    with FluentClient.from_env() as client:
        report = client.inventory.update("erp_stock.csv", checkpoint="stock.ckpt")
        print(report)                       # <InventoryUpdateReport read=... accepted=... ...>
        report.to_csv("rejected.csv")       # row, stage, field, reason, record fields

        client.inventory.send_deltas([{"productRef": "SKU-1", "locationRef": "STORE-9",
                                       "qty": -2}])
        for position in client.inventory.positions(product_ref="SKU-1"):
            print(position.location_ref, position.on_hand)

    async with AsyncFluentClient.from_env() as client:
        report = await client.inventory.update(records_generator(), concurrency=8)

`Inventory.update` sends absolute stock-on-hand records (``qty`` is the new on-hand, not a
change) through the Job/Batch API, as Fluent recommends for bulk and periodic loads:

- Input: any iterable or generator of `InventoryRecord` / dicts, a ``.csv`` or ``.jsonl`` path,
  or a pandas DataFrame. It is streamed: only the batches in flight are in memory.
- Each record is validated; an invalid one is reported with its row and reason, never sent,
  and never stops the run.
- Records go in batches of at most 5000 into today's job (reused, `Jobs.open_job_for_today`),
  ``concurrency`` batches at a time, and each batch is polled until ``COMPLETE``.
- A batch whose POST fails (after the transport's retries; 429 is always retried) is reported:
  its records are not accepted and carry the error as reason; the run goes on. Creating a batch
  is not idempotent, so after a timeout or a dropped reply the batch may exist: the run reads
  the job's batches back to find it, and sends it again only when it provably is not there.
  Failed polls are repeated. What cannot be settled within ``settle_timeout`` is kept in
  ``report.unknown_records`` (apart from ``rejected``) and never resent blindly.
- Fluent processes batches in parallel: when one input names the same position twice in
  different batches, which value wins is not defined. Send one record per position.
- ``checkpoint=PATH`` makes a run resumable and exactly-once across crashes (see
  `fluent_sdk.helpers._inventory_checkpoint`): an intent is made durable before each POST; run
  it again with the same input and checkpoint after an interruption and only what was not yet
  sent is sent; batches sent but not yet confirmed are polled or looked up, not resent.

`Inventory.send_deltas` sends relative changes (store sales, adjustments) as one
``INVENTORY_DELTA`` event each on the inventory catalogue, Fluent's recommended pattern for
deltas. `Inventory.positions` reads positions and their quantities back through GraphQL.
"""

from __future__ import annotations

import functools
import os
import threading
import time
import uuid
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, Field

from fluent_sdk._bounded import arun_bounded, run_bounded
from fluent_sdk._client import AsyncFluentClient, FluentClient
from fluent_sdk.errors import ConnectError, FluentError, TransportError, ValidationError
from fluent_sdk.helpers._inventory_checkpoint import Checkpoint
from fluent_sdk.helpers._inventory_input import (
    RecordProblem,
    RecordSource,
    open_source,
    problem_from,
)
from fluent_sdk.helpers._inventory_report import (
    DeltaReport,
    FailedBatch,
    FailedDelta,
    InventoryUpdateReport,
    RejectedRecord,
)
from fluent_sdk.helpers._inventory_run import Settling, UpdateRun, adrive, drive
from fluent_sdk.rest._common import (
    AsyncNamespace,
    RequestModel,
    RetailerId,
    SyncNamespace,
)
from fluent_sdk.rest.events import EntityType, Event, EventOutcome, RootEntityType
from fluent_sdk.rest.jobs import (
    MAX_BATCH_RECORDS,
    InventoryRecord,
)

if TYPE_CHECKING:
    from fluent_sdk._generated.inventory_positions import (
        InventoryPositionsInventoryPositionsEdgesNode as InventoryPositionNode,
    )
    from fluent_sdk.graphql import AsyncPaginator, Paginator

__all__ = [
    "DEFAULT_DELTA_EVENT",
    "DEFAULT_JOB_NAME",
    "AsyncInventory",
    "DeltaReport",
    "FailedBatch",
    "FailedDelta",
    "Inventory",
    "InventoryDelta",
    "InventoryRecord",
    "InventoryUpdateReport",
    "RecordSource",
    "RejectedRecord",
]

DEFAULT_JOB_NAME = "fluent-sdk inventory"
#: Fluent's inventory-catalogue event for relative changes (Inventory Reference Module).
DEFAULT_DELTA_EVENT = "INVENTORY_DELTA"


class InventoryDelta(RequestModel):
    """A relative change to one position, e.g. ``qty=-2`` for two units sold in store.

    ``delta_id`` identifies the change to Fluent (one is generated when left out; pass your
    own, e.g. the POS transaction line id, so that a resend is recognisable).
    """

    product_ref: str = Field(
        alias="productRef",
        min_length=1,
        validation_alias=AliasChoices("productRef", "product_ref", "skuRef", "sku_ref"),
    )
    location_ref: str = Field(
        alias="locationRef",
        min_length=1,
        validation_alias=AliasChoices("locationRef", "location_ref"),
    )
    qty: int
    delta_id: str | None = Field(
        default=None, alias="deltaId", validation_alias=AliasChoices("deltaId", "delta_id")
    )
    #: The inventory quantity type the delta creates (``DELTA`` in Fluent's reference module).
    type: str = "DELTA"


# -- shared logic of both twins ---------------------------------------------------------------


class _InventoryBase:
    """Argument checks and planning shared by `Inventory` and `AsyncInventory`."""

    @staticmethod
    def _check_update_args(
        *,
        job_name: str,
        concurrency: int,
        batch_size: int,
        catalogue_ref: str | None,
        source: str | None,
        poll_interval: float,
        batch_timeout: float,
        settle_timeout: float,
    ) -> None:
        if not isinstance(job_name, str) or not job_name.strip():
            raise ValidationError("job_name must be a non-empty string", field="job_name")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValidationError(
                f"concurrency must be a positive integer, got {concurrency!r}", field="concurrency"
            )
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, int)
            or not 1 <= batch_size <= MAX_BATCH_RECORDS
        ):
            raise ValidationError(
                f"batch_size must be between 1 and {MAX_BATCH_RECORDS} (Fluent's limit), "
                f"got {batch_size!r}",
                field="batch_size",
            )
        if catalogue_ref is not None and (
            not isinstance(catalogue_ref, str) or not catalogue_ref.strip()
        ):
            raise ValidationError("catalogue_ref must be a non-empty string", field="catalogue_ref")
        # Checked here: batch bodies are built directly, not through `InventoryBatch`.
        if source is not None and not isinstance(source, str):
            raise ValidationError(
                f"source must be a string, got {type(source).__name__}", field="source"
            )
        for name, value in (("poll_interval", poll_interval), ("batch_timeout", batch_timeout)):
            if not value > 0:
                raise ValidationError(f"{name} must be positive, got {value!r}", field=name)
        if not settle_timeout >= 0:
            raise ValidationError(
                f"settle_timeout must be 0 (do not settle) or more seconds, got {settle_timeout!r}",
                field="settle_timeout",
            )

    @staticmethod
    def _open_run(
        opened: tuple[Iterator[tuple[int, Any]], int | None],
        *,
        retailer_id: RetailerId,
        catalogue_ref: str | None,
        batch_size: int,
        source: str | None,
        checkpoint: str | os.PathLike[str] | None,
        resend_unknown: bool,
        progress: bool,
        settling: Settling,
    ) -> UpdateRun:
        catalogue = catalogue_ref or f"DEFAULT:{retailer_id}"
        journal = (
            Checkpoint.open(
                checkpoint, run={"retailer_id": retailer_id, "catalogue_ref": catalogue}
            )
            if checkpoint is not None
            else None
        )
        rows, total = opened
        return UpdateRun(
            rows,
            total,
            retailer_id=retailer_id,
            catalogue_ref=catalogue,
            batch_size=batch_size,
            source=source,
            journal=journal,
            resend_unknown=resend_unknown,
            progress=progress,
            settling=settling,
        )

    # ---- deltas ----------------------------------------------------------------------------
    @staticmethod
    def _check_delta(raw: Any) -> InventoryDelta | RecordProblem:
        if isinstance(raw, InventoryDelta):
            delta = raw
        elif isinstance(raw, Mapping) and all(isinstance(key, str) for key in raw):
            try:
                delta = InventoryDelta(**raw)
            except ValidationError as error:
                return problem_from(error)
        else:
            return RecordProblem(f"expected a mapping or InventoryDelta, got {type(raw).__name__}")
        if delta.delta_id is None:
            delta = delta.model_copy(update={"delta_id": uuid.uuid4().hex})
        return delta

    def _checked_deltas(
        self,
        changes: Iterable[InventoryDelta | Mapping[str, Any]],
        report: DeltaReport,
        lock: threading.Lock | None = None,
    ) -> Iterator[tuple[int, InventoryDelta]]:
        """Each valid change with its row; invalid ones are recorded in ``report`` instead."""
        for row, raw in enumerate(changes, start=1):
            report.read += 1
            checked = self._check_delta(raw)
            if not isinstance(checked, RecordProblem):
                yield row, checked
                continue
            failure = FailedDelta(
                row, "validation", f"row {row}: {checked.reason}", None, raw, checked.field
            )
            if lock is None:
                report.failed.append(failure)
            else:
                with lock:
                    report.failed.append(failure)

    @staticmethod
    def _delta_event(
        delta: InventoryDelta, *, event_name: str, catalogue_ref: str, retailer_id: RetailerId
    ) -> Event:
        return Event(
            name=event_name,
            entity_type=EntityType.INVENTORY_CATALOGUE,
            entity_ref=catalogue_ref,
            entity_subtype="DEFAULT",
            root_entity_type=RootEntityType.INVENTORY_CATALOGUE,
            root_entity_ref=catalogue_ref,
            retailer_id=retailer_id,
            attributes=delta.to_body(),
        )

    @staticmethod
    def _check_delta_args(changes: Any, event_name: str, concurrency: int) -> None:
        if isinstance(changes, (str, bytes, Mapping)) or not isinstance(changes, Iterable):
            raise ValidationError(
                "changes: expected an iterable of deltas (dicts or InventoryDelta)",
                field="changes",
            )
        if not isinstance(event_name, str) or not event_name.strip():
            raise ValidationError("event_name must be a non-empty string", field="event_name")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValidationError(
                f"concurrency must be a positive integer, got {concurrency!r}", field="concurrency"
            )

    @staticmethod
    def _delta_sent(
        report: DeltaReport, delta: InventoryDelta, outcome: EventOutcome | None
    ) -> None:
        report.sent += 1
        assert delta.delta_id is not None
        report.event_ids[delta.delta_id] = outcome.event_id if outcome is not None else None

    @staticmethod
    def _delta_failed(
        report: DeltaReport, row: int, delta: InventoryDelta, error: FluentError
    ) -> None:
        unknown = isinstance(error, TransportError) and not isinstance(error, ConnectError)
        report.failed.append(
            FailedDelta(
                row,
                "unknown_outcome" if unknown else "failed",
                f"{type(error).__name__}: {error}",
                delta.delta_id,
                delta.to_body(),
            )
        )

    @staticmethod
    def _positions_filters(
        product_ref: str | Sequence[str] | None,
        location_ref: str | Sequence[str] | None,
        status: str | Sequence[str] | None,
    ) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        for name, value in (
            ("product_ref", product_ref),
            ("location_ref", location_ref),
            ("status", status),
        ):
            if value is None:
                continue
            values = [value] if isinstance(value, str) else list(value)
            if not values or not all(isinstance(v, str) and v for v in values):
                raise ValidationError(
                    f"{name} must be a non-empty string or list of strings", field=name
                )
            filters[name] = values
        return filters


# -- I/O twins ---------------------------------------------------------------------------------


class Inventory(_InventoryBase, SyncNamespace[FluentClient]):
    """``client.inventory``: the inventory master interface, synchronously."""

    def __init__(self, client: FluentClient) -> None:
        SyncNamespace.__init__(self, client)

    def update(
        self,
        records: RecordSource,
        *,
        job_name: str = DEFAULT_JOB_NAME,
        concurrency: int = 4,
        progress: bool = True,
        checkpoint: str | os.PathLike[str] | None = None,
        batch_size: int = MAX_BATCH_RECORDS,
        catalogue_ref: str | None = None,
        retailer_id: int | str | None = None,
        source: str | None = None,
        resend_unknown: bool = False,
        poll_interval: float = 1.0,
        batch_timeout: float = 600.0,
        settle_timeout: float = 300.0,
    ) -> InventoryUpdateReport:
        """Send absolute stock-on-hand ``records`` through the Job/Batch API; see the module
        docstring. Returns a report in which every record read is accepted or rejected with
        a reason.

        ``concurrency`` batches are in flight at once (a thread pool sharing this client; 1
        sends sequentially). ``catalogue_ref`` defaults to ``DEFAULT:<retailer_id>``,
        ``source`` (e.g. ``"ERP"``) to Fluent's ``batch``. ``checkpoint`` makes the run
        resumable; ``resend_unknown=True`` resends batches a checkpointed run left with an
        unknown outcome (check with `positions` first: Fluent may have applied them).
        ``poll_interval`` / ``batch_timeout`` drive the polling of each batch;
        ``settle_timeout`` bounds how long a lost POST reply or failing polls are settled
        within the run (0: leave them unknown, for a resume to settle).

        Raises `ValidationError` for bad arguments or an unreadable source before any
        request; invalid records are reported, not raised. An interruption (e.g.
        KeyboardInterrupt) stops posting, lets in-flight batches finish, and propagates.
        """
        self._check_update_args(
            job_name=job_name,
            concurrency=concurrency,
            batch_size=batch_size,
            catalogue_ref=catalogue_ref,
            source=source,
            poll_interval=poll_interval,
            batch_timeout=batch_timeout,
            settle_timeout=settle_timeout,
        )
        opened = open_source(records)
        run = self._open_run(
            opened,
            retailer_id=self._retailer_id(retailer_id),
            catalogue_ref=catalogue_ref,
            batch_size=batch_size,
            source=source,
            checkpoint=checkpoint,
            resend_unknown=resend_unknown,
            progress=progress,
            settling=Settling(
                poll_interval=poll_interval,
                batch_timeout=batch_timeout,
                settle_timeout=settle_timeout,
            ),
        )
        try:
            run_bounded(
                self._batch_jobs(run, job_name),
                concurrency=concurrency,
                thread_name_prefix="fluent-inventory",
                on_error=run.stop,
            )
        finally:
            run.close()
        return run.report

    def _batch_jobs(self, run: UpdateRun, job_name: str) -> Iterator[Callable[[], None]]:
        for planned in run.batches():
            if run.needs_job(planned):  # today's job is opened before the first batch
                run.report.job_id = self._client.jobs.open_job_for_today(
                    job_name, retailer_id=run.retailer_id
                )
            if run.needs_processing(planned):
                yield functools.partial(drive, self._client, run.process(planned))

    def send_deltas(
        self,
        changes: Iterable[InventoryDelta | Mapping[str, Any]],
        *,
        event_name: str = DEFAULT_DELTA_EVENT,
        catalogue_ref: str | None = None,
        retailer_id: int | str | None = None,
        concurrency: int = 4,
    ) -> DeltaReport:
        """Send relative changes (``qty=-2`` for two sold) as one ``event_name`` event each
        on the inventory catalogue (``DEFAULT:<retailer_id>`` unless given), through
        ``POST /event/async``. Invalid changes and failed sends are reported, not raised;
        a timed-out send is ``unknown_outcome`` (the delta id lets Fluent tell a resend).
        """
        self._check_delta_args(changes, event_name, concurrency)
        retailer = self._retailer_id(retailer_id)
        catalogue = catalogue_ref or f"DEFAULT:{retailer}"
        report = DeltaReport()
        started = time.monotonic()
        lock = threading.Lock()  # the report is shared by the pool's threads

        def send(row: int, delta: InventoryDelta) -> None:
            event = self._delta_event(
                delta, event_name=event_name, catalogue_ref=catalogue, retailer_id=retailer
            )
            try:
                outcome = self._client.events.send(event)
            except FluentError as error:
                with lock:
                    self._delta_failed(report, row, delta, error)
                return
            with lock:
                self._delta_sent(report, delta, outcome)

        run_bounded(
            (
                functools.partial(send, row, delta)
                for row, delta in self._checked_deltas(changes, report, lock)
            ),
            concurrency=concurrency,
        )
        report.duration = time.monotonic() - started
        return report

    def positions(
        self,
        *,
        product_ref: str | Sequence[str] | None = None,
        location_ref: str | Sequence[str] | None = None,
        catalogue_ref: str | None = None,
        status: str | Sequence[str] | None = None,
        quantities: int = 10,
        page_size: int = 1000,
        max_items: int | None = None,
    ) -> Paginator[InventoryPositionNode]:
        """Inventory positions (with their first ``quantities`` quantities) of the catalogue
        (``DEFAULT:<retailer_id>`` unless given), paged lazily: ``for position in ...``,
        ``.pages()``, ``.cursor``, ``.to_pandas()`` (the generated `iter_inventory_positions`)."""
        filters = self._positions_filters(product_ref, location_ref, status)
        catalogue = catalogue_ref or f"DEFAULT:{self._retailer_id()}"
        return self._client.graphql.iter_inventory_positions(
            catalogue={"ref": catalogue},
            quantities_first=quantities,
            page_size=page_size,
            max_items=max_items,
            **filters,
        )


class AsyncInventory(_InventoryBase, AsyncNamespace[AsyncFluentClient]):
    """``client.inventory`` on `AsyncFluentClient`: the same interface, awaitable."""

    def __init__(self, client: AsyncFluentClient) -> None:
        AsyncNamespace.__init__(self, client)

    async def update(
        self,
        records: RecordSource,
        *,
        job_name: str = DEFAULT_JOB_NAME,
        concurrency: int = 4,
        progress: bool = True,
        checkpoint: str | os.PathLike[str] | None = None,
        batch_size: int = MAX_BATCH_RECORDS,
        catalogue_ref: str | None = None,
        retailer_id: int | str | None = None,
        source: str | None = None,
        resend_unknown: bool = False,
        poll_interval: float = 1.0,
        batch_timeout: float = 600.0,
        settle_timeout: float = 300.0,
    ) -> InventoryUpdateReport:
        """See `Inventory.update`; batches in flight are asyncio tasks, at most
        ``concurrency`` at once. The input is read on the event loop between sends."""
        self._check_update_args(
            job_name=job_name,
            concurrency=concurrency,
            batch_size=batch_size,
            catalogue_ref=catalogue_ref,
            source=source,
            poll_interval=poll_interval,
            batch_timeout=batch_timeout,
            settle_timeout=settle_timeout,
        )
        opened = open_source(records)
        run = self._open_run(
            opened,
            retailer_id=await self._retailer_id(retailer_id),
            catalogue_ref=catalogue_ref,
            batch_size=batch_size,
            source=source,
            checkpoint=checkpoint,
            resend_unknown=resend_unknown,
            progress=progress,
            settling=Settling(
                poll_interval=poll_interval,
                batch_timeout=batch_timeout,
                settle_timeout=settle_timeout,
            ),
        )
        try:
            await arun_bounded(
                self._batch_jobs(run, job_name), concurrency=concurrency, on_error=run.stop
            )
        finally:
            run.close()
        return run.report

    async def _batch_jobs(
        self, run: UpdateRun, job_name: str
    ) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        for planned in run.batches():
            if run.needs_job(planned):  # today's job is opened before the first batch
                run.report.job_id = await self._client.jobs.open_job_for_today(
                    job_name, retailer_id=run.retailer_id
                )
            if run.needs_processing(planned):
                yield functools.partial(adrive, self._client, run.process(planned))

    async def send_deltas(
        self,
        changes: Iterable[InventoryDelta | Mapping[str, Any]],
        *,
        event_name: str = DEFAULT_DELTA_EVENT,
        catalogue_ref: str | None = None,
        retailer_id: int | str | None = None,
        concurrency: int = 4,
    ) -> DeltaReport:
        """See `Inventory.send_deltas`."""
        self._check_delta_args(changes, event_name, concurrency)
        retailer = await self._retailer_id(retailer_id)
        catalogue = catalogue_ref or f"DEFAULT:{retailer}"
        report = DeltaReport()
        started = time.monotonic()

        async def send(row: int, delta: InventoryDelta) -> None:
            event = self._delta_event(
                delta, event_name=event_name, catalogue_ref=catalogue, retailer_id=retailer
            )
            try:
                outcome = await self._client.events.send(event)
            except FluentError as error:
                self._delta_failed(report, row, delta, error)
                return
            self._delta_sent(report, delta, outcome)

        await arun_bounded(
            (
                functools.partial(send, row, delta)
                for row, delta in self._checked_deltas(changes, report)
            ),
            concurrency=concurrency,
        )
        report.duration = time.monotonic() - started
        return report

    def positions(
        self,
        *,
        product_ref: str | Sequence[str] | None = None,
        location_ref: str | Sequence[str] | None = None,
        catalogue_ref: str | None = None,
        status: str | Sequence[str] | None = None,
        quantities: int = 10,
        page_size: int = 1000,
        max_items: int | None = None,
    ) -> AsyncPaginator[InventoryPositionNode]:
        """See `Inventory.positions`: the same paginator API, awaited (``async for position in
        inv.positions(...)``, ``.pages()``, ``.cursor``, ``await .to_pandas()``). Filters and
        sizes are checked when called; the retailer (for the default catalogue) is looked up
        when the first page is read."""
        filters = self._positions_filters(product_ref, location_ref, status)
        return self._positions(
            filters,
            catalogue_ref=catalogue_ref,
            quantities=quantities,
            page_size=page_size,
            max_items=max_items,
        )

    def _positions(
        self,
        filters: dict[str, Any],
        *,
        catalogue_ref: str | None,
        quantities: int,
        page_size: int,
        max_items: int | None,
    ) -> AsyncPaginator[InventoryPositionNode]:
        from fluent_sdk.graphql import AsyncPaginator

        gql = self._client.graphql
        catalogue = [catalogue_ref] if catalogue_ref else []

        async def page(first: int, after: str | None) -> Any:
            if not catalogue:  # resolved once, when the first page is read
                catalogue.append(f"DEFAULT:{await self._retailer_id()}")
            return await gql.inventory_positions(
                catalogue={"ref": catalogue[0]},
                quantities_first=quantities,
                first=first,
                after=after,
                **filters,
            )

        # The generated iter_inventory_positions needs the catalogue up front; this one pages
        # the same operation, and the same nodes, with the catalogue resolved on first read.
        return AsyncPaginator(
            page, page_size=page_size, max_items=max_items, operation="inventoryPositions"
        )
