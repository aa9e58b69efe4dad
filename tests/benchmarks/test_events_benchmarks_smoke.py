"""Smoke test of figure 6 (events in flight) at a tiny size: shapes only, never timings (the
target lives in ``python -m benchmarks``)."""

from __future__ import annotations

from benchmarks.__main__ import BENCHMARKS
from benchmarks.events import UNITS, event_stream, measure_events


def test_event_stream_is_a_generator_of_valid_events() -> None:
    stream = event_stream(2)
    assert iter(stream) is stream
    assert next(stream) == {
        "name": "Ping", "entityType": "LOCATION", "entityRef": "LOC_MELB", "attributes": {"n": 0},
    }  # fmt: skip


def test_measure_events_returns_both_figures() -> None:
    figures = measure_events(events=4, in_flight=2, delay=0.001, repeats=1)
    assert set(figures) == set(UNITS) == {"events_send_many_wall", "events_send_many_wall_async"}
    for row in figures.values():
        assert set(row) == {"value", "baseline", "ratio", "target", "met"}
        assert isinstance(row["value"], float)
        assert row["value"] > 0
        assert isinstance(row["baseline"], float)
        assert row["baseline"] > 0
        assert row["target"] == 0.1666
        assert row["met"] is (row["ratio"] <= 0.1666)  # type: ignore[operator]
    assert "events" in BENCHMARKS
