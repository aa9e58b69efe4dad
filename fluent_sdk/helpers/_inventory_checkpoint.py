"""The resumable-run journal of `Inventory.update`: an append-only JSON-lines file.

Records are identified by their row in the input (the input must be replayable: the same file
or an iterable yielding the same records in the same order) plus a digest of each batch's
records. Lines, each flushed and fsync'd before the run goes on::

    {"kind": "run", "v": 1, "retailer_id": "1", "catalogue_ref": "DEFAULT:1"}
    {"kind": "intent", "first": 1, "last": 5000, "count": 5000, "digest": "...",
     "job_id": "7"}                                     # written before the POST
    {"kind": "sent", "first": 1, "last": 5000, "count": 5000, "digest": "...",
     "job_id": "7", "batch_id": "12"}                  # Fluent created the batch
    {"kind": "done", "batch_id": "12", "accepted": 4998, "rejected": [[17, "404: ..."]]}
    {"kind": "unknown", "first": 5001, "last": 9999, "count": 4990, "digest": "...",
     "job_id": "7", "error": "..."}                     # not settled within the run
    {"kind": "failed", "first": ..., ...}               # not created: resent on resume

Write-ahead: the ``intent`` line is durable before its batch is POSTed, so a crash at any
point leaves either nothing sent for those rows or a record that they may have been. On
resume, rows of a ``done`` batch are skipped (their outcome is restored from the journal), a
``sent`` batch without ``done`` is polled, not resent, and an ``intent`` or ``unknown`` range
is first looked for among the job's batches on the server (`UpdateRun` reconciles it): found,
it is polled; provably absent, it is sent. A torn last line (a crash while writing) is ignored.

Usage::

    journal = Checkpoint.open(path, run={"retailer_id": "1", "catalogue_ref": "DEFAULT:1"})
    journal.append({"kind": "sent", ...})
    journal.close()
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from fluent_sdk.errors import ValidationError

__all__ = ["Checkpoint", "RecordedRange", "RowDigest"]

_VERSION = 1

RangeState = Literal["intent", "sent", "done", "unknown"]


@dataclass
class RecordedRange:
    """Rows ``first``..``last`` (inclusive) that an earlier run sent as one batch."""

    first: int
    last: int
    count: int
    digest: str
    state: RangeState
    job_id: str | None = None
    batch_id: str | None = None
    accepted: int = 0
    #: row -> reason, for records Fluent rejected (``done``) or the POST error (``unknown``).
    rejected: dict[int, str] = field(default_factory=dict)
    error: str | None = None


class RowDigest:
    """A digest of a batch's rows and records, to tell that a resumed input is the same."""

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=16)

    def add(self, row: int, body: Mapping[str, Any]) -> None:
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        self._hash.update(f"{row}\x1f{text}\x1e".encode())

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class Checkpoint:
    """An open journal: what earlier runs recorded (`ranges`) and an `append` for this run."""

    def __init__(self, path: Path, handle: IO[str], ranges: list[RecordedRange]) -> None:
        self.path = path
        self._handle = handle
        self._lock = threading.Lock()
        #: Ranges recorded by earlier runs, sorted by first row, not overlapping.
        self.ranges = ranges

    def __repr__(self) -> str:
        return f"<Checkpoint {str(self.path)!r} ranges={len(self.ranges)}>"

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, run: Mapping[str, Any]) -> Checkpoint:
        """Read ``path`` (if it exists) and open it for appending.

        Raises `ValidationError` (``field="checkpoint"``) when it was written for a different
        retailer or catalogue, or is not a checkpoint at all.
        """
        location = Path(path)
        lines = _read_lines(location) if location.exists() else []
        header = next((line for line in lines if line.get("kind") == "run"), None)
        expected = {key: str(value) for key, value in run.items()}
        if header is not None:
            recorded = {key: str(header.get(key)) for key in expected}
            if recorded != expected:
                raise ValidationError(
                    f"checkpoint: {str(location)!r} was written for {recorded}, not {expected}; "
                    "use a new checkpoint file for a different target",
                    field="checkpoint",
                )
        elif lines:
            raise ValidationError(
                f"checkpoint: {str(location)!r} is not an inventory update checkpoint",
                field="checkpoint",
            )
        ranges = _ranges(lines)
        location.parent.mkdir(parents=True, exist_ok=True)
        handle = location.open("a", encoding="utf-8")
        journal = cls(location, handle, ranges)
        if header is None:
            journal.append({"kind": "run", "v": _VERSION, **expected})
        return journal

    def append(self, entry: Mapping[str, Any]) -> None:
        """Write one line and make it durable before returning."""
        line = json.dumps(entry, separators=(",", ":"), default=str) + "\n"
        with self._lock:
            self._handle.write(line)
            self._handle.flush()
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        with self._lock:
            self._handle.close()


def _read_lines(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for text in handle:
            try:
                entry = json.loads(text)
            except ValueError:
                continue  # a line torn by a crash mid-write
            if isinstance(entry, dict):
                entries.append(entry)
    return entries


def _ranges(lines: list[dict[str, Any]]) -> list[RecordedRange]:
    by_first: dict[int, RecordedRange] = {}
    by_batch: dict[str, RecordedRange] = {}
    for entry in lines:
        kind = entry.get("kind")
        if kind in ("intent", "sent", "unknown"):
            recorded = RecordedRange(
                first=int(entry["first"]),
                last=int(entry["last"]),
                count=int(entry["count"]),
                digest=str(entry["digest"]),
                state=kind,
                job_id=entry.get("job_id"),
                batch_id=entry.get("batch_id"),
                error=entry.get("error"),
            )
            by_first[recorded.first] = recorded
            if recorded.batch_id is not None:
                by_batch[recorded.batch_id] = recorded
        elif kind == "done":
            target = by_batch.get(str(entry.get("batch_id")))
            if target is not None:
                target.state = "done"
                target.accepted = int(entry.get("accepted", 0))
                target.rejected = {int(row): str(reason) for row, reason in entry["rejected"]}
        elif kind in ("resend", "failed"):
            # Not created (``failed``), or an unknown range the caller chose to resend.
            by_first.pop(int(entry["first"]), None)
    ordered = sorted(by_first.values(), key=lambda r: r.first)
    for before, after in itertools.pairwise(ordered):
        if after.first <= before.last:
            raise ValidationError(
                f"checkpoint: overlapping ranges {before.first}-{before.last} and "
                f"{after.first}-{after.last}",
                field="checkpoint",
            )
    return ordered
