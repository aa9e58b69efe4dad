"""The request pipeline shared by the in-process transports and the loopback server:
log the request, plan faults, enforce limits and auth, route to a handler."""

from __future__ import annotations

import fnmatch
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from fluent_sdk.sandbox.auth import TokenService, unauthorized
from fluent_sdk.sandbox.faults import FaultPlan, FaultRule, Faults
from fluent_sdk.sandbox.graphql import GraphQLEngine, entity_type_code
from fluent_sdk.sandbox.messages import SandboxRequest, SandboxResponse, json_response, v41_error
from fluent_sdk.sandbox.rest.events import make_event
from fluent_sdk.sandbox.routes import RequestContext, match_route
from fluent_sdk.sandbox.store import Link, Record, Store

__all__ = [
    "MAX_BODY_BYTES",
    "Outcome",
    "RecordedRequest",
    "RequestLog",
    "SandboxApp",
    "SandboxConfig",
]

MAX_BODY_BYTES = 2 * 1024 * 1024
_REDACTED_HEADERS = frozenset({"authorization", "cookie"})
_EVENT_ROUTES = frozenset({"event.async", "event.sync"})


@dataclass
class SandboxConfig:
    token_lifetime: int = 3600
    # GETs of a batch before it completes: PENDING -> RUNNING (1st) -> COMPLETE (2nd).
    batch_polls_to_complete: int = 2
    # Seconds each event POST takes, as a workflow's run would (slept outside the store lock,
    # so concurrent events overlap as they would on Fluent).
    event_delay: float = 0.0


@dataclass
class RecordedRequest:
    """One request as the sandbox received it (credentials redacted)."""

    method: str
    path: str
    query_string: str
    route: str
    headers: dict[str, str]
    body: bytes
    received_at: float
    status: int | None = None
    fault: str | None = None

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def __repr__(self) -> str:
        return (
            f"<RecordedRequest {self.method} {self.path} route={self.route} status={self.status}>"
        )


