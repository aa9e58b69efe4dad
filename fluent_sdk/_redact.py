"""Keeping secrets out of text: logs, reprs, exception messages.

Two layers, because neither alone is enough:
- patterns: anything shaped like a credential (``password=…``, ``"access_token": "…"``,
  ``Bearer …``) is masked wherever it appears;
- known values: every secret the SDK handles (passwords, client secrets, issued tokens) is
  registered here, so even a bare token pasted into a message by a server is masked.

Known values are registered by whoever holds them: `ClientConfig` for the password and client
secret, `FluentAuth` for every access and refresh token it is issued, given (a token store) or
refreshed, `StaticTokenAuth` for a token you pass. The registry is process-wide on purpose: a
secret one client knows is masked in every client's text. Each value is registered with the
forms it takes when a server echoes it back: URL-encoded (a query string or form body),
JSON-escaped (once, and twice for a JSON body quoted inside a JSON message) and HTML-escaped.
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "RedactingFilter",
    "install_log_redaction",
    "redact",
    "register_secret",
    "scrub",
]

MASK = "***"

_SECRET_KEYS = (
    r"password|client_secret|access_token|refresh_token|token|secret|"
    r"authorization|api_key|apikey"
)
_PATTERNS = (
    # key=value in query strings and form bodies
    re.compile(rf"(?i)(\b(?:{_SECRET_KEYS})=)[^&\s'\"]+"),
    # "key": "value" in JSON
    re.compile(rf"(?i)(\"(?:{_SECRET_KEYS})\"\s*:\s*\")[^\"]*"),
    # 'key': 'value' in Python reprs
    re.compile(rf"(?i)('(?:{_SECRET_KEYS})'\s*:\s*')[^']*"),
    # HTTP authorization schemes
    re.compile(r"(?i)(\b(?:bearer|basic)\s+)[A-Za-z0-9\-._~+/=]+"),
)

_lock = threading.Lock()
_known: set[str] = set()
#: Known values in registration order, in chunks of `_CHUNK`; one compiled pattern per chunk.
#: A new secret recompiles only the last chunk, so registering stays cheap however many tokens
#: a long-running process has been issued (one big alternation would be recompiled each time).
_chunks: list[list[str]] = []
_patterns: list[re.Pattern[str]] = []
_CHUNK = 256

# Values shorter than this are not registered: masking "1" or "abc" everywhere would mangle text.
_MIN_SECRET_LENGTH = 4


def register_secret(value: str | None) -> None:
    """Remember a secret value so `redact` masks it wherever it appears, encoded or not."""
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _known:
            return
        new = [
            form
            for form in sorted(_encoded_forms(value))
            if len(form) >= _MIN_SECRET_LENGTH and form not in _known
        ]
        _known.update(new)
        _known.add(value)
        if not _chunks or len(_chunks[-1]) >= _CHUNK:
            _chunks.append([])
            _patterns.append(_compile([]))
        _chunks[-1].extend(new)
        _patterns[-1] = _compile(_chunks[-1])


def _encoded_forms(value: str) -> set[str]:
    """``value`` as it appears in text after the encodings a request or an echo applies."""
    json_once = json.dumps(value)[1:-1]
    return {
        value,
        quote(value, safe=""),
        quote_plus(value, safe=""),
        quote(value),  # httpx leaves "/" and other path-safe characters as they are
        json_once,
        json.dumps(json_once)[1:-1],
        html.escape(value),
    }


def _compile(values: list[str]) -> re.Pattern[str]:
    # Longest first so a secret containing another is masked whole.
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered) or "(?!)")


def redact(text: str) -> str:
    """Mask every credential-shaped fragment and every registered secret in ``text``."""
    for known in _patterns[::-1]:  # newest first: the live tokens are the likeliest in text
        text = known.sub(MASK, text)
    for regex in _PATTERNS:
        text = regex.sub(rf"\g<1>{MASK}", text)
    return text


def scrub(value: Any) -> Any:
    """`redact` every string inside ``value`` (a decoded JSON body: dicts, lists, scalars)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(item) for item in value)
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites each record's message with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is not ours to fix
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        # A traceback logged with the record (``logger.exception``) is text too: render it now,
        # masked; formatters use ``exc_text`` when it is set.
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()


_PREFIXES = ("fluent_sdk", "httpx", "httpcore", "gql")
_installed = False


def _covered(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in _PREFIXES)


def install_log_redaction() -> None:
    """Mask secrets in every log record of fluent_sdk, httpx, httpcore and gql (idempotent).

    httpx logs every request URL at INFO; httpcore logs headers at DEBUG. A filter on a logger
    does not see records of its child loggers, so we wrap the log record factory instead: every
    record from these libraries, whichever child logger made it, is redacted as it is created.
    """
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _covered(record.name):
                _REDACTOR.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


_REDACTOR = RedactingFilter()
