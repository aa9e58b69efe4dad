"""Authentication: Fluent's OAuth token endpoint as one `httpx.Auth` flow for sync and async.

`FluentAuth.auth_steps` is a single generator holding all the logic: it yields the requests
to send (token grants, then the API request) and lock instructions; `sync_auth_flow` and
`async_auth_flow` are thin drivers that perform the I/O and the locking with threads or tasks.

- Password grant (form body; ``token_in_query=True`` for old environments that only read
  the query string), refresh-token grant when Fluent issued one.
- Proactive refresh ``refresh_skew`` seconds before expiry; refresh tokens are single-use, so
  an ``invalid_grant`` falls back to the password grant, once.
- Reactive: a 401 from any API drops the token, gets a new one and replays the request once.
- Single flight: however many threads or tasks find the token expired, one token request runs.
  A store shared between processes (`FileTokenStore`) also takes a file lock around the
  refresh, and the flow re-reads the store once it holds the lock: clients in other processes
  sharing the file use each single-use refresh token once (the second finds the fresh token).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, Union, runtime_checkable

import httpx
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr

from fluent_sdk._config import ClientConfig
from fluent_sdk._redact import register_secret
from fluent_sdk._types import DEFAULT_TIMEOUT
from fluent_sdk.errors import AuthenticationError, error_from_response

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "DEFAULT_REFRESH_SKEW",
    "FileTokenStore",
    "FluentAuth",
    "LockingTokenStore",
    "MemoryTokenStore",
    "StaticTokenAuth",
    "StoreLock",
    "Token",
    "TokenResponse",
    "TokenStore",
]

#: Refresh this many seconds before the token expires, so no request leaves with a token that
#: dies in flight.
DEFAULT_REFRESH_SKEW = 60.0
#: Lifetime assumed when Fluent omits ``expires_in``.
_DEFAULT_LIFETIME = 3600.0
TOKEN_PATH = "/oauth/token"
#: Timeouts of token requests when the client gives none. A bare `httpx.Request` carries no
#: timeout extension, and httpcore then waits forever: token requests must always carry one.
#: (The clients pass their own.)
_DEFAULT_TOKEN_TIMEOUT = DEFAULT_TIMEOUT
#: How long a token refresh waits for another process's store lock before going ahead without
#: it (a hung process must not stop this one; the worst case is one ``invalid_grant`` fallback).
STORE_LOCK_WAIT = 30.0
_STORE_LOCK_POLL = 0.01

logger = logging.getLogger("fluent_sdk.auth")


class TokenResponse(BaseModel):
    """What ``POST /oauth/token`` returns. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    access_token: SecretStr
    token_type: str = "bearer"
    expires_in: float | None = None
    refresh_token: SecretStr | None = None
    scope: str | None = None
    retailer_id: int | None = Field(
        default=None, validation_alias=AliasChoices("Retailer_id", "retailer_id")
    )
    first_name: str | None = Field(
        default=None, validation_alias=AliasChoices("FirstName", "first_name")
    )
    last_name: str | None = Field(
        default=None, validation_alias=AliasChoices("LastName", "last_name")
    )
    roles: list[Any] = Field(default_factory=list, validation_alias=AliasChoices("Roles", "roles"))


@dataclass(frozen=True)
class Token:
    """A usable token and when it expires (epoch seconds)."""

    access_token: SecretStr
    expires_at: float
    refresh_token: SecretStr | None = None
    retailer_id: int | None = None
    info: TokenResponse | None = None

    def __repr__(self) -> str:
        return (
            f"Token(access_token=SecretStr('**********'), expires_at={self.expires_at!r}, "
            f"retailer_id={self.retailer_id!r})"
        )

    def fresh(self, now: float, skew: float) -> bool:
        return now < self.expires_at - skew

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token.get_secret_value(),
            "expires_at": self.expires_at,
            "refresh_token": (
                self.refresh_token.get_secret_value() if self.refresh_token else None
            ),
            "retailer_id": self.retailer_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Token:
        refresh = data.get("refresh_token")
        return cls(
            access_token=SecretStr(str(data["access_token"])),
            expires_at=float(data["expires_at"]),
            refresh_token=SecretStr(str(refresh)) if refresh else None,
            retailer_id=data.get("retailer_id"),
        )


