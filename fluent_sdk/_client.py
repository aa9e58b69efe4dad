"""`FluentClient` and `AsyncFluentClient`: the entry points, and the transport every call uses.

`_BaseClient` holds everything that does no I/O: configuration, request building, response
checking, logging, retry decisions. The two clients add only the I/O (``send`` and ``sleep``).
API namespaces (``client.graphql``, ``client.events``, …) are created lazily on first use so
that ``import fluent_sdk`` stays cheap.
"""

from __future__ import annotations

import importlib
import logging
import platform
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from fluent_sdk._auth import (
    DEFAULT_REFRESH_SKEW,
    TOKEN_PATH,
    FluentAuth,
    StaticTokenAuth,
    Token,
    TokenStore,
)
from fluent_sdk._config import ClientConfig, resolve_config
from fluent_sdk._redact import install_log_redaction, redact
from fluent_sdk._retry import AttemptLog, RetryPolicy
from fluent_sdk._transport_errors import describe as describe_transport_failure
from fluent_sdk._types import (
    DEFAULT_TIMEOUT,
    ApiCall,
    AsyncRestClient,
    RequestOptions,
    RestClient,
    TimeoutTypes,
    to_timeout,
)
from fluent_sdk._version import __version__
from fluent_sdk.errors import (
    APIError,
    ConfigurationError,
    ConnectError,
    OperationsNotAttachedError,
    TimeoutError,
    TransportError,
    error_from_response,
)

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

    from fluent_sdk.graphql import AsyncGraphQL, GraphQL
    from fluent_sdk.helpers.catalogue import AsyncCatalogue, Catalogue
    from fluent_sdk.helpers.consignments import AsyncConsignments, Consignments
    from fluent_sdk.helpers.fulfilments import AsyncFulfilments, Fulfilments
    from fluent_sdk.helpers.inventory import AsyncInventory, Inventory
    from fluent_sdk.helpers.locations import AsyncLocations, Locations
    from fluent_sdk.helpers.networks import AsyncNetworks, Networks
    from fluent_sdk.helpers.orders import AsyncOrders, Orders
    from fluent_sdk.helpers.payments import AsyncPayments, Payments
    from fluent_sdk.helpers.settings import AsyncSettings, Settings
    from fluent_sdk.helpers.users import AsyncUsers, Users
    from fluent_sdk.helpers.waiting import AsyncWaiter, Waiter
    from fluent_sdk.rest.events import AsyncEvents, Events
    from fluent_sdk.rest.jobs import AsyncJobs, Jobs
    from fluent_sdk.rest.plugins import AsyncPlugins, Plugins
    from fluent_sdk.rest.workflows import AsyncWorkflows, Workflows

__all__ = ["DEFAULT_TIMEOUT", "OPERATIONS_FORMAT", "ApiCall", "AsyncFluentClient", "FluentClient"]

logger = logging.getLogger("fluent_sdk")

# Distinct request paths whose parsed URL is kept (REST paths carry ids, so bound the cache).
_URL_CACHE_SIZE = 256
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
T = TypeVar("T")
R = TypeVar("R")
#: The format of the packages ``fluent-sdk codegen`` makes (their ``FLUENT_SDK_OPERATIONS_FORMAT``)
#: that this SDK attaches; raised when the runtime methods generated code calls change.
OPERATIONS_FORMAT = 1
_NO_OPERATIONS = (
    "no operations attached to this client: generate a package of your own operations with "
    "`fluent-sdk codegen QUERIES_DIR --package NAME`, then attach it with client.use('NAME') "
    "or FluentClient(operations='NAME')"
)


class _LazyNamespace:
    """Creates an API namespace (``client.events``, …) on first access and caches it on the
    client, importing its module only then, so that ``import fluent_sdk`` stays cheap."""

    def __init__(self, module: str, name: str) -> None:
        self._module = module
        self._name = name
        self._attribute = name

    def __set_name__(self, owner: type, attribute: str) -> None:
        self._attribute = attribute

    def __get__(self, client: object, owner: type | None = None) -> Any:
        if client is None:
            return self
        namespace = getattr(importlib.import_module(self._module), self._name)(client)
        # A non-data descriptor: the instance attribute set here wins on the next access.
        client.__dict__[self._attribute] = namespace
        return namespace


