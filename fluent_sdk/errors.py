"""Every error the SDK raises, REST and GraphQL alike.

The tree::

    FluentError
    ├── ConfigurationError          a setting is missing or malformed (before any request)
    │   └── OperationsNotAttachedError  ``client.ops`` with none attached (also an AttributeError)
    ├── ValidationError             bad input to an SDK call, naming the field (before any request)
    ├── TransportError              no usable HTTP response
    │   ├── ConnectError            the request never reached the server
    │   └── TimeoutError            the server did not answer in time (it may have acted)
    │       └── StatusTimeoutError  an entity did not reach a status in time (wait_for)
    ├── BatchTimeoutError           a batch was not COMPLETE by the deadline of wait_for_batch
    ├── PaginationError             more pages were announced but the cursor did not move
    ├── WebhookSignatureError       a webhook's signature is missing or does not match
    ├── SchemaError                 the schema pipeline could not read or check a schema
    │   ├── SchemaSourceError       a file is neither introspection JSON nor SDL
    │   ├── SchemaFixError          the recorded schema fixes (fixes.json) are malformed
    │   ├── SchemaInvalidError      the schema built by the pipeline does not validate
    │   └── DocumentValidationError operation documents do not validate (``problems`` listed)
    └── APIError                    Fluent answered with an error (status, code, request_id, ...)
        ├── AuthenticationError     401, OAuth ``invalid_grant``
        ├── PermissionDeniedError   403, ``C0020E``
        ├── NotFoundError           404, ``C0120E``
        ├── BadRequestError         400, ``C01xx``, 413
        │   └── EventRejectedError  a synchronous event answered ``FAILED`` / ``NO_MATCH``
        ├── ConflictError           unique-constraint violations (``C0121E``, ``C0128E``, ...)
        ├── RateLimitedError        429, ``C0011E`` (``retry_after`` in seconds when known)
        ├── ServerError             5xx, ``S…`` codes
        ├── UnexpectedResponseError a success status whose body is not what the call returns
        └── GraphQLError            GraphQL ``errors`` (paths and partial ``data`` kept)
            ├── GraphQLNotFoundError        also a NotFoundError (``C0120E``)
            ├── GraphQLConflictError        also a ConflictError (``C0121E``, ...)
            ├── GraphQLPermissionDeniedError  also a PermissionDeniedError (``C0020E``)
            ├── GraphQLBadRequestError      also a BadRequestError (``C01xx``)
            ├── GraphQLRateLimitedError     also a RateLimitedError (``C0011E``)
            ├── GraphQLAuthenticationError  also an AuthenticationError
            └── GraphQLServerError          also a ServerError (``S…`` codes)

A GraphQL error whose code maps to a class is an instance of both, so one
``except NotFoundError`` (or ``ConflictError``, …) catches the REST and the GraphQL answer alike;
``except GraphQLError`` still catches every GraphQL error, and ``kind`` names the mapped class.

``ValidationError.field`` is a path into the input: dotted keys and ``[index]`` for list items,
rooted at the argument's name, e.g. ``input.items[2].quantity``. Every input the SDK checks
(generated GraphQL inputs, REST bodies, helper inputs) is reported through one converter
(`fluent_sdk._validation`), so the syntax is the same everywhere; an unknown key reads
``input.statuss: unknown field (did you mean 'status'?)``.

`error_from_response` maps any Fluent HTTP error body (OAuth, v4.1 ``{"errors": [...]}``, plugin
``{"message", "status"}``, event ``eventStatus``) to the right class. Messages never contain
secrets: bodies are passed through `redact` before they are stored.
"""

from __future__ import annotations

import builtins
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx

from fluent_sdk._redact import redact, scrub

