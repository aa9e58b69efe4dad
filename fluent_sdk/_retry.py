"""When and how long to retry: `RetryPolicy`, driven by tenacity.

What is retried by default:
- a request that provably never reached the server (`ConnectError`): always;
- a token request that failed (the API request behind it was never sent): always;
- 429 (Fluent turned the request away without acting on it): always;
- read timeouts, dropped connections, 502/503/504: only for idempotent requests (GET, PUT,
  DELETE, GraphQL queries) or when the caller marked the call safe to retry.

A mutation that timed out is *not* retried: Fluent may have created the order already, and the
caller (or a helper such as ``orders.create``) must look before trying again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fluent_sdk._types import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_WRITE_TIMEOUT
from fluent_sdk.errors import (
    APIError,
    Attempt,
    ConnectError,
    FluentError,
    TimeoutError,
    TransportError,
)

if TYPE_CHECKING:
    import tenacity

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETRY_STATUSES",
    "DEFAULT_WRITE_TIMEOUT",
    "AttemptLog",
    "RetryPolicy",
]

logger = logging.getLogger("fluent_sdk")

DEFAULT_RETRY_STATUSES = frozenset({429, 502, 503, 504})

# Fluent codes whose documentation says "retry": virtual view initialising, rate limit,
# general server errors, JWT extraction.
_RETRYABLE_CODES = frozenset({"C0003E", "C0011E", "S0002E", "S0020E", "S0040E"})


@dataclass(frozen=True)
class RetryPolicy:
    """How the SDK retries a failed request.

    Waits grow exponentially with *full jitter* (a random wait between 0 and
    ``min(max_delay, initial_delay * 2**n)``), so many clients retrying at once spread out.
    A server's ``Retry-After`` wins over the computed wait, capped at ``retry_after_cap``.
    The whole retry budget (sum of waits) never exceeds ``max_total_delay``.
    """

    max_attempts: int = 4
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_total_delay: float = 60.0
    retry_after_cap: float = 60.0
    retry_statuses: frozenset[int] = field(default=DEFAULT_RETRY_STATUSES)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        for name in ("initial_delay", "max_delay", "max_total_delay", "retry_after_cap"):
            if getattr(self, name) < 0:
                raise ValueError(f"RetryPolicy.{name} must not be negative")

    @classmethod
    def none(cls) -> RetryPolicy:
        """No retries at all."""
        return cls(max_attempts=1)

    def should_retry(self, error: BaseException, *, idempotent: bool) -> bool:
        """Whether ``error`` is worth another attempt of a request of that kind."""
        if isinstance(error, ConnectError):
            return True
        if isinstance(error, TransportError) and error.operation == "oauth.token":
            # The token request failed before the API request was sent.
            return True
        if isinstance(error, APIError) and error.operation == "oauth.token":
            return self._retryable_api_error(error)
        if isinstance(error, APIError) and error.status == 429:
            # 429 means Fluent turned the request away unprocessed: safe to send again.
            return 429 in self.retry_statuses
        if not idempotent:
            return False
        if isinstance(error, TransportError):  # timeouts, dropped connections
            return True
        return isinstance(error, APIError) and self._retryable_api_error(error)

    def _retryable_api_error(self, error: APIError) -> bool:
        if error.status in self.retry_statuses:
            return True
        return error.error_code is not None and str(error.error_code) in _RETRYABLE_CODES

    def compute_wait(self, attempt_number: int, error: BaseException | None) -> float:
        """Seconds to wait after attempt ``attempt_number`` (1-based) failed with ``error``."""
        if isinstance(error, APIError) and error.retry_after is not None:
            return min(error.retry_after, self.retry_after_cap)
        ceiling = min(self.max_delay, self.initial_delay * (2 ** (attempt_number - 1)))
        return random.uniform(0, ceiling)

    def _tenacity_kwargs(self, *, idempotent: bool, log: AttemptLog) -> dict[str, Any]:
        # tenacity is imported on the first request, not with the package (~50 ms).
        import tenacity

        policy = self

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            seconds = policy.compute_wait(state.attempt_number, error)
            remaining = policy.max_total_delay - log.waited
            return max(0.0, min(seconds, remaining))

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= policy.max_attempts:
                return True
            return log.waited >= policy.max_total_delay

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            seconds = state.upcoming_sleep
            log.record(error, waited=seconds)
            logger.info(
                "retrying in %.2fs after attempt %d failed: %s",
                seconds,
                state.attempt_number,
                log.describe(error),
            )

        return dict(
            retry=tenacity.retry_if_exception(
                lambda exc: self.should_retry(exc, idempotent=idempotent)
            ),
            wait=wait,
            stop=stop,
            before_sleep=before_sleep,
            reraise=True,
        )

    def retrying(
        self, *, idempotent: bool, log: AttemptLog, sleep: Callable[[float], None]
    ) -> tenacity.Retrying:
        import tenacity

        return tenacity.Retrying(
            sleep=sleep, **self._tenacity_kwargs(idempotent=idempotent, log=log)
        )

    def async_retrying(
        self, *, idempotent: bool, log: AttemptLog, sleep: Callable[[float], Awaitable[None]]
    ) -> tenacity.AsyncRetrying:
        import tenacity

        return tenacity.AsyncRetrying(
            sleep=sleep, **self._tenacity_kwargs(idempotent=idempotent, log=log)
        )


class AttemptLog:
    """The history of one logical request's attempts, attached to the final error."""

    __slots__ = ("attempts", "waited")

    def __init__(self) -> None:
        self.attempts: list[Attempt] = []
        self.waited = 0.0

    @staticmethod
    def describe(error: BaseException | None) -> str:
        if isinstance(error, APIError):
            return f"HTTP {error.status}" + (f" {error.code}" if error.code else "")
        if isinstance(error, TimeoutError):
            return "timeout"
        if error is None:
            return "ok"
        return type(error).__name__

    def record(self, error: BaseException | None, *, waited: float = 0.0) -> None:
        self.attempts.append(Attempt(len(self.attempts) + 1, self.describe(error), waited))
        self.waited += waited

    def finish(self, error: FluentError) -> FluentError:
        """Attach the full history (including the last, failed attempt) to ``error``."""
        history = [*self.attempts, Attempt(len(self.attempts) + 1, self.describe(error))]
        error.attempts = tuple(history)
        if isinstance(error, APIError):
            error.args = (error._describe(),)
        return error