def _namespace(module: str, name: str) -> Any:
    return _LazyNamespace(module, name)


async def _async_sleep(seconds: float) -> None:
    import asyncio  # only async users pay for importing asyncio

    await asyncio.sleep(seconds)


def _operations_package(operations: str | ModuleType) -> ModuleType:
    """The package of operations ``fluent-sdk codegen`` generated, imported by name (or as
    given) and checked to be one this SDK reads; nothing of it is imported beyond its
    ``__init__``."""
    if isinstance(operations, str):
        try:
            package = importlib.import_module(operations)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (operations + ".").startswith(exc.name + "."):
                raise  # the package exists, something it imports does not
            parent, _, leaf = operations.rpartition(".")
            where = f" --out <the folder of {parent}>" if parent else ""
            raise ConfigurationError(
                f"operations package {operations!r} not found on the import path (sys.path): "
                f"generate it with `fluent-sdk codegen QUERIES_DIR --package {leaf}{where}`",
                setting="operations",
            ) from None
    elif isinstance(operations, ModuleType):
        package = operations
    else:
        raise ConfigurationError(
            f"operations must be a package name or module, got {type(operations).__name__}",
            setting="operations",
        )
    found = getattr(package, "FLUENT_SDK_OPERATIONS_FORMAT", None)
    if found is None:
        raise ConfigurationError(
            f"{package.__name__!r} is not a package generated by `fluent-sdk codegen` "
            "(it has no FLUENT_SDK_OPERATIONS_FORMAT)",
            setting="operations",
        )
    if found != OPERATIONS_FORMAT:
        made_by = getattr(package, "GENERATED_BY", "another fluent-sdk")
        raise ConfigurationError(
            f"{package.__name__!r} was generated by {made_by} in format {found!r}; this "
            f"fluent-sdk ({__version__}) reads format {OPERATIONS_FORMAT}: run "
            "`fluent-sdk codegen` again",
            setting="operations",
        )
    return package


def _unparsed(response: httpx.Response) -> httpx.Response:
    """The parse of `FluentClient.request`'s call: the response itself."""
    return response


def _user_agent() -> str:
    return f"fluent-sdk/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"


_READ_STREAM = httpx.ByteStream(b"")


def _unbind_stream(response: httpx.Response) -> None:
    """Break the reference cycle httpx makes between a response and its stream.

    httpx wraps each response's stream in one that points back at the response (to stamp
    ``elapsed`` on close). The cycle keeps a response, body included, alive after its last use
    until the cyclic collector next runs: megabytes per page or batch answer, piling up when
    collections are rare. A response read in full and closed has no use for its stream.
    """
    if response.is_closed and response.is_stream_consumed:
        response.stream = _READ_STREAM