__all__ = [
    "APIError",
    "Attempt",
    "AuthenticationError",
    "BadRequestError",
    "BatchTimeoutError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "DocumentValidationError",
    "ErrorCode",
    "EventRejectedError",
    "FluentError",
    "GraphQLAuthenticationError",
    "GraphQLBadRequestError",
    "GraphQLConflictError",
    "GraphQLError",
    "GraphQLErrorItem",
    "GraphQLNotFoundError",
    "GraphQLPermissionDeniedError",
    "GraphQLRateLimitedError",
    "GraphQLServerError",
    "NotFoundError",
    "OperationsNotAttachedError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitedError",
    "SchemaError",
    "SchemaFixError",
    "SchemaInvalidError",
    "SchemaSourceError",
    "ServerError",
    "StatusTimeoutError",
    "TimeoutError",
    "TransportError",
    "UnexpectedResponseError",
    "ValidationError",
    "WebhookSignatureError",
    "error_from_graphql",
    "error_from_response",
    "parse_retry_after",
    "request_id_from",
]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of a request: what happened and how long the SDK waited before the next."""

    number: int
    outcome: str  # "HTTP 503", "ConnectError", ...
    waited: float = 0.0


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """A Fluent error code such as ``C0120E``: kind (C client, S server, T third party), number,
    severity (E error, W warning)."""

    kind: Literal["C", "S", "T"]
    number: int
    severity: Literal["E", "W"]

    _PATTERN = re.compile(r"\b([CST])(\d{4})([EW])\b")

    @classmethod
    def parse(cls, text: str | None) -> ErrorCode | None:
        """Find the first Fluent code in ``text`` (a code field or a ``"C0140E: ..."`` message)."""
        if not text:
            return None
        match = cls._PATTERN.search(text)
        if match is None:
            return None
        kind, number, severity = match.groups()
        return cls(kind, int(number), severity)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.kind}{self.number:04d}{self.severity}"


class FluentError(Exception):
    """Base of every error raised by fluent-sdk.

    ``attempts`` is the history of tries behind the error when the transport retried (empty
    otherwise); `APIError` fills it from its constructor, the retry layer for the others.
    """

    attempts: tuple[Attempt, ...] = ()


class ConfigurationError(FluentError):
    """A setting is missing or malformed.

    ``setting`` names it; ``looked_in`` lists where it was looked for.
    """

    def __init__(
        self, message: str, *, setting: str | None = None, looked_in: Sequence[str] = ()
    ) -> None:
        self.setting = setting
        self.looked_in = tuple(looked_in)
        if looked_in:
            message = f"{message} (looked in: {', '.join(looked_in)})"
        super().__init__(message)


class OperationsNotAttachedError(ConfigurationError, AttributeError):
    """``client.ops`` was read, but no package of your own operations is attached (``client.use``
    or ``FluentClient(operations=...)``).

    Also an `AttributeError`, so ``hasattr(client, "ops")`` is False and ``getattr(client, "ops",
    None)`` is None until operations are attached.
    """


class ValidationError(FluentError, ValueError):
    """Input to an SDK call is invalid; raised before any request is sent.

    ``field`` is the path of the first bad field, rooted at the argument's name
    (``input.items[2].quantity``; see the module docstring). ``detail`` is the message without
    that path (``unknown field (did you mean 'status'?)``). ``errors`` lists every problem
    found, each a dict with ``field``, ``msg`` and pydantic's ``type`` and ``loc`` when pydantic
    found it.
    """

    field: str | None
    detail: str
    errors: list[dict[str, Any]]

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        detail: str | None = None,
    ) -> None:
        self.field = field
        self.errors = [dict(error) for error in errors]
        if detail is None:
            detail = message.removeprefix(f"{field}: ") if field else message
        self.detail = detail
        super().__init__(message)


class TransportError(FluentError):
    """No usable HTTP response arrived."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        attempts: Sequence[Attempt] = (),
        operation: str | None = None,
    ) -> None:
        self.method = request.method if request is not None else None
        #: ``"oauth.token"`` when the failure hit the token request, not the API request.
        self.operation = operation
        self.path = request.url.path if request is not None else None
        self.attempts = tuple(attempts)
        super().__init__(redact(message))

    def _repr_html_(self) -> str:
        from fluent_sdk._display import html_summary

        fields = [
            ("message", str(self)),
            ("operation", self.operation),
            ("request", f"{self.method} {self.path}" if self.method else None),
            ("attempts", _attempts_text(self.attempts)),
        ]
        return html_summary(type(self).__name__, [(k, v) for k, v in fields if v is not None])


class ConnectError(TransportError):
    """The request never reached the server (DNS, refused, TLS handshake, pool exhausted)."""


class TimeoutError(TransportError, builtins.TimeoutError):
    """The server did not answer in time. It may have received and acted on the request."""


