"""The I/O-free core of `Events.send_many`: checking each event, classifying each answer, the
report.

`EventBatchRun` reads the input one event at a time (`EventBatchRun.checked`), so only the
events in flight are in memory; an event that fails the checks is recorded ``INVALID`` and never
sent. The twins in `fluent_sdk.rest.events` POST the others (`EventBatchRun.call`) with at most
``concurrency`` in flight and hand back each answer (`EventBatchRun.sent`) or error
(`EventBatchRun.failed`)::

    run = EventBatchRun(events, mode="sync", idempotent=False, progress=None, explain=...)
    for index, event in run.checked():
        ...  # fill the retailer, POST run.call(event), then run.sent(...) / run.failed(...)
    report = run.close()

Nothing here resends: an event whose reply was lost (a timeout, a dropped connection, a 502/504)
may have reached Fluent and run its workflow, so it is reported ``UNKNOWN``. Resending is the
transport's decision, taken only for events the caller marked idempotent.
"""

from __future__ import annotations

import csv
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from fluent_sdk._display import html_summary, jsonable, records_to_pandas
from fluent_sdk._progress import ProgressBar
from fluent_sdk.errors import (
    APIError,
    ConnectError,
    EventRejectedError,
    FluentError,
    TransportError,
    ValidationError,
)

if TYPE_CHECKING:
    import pandas

    from fluent_sdk.rest.events import Event, EventOutcome

__all__ = [
    "LONG_INPUT",
    "EventBatchOutcome",
    "EventBatchReport",
    "EventBatchRun",
    "EventResult",
    "SendMode",
    "check_batch_args",
    "entity_label",
    "outcome_of_error",
    "read_events",
]

SendMode = Literal["sync", "async"]
#: Events read before ``progress=None`` starts a bar (a short input finishes before one helps).
LONG_INPUT = 100


class EventBatchOutcome(str, Enum):
    """What became of one event of `Events.send_many`."""

    #: ``mode="sync"``: the workflow ran to the end.
    COMPLETE = "COMPLETE"
    #: ``mode="sync"``: no ruleset matched (the event name, the entity or its status).
    NO_MATCH = "NO_MATCH"
    #: ``mode="sync"``: a rule failed.
    FAILED = "FAILED"
    #: ``mode="async"``: Fluent accepted it; what the workflow does is unknown until processed.
    QUEUED = "QUEUED"
    #: Rejected locally (a bad entity type, a missing field...): never sent.
    INVALID = "INVALID"
    #: The POST failed and Fluent did not process the event (refused, 5xx, no connection):
    #: safe to send again.
    ERROR = "ERROR"
    #: The reply was lost (timeout, dropped connection, 502/504): Fluent may have processed
    #: it, so it was not sent again. Check the event log before resending.
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return self.value


_SUCCEEDED = frozenset({EventBatchOutcome.COMPLETE, EventBatchOutcome.QUEUED})


@dataclass(frozen=True, slots=True)
class EventResult:
    """One input event and its outcome. ``index`` is its position in the input (from 0), as in
    the field path ``events[3].entityType`` of an ``INVALID`` one."""

    index: int
    name: str | None
    entity_type: str | None
    entity_id: str | None
    entity_ref: str | None
    outcome: EventBatchOutcome
    event_id: str | None = None
    error: str | None = None
    #: The offending field of an ``INVALID`` event (``events[3].entityType``).
    field: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in _SUCCEEDED

    @property
    def entity(self) -> str:
        """``ORDER ref HD-1``, ``FULFILMENT 123`` or ``ORDER 7 (ref HD-1)``."""
        return entity_label(self.entity_type, self.entity_id, self.entity_ref)

    def to_row(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "outcome": self.outcome.value,
            "name": self.name,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "entity_ref": self.entity_ref,
            "event_id": self.event_id,
            "error": self.error,
            "field": self.field,
        }


def entity_label(entity_type: Any, entity_id: Any, entity_ref: Any) -> str:
    """How messages name an entity: ``ORDER ref HD-1``, ``FULFILMENT 123``, ``ORDER 7 (ref
    HD-1)``."""
    kind = str(entity_type) if entity_type else "entity"
    if entity_id and entity_ref:
        return f"{kind} {entity_id} (ref {entity_ref})"
    if entity_id:
        return f"{kind} {entity_id}"
    if entity_ref:
        return f"{kind} ref {entity_ref}"
    return kind


