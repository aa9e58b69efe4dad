"""The I/O-free core of `Inventory.update`: planning batches from the input, bookkeeping.

`UpdateRun` reads the input lazily, cuts it into batches aligned with what a checkpoint
recorded (`UpdateRun.batches`), and owns each batch's whole life as a plan
(`UpdateRun.process`): a generator that yields the `ApiCall` to make or a `Pause`, is sent
each answer (or thrown each error), and records every outcome in the report and the
checkpoint. The sync and async twins in `fluent_sdk.helpers.inventory` only perform the
steps::

    run = UpdateRun(rows, total, retailer_id=1, catalogue_ref="DEFAULT:1", batch_size=5000,
                    source=None, journal=None, resend_unknown=False, progress=False)
    for planned in run.batches():
        ...  # open the job once (run.report.job_id), then drive run.process(planned)
    report = run.close()

A batch's life: an ``intent`` line is made durable in the checkpoint before the POST (write
ahead), so that no crash can leave rows sent but unrecorded. A POST whose outcome is unknown
(the reply was lost) is settled within the run: the job's batches are read back
(``GET /job/{id}``) and the one holding exactly these records is claimed; if none does, after
a second look, the batch was not created and is sent again. Polls that fail (an HTML page, a
gateway error after the transport's retries) are repeated with backoff until
``settle_timeout``. Only what cannot be settled by then is reported ``unknown``; a resume
with the same checkpoint settles it the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, TypeVar

from fluent_sdk import _progress
from fluent_sdk._progress import ProgressBar
from fluent_sdk._types import ApiCall
from fluent_sdk.errors import (
    APIError,
    ConnectError,
    FluentError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
)
from fluent_sdk.helpers._common import Pause
from fluent_sdk.helpers._inventory_checkpoint import Checkpoint, RecordedRange, RowDigest
from fluent_sdk.helpers._inventory_input import RecordBody, RecordProblem, check_record
from fluent_sdk.helpers._inventory_report import (
    FailedBatch,
    InventoryUpdateReport,
    RejectedRecord,
)
from fluent_sdk.rest._common import RetailerId
from fluent_sdk.rest._common import adrive as plan_adrive
from fluent_sdk.rest._common import drive as plan_drive
from fluent_sdk.rest.jobs import (
    Batch,
    BatchCreated,
    BatchRecordResult,
    BatchTally,
    Job,
    batch_call,
    batch_tally_call,
    job_call,
    poll_delay,
    send_batch_body_call,
)

__all__ = [
    "BatchPlan",
    "Pause",
    "PlannedBatch",
    "Settling",
    "UpdateRun",
    "adrive",
    "drive",
    "maybe_created",
    "worth_retrying",
]

_T = TypeVar("_T")
_RESULTS_PAGE = 5000
#: POSTs of one batch, when each was provably not created (its reply lost before commit).
_MAX_SENDS = 3
#: Looks at the job's batches that find no match before a lost POST counts as not created.
_LOOKS_BEFORE_ABSENT = 2


#: What a batch's plan yields; it is sent each call's answer or thrown its `FluentError`.
BatchPlan = Generator["ApiCall[Any] | Pause", Any, None]


@dataclass(frozen=True)
class Settling:
    """How a run waits: for batches to complete, and to settle outcomes left unknown."""

    poll_interval: float = 1.0
    max_poll_interval: float = 30.0
    #: Seconds a batch may take to reach ``COMPLETE`` (`BatchTimeoutError` after).
    batch_timeout: float = 600.0
    #: Seconds to keep trying to settle a batch whose POST reply was lost or whose polls fail.
    settle_timeout: float = 300.0


@dataclass
class PlannedBatch:
    """Consecutive input records that travel (or travelled) as one batch."""

    rows: list[int] = field(default_factory=list)
    #: The records' bodies, as sent (`check_record`).
    records: list[RecordBody] = field(default_factory=list)
    digest: RowDigest | None = None
    #: ``new``: to send; ``sent``: sent by an earlier run, to poll; ``intent``/``unknown``:
    #: maybe sent by an earlier run, to look for on the server; ``done``: its outcome is
    #: restored from the checkpoint.
    state: Literal["new", "sent", "done", "unknown", "intent"] = "new"
    job_id: str | None = None
    batch_id: str | None = None
    recorded: RecordedRange | None = None
    #: This run POSTed it (so a batch found for it was created during this run).
    posted: bool = False

    def add(self, row: int, record: RecordBody) -> None:
        self.rows.append(row)
        self.records.append(record)
        if self.digest is not None:
            self.digest.add(row, record)

    @property
    def first_row(self) -> int:
        return self.rows[0]

    @property
    def last_row(self) -> int:
        return self.rows[-1]

    def __len__(self) -> int:
        return len(self.records)


class _Progress(ProgressBar):
    """The run's bar (`fluent_sdk._progress`): records settled, with accepted/rejected counts."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        super().__init__(_progress_bar(total) if enabled and _interactive() else None)

    def update(self, count: int, *, accepted: int, rejected: int) -> None:
        self.advance(count, f"accepted={accepted}, rejected={rejected}")