class StatusTimeoutError(TimeoutError):
    """An entity did not reach the awaited status before the deadline of ``client.wait_for``.

    It may still get there. ``last_status`` is the status last read (None when the entity was
    never found); ``failures`` lists what the orchestration audit recorded as failed since the
    wait began (one line each), the usual reason for a stuck entity.
    """

    def __init__(
        self,
        *,
        entity: str,
        statuses: Sequence[str],
        last_status: str | None,
        found: bool,
        waited: float,
        failures: Sequence[str] = (),
    ) -> None:
        self.entity = entity
        self.statuses = tuple(statuses)
        self.last_status = last_status
        self.waited = waited
        self.failures = tuple(failures)
        wanted = " or ".join(self.statuses)
        if not found:
            seen = "was not found"
        else:
            seen = f"was still {last_status}" if last_status else "had no status"
        message = f"{entity} {seen} after {waited:.1f}s (waiting for {wanted})"
        if self.failures:
            lines = "; ".join(self.failures[:5])
            more = f"; … {len(self.failures) - 5} more" if len(self.failures) > 5 else ""
            message += f"; orchestration audit failures since the wait began: {lines}{more}"
        super().__init__(message)


class BatchTimeoutError(FluentError, builtins.TimeoutError):
    """A batch did not reach ``COMPLETE`` before the deadline of `Jobs.wait_for_batch`.

    The batch may still complete later; ``last_status`` is what Fluent last reported.
    """

    def __init__(
        self, *, job_id: str, batch_id: str, last_status: str | None, waited: float
    ) -> None:
        self.job_id = job_id
        self.batch_id = batch_id
        self.last_status = last_status
        self.waited = waited
        super().__init__(
            f"batch {batch_id} of job {job_id} was still {last_status or 'not reported'} "
            f"after {waited:.1f}s"
        )


class PaginationError(FluentError):
    """The server said there are more pages but the cursor did not move forward."""

    operation: str | None
    cursor: str | None

    def __init__(self, message: str, *, operation: str | None, cursor: str | None) -> None:
        self.operation = operation
        self.cursor = cursor
        super().__init__(message)


class SchemaError(FluentError, ValueError):
    """The schema pipeline (``fluent-sdk schema ...``, `make generate`) failed."""


class SchemaSourceError(SchemaError):
    """A schema file or document could not be read as introspection JSON or SDL."""


class SchemaFixError(SchemaError):
    """The fixes file is malformed."""


class SchemaInvalidError(SchemaError):
    """The schema produced by the pipeline does not pass schema validation."""


