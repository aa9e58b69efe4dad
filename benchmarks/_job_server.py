"""A lightweight fake Job/Batch + OAuth server for the inventory benchmarks, run as its own
process so its CPU and memory never count against the client being measured.

``python -m benchmarks._job_server [DELAY]`` listens on a free 127.0.0.1 port (printed on
stdout's first line), with HTTP/1.1 keep-alive and Nagle's algorithm off, and answers:

- ``POST /oauth/token``: a bearer token for retailer 1;
- ``POST /api/v4.1/job``: ``{"id": "1"}`` (one job; any job id is accepted afterwards);
- ``POST /api/v4.1/job/{id}/batch``: reads the body, counts its records (``"skuRef"`` keys) and
  answers a new batch id;
- ``GET /api/v4.1/job/{id}/batch/{bid}``: the batch ``COMPLETE`` straight away, with one
  accepted per-record result (``responseCode`` 200) per record sent, as Fluent's Batch API
  documents them (``start``/``count``/``total`` say that every result is in this answer).

``DELAY`` (seconds, default 0) is added to every batch POST and batch GET, for the concurrency
figure. The server runs until stdin closes (the parent exits or closes it) or for at most
`MAX_LIFETIME` seconds, whichever comes first.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["MAX_LIFETIME", "RETAILER_ID", "batch_answer", "main"]

RETAILER_ID = 1
#: A forgotten server stops by itself after this many seconds.
MAX_LIFETIME = 3600.0
_TOKEN_BODY = (
    b'{"access_token":"benchmark-token","token_type":"bearer","expires_in":86400,'
    b'"Retailer_id":%d}' % RETAILER_ID
)
_RESULT = b'{"responseCode":200,"message":"OK"}'


def batch_answer(job_id: str, batch_id: str, records: int) -> bytes:
    """The ``GET .../batch/{bid}`` body of a complete batch of ``records`` accepted records."""
    results = b",".join(itertools.repeat(_RESULT, records))
    return (
        b'{"batchId":"%s","jobId":"%s","status":"COMPLETE","action":"UPSERT",'
        b'"entityType":"INVENTORY","start":0,"count":%d,"total":%d,"results":[%s]}'
        % (batch_id.encode(), job_id.encode(), records, records, results)
    )


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_batch = itertools.count(1)
        self.batch_sizes: dict[str, int] = {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    delay = 0.0
    state = _State()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        if self.path.startswith("/oauth/token"):
            self._answer(200, _TOKEN_BODY)
        elif parts == ["api", "v4.1", "job"]:
            self._answer(200, b'{"id":"1"}')
        elif len(parts) == 5 and parts[:3] == ["api", "v4.1", "job"] and parts[4] == "batch":
            if self.delay:
                time.sleep(self.delay)
            with self.state.lock:
                batch_id = str(next(self.state.next_batch))
                self.state.batch_sizes[batch_id] = body.count(b'"skuRef"')
            self._answer(200, b'{"id":"%s"}' % batch_id.encode())
        else:
            self._answer(404, b'{"errors":[{"code":"404","message":"not found"}]}')

    def do_GET(self) -> None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        if len(parts) == 6 and parts[:3] == ["api", "v4.1", "job"] and parts[4] == "batch":
            if self.delay:
                time.sleep(self.delay)
            with self.state.lock:
                records = self.state.batch_sizes.get(parts[5])
            if records is not None:
                self._answer(200, batch_answer(parts[3], parts[5], records))
                return
        self._answer(404, b'{"errors":[{"code":"404","message":"not found"}]}')


def main() -> None:
    _Handler.delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    stdin_closed = threading.Event()

    def watch_stdin() -> None:
        sys.stdin.read()  # the parent closes stdin (or exits) to stop us
        stdin_closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    stdin_closed.wait(MAX_LIFETIME)
    server.shutdown()


if __name__ == "__main__":
    main()