_COLUMNS = ("index", "outcome", "name", "entity_type", "entity_id", "entity_ref", "event_id",
            "error", "field")  # fmt: skip


@dataclass
class EventBatchReport:
    """What `Events.send_many` returns: every input event with its outcome, in input order.

    ``counts`` / the properties give the totals; `failures` the events that did not succeed;
    ``to_records`` / ``to_pandas`` / ``to_csv`` one row per event; in Jupyter the report shows
    its totals and first failures.
    """

    mode: SendMode
    results: list[EventResult] = field(default_factory=list)
    duration: float = 0.0

    # ---- totals ------------------------------------------------------------------------------
    @property
    def counts(self) -> dict[str, int]:
        """Events per outcome (every outcome listed, zeros included)."""
        tally = Counter(result.outcome for result in self.results)
        return {outcome.value: tally.get(outcome, 0) for outcome in EventBatchOutcome}

    def count(self, outcome: EventBatchOutcome | str) -> int:
        wanted = EventBatchOutcome(outcome)
        return sum(1 for result in self.results if result.outcome is wanted)

    @property
    def read(self) -> int:
        """Events read from the input (valid or not)."""
        return len(self.results)

    @property
    def sent(self) -> int:
        """Events POSTed (every event but the ``INVALID`` ones)."""
        return self.read - self.count(EventBatchOutcome.INVALID)

    @property
    def succeeded(self) -> int:
        """``COMPLETE`` (sync) or ``QUEUED`` (async) events."""
        return sum(1 for result in self.results if result.ok)

    @property
    def unknown(self) -> int:
        """Events whose reply was lost (``UNKNOWN``): they may have run."""
        return self.count(EventBatchOutcome.UNKNOWN)

    @property
    def ok(self) -> bool:
        """True when every event succeeded (an empty input included)."""
        return all(result.ok for result in self.results)

    @property
    def failures(self) -> list[EventResult]:
        """The events that did not succeed (``UNKNOWN`` ones included), in input order."""
        return [result for result in self.results if not result.ok]

    def summary(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "read": self.read,
            "sent": self.sent,
            **{outcome.lower(): count for outcome, count in self.counts.items()},
            "duration_s": round(self.duration, 3),
        }

    # ---- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        shown = " ".join(f"{name.lower()}={n}" for name, n in self.counts.items() if n)
        return (
            f"<EventBatchReport mode={self.mode} read={self.read}"
            f"{' ' + shown if shown else ''} in {self.duration:.1f}s>"
        )

    def _repr_html_(self) -> str:
        fields = [(name, value) for name, value in self.summary().items() if value != 0]
        failures = self.failures
        for result in failures[:10]:
            fields.append(
                (f"events[{result.index}]", f"{result.outcome}: {result.error or result.entity}")
            )
        if len(failures) > 10:
            fields.append(("…", f"{len(failures) - 10} more failures (report.failures)"))
        raw = {"summary": self.summary(), "first_failures": [f.to_row() for f in failures[:20]]}
        return html_summary(f"Events sent ({self.mode})", fields, raw=raw)

    # ---- rows ----------------------------------------------------------------------------------
    def to_records(self, *, failures_only: bool = False) -> list[dict[str, Any]]:
        """One flat row per event (``index``, ``outcome``, ``name``, ``entity_type``,
        ``entity_id``, ``entity_ref``, ``event_id``, ``error``, ``field``)."""
        chosen = self.failures if failures_only else self.results
        return [result.to_row() for result in chosen]

    def to_pandas(self, *, failures_only: bool = False) -> pandas.DataFrame:
        return records_to_pandas(self.to_records(failures_only=failures_only))

    def to_csv(self, path: str | os.PathLike[str], *, failures_only: bool = False) -> int:
        """Write the rows to ``path`` (a header even when there are none); returns how many."""
        rows = self.to_records(failures_only=failures_only)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        return len(rows)

    def to_jsonl(self, path: str | os.PathLike[str], *, failures_only: bool = False) -> int:
        """Write the rows to ``path`` as JSON lines; returns how many."""
        rows = self.to_records(failures_only=failures_only)
        with open(path, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row) + "\n")
        return len(rows)


_ATTRIBUTE_PREFIX = "attributes."
_JSON_COLUMNS = frozenset({"attributes", "meta"})


