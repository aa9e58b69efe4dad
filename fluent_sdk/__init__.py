"""fluent-sdk: a typed Python SDK for Fluent Commerce (Platform REST API and Domain GraphQL API).

Where things live:
- ``_client.py``   `FluentClient` / `AsyncFluentClient`, the request pipeline
- ``_auth.py``     OAuth token flow (`httpx.Auth`), token stores
- ``_retry.py``    `RetryPolicy` (tenacity), timeouts
- ``_config.py``   settings from arguments, ``FLUENT_*`` variables and Fluent CLI profiles
- ``errors.py``    the error hierarchy (drawn in its docstring)
- ``_redact.py``   secret masking for logs, reprs and errors
- ``_tables.py``   `to_records` / `to_pandas` / `to_polars`: flat rows from any result

Names are imported lazily (PEP 562, `fluent_sdk._lazy`) so ``import fluent_sdk`` costs almost
nothing; the errors come from ``errors.py``, the rest from the modules in ``_LOCATIONS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluent_sdk._lazy import lazy_exports
from fluent_sdk._version import __version__

if TYPE_CHECKING:
    from fluent_sdk._auth import FileTokenStore, MemoryTokenStore, Token, TokenStore
    from fluent_sdk._client import AsyncFluentClient, FluentClient
    from fluent_sdk._config import ClientConfig
    from fluent_sdk._retry import RetryPolicy
    from fluent_sdk._tables import to_pandas, to_polars, to_records
    from fluent_sdk._types import ApiCall
    from fluent_sdk.errors import (
        APIError,
        AuthenticationError,
        BadRequestError,
        BatchTimeoutError,
        ConfigurationError,
        ConflictError,
        ConnectError,
        EventRejectedError,
        FluentError,
        GraphQLError,
        NotFoundError,
        OperationsNotAttachedError,
        PaginationError,
        PermissionDeniedError,
        RateLimitedError,
        SchemaError,
        ServerError,
        StatusTimeoutError,
        TimeoutError,
        TransportError,
        UnexpectedResponseError,
        ValidationError,
        WebhookSignatureError,
    )

__all__ = [
    "APIError",
    "ApiCall",
    "AsyncFluentClient",
    "AuthenticationError",
    "BadRequestError",
    "BatchTimeoutError",
    "ClientConfig",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "EventRejectedError",
    "FileTokenStore",
    "FluentClient",
    "FluentError",
    "GraphQLError",
    "MemoryTokenStore",
    "NotFoundError",
    "OperationsNotAttachedError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RetryPolicy",
    "SchemaError",
    "ServerError",
    "StatusTimeoutError",
    "TimeoutError",
    "Token",
    "TokenStore",
    "TransportError",
    "UnexpectedResponseError",
    "ValidationError",
    "WebhookSignatureError",
    "__version__",
    "to_pandas",
    "to_polars",
    "to_records",
]

_LOCATIONS = {
    "FluentClient": "fluent_sdk._client",
    "AsyncFluentClient": "fluent_sdk._client",
    "ApiCall": "fluent_sdk._types",
    "RetryPolicy": "fluent_sdk._retry",
    "ClientConfig": "fluent_sdk._config",
    "Token": "fluent_sdk._auth",
    "TokenStore": "fluent_sdk._auth",
    "MemoryTokenStore": "fluent_sdk._auth",
    "FileTokenStore": "fluent_sdk._auth",
    "to_records": "fluent_sdk._tables",
    "to_pandas": "fluent_sdk._tables",
    "to_polars": "fluent_sdk._tables",
}


__getattr__, __dir__ = lazy_exports(__name__, __all__, _LOCATIONS, default="fluent_sdk.errors")
