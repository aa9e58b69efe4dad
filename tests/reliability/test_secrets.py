"""No secret in any text the SDK produces while things go wrong.

One module fixture runs the reliability flows (sync and async, in-process and over the loopback
server, token expiry, lost replies, failed logins, ``token_in_query`` and ``log_bodies``) with
DEBUG logging captured on every logger, and collects every token the sandbox issued from the
token replies themselves. The tests then look for the password, the client secret and each
token in the log records, reprs, exception texts and reports.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from fluent_sdk import FluentClient
from fluent_sdk.errors import FluentError
from fluent_sdk.helpers.inventory import InventoryUpdateReport
from fluent_sdk.helpers.orders import Address, HomeDelivery, NewCustomer, NewOrder, NewOrderItem
from fluent_sdk.sandbox import Sandbox

from .support import FAST_RETRY, AsyncTokenRecorder, TokenLog, TokenRecorder, make_sandbox, record

RECORDS = 2_000
#: ``settle_timeout=0`` leaves lost replies unknown, so their reasons reach the report's text.
FAST = {"batch_size": 250, "poll_interval": 0.01, "progress": False, "settle_timeout": 0}


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.texts.append(self.format(record))
        self.texts.append(repr(record.args))
        self.texts.append(str(record.msg))


@dataclass
class Flows:
    secrets: dict[str, str]
    tokens: TokenLog
    logs: _Capture
    reprs: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    reports: list[InventoryUpdateReport] = field(default_factory=list)
    report_texts: list[str] = field(default_factory=list)


def order(ref: str) -> NewOrder:
    return NewOrder(
        ref=ref,
        customer=NewCustomer(email=f"{ref.lower()}@example.com"),
        fulfilment=HomeDelivery(delivery_address=Address(name="S", city="Melbourne")),
        items=[NewOrderItem(product_ref="SPEAKER001", quantity=1, price=10.0)],
    )


def inventory_faults(sandbox: Sandbox) -> None:
    faults = sandbox.faults
    faults.rate_limit("batch.create", retry_after=1, times=2, skip=1)
    faults.read_timeout("batch.create", after_commit=True, times=1, skip=3)
    faults.server_error("batch.create", status=502, times=1, skip=4)
    faults.server_error("batch.get", status=503, times=2, skip=2)
    faults.expire_tokens_after(6)
    faults.fail_batch_records(predicate=lambda r: r.get("qty", 0) % 101 == 0)


def inventory_input() -> Iterator[Any]:
    for row in range(1, RECORDS + 1):
        yield {**record(row), "qty": "bad"} if row % 499 == 0 else record(row)


def keep(flows: Flows, *objects: Any) -> None:
    flows.reprs.extend(repr(o) for o in objects)
    flows.reprs.extend(str(o) for o in objects)


def keep_error(flows: Flows, error: BaseException) -> None:
    flows.errors.append(error)


def keep_report(flows: Flows, report: InventoryUpdateReport, tmp: Path) -> None:
    flows.reports.append(report)
    path = tmp / f"report-{len(flows.reports)}.csv"
    report.to_csv(path)
    flows.report_texts += [
        path.read_text(encoding="utf-8"),
        repr(report.to_records()),
        repr(report),
        report._repr_html_(),
        repr(report.summary()),
        repr(report.failed_batches),
    ]


def sync_flows(flows: Flows, sandbox: Sandbox, tmp: Path) -> None:
    transport = TokenRecorder(sandbox.transport(), flows.tokens)
    with sandbox.client(transport=transport, retry=FAST_RETRY, log_bodies=True) as client:
        inventory_faults(sandbox)
        keep_report(flows, client.inventory.update(inventory_input(), **FAST), tmp)
        sandbox.faults.clear()
        sandbox.faults.read_timeout("graphql", after_commit=True)
        keep(flows, client.orders.create(order("SEC-1")))
        sandbox.faults.server_error("event.async", status=503, times=1)
        try:
            client.events.send(
                {"name": "X", "entity_type": "ORDER", "entity_ref": "SEC-1", "retailer_id": 1}
            )
        except FluentError as error:
            keep_error(flows, error)
        sandbox.app.tokens.expire_all()  # a 401, then a refresh-token grant
        keep(flows, client.settings.set("acme.secret.token", "not-a-credential"))
        keep(flows, client, client.auth, client.auth.token, client.config)


async def async_flows(flows: Flows, sandbox: Sandbox, tmp: Path) -> None:
    transport = AsyncTokenRecorder(sandbox.async_transport(), flows.tokens)
    async with sandbox.async_client(
        transport=transport, retry=FAST_RETRY, log_bodies=True
    ) as client:
        sandbox.faults.clear()
        inventory_faults(sandbox)
        keep_report(flows, await client.inventory.update(inventory_input(), **FAST), tmp)
        sandbox.faults.clear()
        sandbox.faults.drop_connection("graphql", after_commit=True)
        keep(flows, await client.orders.create(order("SEC-2")))
        sandbox.app.tokens.expire_all()
        await asyncio.gather(*(client.graphql.execute("{ me { username } }") for _ in range(10)))
        keep(flows, client, client.auth, client.auth.token)


def loopback_flows(flows: Flows, sandbox: Sandbox) -> None:
    sandbox.faults.clear()
    with sandbox.serve() as base_url:
        # Old-style token requests: the credentials travel in the query string that httpx logs.
        with FluentClient(
            base_url=base_url,
            **sandbox.credentials,
            token_in_query=True,
            transport=TokenRecorder(httpx.HTTPTransport(), flows.tokens),
            retry=FAST_RETRY,
            log_bodies=True,
        ) as client:
            client.login()
            client.login(force=True)  # refresh-token grant
            sandbox.faults.read_timeout("graphql", hang=2)
            try:
                client.request("POST", "/graphql", json={"query": "{ me { id } }"}, timeout=0.3)
            except FluentError as error:
                keep_error(flows, error)
            keep(flows, client, client.auth.token)
        # Failed logins: wrong password, wrong client secret (each mentions no secret).
        for wrong in ({"password": "Wrong-password-1"}, {"client_secret": "Wrong-secret-1"}):
            with FluentClient(
                base_url=base_url,
                **{**sandbox.credentials, **wrong},
                token_in_query=True,
                retry=FAST_RETRY,
            ) as client:
                try:
                    client.login()
                except FluentError as error:
                    keep_error(flows, error)


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flows]:
    sandbox = make_sandbox()
    tmp = tmp_path_factory.mktemp("secrets")
    capture = _Capture()
    watched = [logging.getLogger(name) for name in ("", "fluent_sdk", "httpx", "httpcore", "gql")]
    levels = [logger.level for logger in watched]
    root = logging.getLogger()
    root.addHandler(capture)
    for logger in watched:
        logger.setLevel(logging.DEBUG)
    credentials = sandbox.credentials
    result = Flows(
        secrets={
            "password": credentials["password"],
            "client_secret": credentials["client_secret"],
            "wrong password": "Wrong-password-1",
            "wrong secret": "Wrong-secret-1",
        },
        tokens=TokenLog(),
        logs=capture,
    )
    try:
        sync_flows(result, sandbox, tmp)
        asyncio.run(async_flows(result, sandbox, tmp))
        loopback_flows(result, sandbox)
        yield result
    finally:
        root.removeHandler(capture)
        for logger, level in zip(watched, levels, strict=True):
            logger.setLevel(level)
    assert not sandbox.app.errors


def all_secrets(flows: Flows) -> dict[str, str]:
    found = dict(flows.secrets)
    found.update({f"access token {t[:6]}…": t for t in flows.tokens.access})
    found.update({f"refresh token {t[:6]}…": t for t in flows.tokens.refresh})
    return found


def leaks(flows: Flows, texts: list[str]) -> dict[str, int]:
    return {
        name: sum(secret in text for text in texts)
        for name, secret in all_secrets(flows).items()
        if any(secret in text for text in texts)
    }


def test_the_flows_issued_and_refreshed_tokens(flows: Flows) -> None:
    # Logins (sync, async, loopback) plus refreshes after each expiry and the forced one.
    assert len(flows.tokens.access) >= 8
    assert len(flows.tokens.refresh) == len(flows.tokens.access)


def test_no_secret_in_any_log_record(flows: Flows) -> None:
    names = {record.name for record in flows.logs.records}
    # The flows did log: SDK attempts and retries, httpx request lines with the token URL.
    assert {"fluent_sdk", "httpx"} <= names
    assert any("/oauth/token?" in text for text in flows.logs.texts)
    assert any("***" in text for text in flows.logs.texts)  # the redaction was exercised
    assert any(record.levelno == logging.DEBUG for record in flows.logs.records)
    assert leaks(flows, flows.logs.texts) == {}


def test_no_secret_in_reprs(flows: Flows) -> None:
    assert len(flows.reprs) >= 10
    assert leaks(flows, flows.reprs) == {}


def test_no_secret_in_exception_text(flows: Flows) -> None:
    assert len(flows.errors) == 4  # event 503, loopback timeout, two failed logins
    texts: list[str] = []
    for error in flows.errors:
        texts += [str(error), repr(error), repr(error.args), repr(vars(error))]
        texts += traceback.format_exception(error)
    assert leaks(flows, texts) == {}


def test_no_secret_in_reports(flows: Flows) -> None:
    assert len(flows.reports) == 2
    for report in flows.reports:
        # The faults showed up in the report, so its text says something about them.
        stages = {r.stage for r in [*report.rejected, *report.unknown_records]}
        assert stages >= {"validation", "server", "unknown_outcome"}
    assert leaks(flows, flows.report_texts) == {}