def read_events(path: str | os.PathLike[str]) -> Iterator[dict[str, Any] | ValidationError]:
    """The events of a ``.csv`` or ``.jsonl`` file, one at a time, for `Events.send_many`.

    CSV: a header of event fields (``name``, ``entityType``, ``entityRef``, ``entityId``,
    ``entitySubtype``, ``rootEntityType``, ``rootEntityRef``...); empty cells are left out;
    ``attributes`` (and ``meta``) cells hold JSON objects, and ``attributes.<name>`` columns
    become attributes (as text). JSON lines: one event object per line, blank lines skipped.
    A line that cannot be read is yielded as a `ValidationError`, which ``send_many`` reports
    ``INVALID`` in its place. Raises `ValidationError` for a missing file or another suffix.
    """
    file = os.fspath(path)
    suffix = os.path.splitext(file)[1].lower()
    if not os.path.isfile(file):
        raise ValidationError(f"events: no such file: {file!r}", field="events")
    if suffix == ".csv":
        return _csv_events(file)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_events(file)
    raise ValidationError(
        f"events: cannot read {os.path.basename(file)!r}: expected a .csv or .jsonl file",
        field="events",
    )


def _csv_events(file: str) -> Iterator[dict[str, Any] | ValidationError]:
    with open(file, newline="", encoding="utf-8-sig") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            where = f"events[{index}]"
            if None in row:  # a line with more cells than the header has columns
                yield ValidationError(f"{where}: more cells than the header has columns",
                                      field=where)  # fmt: skip
                continue
            try:
                yield _from_columns(row, where)
            except ValidationError as error:
                yield error


def _from_columns(row: Mapping[str, str | None], where: str) -> dict[str, Any]:
    event: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for column, cell in row.items():
        name, value = column.strip(), (cell or "").strip()
        if not value:
            continue
        if name.startswith(_ATTRIBUTE_PREFIX):
            attributes[name[len(_ATTRIBUTE_PREFIX) :]] = value
        elif name in _JSON_COLUMNS:
            try:
                event[name] = json.loads(value)
            except ValueError:
                raise ValidationError(
                    f"{where}.{name}: not a JSON object: {value[:60]!r}", field=f"{where}.{name}"
                ) from None
        else:
            event[name] = value
    if attributes:
        given = event.get("attributes")
        event["attributes"] = {**(given if isinstance(given, dict) else {}), **attributes}
    return event


def _jsonl_events(file: str) -> Iterator[dict[str, Any] | ValidationError]:
    with open(file, encoding="utf-8") as handle:
        index = 0
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"events[{index}]"
            index += 1
            try:
                yield json.loads(line)
            except ValueError as error:
                yield ValidationError(f"{where}: line {number} is not valid JSON: {error}",
                                      field=where)  # fmt: skip


def outcome_of_error(error: FluentError) -> EventBatchOutcome:
    """The outcome of an event whose POST raised ``error`` (after the transport's retries)."""
    if isinstance(error, EventRejectedError):
        return (
            EventBatchOutcome.NO_MATCH
            if error.event_status == EventBatchOutcome.NO_MATCH.value
            else EventBatchOutcome.FAILED
        )
    if isinstance(error, ConnectError):
        return EventBatchOutcome.ERROR  # never reached Fluent
    if isinstance(error, TransportError):
        return EventBatchOutcome.UNKNOWN  # sent, but no answer: the workflow may have run
    # An unreadable 2xx ran; a gateway's 502/504 may hide a success behind it.
    if isinstance(error, APIError) and (
        error.status is None or error.status < 400 or error.status in (502, 504)
    ):
        return EventBatchOutcome.UNKNOWN
    return EventBatchOutcome.ERROR


def check_batch_args(events: Any, mode: Any, concurrency: Any, progress: Any) -> None:
    """`Events.send_many`'s arguments, checked before anything is read or sent."""
    if isinstance(events, (str, bytes, Mapping)) or not isinstance(events, Iterable):
        got = "a single event" if isinstance(events, Mapping) else type(events).__name__
        raise ValidationError(
            f"events: expected an iterable of events (Event models or dicts), got {got}",
            field="events",
        )
    if mode not in ("sync", "async"):
        raise ValidationError(f"mode must be 'sync' or 'async', got {mode!r}", field="mode")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValidationError(
            f"concurrency must be a positive integer, got {concurrency!r}", field="concurrency"
        )
    if progress is not None and not isinstance(progress, bool):
        raise ValidationError(
            f"progress must be True, False or None (automatic), got {progress!r}",
            field="progress",
        )


