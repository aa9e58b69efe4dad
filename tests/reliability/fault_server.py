"""A fake Fluent written only from the wire formats in the API reference, with seedable faults.

It shares no code with `fluent_sdk.sandbox` (never import it here): the two are independent
readings of the same reference, so they cannot agree on a mistake.

What it answers (reference section in brackets):

- ``POST /oauth/token`` [1.2, 1.3]: password and refresh-token grants, parameters in a form body
  or the query string. Refresh tokens are single-use: a used or unknown one gets
  ``400 {"error": "invalid_grant", "error_description": "Invalid refresh token"}``.
- Event API [2.1]: ``POST /api/v4.1/event/sync`` and ``/async``, ``GET /api/v4.1/event/{id}``,
  ``GET /api/v4.1/event`` (search: ``start``, ``count``, ``hasMore``, ``results``).
- Job/Batch API [2.2]: ``POST /api/v4.1/job``, ``GET /api/v4.1/job/{id}``,
  ``POST /api/v4.1/job/{id}/batch``, ``GET /api/v4.1/job/{id}/batch/{batchId}`` (batches are
  ``COMPLETE`` at once; every record answers ``responseCode`` 200).
- GraphQL [3]: ``me``, ``createOrder`` / ``createOrderAndCustomer`` (customer, items as a Relay
  connection) and ``order(ref:)``; ``createCustomer`` [3.4: ``username``, ``firstName``,
  ``primaryEmail``, ``timezone``, ``promotionOptIn``, ``retailer`` required; its ref is its
  username, which the reference leaves open], ``customer(ref:)`` and ``customers(ref:,
  username:, primaryEmail:, first:)`` [3.2: 10 without ``first``]; any other root field gets a
  GraphQL error. A duplicate order ref or customer username gets ``C0121E``. ``read_lag = n``
  makes the ``n`` reads after each create miss it (``order(ref:)`` answers null, a customer
  look-up or search leaves it out): reads lagging writes.
- Errors [2.9, 3.5]: OAuth ``{"error", "error_description"}``, v4.1 ``{"errors": [{"code",
  "message"}]}``, GraphQL ``{"data", "errors": [{"message", "extensions": {"code"}}]}``.

Using it::

    server = FaultServer()                          # credentials: server.credentials()
    server.fault("token", "echo", status=401)       # 1st token request: 401 echoing the request
    server.fault("graphql", "rate_limit", nth=2, times=3, retry_after=0)
    client = FluentClient(transport=server.transport(), **server.credentials())
    with server.serve() as base_url: ...            # the same server on 127.0.0.1:<port>
    server.log                                      # every request: method, path, query, ...

Routes: ``token``, ``event.sync``, ``event.async``, ``event.get``, ``event.search``,
``job.create``, ``job.get``, ``batch.create``, ``batch.get``, ``graphql`` (``*`` matches any);
``graphql:<root field>`` (``graphql:createCustomer``) counts only the GraphQL requests that
select that root field.

Fault kinds (`fault(route, kind, nth=1, times=1, **options)`: from the ``nth`` request of that
route, ``times`` requests in a row):

======================  ==========================================================================
``revoke``              401 in the v4.1 shape; the bearer token presented is revoked for good
``rate_limit``          429 with ``Retry-After: <retry_after>`` (default 1)
``server_error``        ``status`` (default 503), v4.1 error shape
``drop_before``         the connection closes before the server acts (nothing committed)
``drop_after``          the server acts, then the connection closes: the reply is lost
``slow``                waits ``delay`` seconds (default 1) then answers; in-process, a delay past
                        the request's read timeout raises ``httpx.ReadTimeout`` after the server
                        acted (as a real socket would)
``html``                200 with an HTML page (a proxy's login page)
``malformed_json``      200, ``Content-Type: application/json``, a truncated body
``echo``                ``status`` (default 400) with the request echoed back in the body:
                        headers, query and body, as a careless server does
======================  ==========================================================================

Bounded: every fault has a finite ``times``; the loopback server runs only inside ``serve()``
and also stops itself after ``max_lifetime`` seconds; the request log holds at most
``max_requests`` entries, past which every request gets 503.
"""

from __future__ import annotations

import contextlib
import http.server
import itertools
import json
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from graphql import FieldNode, OperationDefinitionNode, parse, value_from_ast_untyped
from graphql.error import GraphQLSyntaxError

