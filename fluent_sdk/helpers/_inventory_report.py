"""What `Inventory.update` and `Inventory.send_deltas` return: counts, per-record reasons, batches.

Every input record ends up counted once: ``read == accepted + len(rejected) + unknown``.
``rejected`` holds records that failed local validation, that Fluent rejected, or whose batch
was not created (see `RejectedRecord.stage`); ``unknown_records`` holds those whose outcome
could not be settled within the run (Fluent may have applied them: never resend them blindly;
resume with the same checkpoint, which looks them up first)::

    report = client.inventory.update("stock.csv", checkpoint="stock.ckpt")
    report                       # <InventoryUpdateReport read=100000 accepted=99990 ...>
    report.to_csv("rejected.csv")
    report.unknown_to_csv("unknown.csv")
    report.to_pandas()           # one row per rejected record
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from fluent_sdk._display import flatten, html_summary, jsonable, records_to_pandas

if TYPE_CHECKING:
    import pandas

__all__ = [
    "DeltaReport",
    "FailedBatch",
    "FailedDelta",
    "InventoryUpdateReport",
    "RejectedRecord",
    "RejectionStage",
]

#: ``validation``: refused locally, never sent. ``server``: Fluent's per-record result was not
#: 200. ``batch_failed``: the batch POST failed; not created, safe to send again.
#: ``unknown_outcome`` (only in ``unknown_records``): the POST's reply was lost or the batch
#: could not be polled to completion, and settling it failed within the run; it may have been
#: processed, so it is not resent blindly.
RejectionStage = Literal["validation", "server", "batch_failed", "unknown_outcome"]


def _problem_row(problem: RejectedRecord | FailedDelta, **ids: Any) -> dict[str, Any]:
    """The columns every rejected record and failed delta has, then its ``ids``."""
    return {
        "row": problem.row,
        "stage": problem.stage,
        "field": problem.field,
        "reason": problem.reason,
        **ids,
    }


@dataclass(frozen=True)
class RejectedRecord:
    """One input record that was not accepted, and why."""

    row: int
    stage: RejectionStage
    reason: str
    #: The record as read (validation failures) or as sent.
    record: Any = None
    field: str | None = None
    batch_id: str | None = None

    def to_row(self) -> dict[str, Any]:
        base = _problem_row(self, batch_id=self.batch_id)
        record = self.record
        if isinstance(record, dict) or hasattr(record, "model_dump"):
            base.update(flatten(record))
        elif record is not None:
            base["record"] = jsonable(record)
        return base


@dataclass(frozen=True)
class FailedBatch:
    """A batch whose records were not confirmed: ``outcome`` says whether Fluent may have it."""

    first_row: int
    last_row: int
    records: int
    error: str
    outcome: Literal["failed", "unknown"]
    batch_id: str | None = None


@dataclass
class InventoryUpdateReport:
    """The result of `Inventory.update`; ``to_records``/``to_pandas``/``to_csv`` give the
    rejected records, one row each."""

    job_id: str | None = None
    #: Records read from the input (valid or not).
    read: int = 0
    #: Records in batches Fluent confirmed it created during this run.
    sent: int = 0
    accepted: int = 0
    #: Records not accepted, each with its reason (never ``unknown_outcome``).
    rejected: list[RejectedRecord] = field(default_factory=list)
    #: Records whose outcome could not be settled (stage ``unknown_outcome``): Fluent may have
    #: applied them. A resume with the same checkpoint settles them.
    unknown_records: list[RejectedRecord] = field(default_factory=list)
    failed_batches: list[FailedBatch] = field(default_factory=list)
    #: Batches created during this run.
    batches: int = 0
    #: Records whose outcome was restored from the checkpoint (not sent again).
    resumed: int = 0
    duration: float = 0.0
    checkpoint: str | None = None

    def count(self, stage: RejectionStage) -> int:
        if stage == "unknown_outcome":
            return len(self.unknown_records)
        return sum(1 for rejected in self.rejected if rejected.stage == stage)

    @property
    def invalid(self) -> int:
        return self.count("validation")

    @property
    def unknown(self) -> int:
        """Records whose outcome is unknown (`unknown_records`)."""
        return len(self.unknown_records)

    @property
    def settled(self) -> bool:
        """True when every record read is known accepted or rejected."""
        return not self.unknown_records

    @property
    def ok(self) -> bool:
        """True when every record read was accepted."""
        return not self.rejected and not self.unknown_records and self.accepted == self.read

    def summary(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "read": self.read,
            "sent": self.sent,
            "accepted": self.accepted,
            "rejected": len(self.rejected),
            "invalid": self.invalid,
            "rejected_by_server": self.count("server"),
            "in_failed_batches": self.count("batch_failed"),
            "unknown_outcome": self.unknown,
            "batches": self.batches,
            "failed_batches": len(self.failed_batches),
            "resumed": self.resumed,
            "duration_s": round(self.duration, 3),
        }

    def __repr__(self) -> str:
        parts = [
            f"read={self.read}",
            f"accepted={self.accepted}",
            f"rejected={len(self.rejected)}",
        ]
        if self.unknown_records:
            parts.append(f"unknown={len(self.unknown_records)}")
        if self.failed_batches:
            parts.append(f"failed_batches={len(self.failed_batches)}")
        if self.resumed:
            parts.append(f"resumed={self.resumed}")
        return (
            f"<InventoryUpdateReport {' '.join(parts)} batches={self.batches} "
            f"job={self.job_id} in {self.duration:.1f}s>"
        )

    def _repr_html_(self) -> str:
        fields = list(self.summary().items())
        raw = {
            **self.summary(),
            "failed_batch_list": [jsonable(vars(batch)) for batch in self.failed_batches],
            "first_rejected": [r.to_row() for r in self.rejected[:20]],
            "first_unknown": [r.to_row() for r in self.unknown_records[:20]],
        }
        return html_summary("Inventory update", fields, raw=raw)

    def to_records(self) -> list[dict[str, Any]]:
        """The rejected records as flat rows (``row``, ``stage``, ``reason``, record fields)."""
        return [rejected.to_row() for rejected in self.rejected]

    def to_pandas(self) -> pandas.DataFrame:
        return records_to_pandas(self.to_records())

    def to_csv(self, path: str | os.PathLike[str]) -> int:
        """Write the rejected records to ``path`` (a header row even when there are none);
        returns how many were written."""
        return _write_csv(path, self.to_records(), ("row", "stage", "field", "reason"))

    def unknown_to_records(self) -> list[dict[str, Any]]:
        """The records whose outcome is unknown, as flat rows like `to_records`."""
        return [unknown.to_row() for unknown in self.unknown_records]

    def unknown_to_csv(self, path: str | os.PathLike[str]) -> int:
        """Write the records whose outcome is unknown to ``path`` (kept apart from the
        rejected ones: they may have been applied); returns how many were written."""
        return _write_csv(path, self.unknown_to_records(), ("row", "stage", "field", "reason"))


@dataclass(frozen=True)
class FailedDelta:
    """A delta that was not sent (``stage="validation"``), failed, or whose outcome is
    unknown (a timeout: Fluent may have it; ``delta_id`` lets Fluent tell a resend apart)."""

    row: int
    stage: Literal["validation", "failed", "unknown_outcome"]
    reason: str
    delta_id: str | None = None
    change: Any = None
    field: str | None = None

    def to_row(self) -> dict[str, Any]:
        base = _problem_row(self, delta_id=self.delta_id)
        if self.change is not None:
            base.update(flatten(self.change))
        return base


@dataclass
class DeltaReport:
    """The result of `Inventory.send_deltas`: ``read == sent + len(failed)``."""

    read: int = 0
    sent: int = 0
    #: delta_id -> event id, for deltas Fluent accepted (the event id may be None: Fluent's
    #: async event endpoint does not always answer with one).
    event_ids: dict[str, str | None] = field(default_factory=dict)
    failed: list[FailedDelta] = field(default_factory=list)
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def __repr__(self) -> str:
        return (
            f"<DeltaReport read={self.read} sent={self.sent} failed={len(self.failed)} "
            f"in {self.duration:.1f}s>"
        )

    def _repr_html_(self) -> str:
        fields = [("read", self.read), ("sent", self.sent), ("failed", len(self.failed))]
        return html_summary(
            "Inventory deltas", fields, raw={"failed": [f.to_row() for f in self.failed[:20]]}
        )

    def to_records(self) -> list[dict[str, Any]]:
        """The failed deltas as flat rows."""
        return [failed.to_row() for failed in self.failed]

    def to_pandas(self) -> pandas.DataFrame:
        return records_to_pandas(self.to_records())

    def to_csv(self, path: str | os.PathLike[str]) -> int:
        return _write_csv(path, self.to_records(), ("row", "stage", "field", "reason"))


def _write_csv(
    path: str | os.PathLike[str], rows: list[dict[str, Any]], leading: Iterable[str]
) -> int:
    columns = list(leading)
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _csv_cell(value) for key, value in row.items()})
    return len(rows)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    return value