class TokenStore(Protocol):
    """Where tokens are cached, keyed by a hash of (base URL, client id, username)."""

    def get(self, key: str) -> Token | None: ...

    def set(self, key: str, token: Token) -> None: ...

    def delete(self, key: str) -> None: ...


class StoreLock(Protocol):
    """A lock shared with other processes; non-blocking so both drivers can wait their way."""

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True if taken."""
        ...

    def release(self) -> None: ...


@runtime_checkable
class LockingTokenStore(TokenStore, Protocol):
    """A store other processes share: `FluentAuth` holds ``lock()`` while it refreshes."""

    def lock(self) -> StoreLock: ...


class MemoryTokenStore:
    """Tokens in this process only (the default)."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}

    def get(self, key: str) -> Token | None:
        return self._tokens.get(key)

    def set(self, key: str, token: Token) -> None:
        self._tokens[key] = token

    def delete(self, key: str) -> None:
        self._tokens.pop(key, None)

    def __repr__(self) -> str:
        return f"MemoryTokenStore({len(self._tokens)} tokens)"


class FileTokenStore:
    """Tokens in a JSON file readable only by you (mode 0600), so a restarted notebook kernel
    does not log in again. Opt-in: the file holds live bearer tokens.

    Safe to share between threads and processes: refreshes take an OS file lock on
    ``<path>.lock`` (see `lock`), so each single-use refresh token is used once."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        default = Path.home() / ".cache" / "fluent-sdk" / "tokens.json"
        self.path = Path(path).expanduser() if path is not None else default
        self._lock = threading.Lock()

    def lock(self) -> StoreLock:
        """A new lock on this store's file, exclusive across threads and processes."""
        return _FileLock(self.path.with_name(self.path.name + ".lock"))

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Unique per writer, so two processes saving at once never share a temporary file.
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def get(self, key: str) -> Token | None:
        with self._lock:
            raw = self._load().get(key)
        if not isinstance(raw, dict):
            return None
        try:
            token = Token.from_json(raw)
        except (KeyError, TypeError, ValueError):
            return None
        register_secret(token.access_token.get_secret_value())
        if token.refresh_token:
            register_secret(token.refresh_token.get_secret_value())
        return token

    def set(self, key: str, token: Token) -> None:
        with self._lock:
            data = self._load()
            data[key] = token.to_json()
            self._save(data)

    def delete(self, key: str) -> None:
        with self._lock:
            data = self._load()
            if data.pop(key, None) is not None:
                self._save(data)

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"


class _FileLock:
    """An exclusive OS lock on a file (``flock``; ``msvcrt.locking`` on Windows).

    Each acquisition opens the file anew: ``flock`` locks belong to an open file, so two
    threads sharing one descriptor would both "hold" it."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


class _Acquire:
    """Step: take the token lock (a thread lock or an asyncio lock, by driver)."""


class _Release:
    """Step: release the token lock."""


class _Held:
    """The locks a driver holds for the flow, taken in this order: its own (a thread or a task
    lock), then the token store's process lock; released in reverse, at `_Release` or at the
    flow's end."""

    def __init__(self, lock: threading.Lock | asyncio.Lock) -> None:
        self._lock = lock
        self.lock_held = False
        self.store_lock: StoreLock | None = None

    def release(self) -> None:
        try:
            if self.store_lock is not None:
                self.store_lock.release()
                self.store_lock = None
        finally:
            if self.lock_held:
                self._lock.release()
                self.lock_held = False

    def close(self, steps: Generator[Any, Any, Any]) -> None:
        """The flow is over (finished, failed or abandoned): close it, release what is held."""
        try:
            steps.close()
        finally:
            self.release()