__all__ = ["FAULT_KINDS", "ROUTES", "FaultServer", "LoggedRequest"]

ROUTES = (
    "token",
    "event.sync",
    "event.async",
    "event.get",
    "event.search",
    "job.create",
    "job.get",
    "batch.create",
    "batch.get",
    "graphql",
)
FAULT_KINDS = (
    "revoke",
    "rate_limit",
    "server_error",
    "drop_before",
    "drop_after",
    "slow",
    "html",
    "malformed_json",
    "echo",
)
#: Faults whose server acts on the request before the fault shows.
_AFTER_COMMIT = frozenset({"drop_after", "slow"})
IN_PROCESS_BASE_URL = "https://faults.fluent.test"

_JSON = {"Content-Type": "application/json"}
_ROUTE_PATTERNS = (
    ("POST", re.compile(r"/oauth/token"), "token"),
    ("POST", re.compile(r"/api/v4\.1/event/sync"), "event.sync"),
    ("POST", re.compile(r"/api/v4\.1/event/async"), "event.async"),
    ("GET", re.compile(r"/api/v4\.1/event"), "event.search"),
    ("GET", re.compile(r"/api/v4\.1/event/(?P<event>[^/]+)"), "event.get"),
    ("POST", re.compile(r"/api/v4\.1/job"), "job.create"),
    ("GET", re.compile(r"/api/v4\.1/job/(?P<job>[^/]+)"), "job.get"),
    ("POST", re.compile(r"/api/v4\.1/job/(?P<job>[^/]+)/batch"), "batch.create"),
    ("GET", re.compile(r"/api/v4\.1/job/(?P<job>[^/]+)/batch/(?P<batch>[^/]+)"), "batch.get"),
    ("POST", re.compile(r"/graphql"), "graphql"),
)