class DocumentValidationError(SchemaError):
    """One or more documents are invalid; ``problems`` lists each with its location."""

    problems: list[Any]

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(str(p) for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(
            f"{len(self.problems)} invalid GraphQL document problem(s):\n  {shown}{more}"
        )


class WebhookSignatureError(FluentError):
    """The webhook's signature is missing, malformed or does not match the body.

    ``header`` names the header that was checked (None when none was found).
    """

    def __init__(self, message: str, *, header: str | None = None) -> None:
        self.header = header
        super().__init__(message)


class APIError(FluentError):
    """Fluent answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        attempts: Sequence[Attempt] = (),
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = redact(message)
        #: Seconds the server asked us to wait (``Retry-After``), when it said.
        self.retry_after = retry_after
        self.status = status
        self.code = code
        self.error_code = ErrorCode.parse(code) or ErrorCode.parse(message)
        self.request_id = request_id
        self.operation = operation
        self.attempts = tuple(attempts)
        self.body = scrub(body)
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [
            f"HTTP {self.status}" if self.status is not None else None,
            self.code,
            self.operation and f"in {self.operation}",
        ]
        prefix = " ".join(p for p in parts if p)
        text = f"{prefix}: {self.message}" if prefix else self.message
        if self.request_id:
            text += f" [request id {self.request_id}]"
        if len(self.attempts) > 1:
            text += f" after {len(self.attempts)} attempts"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )

    def _repr_html_(self) -> str:
        from fluent_sdk._display import html_summary

        return html_summary(type(self).__name__, self._html_fields(), raw=self.body)

    def _html_fields(self) -> list[tuple[str, Any]]:
        fields: list[tuple[str, Any]] = [
            ("status", self.status),
            ("code", self.code),
            ("message", self.message),
            ("request id", self.request_id),
            ("operation", self.operation),
            ("attempts", _attempts_text(self.attempts)),
            ("retry after (s)", self.retry_after),
        ]
        return [(name, value) for name, value in fields if value is not None]


class AuthenticationError(APIError):
    """The credentials or the token were refused (401, OAuth ``invalid_grant``)."""


class PermissionDeniedError(APIError):
    """The user lacks a permission (403, ``C0020E``); the message lists what is missing."""


class NotFoundError(APIError):
    """The entity does not exist (404, ``C0120E``)."""


class BadRequestError(APIError):
    """Fluent rejected the request as malformed or invalid (400, ``C01xx``, 413)."""


class EventRejectedError(BadRequestError):
    """A synchronous event finished ``FAILED`` or matched no rule (``NO_MATCH``).

    Raised by ``client.events``, the message names the event, its entity and the outcome
    (``event 'X' on FULFILMENT 123 finished NO_MATCH: …``); ``event_name``, ``entity_type``,
    ``entity_id`` / ``entity_ref`` hold them apart, ``reason`` is Fluent's own message (if
    any) and ``unmatched`` what did not match when Fluent said (``"entity"``, ``"workflow"``,
    ``"ruleset"`` or ``"status"``).
    """

    def __init__(
        self,
        message: str,
        *,
        event_id: str | None,
        event_status: str,
        entity_id: str | None = None,
        event_name: str | None = None,
        entity_type: str | None = None,
        entity_ref: str | None = None,
        reason: str | None = None,
        unmatched: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.event_id = event_id
        self.event_status = event_status
        self.entity_id = entity_id
        self.event_name = event_name
        self.entity_type = entity_type
        self.entity_ref = entity_ref
        self.reason = reason
        self.unmatched = unmatched
        super().__init__(message, code=event_status, **kwargs)

    def _describe(self) -> str:
        if self.event_name is None:
            return super()._describe()
        # The message already says what failed; the transport details follow it.
        where = [f"HTTP {self.status}" if self.status is not None else None, self.operation]
        details = " in ".join(part for part in where if part)
        text = f"{self.message} ({details})" if details else self.message
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text

    def _html_fields(self) -> list[tuple[str, Any]]:
        fields: list[tuple[str, Any]] = [
            ("event", self.event_name),
            ("entity", " ".join(p for p in (self.entity_type, self.entity_id) if p) or None),
            ("entity ref", self.entity_ref),
            ("event status", self.event_status),
            ("event id", self.event_id),
            ("unmatched", self.unmatched),
        ]
        return [f for f in fields if f[1] is not None] + super()._html_fields()


class ConflictError(APIError):
    """A unique constraint was violated, e.g. an order ``ref`` that already exists."""


class RateLimitedError(APIError):
    """Too many requests (429, ``C0011E``). ``retry_after`` is in seconds when the server said."""


class ServerError(APIError):
    """Fluent failed (5xx, ``S…`` codes). Usually worth retrying."""


class UnexpectedResponseError(APIError):
    """Fluent answered with a success status, but the body is not what the call returns (an
    HTML page with status 200, malformed JSON, a GraphQL body with neither data nor errors)."""


@dataclass(frozen=True, slots=True)
class GraphQLErrorItem:
    """One entry of a GraphQL response's ``errors`` list."""

    message: str
    path: tuple[str | int, ...] = ()
    code: str | None = None
    extensions: Mapping[str, Any] | None = None

    @property
    def error_code(self) -> ErrorCode | None:
        return ErrorCode.parse(self.code) or ErrorCode.parse(self.message)


