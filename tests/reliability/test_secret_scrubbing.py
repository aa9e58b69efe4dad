"""Every secret the SDK knows is scrubbed from every text it produces, even when a server echoes it.

The fault server (an independent fake Fluent) echoes requests back in 400/401 bodies, drops
connections, answers slowly, sends HTML and broken JSON. The password and client secret hold
characters that URL-encoding and JSON-escaping change, so a scrubber that knew only the raw
values would miss the echoed forms. Texts checked: every log record at DEBUG (formatted, with
any traceback), each exception's ``str``, ``repr``, ``_repr_html_``, traceback, ``message``,
``body`` and attempts, and the reprs of clients, configs, auths and tokens.

`test_broad_scenario_scan_finds_no_secret` prints its figures (``-s``): texts scanned, secrets
found (must be 0).
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from fluent_sdk import AsyncFluentClient, FluentClient, RetryPolicy
from fluent_sdk.errors import APIError, ConnectError, FluentError, TimeoutError

from .fault_server import FaultServer

# Characters that URL-encoding and JSON-escaping rewrite: "@", "/", "+", '"', "&", "=", "\", "ü".
PASSWORD = 'pw@fault/+"9&x=\\ü-user-password'
CLIENT_SECRET = 'cs/"fault"+secret&=1-client-secret'
TWO_TRIES = RetryPolicy(max_attempts=2, initial_delay=0, max_delay=0, retry_after_cap=0)
LOGGERS = ("", "fluent_sdk", "httpx", "httpcore")


def forms(secret: str) -> set[str]:
    """The secret and the forms it takes in URLs, form bodies and JSON (written independently
    of the SDK's own list, so the two cannot share a mistake)."""
    escaped = json.dumps(secret)[1:-1]
    return {secret, quote(secret, safe=""), quote_plus(secret), quote(secret), escaped}


@dataclass
class Scan:
    """Collects texts and reports which known secrets appear in them."""

    texts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def add_error(self, where: str, error: BaseException) -> None:
        self.add(f"{where}: str", str(error))
        self.add(f"{where}: repr", repr(error))
        self.add(f"{where}: traceback", "".join(traceback.format_exception(error)))
        html = getattr(error, "_repr_html_", None)
        if html is not None:
            self.add(f"{where}: html", html())
        if isinstance(error, APIError):
            self.add(f"{where}: message", error.message)
            self.add(f"{where}: body", json.dumps(error.body, default=str))
            self.add(f"{where}: body repr", repr(error.body))
        for attempt in getattr(error, "attempts", ()):
            self.add(f"{where}: attempt", repr(attempt))

    def add_objects(self, where: str, *objects: Any) -> None:
        for obj in objects:
            self.add(f"{where}: repr {type(obj).__name__}", repr(obj))
            html = getattr(obj, "_repr_html_", None)
            if callable(html):
                self.add(f"{where}: html {type(obj).__name__}", html())

    def leaks(self, secrets: set[str]) -> list[tuple[str, str, str]]:
        found = []
        wanted = {form: secret for secret in secrets for form in forms(secret) if len(form) >= 4}
        for where, text in self.texts:
            for form, secret in wanted.items():
                if form in text:
                    found.append((where, secret, text[:300]))
        return found


class _Records(logging.Handler):
    def __init__(self, scan: Scan) -> None:
        super().__init__(logging.DEBUG)
        self.scan = scan
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.scan.add(f"log {record.name}", self.format(record))


@pytest.fixture
def scan() -> Iterator[Scan]:
    """A `Scan` receiving every log record at DEBUG from every logger."""
    found = Scan()
    handler = _Records(found)
    levels = {name: logging.getLogger(name or None).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name or None).setLevel(logging.DEBUG)
    try:
        yield found
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name or None).setLevel(level)


def new_server(**options: Any) -> FaultServer:
    return FaultServer(password=PASSWORD, client_secret=CLIENT_SECRET, **options)


def client_for(server: FaultServer, **options: Any) -> FluentClient:
    """A client of ``server``: in-process, or over loopback when ``base_url`` is given."""
    options.setdefault("retry", TWO_TRIES)
    if "base_url" not in options:
        options["transport"] = server.transport()
    return FluentClient(**{**server.credentials(), **options})


