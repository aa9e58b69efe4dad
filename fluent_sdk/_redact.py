"""Keeping secrets out of text: logs, reprs, exception messages.

Two layers, because neither alone is enough:
- patterns: anything shaped like a credential (``password=…``, ``"access_token": "…"``,
  ``Bearer …``) is masked wherever it appears;
- known values: every secret the SDK handles (passwords, client secrets, issued tokens) is
  registered here, so even a bare token pasted into a message by a server is masked.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

__all__ = [
    "MASK",
    "RedactingFilter",
    "install_log_redaction",
    "redact",
    "register_secret",
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
_known_pattern: re.Pattern[str] | None = None

# Values shorter than this are not registered: masking "1" or "abc" everywhere would mangle text.
_MIN_SECRET_LENGTH = 4


def register_secret(value: str | None) -> None:
    """Remember a secret value so `redact` masks it wherever it appears."""
    global _known_pattern
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _known:
            return
        _known.add(value)
        _known_pattern = _compile(_known)


def _compile(values: set[str]) -> re.Pattern[str]:
    # Longest first so a secret containing another is masked whole.
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered))


def redact(text: str) -> str:
    """Mask every credential-shaped fragment and every registered secret in ``text``."""
    pattern = _known_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    for regex in _PATTERNS:
        text = regex.sub(rf"\g<1>{MASK}", text)
    return text


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
        return True


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
