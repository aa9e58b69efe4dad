"""Suite-wide secret scan: no test may make the SDK emit a secret it knows.

For every test, this plugin turns the loggers the SDK redacts (``fluent_sdk``, ``httpx``,
``httpcore``, ``gql``) up to DEBUG, collects every record they emit, and every
`FluentError` created, and at teardown looks in each record's text and each error's ``str``,
``repr``, ``_repr_html_``, ``message`` and ``body`` for every secret value the SDK has registered
(passwords, client secrets, every token issued or given, in their encoded forms). A find fails
the test at teardown. The totals are printed at the end of the run ("secret scan: ...").

`tests/reliability/test_secret_scrubbing.py` complements it with a broad fault scenario set run
at DEBUG against the independent fault server, checked against the server's own list of secrets.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from fluent_sdk import _redact
from fluent_sdk.errors import APIError, FluentError

_SCANNED_LOGGERS = ("fluent_sdk", "httpx", "httpcore", "gql")
#: Long texts (logged bodies of big pages) are scanned up to here: enough for any message.
_MAX_SCANNED = 200_000


class _SecretScan(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self.errors: list[FluentError] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.tests = 0
        self.texts = 0
        self.found = 0

    def emit(self, record: logging.LogRecord) -> None:
        if any(record.name == p or record.name.startswith(p + ".") for p in _SCANNED_LOGGERS):
            self.records.append(record)

    def texts_of_test(self) -> Iterator[tuple[str, str]]:
        for record in self.records:
            yield f"log record {record.name}", self.format(record)
        for error in self.errors:
            name = type(error).__name__
            yield f"{name} str", str(error)
            yield f"{name} repr", repr(error)
            html = getattr(error, "_repr_html_", None)
            if callable(html):
                yield f"{name} html", html()
            if isinstance(error, APIError):
                yield f"{name} message", error.message
                yield f"{name} body", json.dumps(error.body, default=str)

    def check(self) -> list[str]:
        leaks = []
        patterns = list(_redact._patterns)
        for where, text in self.texts_of_test():
            self.texts += 1
            text = text[:_MAX_SCANNED]
            for pattern in patterns:
                match = pattern.search(text)
                if match:
                    self.found += 1
                    leaks.append(f"{where}: a known secret at {match.start()}: {text[:200]!r}")
                    break
        self.records.clear()
        self.errors.clear()
        return leaks


_scan = _SecretScan()


@pytest.fixture(autouse=True)
def _no_known_secret_in_any_text(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original = FluentError.__init__

    def recording_init(self: FluentError, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        _scan.errors.append(self)

    monkeypatch.setattr(FluentError, "__init__", recording_init)
    # Every text the SDK could log, not just what a test chose to show.
    levels = {name: logging.getLogger(name).level for name in _SCANNED_LOGGERS}
    for name in _SCANNED_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(_scan)
    _scan.tests += 1
    try:
        yield
    finally:
        root.removeHandler(_scan)
        leaks = _scan.check()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    assert not leaks, "\n".join(leaks[:5])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _scan.tests:
        terminalreporter.write_line(
            f"secret scan: {_scan.tests} tests, {_scan.texts} texts scanned "
            f"(log records and exceptions), {len(_redact._known)} known secret forms, "
            f"{_scan.found} secrets found"
        )