class RequestLog:
    """Every request received, in order. ``count("batch.create")`` / ``count("POST /graphql")``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[RecordedRequest] = []

    def append(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def __iter__(self) -> Iterator[RecordedRequest]:
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __getitem__(self, index: int) -> RecordedRequest:
        with self._lock:
            return self._entries[index]

    def filter(self, pattern: str = "*") -> list[RecordedRequest]:
        """Entries whose route name or ``"METHOD /path"`` matches the glob ``pattern``."""
        return [
            entry
            for entry in self
            if fnmatch.fnmatchcase(entry.route, pattern)
            or fnmatch.fnmatchcase(f"{entry.method} {entry.path}", pattern)
            or fnmatch.fnmatchcase(entry.path, pattern)
        ]

    def count(self, pattern: str = "*") -> int:
        return len(self.filter(pattern))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Outcome:
    """How an exchange ends: a response, or a connection failure of ``failure`` kind."""

    response: SandboxResponse | None
    failure: Literal["drop", "timeout"] | None = None
    committed: bool = False
    rule: FaultRule | None = None


@dataclass
class Exchange:
    request: SandboxRequest
    entry: RecordedRequest
    plan: FaultPlan = field(default_factory=FaultPlan)


class SandboxApp:
    def __init__(self, store: Store, config: SandboxConfig | None = None) -> None:
        self.store = store
        self.config = config or SandboxConfig()
        self.tokens = TokenService(store, token_lifetime=self.config.token_lifetime)
        self.engine = GraphQLEngine(store)
        self.faults = Faults()
        self.requests = RequestLog()
        self.engine.on_create.append(self._emit_create_event)
        # Handler crashes (sandbox bugs) answered as 500s; the pytest fixture fails on them.
        self.errors: list[BaseException] = []

    def _emit_create_event(self, record: Record) -> None:
        """Fluent raises a CREATE event for every orchestrateable entity it creates."""
        type_name = record["__typename"]
        if "workflowRef" not in self.engine.model.fields_of(type_name):
            return
        retailer = record.get("retailer")
        retailer_id = retailer.id if isinstance(retailer, Link) else record.get("retailerId")
        code = entity_type_code(type_name)
        make_event(
            self.store,
            name="CREATE",
            retailer_id=retailer_id,
            context={"entityType": code, "entityId": record["id"], "entityRef": record.get("ref"),
                     "entitySubtype": record.get("type"), "rootEntityType": code,
                     "rootEntityId": record["id"], "rootEntityRef": record.get("ref")},
            event_type="NORMAL",
            status="COMPLETE",
            source="Fluent-GraphQL",
        )  # fmt: skip

    # ---- pipeline ------------------------------------------------------------------------
    def prepare(self, request: SandboxRequest) -> Exchange:
        route, _, _ = match_route(request.method, request.path)
        name = route.name if route is not None else "unknown"
        headers = {
            k: ("<redacted>" if k in _REDACTED_HEADERS else v) for k, v in request.headers.items()
        }
        entry = RecordedRequest(
            request.method.upper(),
            request.path,
            request.query_string,
            name,
            headers,
            request.body,
            time.time(),
        )
        self.requests.append(entry)
        plan = self.faults.plan(request, name)
        if name in _EVENT_ROUTES and self.config.event_delay > 0:
            plan.delay += self.config.event_delay
        return Exchange(request, entry, plan)

    def run(self, exchange: Exchange) -> Outcome:
        """Everything after the planned delay; callers sleep ``exchange.plan.delay`` first."""
        rule = exchange.plan.action
        if rule is not None and not rule.after_commit:
            exchange.entry.fault = rule.kind
            if rule.kind == "status":
                response = self._fault_response(rule)
                exchange.entry.status = response.status
                return Outcome(response, rule=rule)
            return Outcome(None, "drop" if rule.kind == "drop" else "timeout", rule=rule)
        response = self.handle(exchange.request)
        exchange.entry.status = response.status
        if rule is None:
            return Outcome(response, committed=True)
        if not 200 <= response.status < 300:
            # Nothing was committed (say, a 401 after a token expiry): the after-commit fault
            # is kept for the next matching request that does commit.
            self.faults.give_back(rule)
            return Outcome(response, committed=True)
        exchange.entry.fault = rule.kind
        if rule.kind == "status":
            return Outcome(self._fault_response(rule), committed=True, rule=rule)
        return Outcome(
            None, "drop" if rule.kind == "drop" else "timeout", committed=True, rule=rule
        )

    @staticmethod
    def _fault_response(rule: FaultRule) -> SandboxResponse:
        if rule.status == 429:
            response = v41_error(429, "Too Many Requests")
            if rule.retry_after is not None:
                seconds = rule.retry_after
                response.headers["retry-after"] = str(
                    int(seconds) if seconds == int(seconds) else seconds
                )
            return response
        return v41_error(rule.status, "Injected server error")

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """Serve one request with no faults applied."""
        if len(request.body) > MAX_BODY_BYTES:
            return v41_error(413, "Request Entity Too Large")
        route, params, path_known = match_route(request.method, request.path)
        if route is None:
            if path_known:
                return v41_error(405, f"Method {request.method} not allowed")
            return v41_error(404, f"No endpoint {request.method} {request.path}")
        username: str | None = None
        if route.authenticated:
            username = self.tokens.authenticate(request)
            if username is None:
                return unauthorized()
            if self.faults.tokens_should_expire():
                self.tokens.expire_all()
                return unauthorized()
        try:
            return route.handler(RequestContext(self, request, params, username))
        except Exception as error:  # the real service answers 500, it does not hang up
            self.errors.append(error)
            return json_response(
                500,
                {"errors": [{"code": "500", "message": f"Internal error: {type(error).__name__}"}]},
            )