class EventBatchRun:
    """One `Events.send_many`: checks events, records outcomes, keeps the report.

    Shared by the sync and async twins; `sent` / `failed` may be called from worker threads.
    """

    def __init__(
        self,
        events: Iterable[Any],
        *,
        mode: SendMode,
        progress: bool | None,
        check: Callable[[int, Any], Event],
        explain: Callable[[EventRejectedError, Event], EventRejectedError],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._events = events
        self._total = len(events) if isinstance(events, Sized) else None
        self.mode: SendMode = mode
        self._check = check
        self._explain = explain
        self._progress_wanted = progress
        self._bar = ProgressBar()
        self._bar_started = False
        self._lock = threading.Lock()
        self._results: list[EventResult] = []
        self._failed = 0
        self._read = 0
        self._clock = clock
        self._started = clock()

    # ---- reading -------------------------------------------------------------------------
    def checked(self) -> Iterator[tuple[int, Event]]:
        """The valid events with their index, read lazily; invalid ones are recorded."""
        for index, raw in enumerate(self._events):
            self._read = index + 1
            self._maybe_start_bar()
            try:
                if isinstance(raw, ValidationError):
                    raise raw  # a reader's verdict on an unreadable line
                event = self._check(index, raw)
            except ValidationError as error:
                self._record(_invalid_result(index, raw, error))
                continue
            yield index, event

    # ---- outcomes --------------------------------------------------------------------------
    def sent(self, index: int, event: Event, outcome: EventOutcome) -> None:
        # A sync answer that is neither FAILED nor NO_MATCH (those raise) completed.
        sync = self.mode == "sync"
        status = EventBatchOutcome.COMPLETE if sync else EventBatchOutcome.QUEUED
        self._record(_result(index, event, status, outcome.event_id, outcome.entity_id))

    def failed(self, index: int, event: Event, error: FluentError) -> None:
        if isinstance(error, EventRejectedError):
            error = self._explain(error, event)
            event_id = error.event_id
        else:
            event_id = None
        outcome = outcome_of_error(error)
        text = f"{type(error).__name__}: {error}"
        if outcome is EventBatchOutcome.UNKNOWN:
            text = f"may have reached Fluent (not sent again): {text}"
        self._record(_result(index, event, outcome, event_id, None, text))

    def _record(self, result: EventResult) -> None:
        with self._lock:
            self._results.append(result)
            self._failed += not result.ok
            if self._bar.active:
                done = len(self._results)
                self._bar.advance(1, f"ok={done - self._failed}, failed={self._failed}")

    # ---- progress --------------------------------------------------------------------------
    def _maybe_start_bar(self) -> None:
        if self._bar_started or self._progress_wanted is False:
            return
        long_input = (self._total or self._read) >= LONG_INPUT
        if self._progress_wanted is None and not long_input:
            return
        self._bar_started = True
        with self._lock:
            self._bar = ProgressBar.start(
                enabled=True,
                total=self._total,
                unit="event",
                desc=f"events ({self.mode})",
                initial=len(self._results),
            )

    def close(self) -> EventBatchReport:
        self._bar.close()
        with self._lock:
            results = sorted(self._results, key=lambda result: result.index)
        return EventBatchReport(self.mode, results, self._clock() - self._started)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _result(
    index: int,
    event: Event,
    outcome: EventBatchOutcome,
    event_id: str | None,
    entity_id: str | None,
    error: str | None = None,
) -> EventResult:
    return EventResult(
        index,
        event.name,
        str(event.entity_type),
        event.entity_id or entity_id,
        event.entity_ref,
        outcome,
        event_id,
        error,
    )


def _invalid_result(index: int, raw: Any, error: ValidationError) -> EventResult:
    """An ``INVALID`` event, named from whatever of the raw input is readable."""
    data: Mapping[str, Any] = {}
    if isinstance(raw, Mapping):
        data = raw
    elif hasattr(raw, "model_dump"):
        data = jsonable(raw)

    def pick(*keys: str) -> str | None:
        for key in keys:
            if _text(data.get(key)) is not None:
                return _text(data.get(key))
        return None

    message = str(error)
    if error.field is None:
        message = f"events[{index}]: {message}"
    return EventResult(
        index,
        pick("name"),
        pick("entityType", "entity_type"),
        pick("entityId", "entity_id"),
        pick("entityRef", "entity_ref"),
        EventBatchOutcome.INVALID,
        error=message,
        field=error.field,
    )
