"""An embedded fake of the Fluent Commerce APIs for tests and demos (in the spirit of moto).

It serves ``/oauth/token``, ``/graphql`` (every operation of the schema, resolved generically over
an in-memory store), the Event, Job/Batch, Workflow and Plugin REST APIs, with Fluent's error
shapes and limits. Use it in-process (no sockets)::

    from fluent_sdk.sandbox import Sandbox

    sandbox = Sandbox()                      # default dataset; Sandbox(seed=None) for an empty one
    with sandbox.client() as client:         # a FluentClient wired to the in-process transport
        client.request("POST", "/graphql", json={"query": "{ me { username } }"})

    import httpx
    http = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport())

or over a real socket on 127.0.0.1: ``with sandbox.serve() as base_url: ...``.

Default credentials (``sandbox.credentials``): client ``SANDBOX`` / ``sandbox-secret``, user
``sandbox_admin`` / ``sandbox-password``, retailer ``1``. ``sandbox.faults`` injects failures,
``sandbox.requests`` records what was received, ``sandbox.store`` holds the state and
``sandbox.reset()`` restores the seed. For pytest fixtures see
:mod:`fluent_sdk.sandbox.pytest_plugin`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fluent_sdk.sandbox.app import RequestLog, SandboxApp, SandboxConfig
from fluent_sdk.sandbox.auth import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
)
from fluent_sdk.sandbox.faults import Faults
from fluent_sdk.sandbox.rest.jobs import advance_batch
from fluent_sdk.sandbox.seed import SeedSpec, apply_seed, load_seed
from fluent_sdk.sandbox.server import SandboxServer
from fluent_sdk.sandbox.store import Record, Store, Transition
from fluent_sdk.sandbox.transport import SandboxAsyncTransport, SandboxTransport

if TYPE_CHECKING:
    from fluent_sdk import AsyncFluentClient, FluentClient

__all__ = ["SANDBOX_BASE_URL", "Sandbox", "SandboxServer"]

SANDBOX_BASE_URL = "https://sandbox.fluent.test"


class Sandbox:
    """One fake Fluent account. Transports and servers made from it share its state."""

    base_url = SANDBOX_BASE_URL

    def __init__(
        self,
        seed: SeedSpec = "default",
        *,
        token_lifetime: int = 3600,
        batch_polls_to_complete: int = 2,
        event_delay: float = 0.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.store = Store(clock)
        self.app = SandboxApp(
            self.store,
            SandboxConfig(
                token_lifetime=token_lifetime,
                batch_polls_to_complete=batch_polls_to_complete,
                event_delay=event_delay,
            ),
        )
        self._seed = load_seed(seed)
        apply_seed(self.app, self._seed)

    def __repr__(self) -> str:
        return f"<Sandbox {self.base_url} account={self.store.account_id}>"

    # ---- what tests look at ---------------------------------------------------------------
    @property
    def credentials(self) -> dict[str, str]:
        """Default sign-in values, shaped as ``FluentClient`` keyword arguments."""
        return {
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "username": DEFAULT_USERNAME,
            "password": DEFAULT_PASSWORD,
        }

    @property
    def faults(self) -> Faults:
        return self.app.faults

    @property
    def requests(self) -> RequestLog:
        return self.app.requests

    @property
    def events(self) -> list[Record]:
        """Events recorded so far, oldest first."""
        with self.store.lock:
            return list(self.store.events)

    # ---- transports and servers -----------------------------------------------------------
    def transport(self) -> SandboxTransport:
        return SandboxTransport(self.app)

    def async_transport(self) -> SandboxAsyncTransport:
        return SandboxAsyncTransport(self.app)

    @contextmanager
    def serve(self, port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
        """Serve over HTTP on ``host:port`` (0 = any free port); yields the base URL."""
        server = SandboxServer(self.app, host, port).start()
        try:
            yield server.base_url
        finally:
            server.stop()

    def client(self, **overrides: Any) -> FluentClient:
        """A ``FluentClient`` using :attr:`credentials` and the in-process transport."""
        from fluent_sdk import FluentClient

        return FluentClient(**self._client_options(self.transport(), overrides))

    def async_client(self, **overrides: Any) -> AsyncFluentClient:
        """An ``AsyncFluentClient`` like `client`, on the in-process async transport."""
        from fluent_sdk import AsyncFluentClient

        return AsyncFluentClient(**self._client_options(self.async_transport(), overrides))

    def _client_options(self, transport: Any, overrides: Mapping[str, Any]) -> dict[str, Any]:
        return {"base_url": self.base_url, **self.credentials, "transport": transport, **overrides}

    # ---- state control --------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the seeded state: entities, events, jobs, tokens, faults and request log."""
        with self.store.lock:
            self.store.clear()
            self.faults.clear()
            self.requests.clear()
            self.app.errors.clear()
            apply_seed(self.app, self._seed)

    def execute(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run GraphQL directly (no HTTP, no auth) as the default user; handy for test setup."""
        return self.app.engine.execute(query, variables, username=DEFAULT_USERNAME)

    def add_client(self, client_id: str, client_secret: str) -> None:
        with self.store.lock:
            self.store.clients[client_id] = client_secret

    def add_user(
        self,
        username: str,
        password: str,
        *,
        retailer_id: str = "1",
        first_name: str | None = None,
        last_name: str | None = None,
        roles: Sequence[str] = ("ADMIN",),
        user_type: str = "ADMIN",
    ) -> Record:
        """Create a user who can sign in (roles must exist; the default seed has ADMIN)."""
        user_input = {
            "ref": username,
            "username": username,
            "password": password,
            "firstName": first_name,
            "lastName": last_name,
            "primaryEmail": f"{username}@sandbox.fluent.test",
            "type": user_type,
            "timezone": "UTC",
            "primaryRetailer": {"id": retailer_id},
            "roles": [
                {
                    "role": {"name": role},
                    "contexts": [{"contextType": "RETAILER", "contextId": retailer_id}],
                }
                for role in roles
            ],
        }
        with self.store.lock:
            user: Record = self.app.engine.mutate("createUser", {"input": user_input})
            return self.store.put({**user, "status": "ACTIVE"})

    def add_transition(
        self,
        entity_type: str,
        event_name: str,
        to_status: str | None = None,
        *,
        from_statuses: Sequence[str] | None = None,
        fails_with: str | None = None,
        rule: str | None = None,
        fail_message: str | None = None,
    ) -> None:
        """Teach the event engine a ruleset: ``event_name`` on ``entity_type`` moves the entity
        to ``to_status`` (from any status, or only from ``from_statuses``).

        With ``fails_with="message"`` its rule fails instead: the event finishes ``FAILED``
        with that message, the status stays, and the orchestration audit records the rule and
        an exception. ``rule`` names the rule in the audit. ``fail_message`` is the former
        name of ``fails_with``.
        """
        if fails_with is None:
            fails_with = fail_message
        with self.store.lock:
            self.store.transitions[(entity_type.upper(), event_name)] = Transition(
                to_status, frozenset(from_statuses) if from_statuses else None, fails_with, rule
            )

    def advance_time(self, seconds: float) -> None:
        """Move the sandbox clock forward (token expiry, timestamps, event search windows)."""
        with self.store.lock:
            self.store.clock_offset += seconds

    def complete_batches(self) -> None:
        """Process every pending batch now instead of over status polls."""
        with self.store.lock:
            for batch in self.store.batches.values():
                advance_batch(self.app, batch, to_completion=True)