class _BaseClient:
    """Configuration, request building and response checking, shared by both clients."""

    _config: ClientConfig
    _auth: FluentAuth | StaticTokenAuth
    #: (module of a generated operations package, class) that `ops` instantiates.
    _OPERATIONS_CLASS: tuple[str, str]

    def __init__(
        self,
        *,
        base_url: str | None = None,
        account: str | None = None,
        environment: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        username: str | None = None,
        password: str | None = None,
        retailer_id: int | str | None = None,
        token: str | None = None,
        timeout: TimeoutTypes = None,
        retry: RetryPolicy | None = None,
        token_store: TokenStore | None = None,
        token_in_query: bool = False,
        refresh_skew: float = DEFAULT_REFRESH_SKEW,
        allow_insecure: bool = False,
        log_bodies: bool = False,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        config: ClientConfig | None = None,
        operations: str | ModuleType | None = None,
    ) -> None:
        install_log_redaction()
        self._operations: ModuleType | None = (
            None if operations is None else _operations_package(operations)
        )
        self._ops: Any = None
        self._config = config or resolve_config(
            dict(
                base_url=base_url,
                account=account,
                environment=environment,
                client_id=client_id,
                client_secret=client_secret,
                username=username,
                password=password,
                retailer_id=retailer_id,
                token=token,
            ),
            use_env=False,
            allow_insecure=allow_insecure,
        )
        self._timeout = to_timeout(timeout)
        self._timeout_extension = self._timeout.as_dict()
        self._urls: dict[str, httpx.URL] = {}
        self._base_headers: httpx.Headers | None = None
        self._retry = retry or RetryPolicy()
        self._log_bodies = log_bodies
        self._headers: dict[str, str] = {"User-Agent": _user_agent(), "Accept": "application/json"}
        if self._config.account:
            self._headers["fluent.account"] = self._config.account
        self._headers.update(headers or {})
        if self._config.token is not None:
            self._auth = StaticTokenAuth(self._config.token, retailer_id=self._config.retailer_id)
        else:
            self._auth = FluentAuth(
                self._config,
                token_store=token_store,
                refresh_skew=refresh_skew,
                token_in_query=token_in_query,
                headers=self._headers,
                clock=clock,
                timeout=self._timeout,
            )

    # -- construction from the environment or a profile -------------------------------------

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """Settings from ``FLUENT_*`` variables; keyword arguments win over them."""
        return cls._from_sources(kwargs, profile=None)

    @classmethod
    def from_profile(
        cls, name: str, *, user: str | None = None, retailer: str | None = None, **kwargs: Any
    ) -> Self:
        """Settings from a Fluent CLI profile (``~/.fluentcommerce/<name>/``, or
        ``$FLUENT_PROFILE_DIR``); the environment and keyword arguments win over it."""
        return cls._from_sources(kwargs, profile=name, user=user, retailer=retailer)

    @classmethod
    def _from_sources(
        cls,
        kwargs: dict[str, Any],
        *,
        profile: str | None,
        user: str | None = None,
        retailer: str | None = None,
    ) -> Self:
        setting_names = (
            "base_url",
            "account",
            "environment",
            "client_id",
            "client_secret",
            "username",
            "password",
            "retailer_id",
            "token",
        )
        explicit = {name: kwargs.pop(name) for name in setting_names if name in kwargs}
        config = resolve_config(
            explicit,
            use_env=True,
            profile=profile,
            profile_user=user,
            profile_retailer=retailer,
            allow_insecure=bool(kwargs.get("allow_insecure", False)),
        )
        return cls(config=config, **kwargs)

    # -- introspection ----------------------------------------------------------------------

    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    @property
    def retailer_id(self) -> int | None:
        """The configured retailer, else the one of the logged-in user (None before login)."""
        if self._config.retailer_id is not None:
            return self._config.retailer_id
        token = self._auth.token
        return token.retailer_id if token is not None else None

    @property
    def auth(self) -> FluentAuth | StaticTokenAuth:
        return self._auth

    # -- the user's own operations (``fluent-sdk codegen``) ----------------------------------

    def use(self, operations: str | ModuleType) -> Any:
        """Attach a package of your own operations made by ``fluent-sdk codegen`` (its name, or
        the module), replacing any attached before; returns `ops`.

        Its methods then run as ``client.ops.<name>(...)`` through this client's transport,
        auth, retries and error mapping, with strict inputs; a query of a connection also gets
        ``client.ops.iter_<name>(...)``. Raises `ConfigurationError` when the package is not
        found or was made for another format."""
        self._operations = _operations_package(operations)
        self._ops = None
        return self.ops

    @property
    def ops(self) -> Any:
        """The attached operations (`use`, or ``operations=`` at construction); raises
        `OperationsNotAttachedError` (a `ConfigurationError` and an `AttributeError`, so
        ``hasattr(client, "ops")`` is False) saying how to attach some when there are none."""
        ops = self._ops
        if ops is None:
            if self._operations is None:
                raise OperationsNotAttachedError(_NO_OPERATIONS, setting="operations")
            module, name = self._OPERATIONS_CLASS
            runner = importlib.import_module(f"{self._operations.__name__}.{module}")
            ops = self._ops = getattr(runner, name)(self)
        return ops

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._config.base_url!r}, "
            f"account={self._config.account!r}, username={self._config.username!r})"
        )

    # -- shared request logic (no I/O) ------------------------------------------------------

    def _build_request(
        self, http: httpx.Client | httpx.AsyncClient, call: ApiCall[Any]
    ) -> httpx.Request:
        """The `httpx.Request` ``call`` describes, on the account."""
        # Built by hand rather than with ``http.build_request``: the URL of each path is parsed
        # once and the default headers merged once, which is most of the SDK's per-call cost.
        path = call.path
        url = self._urls.get(path)
        if url is None:
            if not path.startswith("/"):
                raise ValueError(f"path must start with '/', got {path!r}")
            url = httpx.URL(f"{self._config.base_url}{path}")
            if len(self._urls) < _URL_CACHE_SIZE:
                self._urls[path] = url
        if call.params:
            url = url.copy_merge_params(call.params)
        base = self._base_headers
        if base is None:
            # The httpx client's own defaults first (e.g. a user's http_client), ours on top.
            base = self._base_headers = httpx.Headers(http.headers)
            base.update(self._headers)
        if call.headers:
            request_headers = httpx.Headers(base)
            request_headers.update(call.headers)
        else:
            request_headers = base  # httpx.Request copies it
        return httpx.Request(
            call.method.upper(),
            url,
            json=call.json,
            content=call.content,
            files=call.files,
            headers=request_headers,
            extensions={
                "timeout": self._timeout_extension
                if call.timeout is None
                else to_timeout(call.timeout).as_dict()
            },
        )

    @staticmethod
    def _is_idempotent(call: ApiCall[Any]) -> bool:
        """Whether ``call`` may be sent again after it may have arrived (by method unless the
        call says)."""
        if call.idempotent is not None:
            return call.idempotent
        return call.method.upper() in _IDEMPOTENT_METHODS

    def _check(
        self,
        request: httpx.Request,
        response: httpx.Response,
        started: float,
        attempt: int,
        operation: str | None,
    ) -> httpx.Response:
        """Log an answered attempt and raise the mapped error for an error status."""
        _unbind_stream(response)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d in %.1f ms (attempt %d)%s",
                request.method,
                request.url.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                attempt,
                f" {operation}" if operation else "",
            )
            if self._log_bodies:
                logger.debug("request body: %s", redact(request.content.decode(errors="replace")))
                logger.debug("response body: %s", redact(response.text))
        if response.is_error:
            raise error_from_response(response, operation=operation)
        return response

    @staticmethod
    def _transport_error(
        exc: httpx.TransportError, request: httpx.Request, started: float, attempt: int
    ) -> TransportError:
        logger.debug(
            "%s %s -> %s after %.1f ms (attempt %d)",
            request.method,
            request.url.path,
            type(exc).__name__,
            (time.perf_counter() - started) * 1000,
            attempt,
        )
        # The failed request may be the token request the auth flow sent on the way.
        try:
            failed = exc.request
        except RuntimeError:  # raised before httpx attached a request
            failed = request
        operation = "oauth.token" if failed.url.path == TOKEN_PATH else None
        failure = describe_transport_failure(exc, failed)
        # PoolTimeout: waited for a free connection, nothing was sent.
        if failure.connect:
            return ConnectError(failure.message, request=failed, operation=operation)
        if failure.timeout:
            return TimeoutError(failure.message, request=failed, operation=operation)
        return TransportError(failure.message, request=failed, operation=operation)