_ACQUIRE = _Acquire()
_RELEASE = _Release()
_Step = Union[httpx.Request, _Acquire, _Release]  # noqa: UP007 (runtime alias, py3.10)
_T = TypeVar("_T")


def _bearer(request: httpx.Request, token: Token) -> httpx.Request:
    request.headers["Authorization"] = f"Bearer {token.access_token.get_secret_value()}"
    return request


def _is_invalid_grant(response: httpx.Response) -> bool:
    if response.status_code not in (400, 401):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == "invalid_grant"


class FluentAuth(httpx.Auth):
    """OAuth for Fluent: password and refresh-token grants, proactive and reactive refresh."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        token_store: TokenStore | None = None,
        refresh_skew: float = DEFAULT_REFRESH_SKEW,
        token_in_query: bool = False,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        if (
            config.client_id is None
            or config.client_secret is None
            or config.username is None
            or config.password is None
        ):
            raise ValueError("FluentAuth needs client_id, client_secret, username and password")
        self._config = config
        self._store: TokenStore = token_store if token_store is not None else MemoryTokenStore()
        self._skew = refresh_skew
        self._token_in_query = token_in_query
        self._headers = dict(headers or {})
        self._clock = clock
        self._timeout = timeout if timeout is not None else _DEFAULT_TOKEN_TIMEOUT
        self._key = hashlib.sha256(
            f"{config.base_url}\0{config.client_id}\0{config.username}".encode()
        ).hexdigest()
        self._thread_lock = threading.Lock()
        # One asyncio lock per event loop (see `_task_lock`).
        self._task_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        #: How many token requests this auth has sent (tests and diagnostics).
        self.token_requests = 0

    def __repr__(self) -> str:
        return (
            f"FluentAuth(base_url={self._config.base_url!r}, "
            f"client_id={self._config.client_id!r}, username={self._config.username!r})"
        )

    # -- the single flow -------------------------------------------------------------------

    @property
    def token(self) -> Token | None:
        """The cached token, fresh or not."""
        return self._store.get(self._key)

    def _fresh_token(self) -> Token | None:
        token = self._store.get(self._key)
        return token if token is not None and token.fresh(self._clock(), self._skew) else None

    def invalidate(self) -> None:
        """Forget the cached token; the next request logs in again."""
        self._store.delete(self._key)

    def auth_steps(self, request: httpx.Request) -> Generator[_Step, httpx.Response, None]:
        """Authorise ``request``, refreshing as needed, and replay it once after a 401."""
        token = self._fresh_token()
        if token is None:
            token = yield from self._locked_token(stale_access=None)
        response = yield _bearer(request, token)
        if response.status_code != 401:
            return
        # The token was refused (revoked, expired early): get another, unless a concurrent
        # request already did, and replay once. A second 401 is returned to the caller.
        token = yield from self._locked_token(stale_access=token.access_token)
        yield _bearer(request, token)

    def login_steps(self, *, force: bool = False) -> Generator[_Step, httpx.Response, Token]:
        """Get a token without an API request (``client.login()``)."""
        token = None if force else self._fresh_token()
        if token is None:
            stale = self.token.access_token if force and self.token else None
            token = yield from self._locked_token(stale_access=stale)
        return token

    def _locked_token(
        self, *, stale_access: SecretStr | None
    ) -> Generator[_Step, httpx.Response, Token]:
        yield _ACQUIRE
        # No yield may run while the generator is being closed (an abandoned request: transport
        # error, cancellation): that raises "generator ignored GeneratorExit". The driver
        # releases the lock itself in that case.
        closing = False
        try:
            current = self._store.get(self._key)
            # Double-checked: another thread/task may have refreshed while we waited.
            if (
                current is not None
                and current.fresh(self._clock(), self._skew)
                and (
                    stale_access is None
                    or current.access_token.get_secret_value() != stale_access.get_secret_value()
                )
            ):
                return current
            token = yield from self._grant(current)
            self._store.set(self._key, token)
            return token
        except GeneratorExit:
            closing = True
            raise
        finally:
            if not closing:
                yield _RELEASE

    def _grant(self, stale: Token | None) -> Generator[_Step, httpx.Response, Token]:
        if stale is not None and stale.refresh_token is not None:
            response = yield self._token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": stale.refresh_token.get_secret_value(),
                }
            )
            if response.status_code == 200:
                return self._accept(response)
            if not _is_invalid_grant(response):
                raise error_from_response(response, operation="oauth.token")
            # Refresh tokens are single-use and expire on their own: fall back once.
        response = yield self._token_request(
            {
                "grant_type": "password",
                "username": self._config.username or "",
                "password": self._config.password.get_secret_value()
                if self._config.password
                else "",
            }
        )
        if response.status_code != 200:
            raise error_from_response(response, operation="oauth.token")
        return self._accept(response)

    def _token_request(self, grant: dict[str, str]) -> httpx.Request:
        self.token_requests += 1
        params = {
            **grant,
            "client_id": self._config.client_id or "",
            "client_secret": (
                self._config.client_secret.get_secret_value() if self._config.client_secret else ""
            ),
            "scope": "api",
        }
        url = f"{self._config.base_url}{TOKEN_PATH}"
        headers = {**self._headers, "Accept": "application/json"}
        extensions = {"timeout": self._timeout.as_dict()}
        if self._token_in_query:
            # Old environments only read the query string. Our log redaction masks these
            # values, but the URL may still reach proxies' logs: opt-in only.
            return httpx.Request("POST", url, params=params, headers=headers, extensions=extensions)
        return httpx.Request("POST", url, data=params, headers=headers, extensions=extensions)

    def _accept(self, response: httpx.Response) -> Token:
        try:
            info = TokenResponse.model_validate_json(response.content)
        except ValueError:
            raise AuthenticationError(
                "the token endpoint answered 200 without a usable access_token",
                status=response.status_code,
                operation="oauth.token",
            ) from None
        register_secret(info.access_token.get_secret_value())
        if info.refresh_token is not None:
            register_secret(info.refresh_token.get_secret_value())
        lifetime = info.expires_in if info.expires_in is not None else _DEFAULT_LIFETIME
        return Token(
            access_token=info.access_token,
            expires_at=self._clock() + lifetime,
            refresh_token=info.refresh_token,
            retailer_id=info.retailer_id,
            info=info,
        )

    # -- drivers ---------------------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        return self._drive_sync(self.auth_steps(request))

    def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        return self._drive_async(self.auth_steps(request))

    def _drive_sync(
        self, steps: Generator[_Step, httpx.Response, _T]
    ) -> Generator[httpx.Request, httpx.Response, _T]:
        """Run ``steps`` with a thread lock (and the store's process lock, if it has one);
        yields the requests for the caller to send."""
        held = _Held(self._thread_lock)
        try:
            step = next(steps)
            while True:
                if isinstance(step, _Acquire):
                    self._thread_lock.acquire()
                    held.lock_held = True
                    waits = self._store_lock_waits()
                    try:
                        while True:
                            time.sleep(next(waits))
                    except StopIteration as taken:
                        held.store_lock = taken.value
                    step = steps.send(None)  # type: ignore[arg-type]
                elif isinstance(step, _Release):
                    held.release()
                    step = steps.send(None)  # type: ignore[arg-type]
                else:
                    response = yield step
                    response.read()
                    step = steps.send(response)
        except StopIteration as done:
            result: _T = done.value
            return result
        finally:
            held.close(steps)

    async def _drive_async(
        self, steps: Generator[_Step, httpx.Response, Any]
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Run ``steps`` with a task lock; yields the requests for the caller to send."""
        import asyncio

        lock = self._task_lock()
        held = _Held(lock)
        try:
            step = next(steps)
            while True:
                if isinstance(step, _Acquire):
                    await lock.acquire()
                    held.lock_held = True
                    waits = self._store_lock_waits()
                    try:
                        while True:  # noqa: ASYNC110 (polls an OS lock: no event to await)
                            await asyncio.sleep(next(waits))
                    except StopIteration as taken:
                        held.store_lock = taken.value
                    step = steps.send(None)  # type: ignore[arg-type]
                elif isinstance(step, _Release):
                    held.release()
                    step = steps.send(None)  # type: ignore[arg-type]
                else:
                    response = yield step
                    await response.aread()
                    step = steps.send(response)
        except StopIteration:
            return
        finally:
            held.close(steps)

    def _store_lock_waits(self) -> Generator[float, None, StoreLock | None]:
        """Take the store's process lock: yields the seconds to wait between tries (the
        drivers sleep their own way: never a blocking call in the event loop) and returns the
        lock held, or None (no such lock, or it stayed taken for `STORE_LOCK_WAIT`)."""
        if not isinstance(self._store, LockingTokenStore):
            return None
        lock = self._store.lock()
        started = time.monotonic()
        while not lock.try_acquire():
            if time.monotonic() - started >= STORE_LOCK_WAIT:
                logger.warning(
                    "token store %r stayed locked for %.0f s; refreshing without its lock",
                    self._store,
                    STORE_LOCK_WAIT,
                )
                return None
            yield _STORE_LOCK_POLL
        return lock

    def _task_lock(self) -> asyncio.Lock:
        # asyncio locks belong to one event loop; a client reused from another loop (a new
        # asyncio.run per notebook cell) gets its own lock for that loop. Keyed by the loop
        # itself, not its id (a new loop may reuse a dead one's id); locks of closed loops are
        # forgotten when a new loop comes along, so they do not pile up.
        import asyncio  # only async users pay for importing asyncio

        loop = asyncio.get_running_loop()
        lock = self._task_locks.get(loop)
        if lock is None:
            for closed in [known for known in self._task_locks if known.is_closed()]:
                del self._task_locks[closed]
            lock = self._task_locks[loop] = asyncio.Lock()
        return lock

    def sync_login(
        self, send: Callable[[httpx.Request], httpx.Response], *, force: bool = False
    ) -> Token:
        """Get a token now, sending token requests with ``send`` (no auth applied)."""
        flow = self._drive_sync(self.login_steps(force=force))
        try:
            request = next(flow)
            while True:
                request = flow.send(send(request))
        except StopIteration as done:
            token: Token = done.value
            return token
        finally:
            flow.close()  # if ``send`` raised: release the token lock now, not at GC

    async def async_login(
        self, send: Callable[[httpx.Request], Awaitable[httpx.Response]], *, force: bool = False
    ) -> Token:
        """The async twin of `sync_login`."""
        box: list[Token] = []

        def steps() -> Generator[_Step, httpx.Response, None]:
            box.append((yield from self.login_steps(force=force)))

        flow = self._drive_async(steps())
        try:
            request = await flow.__anext__()
            while True:
                request = await flow.asend(await send(request))
        except StopAsyncIteration:
            return box[0]
        finally:
            await flow.aclose()  # if ``send`` raised: release the token lock now, not at GC


class StaticTokenAuth(httpx.Auth):
    """A bearer token you already hold. It is never refreshed; a 401 raises."""

    def __init__(self, token: SecretStr, *, retailer_id: int | None = None) -> None:
        self._token = Token(access_token=token, expires_at=float("inf"), retailer_id=retailer_id)
        register_secret(token.get_secret_value())

    @property
    def token(self) -> Token:
        return self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield _bearer(request, self._token)

    def __repr__(self) -> str:
        return "StaticTokenAuth(token=SecretStr('**********'))"