class GraphQLError(APIError):
    """A GraphQL response carried ``errors``. ``data`` keeps whatever partial data came back.

    ``kind`` is the class the first error's Fluent code maps to (e.g. `NotFoundError` for
    ``C0120E``), and the error is an instance of it too: ``GraphQLError(..., kind=NotFoundError)``
    makes a `GraphQLNotFoundError`, caught by ``except NotFoundError`` and ``except GraphQLError``.
    """

    def __new__(cls, *args: Any, kind: type[APIError] | None = None, **kwargs: Any) -> Any:
        if cls is GraphQLError:
            cls = graphql_error_class(kind)
        return super().__new__(cls, *args)

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[GraphQLErrorItem],
        data: Any = None,
        kind: type[APIError] | None = None,
        **kwargs: Any,
    ) -> None:
        self.errors = tuple(errors)
        self.data = data
        self.kind = kind or APIError
        super().__init__(message, **kwargs)

    @property
    def paths(self) -> list[tuple[str | int, ...]]:
        return [e.path for e in self.errors]

    def _repr_html_(self) -> str:
        from fluent_sdk._display import html_summary

        fields = [*self._html_fields(), ("kind", self.kind.__name__)]
        for number, item in enumerate(self.errors[:10], start=1):
            where = f" (at {'.'.join(map(str, item.path))})" if item.path else ""
            code = f"{item.code}: " if item.code and item.code not in item.message else ""
            fields.append((f"error {number}", f"{code}{item.message}{where}"))
        if len(self.errors) > 10:
            fields.append(("…", f"{len(self.errors) - 10} more errors"))
        raw = {
            "errors": [
                {"message": e.message, "path": list(e.path), "code": e.code} for e in self.errors
            ],
            "data": self.data,
        }
        return html_summary(type(self).__name__, fields, raw=raw)


class GraphQLNotFoundError(GraphQLError, NotFoundError):
    """A GraphQL error with a not-found code (``C0120E``)."""


class GraphQLConflictError(GraphQLError, ConflictError):
    """A GraphQL error with a unique-constraint code (``C0121E``, ``C0123E``, ``C0128E``)."""


class GraphQLPermissionDeniedError(GraphQLError, PermissionDeniedError):
    """A GraphQL error with a permission code (``C0020E``)."""


class GraphQLBadRequestError(GraphQLError, BadRequestError):
    """A GraphQL error with a bad-request code (``C01xx``)."""


class GraphQLRateLimitedError(GraphQLError, RateLimitedError):
    """A GraphQL error with the rate-limit code (``C0011E``)."""


class GraphQLAuthenticationError(GraphQLError, AuthenticationError):
    """A GraphQL error that means the credentials or token were refused."""


class GraphQLServerError(GraphQLError, ServerError):
    """A GraphQL error with a server-failure code (``S…``)."""


#: The GraphQL error class for each mapped kind (`graphql_error_class`).
_GRAPHQL_CLASSES: dict[type, type[GraphQLError]] = {
    NotFoundError: GraphQLNotFoundError,
    ConflictError: GraphQLConflictError,
    PermissionDeniedError: GraphQLPermissionDeniedError,
    BadRequestError: GraphQLBadRequestError,
    RateLimitedError: GraphQLRateLimitedError,
    AuthenticationError: GraphQLAuthenticationError,
    ServerError: GraphQLServerError,
}


def graphql_error_class(kind: type[APIError] | None) -> type[GraphQLError]:
    """`GraphQLError`, or its subclass that is also ``kind`` (e.g. `GraphQLNotFoundError`)."""
    for base in (kind or APIError).__mro__:
        found = _GRAPHQL_CLASSES.get(base)
        if found is not None:
            return found
    return GraphQLError


def _attempts_text(attempts: Sequence[Attempt]) -> str | None:
    """``"3: HTTP 503 (retried after 1.0s), HTTP 503, HTTP 500"`` for notebook display."""
    if not attempts:
        return None
    shown = ", ".join(
        f"{a.outcome} (retried after {a.waited:.1f}s)" if a.waited else a.outcome
        for a in attempts[:10]
    )
    more = f", … {len(attempts) - 10} more" if len(attempts) > 10 else ""
    return f"{len(attempts)}: {shown}{more}"


# Fluent codes that mean a specific class, wherever they arrive.
_CONFLICT_CODES = frozenset({"C0121E", "C0123E", "C0128E"})
_CODE_CLASSES: dict[str, type[APIError]] = {
    "C0020E": PermissionDeniedError,
    "C0120E": NotFoundError,
    "C0011E": RateLimitedError,
    **{code: ConflictError for code in _CONFLICT_CODES},
}
_STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitedError,
}


def _class_for(status: int | None, code: str | None) -> type[APIError]:
    if code:
        parsed = ErrorCode.parse(code)
        if parsed is not None:
            text = str(parsed)
            if text in _CODE_CLASSES:
                return _CODE_CLASSES[text]
            if parsed.kind == "S":
                return ServerError
            if parsed.kind == "C" and status in (None, 200, 400):
                return BadRequestError
        if code == "invalid_grant":
            return AuthenticationError
    if status is None:
        return APIError
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return ServerError
    if status >= 400:
        return BadRequestError
    return APIError


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: a number, or an HTTP date relative to ``now`` (epoch)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


_REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "x-amz-cf-id", "fluent-request-id")


def request_id_from(headers: httpx.Headers) -> str | None:
    """The request id a response carries, under whichever header the service used."""
    for name in _REQUEST_ID_HEADERS:
        value: str | None = headers.get(name)
        if value:
            return value
    return None


def _body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return response.text


def error_from_response(
    response: httpx.Response, *, operation: str | None = None, attempts: Sequence[Attempt] = ()
) -> APIError:
    """Turn an error response of any Fluent service into the matching `APIError` subclass."""
    body = _body(response)
    status = response.status_code
    code: str | None = None
    message: str | None = None
    if isinstance(body, dict):
        if "error" in body and isinstance(body["error"], str):  # OAuth
            code = body["error"]
            message = str(body.get("error_description") or body["error"])
        elif isinstance(body.get("errors"), list) and body["errors"]:  # v4.1 / GraphQL-shaped
            first = body["errors"][0]
            if isinstance(first, dict):
                ext = first.get("extensions")
                raw = (ext.get("code") if isinstance(ext, dict) else None) or first.get("code")
                code = str(raw) if raw is not None else None
                message = "; ".join(
                    str(e.get("message", e)) if isinstance(e, dict) else str(e)
                    for e in body["errors"]
                )
        elif "eventStatus" in body and body.get("eventStatus") in ("FAILED", "NO_MATCH"):
            return EventRejectedError(
                str(body.get("errorMessage") or f"event finished {body['eventStatus']}"),
                event_id=_str_or_none(body.get("eventId")),
                event_status=str(body["eventStatus"]),
                entity_id=_str_or_none(body.get("entityId")),
                status=status,
                request_id=request_id_from(response.headers),
                operation=operation,
                attempts=attempts,
                body=body,
            )
        elif "message" in body:  # plugin service
            message = str(body["message"])
            code = _str_or_none(body.get("code"))
    elif isinstance(body, str) and body.strip():
        message = body.strip()[:500]
    if message is None:
        message = response.reason_phrase or f"HTTP {status}"
    if code is None:
        parsed = ErrorCode.parse(message)
        code = str(parsed) if parsed else None
    cls = _class_for(status, code)
    kwargs: dict[str, Any] = dict(
        status=status,
        code=code,
        operation=operation,
        request_id=request_id_from(response.headers),
        attempts=attempts,
        body=body,
    )
    return cls(
        message, retry_after=parse_retry_after(response.headers.get("retry-after")), **kwargs
    )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def error_from_graphql(
    errors: Sequence[Any],
    *,
    data: Any = None,
    status: int | None = 200,
    operation: str | None = None,
    request_id: str | None = None,
    attempts: Sequence[Attempt] = (),
) -> GraphQLError:
    """Build a `GraphQLError` from a response's ``errors`` list, keeping paths and partial data."""
    items: list[GraphQLErrorItem] = []
    for raw in errors:
        if not isinstance(raw, dict):
            items.append(GraphQLErrorItem(message=str(raw)))
            continue
        ext = raw.get("extensions") if isinstance(raw.get("extensions"), dict) else None
        code = (ext or {}).get("code") or raw.get("code")
        items.append(
            GraphQLErrorItem(
                message=redact(str(raw.get("message", ""))),
                path=tuple(raw.get("path") or ()),
                code=str(code) if code is not None else None,
                extensions=scrub(ext),
            )
        )
    first = items[0] if items else GraphQLErrorItem(message="unknown GraphQL error")
    code = first.code or (str(first.error_code) if first.error_code else None)
    kind = _class_for(None if status == 200 else status, code)
    message = "; ".join(
        (f"{item.message} (at {'.'.join(map(str, item.path))})" if item.path else item.message)
        for item in items[:5]
    )
    if len(items) > 5:
        message += f"; … {len(items) - 5} more"
    return graphql_error_class(kind)(
        message,
        errors=items,
        data=data,
        kind=kind,
        status=status,
        code=code,
        operation=operation,
        request_id=request_id,
        attempts=attempts,
    )