class FluentClient(_BaseClient):
    """The synchronous client. Use as a context manager, or call `close`.

    ``transport`` / ``http_client`` are the seams for tests and the embedded sandbox.
    ``operations``: a package of your own operations to attach (see `use`).
    """

    _OPERATIONS_CLASS = ("client", "GraphQLClient")

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            transport=transport, timeout=self._timeout, follow_redirects=False
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def login(self, *, force: bool = False) -> Token:
        """Get (or reuse) a token now rather than on the first request."""
        auth = self._auth
        if isinstance(auth, StaticTokenAuth):
            return auth.token
        return self._retried(lambda _: auth.sync_login(self._send_token_request, force=force))

    def request(self, method: str, path: str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send an authenticated request to ``path`` on the account, with retries.

        Raises an `APIError` subclass for an error status and a `TransportError` when no
        response arrived. ``options`` are `RequestOptions` (``params``, ``json``, ``content``,
        ``files``, ``headers``, ``idempotent``, ``timeout``, ``operation``); ``idempotent``
        defaults by method (POST is not).
        """
        return self._send(ApiCall(method, path, _unparsed, **options))

    def call(self, call: ApiCall[T]) -> T:
        """Perform a described REST call and parse its answer."""
        return call.parse(self._send(call))

    def _send(self, call: ApiCall[Any]) -> httpx.Response:
        request = self._build_request(self._http, call)
        attempt = partial(self._send_once, request, operation=call.operation)
        return self._retried(attempt, idempotent=self._is_idempotent(call))

    def _retried(self, attempt: Callable[[int], R], *, idempotent: bool = True) -> R:
        """``attempt(number)`` under the retry policy; the error of the last one, with the
        history of all, if none succeeded."""
        log = AttemptLog()
        retrying = self._retry.retrying(idempotent=idempotent, log=log, sleep=time.sleep)
        try:
            for tried in retrying:
                with tried:
                    return attempt(tried.retry_state.attempt_number)
        except (TransportError, APIError) as exc:
            raise log.finish(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_once(
        self, request: httpx.Request, attempt: int, *, operation: str | None
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self._http.send(request, auth=self._auth)
        except httpx.TransportError as exc:
            raise self._transport_error(exc, request, started, attempt) from None
        return self._check(request, response, started, attempt, operation)

    def _send_token_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._http.send(request)
        except httpx.TransportError as exc:
            raise self._transport_error(exc, request, time.perf_counter(), 1) from None

    # API namespaces, each imported on first use (see _LazyNamespace).
    graphql: GraphQL = _namespace("fluent_sdk.graphql", "GraphQL")
    events: Events = _namespace("fluent_sdk.rest.events", "Events")
    jobs: Jobs = _namespace("fluent_sdk.rest.jobs", "Jobs")
    workflows: Workflows = _namespace("fluent_sdk.rest.workflows", "Workflows")
    plugins: Plugins = _namespace("fluent_sdk.rest.plugins", "Plugins")
    orders: Orders = _namespace("fluent_sdk.helpers.orders", "Orders")
    inventory: Inventory = _namespace("fluent_sdk.helpers.inventory", "Inventory")
    catalogue: Catalogue = _namespace("fluent_sdk.helpers.catalogue", "Catalogue")
    fulfilments: Fulfilments = _namespace("fluent_sdk.helpers.fulfilments", "Fulfilments")
    consignments: Consignments = _namespace("fluent_sdk.helpers.consignments", "Consignments")
    payments: Payments = _namespace("fluent_sdk.helpers.payments", "Payments")
    settings: Settings = _namespace("fluent_sdk.helpers.settings", "Settings")
    users: Users = _namespace("fluent_sdk.helpers.users", "Users")
    locations: Locations = _namespace("fluent_sdk.helpers.locations", "Locations")
    networks: Networks = _namespace("fluent_sdk.helpers.networks", "Networks")
    #: ``client.wait_for("ORDER", ref=..., status="BOOKED")``: see `fluent_sdk.helpers.waiting`.
    wait_for: Waiter = _namespace("fluent_sdk.helpers.waiting", "Waiter")


class AsyncFluentClient(_BaseClient):
    """The asynchronous client: the same API as `FluentClient`, awaitable."""

    _OPERATIONS_CLASS = ("async_client", "AsyncGraphQLClient")

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            transport=transport, timeout=self._timeout, follow_redirects=False
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def login(self, *, force: bool = False) -> Token:
        """Get (or reuse) a token now rather than on the first request."""
        auth = self._auth
        if isinstance(auth, StaticTokenAuth):
            return auth.token
        return await self._retried(
            lambda _: auth.async_login(self._send_token_request, force=force)
        )

    async def request(
        self, method: str, path: str, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        """Send an authenticated request to ``path`` on the account, with retries (see
        `FluentClient.request`)."""
        return await self._send(ApiCall(method, path, _unparsed, **options))

    async def call(self, call: ApiCall[T]) -> T:
        """Perform a described REST call and parse its answer."""
        return call.parse(await self._send(call))

    async def _send(self, call: ApiCall[Any]) -> httpx.Response:
        request = self._build_request(self._http, call)
        attempt = partial(self._send_once, request, operation=call.operation)
        return await self._retried(attempt, idempotent=self._is_idempotent(call))

    async def _retried(
        self, attempt: Callable[[int], Awaitable[R]], *, idempotent: bool = True
    ) -> R:
        """See `FluentClient._retried`."""
        log = AttemptLog()
        retrying = self._retry.async_retrying(idempotent=idempotent, log=log, sleep=_async_sleep)
        try:
            async for tried in retrying:
                with tried:
                    return await attempt(tried.retry_state.attempt_number)
        except (TransportError, APIError) as exc:
            raise log.finish(exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_once(
        self, request: httpx.Request, attempt: int, *, operation: str | None
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await self._http.send(request, auth=self._auth)
        except httpx.TransportError as exc:
            raise self._transport_error(exc, request, started, attempt) from None
        return self._check(request, response, started, attempt, operation)

    async def _send_token_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._http.send(request)
        except httpx.TransportError as exc:
            raise self._transport_error(exc, request, time.perf_counter(), 1) from None

    # API namespaces, each imported on first use (see _LazyNamespace).
    graphql: AsyncGraphQL = _namespace("fluent_sdk.graphql", "AsyncGraphQL")
    events: AsyncEvents = _namespace("fluent_sdk.rest.events", "AsyncEvents")
    jobs: AsyncJobs = _namespace("fluent_sdk.rest.jobs", "AsyncJobs")
    workflows: AsyncWorkflows = _namespace("fluent_sdk.rest.workflows", "AsyncWorkflows")
    plugins: AsyncPlugins = _namespace("fluent_sdk.rest.plugins", "AsyncPlugins")
    orders: AsyncOrders = _namespace("fluent_sdk.helpers.orders", "AsyncOrders")
    inventory: AsyncInventory = _namespace("fluent_sdk.helpers.inventory", "AsyncInventory")
    catalogue: AsyncCatalogue = _namespace("fluent_sdk.helpers.catalogue", "AsyncCatalogue")
    fulfilments: AsyncFulfilments = _namespace("fluent_sdk.helpers.fulfilments", "AsyncFulfilments")
    consignments: AsyncConsignments = _namespace(
        "fluent_sdk.helpers.consignments", "AsyncConsignments"
    )
    payments: AsyncPayments = _namespace("fluent_sdk.helpers.payments", "AsyncPayments")
    settings: AsyncSettings = _namespace("fluent_sdk.helpers.settings", "AsyncSettings")
    users: AsyncUsers = _namespace("fluent_sdk.helpers.users", "AsyncUsers")
    locations: AsyncLocations = _namespace("fluent_sdk.helpers.locations", "AsyncLocations")
    networks: AsyncNetworks = _namespace("fluent_sdk.helpers.networks", "AsyncNetworks")
    #: ``await client.wait_for(...)``: see `fluent_sdk.helpers.waiting`.
    wait_for: AsyncWaiter = _namespace("fluent_sdk.helpers.waiting", "AsyncWaiter")


if TYPE_CHECKING:
    # The REST namespaces know a client only as these Protocols: the clients must satisfy them.
    def _is_rest_client(client: FluentClient) -> RestClient:
        return client

    def _is_async_rest_client(client: AsyncFluentClient) -> AsyncRestClient:
        return client