# Module-level seams over the shared bar, kept for tests that replace them.
def _interactive() -> bool:
    return _progress.interactive()


def _in_notebook() -> bool:
    return _progress.in_notebook()


def _progress_bar(total: int | None) -> Any:
    return _progress.progress_bar(total, unit="rec", desc="inventory", notebook=_in_notebook())


def maybe_created(error: FluentError) -> bool:
    """Whether a failed batch POST may nevertheless have created the batch."""
    if isinstance(error, ConnectError):
        return False  # never reached Fluent
    if isinstance(error, TransportError):
        return True  # timed out or the reply was lost: Fluent may have acted
    if isinstance(error, APIError):
        # A 2xx whose body could not be read was created; a gateway error may hide a success.
        return error.status is None or error.status < 400 or error.status in (502, 504)
    return False


class _Caller(Protocol):
    def call(self, call: ApiCall[_T]) -> _T: ...


class _AsyncCaller(Protocol):
    async def call(self, call: ApiCall[_T]) -> _T: ...


def drive(client: _Caller, plan: BatchPlan) -> None:
    """Run ``plan`` on a `FluentClient`: perform each call, sleep each pause (the one plan
    loop, `fluent_sdk.rest._common.drive`)."""

    def perform(step: ApiCall[Any] | Pause) -> Any:
        if isinstance(step, Pause):
            return time.sleep(step.seconds)
        return client.call(step)

    plan_drive(plan, perform)


async def adrive(client: _AsyncCaller, plan: BatchPlan) -> None:
    """`drive` on an `AsyncFluentClient`."""
    import asyncio  # only async users pay for importing asyncio

    async def perform(step: ApiCall[Any] | Pause) -> Any:
        if isinstance(step, Pause):
            return await asyncio.sleep(step.seconds)
        return await client.call(step)

    await plan_adrive(plan, perform)


def worth_retrying(error: FluentError) -> bool:
    """Whether a failed read may succeed if tried again later: a lost or unreadable answer
    (an HTML page with status 200, malformed JSON), a 5xx or a 429 the transport's own
    retries did not get past. Refusals (401, 403, 404, 400) are final."""
    if isinstance(error, (TransportError, ServerError, RateLimitedError)):
        return True
    return isinstance(error, APIError) and (error.status is None or error.status < 400)


#: `UpdateRun._settle`'s answer when the batch was provably not created.
_NOT_CREATED = BatchTally("", None, None, 0, [])