def assert_no_leaks(scan: Scan, server: FaultServer) -> None:
    assert scan.texts
    leaks = scan.leaks(server.secrets)
    assert not leaks, leaks[:3]


# -- echoed 400 and 401 bodies ---------------------------------------------------------------


@pytest.mark.parametrize("token_in_query", [False, True], ids=["form", "query"])
@pytest.mark.parametrize("status", [400, 401])
def test_token_endpoint_echo_is_scrubbed(scan: Scan, status: int, token_in_query: bool) -> None:
    server = new_server()
    server.fault("token", "echo", status=status)
    with client_for(server, token_in_query=token_in_query) as client:
        with pytest.raises(APIError) as refused:
            client.login()
        scan.add_error("login", refused.value)
        scan.add_objects("client", client, client.config, client.auth)
    echoed = server.requests("token")[0]
    assert echoed.form["password"] == PASSWORD, "the server did receive the password"
    assert refused.value.status == status
    assert "could not process POST /oauth/token" in str(refused.value)
    assert "***" in str(refused.value)
    assert_no_leaks(scan, server)


@pytest.mark.parametrize("status", [400, 401])
@pytest.mark.parametrize("route", ["graphql", "event.sync"])
def test_api_echo_of_the_bearer_token_is_scrubbed(scan: Scan, status: int, route: str) -> None:
    server = new_server()
    # The 401 is echoed twice: the SDK replays once with a new token after a 401.
    server.fault(route, "echo", status=status, times=2)
    event = {"name": "X", "retailerId": 1, "entityType": "ORDER", "entityRef": "O-1"}
    with client_for(server) as client:
        call = (
            (lambda: client.graphql.execute("query { me { id } }"))
            if route == "graphql"
            else (lambda: client.events.send_sync(event))
        )
        with pytest.raises(APIError) as failed:
            call()
    scan.add_error(route, failed.value)
    echoed = server.requests(route)[0]
    assert echoed.headers["authorization"] == f"Bearer {server.issued_access[0]}"
    assert server.issued_access[0] in json.dumps(echoed.headers)
    assert_no_leaks(scan, server)


def test_refresh_grant_echo_hides_the_refresh_token(scan: Scan) -> None:
    server = new_server(expires_in=1)  # stale at once: the next request refreshes
    server.fault("token", "echo", nth=2, status=400)
    with client_for(server, refresh_skew=30) as client:
        client.login()
        with pytest.raises(APIError) as failed:
            client.login(force=True)
    scan.add_error("refresh", failed.value)
    refresh = server.requests("token")[1]
    assert refresh.form["grant_type"] == "refresh_token"
    assert refresh.form["refresh_token"] == server.issued_refresh[0]
    assert_no_leaks(scan, server)


# -- token_in_query: the URL holds the client secret and password ----------------------------


class _UrlInMessage(httpx.BaseTransport):
    """A transport whose errors quote the full URL, as some proxies' and libraries' do."""

    def __init__(self, error: type[httpx.TransportError]) -> None:
        self.error = error

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise self.error(f"failed to reach {request.url}", request=request)


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError, ConnectError),
        (httpx.ConnectTimeout, ConnectError),
        (httpx.ReadTimeout, TimeoutError),
    ],
)
def test_token_in_query_connect_and_timeout_errors_hide_the_url_secrets(
    scan: Scan, failure: type[httpx.TransportError], expected: type[FluentError]
) -> None:
    server = new_server()
    with (
        FluentClient(
            transport=_UrlInMessage(failure),
            **server.credentials(),
            token_in_query=True,
            retry=TWO_TRIES,
        ) as client,
        pytest.raises(expected) as failed,
    ):
        client.login()
    scan.add_error("login", failed.value)
    text = str(failed.value)
    assert "/oauth/token" in text
    assert "failed to reach" in text, "the cause is kept, the secrets masked"
    assert_no_leaks(scan, server)


@pytest.mark.parametrize("kind", ["slow", "drop_before", "drop_after"])
def test_token_in_query_slow_or_dropped_token_request(scan: Scan, kind: str) -> None:
    server = new_server()
    server.fault("token", kind, times=2, delay=5)
    with (
        client_for(server, token_in_query=True, timeout=0.5) as client,
        pytest.raises(FluentError) as failed,
    ):
        client.login()
    scan.add_error(kind, failed.value)
    assert server.requests("token")[0].query["client_secret"] == CLIENT_SECRET
    assert_no_leaks(scan, server)


