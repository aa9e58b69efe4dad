"""Fault injection for reliability tests.

Rules match a request by route name (``"graphql"``, ``"batch.create"``…, globs allowed) or by
``"[METHOD ]/path/glob"`` (``"POST /api/v4.1/job/*/batch"``). Each rule can let ``skip`` matching
requests through first, then fires ``times`` times (``None``: every time). Examples::

    sandbox.faults.rate_limit("graphql", retry_after=1, times=2)   # 429 twice
    sandbox.faults.server_error("POST /api/v4.1/event/*", status=503)
    sandbox.faults.drop_connection("batch.create")               # connection lost before handling
    sandbox.faults.read_timeout("batch.create", after_commit=True)  # handled, but reply lost
    sandbox.faults.latency("*", 0.05)
    sandbox.faults.expire_tokens_after(3)                        # 4th authenticated call -> 401
    sandbox.faults.fail_batch_records(refs={"SKU-9"})            # per-record 500 in batch results

In-process, a dropped connection raises ``httpx.ConnectError`` (``httpx.ReadError`` after commit)
and a timeout raises ``httpx.ReadTimeout``; the loopback server closes the socket or stalls.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fluent_sdk.sandbox.messages import SandboxRequest

__all__ = ["BatchRecordFault", "FaultPlan", "FaultRule", "Faults"]

FaultKind = Literal["latency", "status", "drop", "timeout"]


@dataclass
class FaultRule:
    pattern: str
    kind: FaultKind
    times: int | None = 1
    skip: int = 0
    delay: float = 0.0
    status: int = 500
    retry_after: float | None = None
    after_commit: bool = False
    hang: float = 30.0
    seen: int = 0
    fired: int = 0

    def matches(self, request: SandboxRequest, route: str) -> bool:
        pattern = self.pattern.strip()
        if "/" not in pattern:
            return fnmatch.fnmatchcase(route, pattern)
        method, _, path = pattern.rpartition(" ")
        if method and method.upper() != request.method.upper():
            return False
        return fnmatch.fnmatchcase(request.path, path)

    def take(self) -> bool:
        """Count a matching request; True when this one should fail."""
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.fired >= self.times):
            return False
        self.fired += 1
        return True


@dataclass
class BatchRecordFault:
    predicate: Callable[[dict[str, Any]], bool]
    times: int | None
    response_code: str
    message: str
    fired: int = 0


@dataclass
class FaultPlan:
    """What to do to one request: wait, then maybe replace, drop or stall the exchange."""

    delay: float = 0.0
    action: FaultRule | None = None

    @property
    def before_handler(self) -> bool:
        return self.action is not None and not self.action.after_commit


@dataclass
class Faults:
    rules: list[FaultRule] = field(default_factory=list)
    batch_record_faults: list[BatchRecordFault] = field(default_factory=list)
    token_expiry_after: int | None = None
    authenticated_requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def latency(
        self, pattern: str, seconds: float, *, times: int | None = None, skip: int = 0
    ) -> FaultRule:
        return self.add(FaultRule(pattern, "latency", times=times, skip=skip, delay=seconds))

    def rate_limit(
        self, pattern: str, *, retry_after: float | None = 1, times: int | None = 1, skip: int = 0
    ) -> FaultRule:
        return self.add(
            FaultRule(
                pattern, "status", times=times, skip=skip, status=429, retry_after=retry_after
            )
        )

    def server_error(
        self, pattern: str, *, status: int = 500, times: int | None = 1, skip: int = 0
    ) -> FaultRule:
        return self.add(FaultRule(pattern, "status", times=times, skip=skip, status=status))

    def drop_connection(
        self, pattern: str, *, times: int | None = 1, skip: int = 0, after_commit: bool = False
    ) -> FaultRule:
        return self.add(
            FaultRule(pattern, "drop", times=times, skip=skip, after_commit=after_commit)
        )

    def read_timeout(
        self,
        pattern: str,
        *,
        times: int | None = 1,
        skip: int = 0,
        after_commit: bool = False,
        hang: float = 30.0,
    ) -> FaultRule:
        """The reply never comes; ``hang`` bounds how long the loopback server stalls."""
        return self.add(
            FaultRule(
                pattern, "timeout", times=times, skip=skip, after_commit=after_commit, hang=hang
            )
        )

    def give_back(self, rule: FaultRule) -> None:
        """Undo one firing of ``rule`` (an after-commit fault whose request did not commit)."""
        with self._lock:
            rule.fired -= 1

    def expire_tokens_after(self, requests: int) -> None:
        """After ``requests`` more authenticated requests, every access token expires once."""
        with self._lock:
            self.token_expiry_after = requests
            self.authenticated_requests = 0

    def fail_batch_records(
        self,
        *,
        refs: set[str] | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        times: int | None = None,
        response_code: str = "500",
        message: str = "Internal error while processing record",
    ) -> BatchRecordFault:
        """Make batch records fail: those whose ``skuRef``/``productRef``/``retailerId`` is in
        ``refs``, or for which ``predicate(record)`` is true (all records if neither is given)."""

        def chosen(record: dict[str, Any]) -> bool:
            if predicate is not None and not predicate(record):
                return False
            if refs is not None:
                keys = {record.get(k) for k in ("skuRef", "productRef", "retailerId", "ref")}
                return bool(keys & refs)
            return True

        fault = BatchRecordFault(chosen, times, response_code, message)
        with self._lock:
            self.batch_record_faults.append(fault)
        return fault

    def batch_record_failure(self, record: dict[str, Any]) -> BatchRecordFault | None:
        with self._lock:
            for fault in self.batch_record_faults:
                if (fault.times is None or fault.fired < fault.times) and fault.predicate(record):
                    fault.fired += 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.batch_record_faults.clear()
            self.token_expiry_after = None
            self.authenticated_requests = 0

    def plan(self, request: SandboxRequest, route: str) -> FaultPlan:
        plan = FaultPlan()
        with self._lock:
            for rule in self.rules:
                if not rule.matches(request, route):
                    continue
                if rule.kind == "latency":
                    if rule.take():
                        plan.delay += rule.delay
                elif plan.action is None and rule.take():
                    plan.action = rule
        return plan

    def tokens_should_expire(self) -> bool:
        """Count one authenticated request; True when this one finds its token expired."""
        with self._lock:
            if self.token_expiry_after is None:
                return False
            self.authenticated_requests += 1
            if self.authenticated_requests > self.token_expiry_after:
                self.token_expiry_after = None
                return True
            return False
