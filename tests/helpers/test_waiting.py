"""`client.wait_for`'s plan driven by hand with a fake clock: backoff, the deadline, which read
errors are waited out, and argument checks (the sandbox runs are in
tests/sandbox/test_orchestration_tools.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from fluent_sdk import FluentClient
from fluent_sdk.errors import NotFoundError, PermissionDeniedError, ServerError, ValidationError
from fluent_sdk.helpers._common import Operation, Pause
from fluent_sdk.helpers.waiting import LOOKUPS, MAX_POLL_INTERVAL, AsyncWaiter, Waiter
from fluent_sdk.sandbox import Sandbox


@dataclass
class Entity:
    status: Any


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def drive(waiter: Waiter, clock: Clock, answers: list[Any], **options: Any) -> tuple[bool, Any]:
    """Run the wait plan: each read gets the next answer (an exception is thrown in); each
    pause moves the clock. Returns (reached, the pauses and reads seen)."""
    wait = waiter._prepare(
        options.pop("entity_type", "ORDER"),
        options.pop("id", None),
        options.pop("ref", "WEB-1"),
        status=options.pop("status", "BOOKED"),
        timeout=options.pop("timeout", 60),
        poll=options.pop("poll", 1),
        lookup=options.pop("lookup", None),
    )
    plan = waiter._wait_plan(wait)
    steps: list[Any] = []
    try:
        step = next(plan)
        while True:
            steps.append(step)
            if isinstance(step, Pause):
                clock.now += step.seconds
                step = plan.send(None)
                continue
            answer = answers.pop(0) if answers else Entity("CREATED")
            step = plan.throw(answer) if isinstance(answer, Exception) else plan.send(answer)
    except StopIteration as stop:
        return stop.value, (steps, wait)


@pytest.fixture
def waiter(fluent_client: FluentClient) -> tuple[Waiter, Clock]:
    clock = Clock()
    return Waiter(fluent_client, clock=clock), clock


def test_polls_with_backoff_until_the_status(waiter: tuple[Waiter, Clock]) -> None:
    reached, (steps, wait) = drive(
        waiter[0], waiter[1], [None, Entity("CREATED"), Entity("CREATED"), Entity("BOOKED")]
    )
    assert reached
    assert steps[0] == Operation("order", {"ref": "WEB-1"})
    assert [s.seconds for s in steps if isinstance(s, Pause)] == [1, 2, 4]
    assert wait.entity == Entity("BOOKED")


def test_backoff_is_capped_and_never_passes_the_deadline(waiter: tuple[Waiter, Clock]) -> None:
    reached, (steps, wait) = drive(waiter[0], waiter[1], [], timeout=30)
    assert not reached
    pauses = [s.seconds for s in steps if isinstance(s, Pause)]
    assert pauses == [1, 2, 4, 8, MAX_POLL_INTERVAL, 5]  # 30 s in all: the last is what is left
    assert isinstance(steps[-1], Operation)  # read once more at the deadline
    assert wait.last_status == "CREATED"
    error = wait.timed_out(30.0, ["ruleSet X FAILED: boom"])
    assert str(error) == (
        "ORDER ref WEB-1 was still CREATED after 30.0s (waiting for BOOKED); "
        "orchestration audit failures since the wait began: ruleSet X FAILED: boom"
    )


def test_passing_read_errors_are_waited_out_and_others_raised(
    waiter: tuple[Waiter, Clock],
) -> None:
    outage = ServerError("HTTP 503", status=503)
    answers = [outage, NotFoundError("gone"), Entity("BOOKED")]
    reached, _ = drive(waiter[0], waiter[1], answers)
    assert reached
    with pytest.raises(PermissionDeniedError):
        drive(waiter[0], waiter[1], [PermissionDeniedError("no ORDER_VIEW", status=403)])
    reached, (_, wait) = drive(waiter[0], waiter[1], [outage] * 100, timeout=3)
    assert not reached
    assert "the last read failed: ServerError" in str(wait.timed_out(3.0, []))


def test_enum_statuses_and_several_wanted(waiter: tuple[Waiter, Clock]) -> None:
    from enum import Enum

    class Status(str, Enum):
        BOOKED = "BOOKED"

    reached, _ = drive(waiter[0], waiter[1], [Entity(Status.BOOKED)], status=["X", "BOOKED"])
    assert reached


def test_lookups_by_id_ref_and_scope(waiter: tuple[Waiter, Clock]) -> None:
    w, clock = waiter
    _, (steps, _) = drive(w, clock, [Entity("A")], status="A", id=5, ref="R")
    assert steps[0] == Operation("order_by_id", {"id": "5"})
    _, (steps, _) = drive(w, clock, [Entity("A")], status="A", entity_type="INVENTORY_POSITION",
                          ref="SKU:LOC", lookup={"catalogue": {"ref": "DEFAULT:1"}})  # fmt: skip
    assert steps[0] == Operation(
        "inventory_position", {"ref": "SKU:LOC", "catalogue": {"ref": "DEFAULT:1"}}
    )


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"entity_type": "ORDERS"}, "entity_type", "did you mean 'ORDER'"),
        ({"ref": None}, "id", "id or ref"),
        ({"entity_type": "FULFILMENT"}, "id", "looked up by id"),
        ({"entity_type": "INVENTORY_POSITION"}, "lookup", "'catalogue'"),
        ({"status": []}, "status", "status name"),
        ({"status": 3}, "status", "status name"),
        ({"timeout": 0}, "timeout", "positive"),
        ({"poll": -1}, "poll", "positive"),
    ],
)
def test_arguments_are_checked(
    waiter: tuple[Waiter, Clock], options: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        drive(waiter[0], waiter[1], [], **options)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_every_lookup_exists_on_both_graphql_twins(fluent_sandbox: Sandbox) -> None:
    with fluent_sandbox.client() as client:
        assert isinstance(client.wait_for, Waiter)
        for how in LOOKUPS.values():
            for method in (how.by_id, how.by_ref):
                assert method is None or callable(getattr(client.graphql, method)), method
    client_async = fluent_sandbox.async_client()
    assert isinstance(client_async.wait_for, AsyncWaiter)
    for how in LOOKUPS.values():
        for method in (how.by_id, how.by_ref):
            assert method is None or callable(getattr(client_async.graphql, method)), method