@dataclass
class LoggedRequest:
    """One request as the server received it, and what became of it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    route: str | None
    #: The fault applied, if any.
    fault: str | None = None
    #: The status sent (None when the connection was dropped).
    status: int | None = None
    #: Whether the server acted on it (created, issued, spent a refresh token).
    committed: bool = False

    @property
    def form(self) -> dict[str, str]:
        """Form-body parameters, else query parameters (how the token endpoint reads them)."""
        if self.body and b"=" in self.body and not self.body.lstrip().startswith(b"{"):
            return dict(parse_qsl(self.body.decode("utf-8", "replace")))
        return dict(self.query)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Fault:
    route: str
    kind: str
    first: int
    times: int
    options: dict[str, Any]
    used: int = 0


@dataclass
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: dict(_JSON))
    #: "before" / "after": drop the connection instead of answering.
    drop: str | None = None
    delay: float = 0.0


def _json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(status, json.dumps(body).encode(), {**_JSON, **(headers or {})})


def _v41_error(status: int, code: str, message: str) -> _Reply:
    return _json_reply(status, {"errors": [{"code": code, "message": message}]})


class _Dropped(Exception):
    """The connection is closed without a reply (raised inside the in-process transports)."""


class FaultServer:
    """A fake Fluent account with one API user, seedable faults and a request log."""

    def __init__(
        self,
        *,
        client_id: str = "FAULTACME",
        client_secret: str = "5f0c1e2a-client-secret-9d7b",
        username: str = "fault_api_user",
        password: str = "fault-Pa55word!",
        retailer_id: int = 1,
        refresh_tokens: bool = True,
        expires_in: int = 3600,
        max_requests: int = 10_000,
        max_lifetime: float = 120.0,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        self.retailer_id = retailer_id
        self.refresh_tokens = refresh_tokens
        self.expires_in = expires_in
        self.max_requests = max_requests
        self.max_lifetime = max_lifetime
        self.log: list[LoggedRequest] = []
        #: Access tokens issued and not revoked; every token and refresh token ever issued.
        self.live_access: set[str] = set()
        self.issued_access: list[str] = []
        self.issued_refresh: list[str] = []
        #: Refresh token -> how many refresh grants presented it (a correct client: 1 each).
        self.refresh_uses: Counter[str] = Counter()
        self.grants: Counter[str] = Counter()  # "password", "refresh_token", "invalid_grant"
        self.events: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        #: Customers by username.
        self.customers: dict[str, dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._seen: Counter[str] = Counter()
        self._ids = itertools.count(100)
        self._lock = threading.Lock()
        self._unused_refresh: set[str] = set()
        #: Reads lag behind writes: the reads of an order or customer this many times after it
        #: is created miss it (an eventually consistent read path).
        self.read_lag = 0
        self._lagging: dict[str, int] = {}

    # -- set-up --------------------------------------------------------------------------

    def credentials(self) -> dict[str, Any]:
        """Keyword arguments for `FluentClient` (in-process base URL; override for loopback)."""
        return {
            "base_url": IN_PROCESS_BASE_URL,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "username": self.username,
            "password": self.password,
        }

    @property
    def secrets(self) -> set[str]:
        """Every secret value this server knows: credentials and every token it issued."""
        return {self.client_secret, self.password, *self.issued_access, *self.issued_refresh}

    def fault(self, route: str, kind: str, *, nth: int = 1, times: int = 1, **options: Any) -> None:
        """Apply ``kind`` to requests ``nth`` .. ``nth + times - 1`` of ``route`` (1-based)."""
        if route != "*" and route not in ROUTES and not route.startswith("graphql:"):
            raise ValueError(f"unknown route {route!r}; one of {ROUTES} or graphql:<root field>")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        if nth < 1 or times < 1:
            raise ValueError("nth and times start at 1")
        with self._lock:
            self._faults.append(_Fault(route, kind, nth, times, dict(options)))

    def requests(self, route: str) -> list[LoggedRequest]:
        return [r for r in self.log if r.route == route]

    # -- transports ----------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An in-process sync transport (no socket)."""
        return _SyncTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An in-process async transport (no socket)."""
        return _AsyncTransport(self)

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on ``127.0.0.1`` (a free port) for the ``with`` block; yields the base URL."""
        httpd = _LoopbackServer(("127.0.0.1", 0), _Handler)
        httpd.fault_server = self
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
        thread.daemon = True
        thread.start()

        def stop() -> None:
            httpd.shutdown()
            httpd.server_close()

        # Stops itself even if the test never leaves the block (a hung client).
        watchdog = threading.Timer(self.max_lifetime, stop)
        watchdog.daemon = True
        watchdog.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            watchdog.cancel()
            stop()
            thread.join(timeout=5)

    # -- the one request handler ---------------------------------------------------------

    def handle(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        *,
        read_timeout: float | None,
    ) -> _Reply:
        """Answer one request (both transports and the socket server call this)."""
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        route, params = _route(method, path)
        entry = LoggedRequest(
            method, path, query, {k.lower(): v for k, v in headers.items()}, body, route
        )
        with self._lock:
            if len(self.log) >= self.max_requests:
                return _v41_error(503, "503", "fault server request limit reached")
            self.log.append(entry)
            fault = self._next_fault(route, _root_fields(entry) if route == "graphql" else [])
            entry.fault = fault.kind if fault else None
            reply = self._with_fault(entry, params, fault, read_timeout)
            entry.status = None if reply.drop else reply.status
        return reply

    def _next_fault(self, route: str | None, fields: list[str]) -> _Fault | None:
        if route is None:
            return None
        routes = [route, "*", *(f"{route}:{name}" for name in fields)]
        for counted in routes:
            self._seen[counted] += 1
        for fault in self._faults:
            seen = self._seen[fault.route]
            if fault.route in routes and fault.used < fault.times and seen >= fault.first:
                fault.used += 1
                return fault
        return None

    def _with_fault(
        self,
        entry: LoggedRequest,
        params: dict[str, str],
        fault: _Fault | None,
        read_timeout: float | None,
    ) -> _Reply:
        kind = fault.kind if fault else None
        options = fault.options if fault else {}
        if kind == "revoke":
            self.live_access.discard(_bearer(entry.headers) or "")
            return _v41_error(
                401,
                "401",
                "Invalid user, Authorization header value does not belong to a valid user",
            )
        if kind == "rate_limit":
            reply = _v41_error(429, "429", "Too many requests")
            reply.headers["Retry-After"] = str(options.get("retry_after", 1))
            return reply
        if kind == "server_error":
            status = int(options.get("status", 503))
            return _v41_error(status, str(status), "Service unavailable")
        if kind == "drop_before":
            return _Reply(0, b"", drop="before")
        if kind == "html":
            page = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body></body></html>"
            return _Reply(200, page, {"Content-Type": "text/html; charset=utf-8"})
        if kind == "malformed_json":
            return _Reply(200, b'{"data": {"me": {"id": "1", "user', dict(_JSON))
        if kind == "echo":
            status = int(options.get("status", 400))
            request: dict[str, Any] = {
                "headers": entry.headers,
                "query": entry.query,
                "body": entry.body.decode("utf-8", "replace"),
            }
            text = f"could not process {entry.method} {entry.path}: {json.dumps(request)}"
            echoed: dict[str, Any] = {"request": request}
            if entry.route == "token":  # the OAuth error shape
                echoed.update(error="invalid_request", error_description=text)
            else:  # the v4.1 error shape
                echoed["errors"] = [{"code": str(status), "message": text}]
            return _json_reply(status, echoed)
        reply = self._answer(entry, params)
        entry.committed = reply.status < 400 or entry.committed
        if kind == "drop_after":
            return _Reply(0, b"", drop="after")
        if kind == "slow":
            delay = float(options.get("delay", 1.0))
            if read_timeout is not None and delay >= read_timeout:
                return _Reply(0, b"", drop="timeout")
            reply.delay = delay
        return reply

    # -- the API ------------------------------------------------------------------------

    def _answer(self, entry: LoggedRequest, params: dict[str, str]) -> _Reply:
        if entry.route is None:
            return _v41_error(404, "404", f"no such resource {entry.path}")
        if entry.route == "token":
            return self._token(entry)
        bearer = _bearer(entry.headers)
        if bearer is None or bearer not in self.live_access:
            return _v41_error(
                401,
                "401",
                "Invalid user, Authorization header value does not belong to a valid user",
            )
        try:
            payload = entry.json() if entry.method == "POST" else None
        except ValueError:
            return _v41_error(400, "400", "request body is not JSON")
        handler = getattr(self, "_" + entry.route.replace(".", "_"))
        result: _Reply = handler(entry, params, payload)
        return result

    def _token(self, entry: LoggedRequest) -> _Reply:
        form = entry.form
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return _json_reply(
                401, {"error": "invalid_client", "error_description": "Bad client credentials"}
            )
        grant = form.get("grant_type")
        if grant == "password":
            if form.get("username") != self.username or form.get("password") != self.password:
                self.grants["invalid_grant"] += 1
                return _json_reply(
                    400, {"error": "invalid_grant", "error_description": "Bad credentials"}
                )
        elif grant == "refresh_token":
            presented = form.get("refresh_token", "")
            self.refresh_uses[presented] += 1
            if presented not in self._unused_refresh:
                self.grants["invalid_grant"] += 1
                return _json_reply(
                    400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}
                )
            self._unused_refresh.discard(presented)  # single-use
        else:
            return _json_reply(
                400, {"error": "unsupported_grant_type", "error_description": str(grant)}
            )
        self.grants[grant] += 1
        access = str(uuid.uuid4())
        self.live_access.add(access)
        self.issued_access.append(access)
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "scope": "api",
            "Retailer_id": self.retailer_id,
            "FirstName": "Fault",
            "LastName": "Server",
            "Roles": [],
        }
        if self.refresh_tokens:
            refresh = f"rt-{uuid.uuid4()}"
            self._unused_refresh.add(refresh)
            self.issued_refresh.append(refresh)
            body["refresh_token"] = refresh
        return _json_reply(200, body)

    def _new_id(self) -> str:
        return str(next(self._ids))

    def _event(self, payload: Any, mode: str) -> _Reply:
        if not isinstance(payload, dict) or not payload.get("name"):
            return _v41_error(400, "NotNull", "'name' is required")
        if payload.get("retailerId") in (None, ""):
            return _v41_error(400, "NotNull", "'retailerId' is required")
        event_id = str(uuid.uuid4())
        self.events[event_id] = {
            "id": event_id,
            "name": payload["name"],
            "type": payload.get("type", "ORCHESTRATION"),
            "retailerId": str(payload["retailerId"]),
            "category": payload.get("category"),
            "context": {
                "sourceEvents": [],
                "entityType": payload.get("entityType"),
                "entityId": payload.get("entityId"),
                "entityRef": payload.get("entityRef"),
                "rootEntityType": payload.get("rootEntityType"),
                "rootEntityId": payload.get("rootEntityId"),
                "rootEntityRef": payload.get("rootEntityRef"),
            },
            "eventStatus": "COMPLETE" if mode == "sync" else "PENDING",
            "attributes": payload.get("attributes"),
            "source": "Fluent-API",
            "generatedOn": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        if mode == "sync":
            return _json_reply(
                200,
                {
                    "eventId": event_id,
                    "entityId": payload.get("entityId"),
                    "eventStatus": "COMPLETE",
                },
            )
        return _json_reply(200, {"id": event_id})

    def _event_sync(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        return self._event(payload, "sync")

    def _event_async(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        return self._event(payload, "async")

    def _event_get(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        event = self.events.get(params["event"])
        if event is None:
            return _v41_error(404, "404", f"event {params['event']} not found")
        return _json_reply(200, event)

    def _event_search(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        start, count = int(entry.query.get("start", 0)), int(entry.query.get("count", 100))
        matching = [e for e in self.events.values() if entry.query.get("name") in (None, e["name"])]
        page = matching[start : start + count]
        return _json_reply(
            200,
            {
                "start": start,
                "count": len(page),
                "hasMore": start + count < len(matching),
                "results": page,
            },
        )

    def _job_create(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        if not isinstance(payload, dict) or not payload.get("name"):
            return _v41_error(400, "400", "'name' is required")
        job_id = self._new_id()
        self.jobs[job_id] = {
            "jobId": job_id,
            "name": payload["name"],
            "status": "OPEN",
            "retailerId": str(payload.get("retailerId", self.retailer_id)),
            "meta": payload.get("meta"),
            "createdOn": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        return _json_reply(200, {"id": job_id})

    def _job_get(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        job = self.jobs.get(params["job"])
        if job is None:
            return _v41_error(404, "404", f"job {params['job']} not found")
        batches = [
            {"batchId": b["batchId"], "status": b["status"], "entityType": b["entityType"]}
            for b in self.batches.values()
            if b["jobId"] == job["jobId"]
        ]
        return _json_reply(200, {**job, "batch": batches})

    def _batch_create(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        if params["job"] not in self.jobs:
            return _v41_error(404, "404", f"job {params['job']} not found")
        if not isinstance(payload, dict) or not isinstance(payload.get("entities"), list):
            return _v41_error(400, "400", "'entities' is required")
        if not payload.get("action") or not payload.get("entityType"):
            return _v41_error(400, "400", "'action' and 'entityType' are required")
        batch_id = self._new_id()
        entities = payload["entities"]
        self.batches[batch_id] = {
            "batchId": batch_id,
            "jobId": params["job"],
            "status": "COMPLETE",
            "entityType": payload["entityType"],
            "action": payload["action"],
            "entities": entities,
            "start": 1,
            "count": len(entities),
            "total": len(entities),
            "results": [
                {"entityRef": e.get("skuRef") or e.get("ref"), "responseCode": 200, "message": "OK"}
                for e in entities
                if isinstance(e, dict)
            ],
            "createdOn": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        return _json_reply(200, {"id": batch_id})

    def _batch_get(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        batch = self.batches.get(params["batch"])
        if batch is None or batch["jobId"] != params["job"]:
            return _v41_error(404, "404", f"batch {params['batch']} not found")
        return _json_reply(200, {k: v for k, v in batch.items() if k != "entities"})

    # -- GraphQL (minimal) ---------------------------------------------------------------

    def _graphql(self, entry: LoggedRequest, params: dict[str, str], payload: Any) -> _Reply:
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return _json_reply(
                400, {"errors": [{"message": "a JSON body with 'query' is required"}]}
            )
        try:
            document = parse(payload["query"])
        except GraphQLSyntaxError as exc:
            return _json_reply(200, _gql_error(f"C0140E: invalid query: {exc.message}", "C0140E"))
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != 1:
            return _json_reply(200, _gql_error("C0140E: send exactly one operation", "C0140E"))
        variables = payload.get("variables") or {}
        data: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for selection in operations[0].selection_set.selections:
            if not isinstance(selection, FieldNode):
                return _json_reply(
                    200, _gql_error("C0140E: fragments at the root are not supported", "C0140E")
                )
            key = selection.alias.value if selection.alias else selection.name.value
            args = {
                a.name.value: value_from_ast_untyped(a.value, variables)
                for a in selection.arguments
            }
            value, error = self._root_field(selection.name.value, args)
            if error is not None:
                errors.append({**error, "path": [key]})
            data[key] = _select(value, selection, document)
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = errors
        return _json_reply(200, body)

    def _customer(self, given: Any) -> dict[str, Any] | None:
        """``customer: {id}`` (createOrder) or a new customer's fields (createOrderAndCustomer)."""
        if not isinstance(given, dict):
            return None
        return {"__typename": "Customer", "id": str(given.get("id") or self._new_id()), **given}

    def _root_field(self, name: str, args: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
        if name == "me":
            return {
                "__typename": "User",
                "id": "1",
                "ref": self.username,
                "username": self.username,
                "type": "API",
                "status": "ACTIVE",
                "firstName": "Fault",
                "lastName": "Server",
                "primaryEmail": f"{self.username}@example.com",
            }, None
        if name == "order":
            ref = str(args.get("ref"))
            return (self.orders.get(ref) if self._visible(ref) else None), None
        if name == "customer":
            ref = args.get("ref")
            found = next((c for c in self.customers.values() if c["ref"] == ref), None)
            return (
                found if found and self._visible(f"customer:{found['username']}") else None
            ), None
        if name == "customers":
            return self._customers(args), None
        if name == "createCustomer":
            return self._create_customer(args.get("input"))
        if name in ("createOrder", "createOrderAndCustomer"):
            order_input = args.get("input") or {}
            ref = order_input.get("ref")
            if not ref:
                return None, {
                    "message": "C0140E: input.ref is required",
                    "extensions": {"code": "C0140E"},
                }
            if ref in self.orders:
                return None, {
                    "message": f"C0121E: order with ref {ref} already exists",
                    "extensions": {"code": "C0121E"},
                }
            order = {
                "__typename": "Order",
                "id": self._new_id(),
                "ref": ref,
                "type": order_input.get("type", "HD"),
                "status": "CREATED",
                "workflowRef": f"ORDER::{order_input.get('type', 'HD')}",
                "retailer": {"__typename": "Retailer", "id": str(self.retailer_id)},
                "createdOn": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "attributes": order_input.get("attributes") or [],
                "totalPrice": order_input.get("totalPrice"),
                "customer": self._customer(order_input.get("customer")),
                "items": _connection(
                    {
                        "__typename": "OrderItem",
                        "id": self._new_id(),
                        "ref": item.get("ref"),
                        "productRef": item.get("productRef"),
                        "quantity": item.get("quantity"),
                        "price": item.get("price"),
                        "status": "CREATED",
                    }
                    for item in order_input.get("items") or []
                    if isinstance(item, dict)
                ),
            }
            self.orders[ref] = order
            self._lagging[ref] = self.read_lag
            return order, None
        return None, {
            "message": f"C0140E: field '{name}' is not supported by the fault server",
            "extensions": {"code": "C0140E"},
        }

    def _visible(self, key: str) -> bool:
        """Whether a read sees what was created under ``key`` yet (see ``read_lag``)."""
        if self._lagging.get(key, 0) > 0:
            self._lagging[key] -= 1
            return False
        return True

    def _customers(self, args: dict[str, Any]) -> dict[str, Any]:
        """``customers(...)``: every filter given is a list of values, any of which matches."""
        filters = {
            key: values
            for key in ("ref", "username", "primaryEmail")
            if isinstance(values := args.get(key), list)  # not given, or null: no filter
        }
        found = [
            customer
            for customer in self.customers.values()
            if all(customer.get(key) in values for key, values in filters.items())
        ]
        visible = [c for c in found if self._visible(f"customer:{c['username']}")]
        first = args.get("first")
        return _connection(visible[: first if isinstance(first, int) else 10])

    def _create_customer(self, given: Any) -> tuple[Any, dict[str, Any] | None]:
        given = given if isinstance(given, dict) else {}
        required = ("username", "firstName", "primaryEmail", "timezone", "promotionOptIn")
        missing = [key for key in (*required, "retailer") if given.get(key) is None]
        if missing:
            return None, {
                "message": f"C0140E: input.{missing[0]} is required",
                "extensions": {"code": "C0140E"},
            }
        username = str(given["username"])
        if username in self.customers:
            return None, {
                "message": f"C0121E: customer with username {username} already exists",
                "extensions": {"code": "C0121E"},
            }
        optional = ("lastName", "title", "department", "country", "primaryPhone")
        customer = {
            "__typename": "Customer",
            "id": self._new_id(),
            "ref": username,
            "status": "CREATED",
            "createdOn": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            **{key: given[key] for key in required},
            **{key: given.get(key) for key in optional},
            "attributes": given.get("attributes") or [],
            "retailer": {"__typename": "Retailer", "id": str(_id_of(given["retailer"]))},
        }
        self.customers[username] = customer
        self._lagging[f"customer:{username}"] = self.read_lag
        return customer, None


def _id_of(link: Any) -> Any:
    """The id of a link input (``{"id": ...}``), or the value given."""
    return link.get("id") if isinstance(link, dict) else link


def _root_fields(entry: LoggedRequest) -> list[str]:
    """The root fields a GraphQL request selects (none when it cannot be read)."""
    try:
        operations = [
            d
            for d in parse(entry.json()["query"]).definitions
            if isinstance(d, OperationDefinitionNode)
        ]
    except (ValueError, TypeError, KeyError, GraphQLSyntaxError):
        return []
    return [
        selection.name.value
        for operation in operations
        for selection in operation.selection_set.selections
        if isinstance(selection, FieldNode)
    ]


def _connection(nodes: Any) -> dict[str, Any]:
    """A Relay connection [3.3]: edges with a cursor each, and ``pageInfo``."""
    edges = [{"node": node, "cursor": f"c{n}"} for n, node in enumerate(nodes, 1)]
    return {"edges": edges, "pageInfo": {"hasNextPage": False, "hasPreviousPage": False}}


def _gql_error(message: str, code: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


def _select(value: Any, node: FieldNode, document: Any) -> Any:
    """Keep only the selected fields of ``value`` (missing ones are null), through fragments."""
    if value is None or node.selection_set is None:
        return value
    if isinstance(value, list):
        return [_select(item, node, document) for item in value]
    if not isinstance(value, dict):
        return value
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    out: dict[str, Any] = {}

    def walk(selections: Any) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                out[key] = _select(value.get(selection.name.value), selection, document)
            elif selection.kind == "fragment_spread":
                walk(fragments[selection.name.value].selection_set.selections)
            else:  # inline fragment
                walk(selection.selection_set.selections)

    walk(node.selection_set.selections)
    return out


def _route(method: str, path: str) -> tuple[str | None, dict[str, str]]:
    for route_method, pattern, name in _ROUTE_PATTERNS:
        matched = pattern.fullmatch(path)
        if matched and method == route_method:
            return name, matched.groupdict()
    return None, {}


def _bearer(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


# -- in-process transports ----------------------------------------------------------------


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if value is not None else None


def _to_response(reply: _Reply, request: httpx.Request) -> httpx.Response:
    if reply.drop == "timeout":
        raise httpx.ReadTimeout("timed out waiting for the fault server", request=request)
    if reply.drop:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    return httpx.Response(reply.status, headers=reply.headers, content=reply.body, request=request)


class _SyncTransport(httpx.BaseTransport):
    def __init__(self, server: FaultServer) -> None:
        self._server = server

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reply = self._server.handle(
            request.method,
            str(request.url.raw_path, "ascii"),
            dict(request.headers),
            request.read(),
            read_timeout=_read_timeout(request),
        )
        if reply.delay:
            time.sleep(reply.delay)
        return _to_response(reply, request)


class _AsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, server: FaultServer) -> None:
        self._server = server

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        reply = self._server.handle(
            request.method,
            str(request.url.raw_path, "ascii"),
            dict(request.headers),
            await request.aread(),
            read_timeout=_read_timeout(request),
        )
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return _to_response(reply, request)


# -- loopback socket server ---------------------------------------------------------------


class _LoopbackServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many clients connecting at once must not be reset
    fault_server: FaultServer


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _LoopbackServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is closed, so handler threads end

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.fault_server.handle(
            self.command, self.path, dict(self.headers.items()), body, read_timeout=None
        )
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:  # the client gave up (timed out) while we were slow
            self.close_connection = True

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is `FaultServer.log`."""
