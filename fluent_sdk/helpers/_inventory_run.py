"""The I/O-free core of `Inventory.update`: planning batches from the input, bookkeeping.

`UpdateRun` reads the input lazily, cuts it into batches aligned with what a checkpoint
recorded (`UpdateRun.batches`), and records each batch's outcome in the report and the
checkpoint; the sync and async twins in `fluent_sdk.helpers.inventory` only send and poll::

    run = UpdateRun(rows, total, retailer_id=1, catalogue_ref="DEFAULT:1", batch_size=5000,
                    source=None, journal=None, resend_unknown=False, progress=False)
    for planned in run.batches():
        ...  # client.call(run.send_call(job_id, planned)), then run.batch_created, then
        ...  # poll run.poll_call(planned) (and run.more_results_call) for run.completed
    report = run.close()
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from fluent_sdk._client import ApiCall
from fluent_sdk.errors import APIError, ConnectError, FluentError, TransportError, ValidationError
from fluent_sdk.helpers._inventory_checkpoint import Checkpoint, RecordedRange, RowDigest
from fluent_sdk.helpers._inventory_input import RecordBody, RecordProblem, check_record
from fluent_sdk.helpers._inventory_report import (
    FailedBatch,
    InventoryUpdateReport,
    RejectedRecord,
)
from fluent_sdk.rest._common import RetailerId
from fluent_sdk.rest.jobs import (
    BatchCreated,
    BatchRecordResult,
    BatchTally,
    batch_tally_call,
    send_batch_body_call,
)

__all__ = ["PlannedBatch", "UpdateRun", "maybe_created"]

_RESULTS_PAGE = 5000


@dataclass
class PlannedBatch:
    """Consecutive input records that travel (or travelled) as one batch."""

    rows: list[int] = field(default_factory=list)
    #: The records' bodies, as sent (`check_record`).
    records: list[RecordBody] = field(default_factory=list)
    digest: RowDigest | None = None
    #: ``new``: to send; ``sent``: sent by an earlier run, to poll; ``done``/``unknown``: its
    #: outcome is restored from the checkpoint.
    state: Literal["new", "sent", "done", "unknown"] = "new"
    job_id: str | None = None
    batch_id: str | None = None
    recorded: RecordedRange | None = None

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


class _Progress:
    """A tqdm bar when wanted and possible; otherwise nothing."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self._bar: Any = _progress_bar(total) if enabled and _interactive() else None

    @property
    def active(self) -> bool:
        return self._bar is not None

    def update(self, count: int, *, accepted: int, rejected: int) -> None:
        if self._bar is not None:
            self._bar.update(count)
            self._bar.set_postfix(accepted=accepted, rejected=rejected, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _interactive() -> bool:
    """A terminal on stderr, or a notebook kernel (where tqdm.auto draws a widget)."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):  # replaced or closed stderr
        pass
    return _in_notebook()


def _in_notebook() -> bool:
    """Running in a Jupyter kernel (IPython with a kernel attached)."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return shell is not None and hasattr(shell, "kernel")


def _progress_bar(total: int | None) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is the optional "progress" extra
        return None
    # tqdm's notebook bar needs ipywidgets; without it tqdm.auto warns and draws nothing, so a
    # kernel without widgets gets the plain text bar.
    if _in_notebook() and importlib.util.find_spec("ipywidgets") is None:
        from tqdm.std import tqdm
    return tqdm(total=total, unit="rec", desc="inventory", dynamic_ncols=True)


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
    ) -> None:
        self._rows = rows
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
        self,
        planned: PlannedBatch,
        stage: Literal["batch_failed", "unknown_outcome"],
        reason: str,
    ) -> None:
        self.report.rejected.extend(
            RejectedRecord(row, stage, reason, record, batch_id=planned.batch_id)
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

    def batch_created(self, planned: PlannedBatch, job_id: str, batch_id: str) -> None:
        planned.job_id, planned.batch_id, planned.state = job_id, batch_id, "sent"
        if self._journal is not None:
            self._journal.append(
                {**self._range_entry("sent", planned), "job_id": job_id, "batch_id": batch_id}
            )
        with self._lock:
            self.report.sent += len(planned)
            self.report.batches += 1

    def post_failed(self, planned: PlannedBatch, error: FluentError) -> None:
        reason = f"{type(error).__name__}: {error}"
        unknown = maybe_created(error)
        if unknown:
            reason = f"batch may or may not have been created (not resent): {reason}"
        if self._journal is not None:
            kind = "unknown" if unknown else "failed"
            self._journal.append({**self._range_entry(kind, planned), "error": reason})
        with self._lock:
            self._reject_all(planned, "unknown_outcome" if unknown else "batch_failed", reason)
            self._failed_batch(planned, reason, "unknown" if unknown else "failed")
            self._settled(len(planned))

    def poll_failed(self, planned: PlannedBatch, error: FluentError) -> None:
        reason = (
            f"batch {planned.batch_id} was created but its outcome could not be read "
            f"({type(error).__name__}: {error}); it is polled again on resume"
        )
        with self._lock:
            self._reject_all(planned, "unknown_outcome", reason)
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
            if planned.state == "unknown":
                reason = f"recorded by an earlier run: {recorded.error}"
                self._reject_all(planned, "unknown_outcome", reason)
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