class UpdateRun:
    """One `Inventory.update`: reads and plans batches, records outcomes, keeps the report.

    Shared by the sync and async twins; outcome methods may be called from worker threads.
    """

    def __init__(
        self,
        rows: Iterator[tuple[int, Any]],
        total: int | None,
        *,
        retailer_id: RetailerId,
        catalogue_ref: str,
        batch_size: int,
        source: str | None,
        journal: Checkpoint | None,
        resend_unknown: bool,
        progress: bool,
        settling: Settling | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rows = rows
        self._settling = settling or Settling()
        self._clock = clock
        # Batch ids this run knows the rows of (recorded in the checkpoint, created or claimed
        # now); any other batch of the job may hold rows whose POST reply was lost.
        self._known_batches = {
            r.batch_id for r in (journal.ranges if journal is not None else []) if r.batch_id
        }
        # Result refs of job batches read while settling that matched no rows yet.
        self._unclaimed: dict[str, list[str | None]] = {}
        self.retailer_id = retailer_id
        self.catalogue_ref = catalogue_ref
        self._batch_size = batch_size
        self._source = source
        self._journal = journal
        self._resend_unknown = resend_unknown
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self.report = InventoryUpdateReport(
            checkpoint=str(journal.path) if journal is not None else None
        )
        self._progress = _Progress(progress, total)

    # ---- control ---------------------------------------------------------------------------
    def stop(self) -> None:
        """No more batches are posted (in-flight ones finish and are recorded)."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def close(self) -> InventoryUpdateReport:
        self._progress.close()
        if self._journal is not None:
            self._journal.close()
        self.report.duration = time.monotonic() - self._started
        return self.report

    # ---- planning --------------------------------------------------------------------------
    def batches(self) -> Iterator[PlannedBatch]:
        """The input cut into batches, aligned with the ranges an earlier run recorded."""
        ranges = self._journal.ranges if self._journal is not None else []
        if ranges:
            yield from self._batches_around(ranges)
        yield from self._fresh_batches()

    def _fresh_batches(self) -> Iterator[PlannedBatch]:
        """The rest of the input (past every recorded range) in batches of ``batch_size``.

        This loop runs once per record and is most of the SDK's own CPU in a bulk load, so it
        avoids calls: the commonest record (a dict of exactly ``skuRef``, ``locationRef`` and
        an int ``qty``, plainly valid) is checked inline, giving the body `check_record` would
        give (tested), and `PlannedBatch.add` is inlined.
        """
        size, retailer_id = self._batch_size, self.retailer_id
        fresh = self._new_batch()
        rows, records, digest = fresh.rows, fresh.records, fresh.digest
        row = self.report.read
        for row, raw in self._rows:
            body: RecordBody | None = None
            if type(raw) is dict and len(raw) == 3:
                try:
                    sku, location, qty = raw["skuRef"], raw["locationRef"], raw["qty"]
                except KeyError:  # another key: left to `check_record`
                    sku = location = qty = None
                if (
                    type(sku) is str
                    and sku
                    and type(location) is str
                    and location
                    and type(qty) is int
                    and qty >= 0
                ):
                    body = {
                        "skuRef": sku,
                        "locationRef": location,
                        "qty": qty,
                        "retailerId": retailer_id,
                    }
            if body is None:
                checked = check_record(raw, retailer_id=retailer_id)
                if isinstance(checked, RecordProblem):
                    self._invalid(row, raw, checked)
                    continue
                body = checked
            rows.append(row)
            records.append(body)
            if digest is not None:
                digest.add(row, body)
            if len(records) >= size:
                self.report.read = row  # rows are numbered from 1: the last one is the count
                yield fresh
                fresh = self._new_batch()
                rows, records, digest = fresh.rows, fresh.records, fresh.digest
        self.report.read = row
        if records:
            yield fresh

    def _batches_around(self, ranges: list[RecordedRange]) -> Iterator[PlannedBatch]:
        """The input up to the end of the last recorded range: each range re-read as one
        batch (checked against what was recorded), the rows between them as fresh batches."""
        next_range = 0
        fresh: PlannedBatch | None = None
        replay: PlannedBatch | None = None
        for row, raw in self._rows:
            self.report.read += 1
            checked = check_record(raw, retailer_id=self.retailer_id)
            current = ranges[next_range]
            recorded = current if current.first <= row <= current.last else None
            if isinstance(checked, RecordProblem):
                self._invalid(row, raw, checked)
            elif recorded is None:
                if fresh is None:
                    fresh = self._new_batch()
                fresh.add(row, checked)
                if len(fresh) >= self._batch_size:
                    yield fresh
                    fresh = None
                continue
            else:
                if fresh is not None:  # a fresh batch never spans a recorded range
                    yield fresh
                    fresh = None
                if replay is None:
                    replay = PlannedBatch(digest=RowDigest(), recorded=recorded)
                replay.add(row, checked)
            if recorded is not None and row == recorded.last:
                yield self._replayed(replay, recorded)
                replay = None
                next_range += 1
                if next_range == len(ranges):
                    return  # the rest is fresh
        if fresh is not None:
            yield fresh
        raise ValidationError(
            "checkpoint: the input has fewer records than the checkpoint recorded; "
            "resume with the same input",
            field="checkpoint",
        )

    def _new_batch(self) -> PlannedBatch:
        return PlannedBatch(digest=RowDigest() if self._journal is not None else None)

    def _replayed(self, replay: PlannedBatch | None, recorded: RecordedRange) -> PlannedBatch:
        """A re-read recorded range, checked against what was recorded."""
        digest = replay.digest.hexdigest() if replay is not None and replay.digest else None
        if replay is None or len(replay) != recorded.count or digest != recorded.digest:
            raise ValidationError(
                f"checkpoint: rows {recorded.first}-{recorded.last} differ from what was sent "
                "before; resume with the same input in the same order, or use a new checkpoint",
                field="checkpoint",
            )
        if recorded.state == "unknown" and self._resend_unknown:
            assert self._journal is not None
            self._journal.append({"kind": "resend", "first": recorded.first})
            replay.recorded = None
            return replay  # state "new": sent again
        replay.state = recorded.state
        replay.job_id = recorded.job_id
        replay.batch_id = recorded.batch_id
        return replay

    # ---- a batch's life, as a plan -----------------------------------------------------------
    def needs_job(self, planned: PlannedBatch) -> bool:
        """Whether today's job must be opened before ``planned`` is processed (it may be
        sent: a new batch, or one an earlier run may not have created)."""
        if self.report.job_id is not None:
            return False
        return planned.state == "new" or (
            planned.state in ("intent", "unknown") and self._settling.settle_timeout > 0
        )

    def needs_processing(self, planned: PlannedBatch) -> bool:
        """Whether ``planned`` has a plan to run; a batch an earlier run finished is counted
        from the checkpoint here instead."""
        if planned.state == "done":
            self.restore(planned)
            return False
        return True

    def process(self, planned: PlannedBatch) -> BatchPlan:
        """The plan of one batch (see the module docstring); every outcome is recorded."""
        if planned.state in ("intent", "unknown"):
            if self._settling.settle_timeout <= 0:
                self.restore(planned)  # settling is off: reported as the earlier run left it
                return
            settled = yield from self._settle(planned, None)
            if settled is None:
                return  # recorded unknown
            if settled is not _NOT_CREATED:
                self.completed(planned, settled)
                return
            planned.state = "new"  # provably not created: send it now
        if planned.state == "new":
            yield from self._send(planned)
            return
        tally = yield from self._poll(planned)  # sent by an earlier run
        if tally is not None:
            self.completed(planned, tally)

    def _send(
        self, planned: PlannedBatch
    ) -> Generator[ApiCall[Any] | Pause, Any, BatchTally | None]:
        """POST the batch (the intent made durable first) until it is created or provably not;
        returns the tally of a batch found complete while settling, else None (the batch is
        `sent` and still to poll, or its outcome is recorded)."""
        for attempt in range(1, _MAX_SENDS + 1):
            if self.stopped:
                return None
            job_id = self.report.job_id
            assert job_id is not None
            planned.job_id, planned.posted = job_id, True
            if self._journal is not None:
                self._journal.append({**self._range_entry("intent", planned), "job_id": job_id})
            try:
                created: BatchCreated = yield self.send_call(job_id, planned)
            except FluentError as error:
                if not maybe_created(error) or self._settling.settle_timeout <= 0:
                    self.post_failed(planned, error)
                    return None
                settled = yield from self._settle(planned, error)
                if settled is not _NOT_CREATED:
                    if settled is not None:
                        self.completed(planned, settled)
                    return None
                if attempt == _MAX_SENDS:
                    self.post_failed(planned, error, not_created=True)
                    return None
                continue
            self.batch_created(planned, job_id, created.id)
            tally = yield from self._poll(planned)
            if tally is not None:
                self.completed(planned, tally)
            return None
        return None  # pragma: no cover - the loop returns

    def _settle(
        self, planned: PlannedBatch, error: FluentError | None
    ) -> Generator[ApiCall[Any] | Pause, Any, BatchTally | None]:
        """Find out whether a POST whose reply never came created the batch.

        Reads the job's batches and claims the one, not known to this run, that holds exactly
        these records. Returns its tally (complete), `_NOT_CREATED` when two looks found none,
        or None when it could not be told by ``settle_timeout`` (recorded ``unknown``).
        """
        assert planned.job_id is not None
        settling = self._settling
        deadline = self._clock() + settling.settle_timeout
        delay = settling.poll_interval
        looks = 0
        last_error = error
        while True:
            try:
                job: Job = yield job_call(planned.job_id)
                for summary in job.batches:
                    refs = yield from self._candidate_refs(planned.job_id, summary.id)
                    if refs is not None and self._claim(planned, summary.id, refs):
                        return (yield from self._poll(planned))
                looks += 1
                if looks >= _LOOKS_BEFORE_ABSENT:
                    return _NOT_CREATED
            except FluentError as exc:
                if not worth_retrying(exc):
                    self._unsettled(planned, exc)
                    return None
                last_error = exc
            remaining = deadline - self._clock()
            if remaining <= 0:
                self._unsettled(planned, last_error)
                return None
            yield Pause(min(delay, remaining))
            delay = min(delay * 2, settling.max_poll_interval)

    def _candidate_refs(
        self, job_id: str, batch_id: str
    ) -> Generator[ApiCall[Any] | Pause, Any, list[str | None] | None]:
        """The result refs of a job batch no rows of this run are known to be in, read once
        it is complete (None for a batch this run knows)."""
        with self._lock:
            if batch_id in self._known_batches:
                return None
            cached = self._unclaimed.get(batch_id)
        if cached is not None:
            return cached
        started = self._clock()
        delay = self._settling.poll_interval
        while True:
            batch: Batch = yield batch_call(job_id, batch_id)
            wait = poll_delay(
                batch,
                job_id=job_id,
                waited=self._clock() - started,
                timeout=self._settling.batch_timeout,
                delay=delay,
            )
            if wait is None:
                break
            yield Pause(wait)
            delay = min(delay * 2, self._settling.max_poll_interval)
        refs = [result.entity_ref for result in batch.results]
        while batch.total is not None and len(refs) < batch.total:
            page: Batch = yield batch_call(job_id, batch_id, start=len(refs), count=_RESULTS_PAGE)
            if not page.results:
                break
            refs.extend(result.entity_ref for result in page.results)
        with self._lock:
            self._unclaimed[batch_id] = refs
        return refs

    def _claim(self, planned: PlannedBatch, batch_id: str, refs: list[str | None]) -> bool:
        """Take ``batch_id`` as the batch of ``planned`` when it holds exactly its records
        (one result per record, in order, as Fluent answers them)."""
        if len(refs) != len(planned) or not all(
            ref in (f"{record['skuRef']}:{record['locationRef']}", record["skuRef"])
            for ref, record in zip(refs, planned.records, strict=True)
        ):
            return False
        with self._lock:
            if batch_id in self._known_batches:
                return False  # claimed by another batch meanwhile
            self._known_batches.add(batch_id)
            self._unclaimed.pop(batch_id, None)
        self.batch_created(planned, planned.job_id or "", batch_id, found=True)
        return True

    def _poll(
        self, planned: PlannedBatch
    ) -> Generator[ApiCall[Any] | Pause, Any, BatchTally | None]:
        """Poll a created batch until it is complete, with all its results; failed polls are
        repeated with backoff until ``settle_timeout``. None when it could not be read
        (recorded ``unknown``)."""
        assert planned.job_id is not None
        settling = self._settling
        started = self._clock()
        delay = settling.poll_interval
        failing_since: float | None = None
        call: ApiCall[BatchTally] | None = self.poll_call(planned)
        batch: BatchTally | None = None
        while call is not None:
            try:
                answer: BatchTally = yield call
            except FluentError as error:
                now = self._clock()
                failing_since = now if failing_since is None else failing_since
                if not worth_retrying(error) or now - failing_since >= settling.settle_timeout:
                    self.poll_failed(planned, error)
                    return None
                yield Pause(min(delay, settling.max_poll_interval))
                delay = min(delay * 2, settling.max_poll_interval)
                continue
            failing_since = None
            if batch is not None:  # a further page of a complete batch's results
                batch = self.merged(batch, answer)
            else:
                try:
                    wait = poll_delay(
                        answer,
                        job_id=planned.job_id,
                        waited=self._clock() - started,
                        timeout=settling.batch_timeout,
                        delay=delay,
                    )
                except FluentError as error:
                    self.poll_failed(planned, error)
                    return None
                if wait is not None:
                    yield Pause(wait)
                    delay = min(delay * 2, settling.max_poll_interval)
                    continue
                batch = answer
                delay = settling.poll_interval
            call = self.more_results_call(planned, batch)
        return batch

    def send_call(self, job_id: str, planned: PlannedBatch) -> ApiCall[BatchCreated]:
        """The POST of a new batch: the body `InventoryBatch` would make of these (already
        checked) records, built directly."""
        body: dict[str, Any] = {"action": "UPSERT", "entityType": "INVENTORY"}
        if self._source is not None:
            body["source"] = self._source
        body["catalogueRef"] = self.catalogue_ref
        body["entities"] = planned.records
        return send_batch_body_call(job_id, body)

    @staticmethod
    def poll_call(planned: PlannedBatch) -> ApiCall[BatchTally]:
        """The GET of a created batch, its results tallied (only rejected ones modelled)."""
        assert planned.job_id is not None
        assert planned.batch_id is not None
        return batch_tally_call(planned.job_id, planned.batch_id)

    # ---- outcomes --------------------------------------------------------------------------
    def _invalid(self, row: int, raw: Any, problem: RecordProblem) -> None:
        record = raw if not hasattr(raw, "text") else {"line": raw.text}
        with self._lock:
            self.report.rejected.append(
                RejectedRecord(
                    row, "validation", f"row {row}: {problem.reason}", record, problem.field
                )
            )
            self._settled(1)

    def _settled(self, count: int) -> None:
        # Called with the lock held.
        self._progress.update(
            count, accepted=self.report.accepted, rejected=len(self.report.rejected)
        )

    def _reject_all(
        self, planned: PlannedBatch, stage: Literal["batch_failed"], reason: str
    ) -> None:
        self.report.rejected.extend(
            RejectedRecord(row, stage, reason, record, batch_id=planned.batch_id)
            for row, record in zip(planned.rows, planned.records, strict=True)
        )

    def _unknown_all(self, planned: PlannedBatch, reason: str) -> None:
        self.report.unknown_records.extend(
            RejectedRecord(row, "unknown_outcome", reason, record, batch_id=planned.batch_id)
            for row, record in zip(planned.rows, planned.records, strict=True)
        )

    def _failed_batch(
        self, planned: PlannedBatch, error: str, outcome: Literal["failed", "unknown"]
    ) -> None:
        self.report.failed_batches.append(
            FailedBatch(
                planned.first_row, planned.last_row, len(planned), error, outcome, planned.batch_id
            )
        )

    def _range_entry(self, kind: str, planned: PlannedBatch) -> dict[str, Any]:
        assert planned.digest is not None
        return {
            "kind": kind,
            "first": planned.first_row,
            "last": planned.last_row,
            "count": len(planned),
            "digest": planned.digest.hexdigest(),
        }

    def batch_created(
        self, planned: PlannedBatch, job_id: str, batch_id: str, *, found: bool = False
    ) -> None:
        """Record that Fluent created ``planned`` as ``batch_id`` (``found``: its POST reply
        was lost and the batch was found among the job's)."""
        planned.job_id, planned.batch_id, planned.state = job_id, batch_id, "sent"
        if self._journal is not None:
            entry = {**self._range_entry("sent", planned), "job_id": job_id, "batch_id": batch_id}
            self._journal.append({**entry, "found": True} if found else entry)
        with self._lock:
            self._known_batches.add(batch_id)
            if planned.posted or not found:  # else created by an earlier run
                self.report.sent += len(planned)
                self.report.batches += 1

    def post_failed(
        self, planned: PlannedBatch, error: FluentError, *, not_created: bool = False
    ) -> None:
        """Record a POST that failed: not created (``batch_failed``, safe to send again), or
        maybe created (``unknown``) when settling is off."""
        reason = f"{type(error).__name__}: {error}"
        unknown = maybe_created(error) and not not_created
        if unknown:
            reason = f"batch may or may not have been created (not resent): {reason}"
        elif not_created:
            reason = f"batch was not created after {_MAX_SENDS} tries: {reason}"
        if self._journal is not None:
            kind = "unknown" if unknown else "failed"
            self._journal.append(
                {**self._range_entry(kind, planned), "job_id": planned.job_id, "error": reason}
            )
        with self._lock:
            if unknown:
                self._unknown_all(planned, reason)
            else:
                self._reject_all(planned, "batch_failed", reason)
            self._failed_batch(planned, reason, "unknown" if unknown else "failed")
            self._settled(len(planned))

    def _unsettled(self, planned: PlannedBatch, error: FluentError | None) -> None:
        """A POST whose outcome could not be settled by ``settle_timeout``."""
        cause = f"{type(error).__name__}: {error}" if error is not None else "no answer"
        reason = (
            "batch may or may not have been created, and the job's batches could not be read "
            f"within settle_timeout ({cause}); resume with the same checkpoint to settle it"
        )
        if self._journal is not None:
            self._journal.append(
                {**self._range_entry("unknown", planned), "job_id": planned.job_id, "error": reason}
            )
        with self._lock:
            self._unknown_all(planned, reason)
            self._failed_batch(planned, reason, "unknown")
            self._settled(len(planned))

    def poll_failed(self, planned: PlannedBatch, error: FluentError) -> None:
        reason = (
            f"batch {planned.batch_id} was created but its outcome could not be read "
            f"({type(error).__name__}: {error}); it is polled again on resume"
        )
        with self._lock:
            self._unknown_all(planned, reason)
            self._failed_batch(planned, reason, "unknown")
            self._settled(len(planned))

    def completed(self, planned: PlannedBatch, batch: BatchTally) -> None:
        failures = _failures(planned, batch)
        if self._journal is not None:
            self._journal.append(
                {
                    "kind": "done",
                    "batch_id": planned.batch_id,
                    "accepted": len(planned) - len(failures),
                    "rejected": [[planned.rows[i], reason] for i, reason in failures.items()],
                }
            )
        with self._lock:
            self.report.accepted += len(planned) - len(failures)
            self.report.rejected.extend(
                RejectedRecord(
                    planned.rows[i], "server", reason, planned.records[i], batch_id=planned.batch_id
                )
                for i, reason in failures.items()
            )
            self._settled(len(planned))

    def restore(self, planned: PlannedBatch) -> None:
        """Count a range an earlier run finished (``done``) or left ``unknown``."""
        recorded = planned.recorded
        assert recorded is not None
        with self._lock:
            self.report.resumed += len(planned)
            if planned.state in ("unknown", "intent"):
                error = recorded.error or "a crash between its POST and the reply"
                reason = f"recorded by an earlier run: {error}"
                self._unknown_all(planned, reason)
                self._failed_batch(planned, reason, "unknown")
            else:
                self.report.accepted += len(planned) - len(recorded.rejected)
                self.report.rejected.extend(
                    RejectedRecord(row, "server", recorded.rejected[row], record,
                                   batch_id=recorded.batch_id)
                    for row, record in zip(planned.rows, planned.records, strict=True)
                    if row in recorded.rejected
                )  # fmt: skip
            self._settled(len(planned))

    @staticmethod
    def more_results_call(planned: PlannedBatch, batch: BatchTally) -> ApiCall[BatchTally] | None:
        """The next page of a completed batch's results, when Fluent paged them."""
        if batch.total is None or batch.results >= batch.total:
            return None
        assert planned.job_id is not None
        return batch_tally_call(planned.job_id, batch.id, start=batch.results, count=_RESULTS_PAGE)

    @staticmethod
    def merged(batch: BatchTally, page: BatchTally) -> BatchTally:
        """``batch`` followed by ``page``, the next page of its results."""
        if not page.results:  # guard against a server that ignores ``start``
            return replace(batch, total=batch.results)
        return replace(
            batch,
            results=batch.results + page.results,
            failures=[*batch.failures, *((batch.results + i, r) for i, r in page.failures)],
        )


def _failures(planned: PlannedBatch, batch: BatchTally) -> dict[int, str]:
    """Index in the batch -> reason, for records whose result is not 200.

    Results are matched by position when there is one per record, else by ``entityRef``
    (``<skuRef>:<locationRef>`` or the ``skuRef``).
    """
    if batch.results == len(planned):
        return {i: _reason(r) for i, r in batch.failures}
    bad = {r.entity_ref: r for _, r in batch.failures if r.entity_ref is not None}
    failures: dict[int, str] = {}
    if not bad:
        return failures
    for i, record in enumerate(planned.records):
        found = bad.get(f"{record['skuRef']}:{record['locationRef']}") or bad.get(record["skuRef"])
        if found is not None:
            failures[i] = _reason(found)
    return failures


def _reason(result: BatchRecordResult) -> str:
    code = result.response_code if result.response_code is not None else "no response code"
    return f"{code}: {result.message or 'rejected'}"