# -- the broad scan -----------------------------------------------------------------------------

SCENARIOS: list[tuple[str, str, dict[str, Any]]] = [
    (route, kind, options)
    for route in ("token", "graphql", "event.sync", "job.create")
    for kind, options in (
        ("echo", {"status": 400}),
        ("echo", {"status": 401}),
        ("revoke", {}),
        ("rate_limit", {"retry_after": 0}),
        ("server_error", {"status": 500}),
        ("drop_before", {}),
        ("drop_after", {}),
        ("slow", {"delay": 5}),
        ("html", {}),
        ("malformed_json", {}),
    )
]


def _steps(client: FluentClient) -> list[Any]:
    return [
        lambda: client.login(),
        lambda: client.graphql.execute("query { me { id username } }"),
        lambda: client.events.send_sync(
            {"name": "X", "retailerId": 1, "entityType": "ORDER", "entityRef": "O-1"}
        ),
        lambda: client.jobs.create(name="scan job", retailer_id=1),
        lambda: client.login(force=True),  # a refresh grant
    ]


def _run_sync(server: FaultServer, scan: Scan, label: str, **options: Any) -> None:
    with client_for(server, timeout=0.5, log_bodies=True, **options) as client:
        for n, step in enumerate(_steps(client)):
            try:
                outcome = step()
            except FluentError as error:
                scan.add_error(f"{label} step {n}", error)
            else:
                scan.add_objects(f"{label} step {n}", outcome)
        scan.add_objects(label, client, client.config, client.auth, client.auth.token)


async def _run_async(server: FaultServer, scan: Scan, label: str, **options: Any) -> None:
    async with AsyncFluentClient(
        transport=server.async_transport(),
        **server.credentials(),
        retry=TWO_TRIES,
        timeout=0.5,
        log_bodies=True,
        **options,
    ) as client:
        steps = [
            client.login,
            lambda: client.graphql.execute("query { me { id username } }"),
            lambda: client.events.send_sync(
                {"name": "X", "retailerId": 1, "entityType": "ORDER", "entityRef": "O-1"}
            ),
            lambda: client.login(force=True),
        ]
        for n, step in enumerate(steps):
            try:
                outcome = await step()
            except FluentError as error:
                scan.add_error(f"{label} step {n}", error)
            else:
                scan.add_objects(f"{label} step {n}", outcome)
        scan.add_objects(label, client, client.auth)


def test_broad_scenario_scan_finds_no_secret(
    scan: Scan, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets: set[str] = set()
    errors = 0
    for route, kind, options in SCENARIOS:
        for token_in_query in (False, True):
            label = f"{route}/{kind}/{'query' if token_in_query else 'form'}"
            server = new_server(expires_in=120)  # within refresh_skew: every step refreshes
            server.fault(route, kind, times=2, **options)
            before = len(scan.texts)
            _run_sync(server, scan, label, token_in_query=token_in_query, refresh_skew=200)
            asyncio.run(_run_async(server, scan, label + "/async", token_in_query=token_in_query))
            errors += sum(1 for where, _ in scan.texts[before:] if where.endswith(": str"))
            secrets |= server.secrets
    # One loopback pass: real sockets, real timeouts and dropped connections.
    for kind in ("echo", "drop_after", "slow"):
        server = new_server(expires_in=120)
        server.fault("*", kind, nth=2, times=3, status=401, delay=2)
        with server.serve() as base_url:
            _run_sync(server, scan, f"loopback/{kind}", base_url=base_url, refresh_skew=200)
        secrets |= server.secrets
    leaks = scan.leaks(secrets)
    log_records = sum(1 for where, _ in scan.texts if where.startswith("log "))
    with capsys.disabled():
        print(
            f"\nsecret scan: {len(SCENARIOS) * 2 + 3} scenarios, {errors} exceptions, "
            f"{log_records} log records, {len(scan.texts)} texts scanned, "
            f"{len(secrets)} known secrets, {len(leaks)} secrets found"
        )
    assert errors > 100, "the scenarios should have failed in many ways"
    assert log_records > 100
    assert not leaks, leaks[:5]
