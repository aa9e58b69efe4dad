"""A real HTTP server on 127.0.0.1 serving the same handlers and state as the transports."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from fluent_sdk.sandbox.messages import SandboxRequest

if TYPE_CHECKING:
    from fluent_sdk.sandbox.app import SandboxApp

__all__ = ["SandboxServer"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK (~40 ms per request on loopback).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests and the CLI print what matters themselves."""

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        raw_path, _, query = self.path.partition("?")
        request = SandboxRequest(
            method=self.command,
            path=unquote(raw_path),
            query_string=query,
            headers={key.lower(): value for key, value in self.headers.items()},
            body=self._body(),
        )
        app = self.server.app
        exchange = app.prepare(request)
        if exchange.plan.delay > 0:
            time.sleep(exchange.plan.delay)
        outcome = app.run(exchange)
        if outcome.failure is not None:
            if outcome.failure == "timeout" and outcome.rule is not None:
                # Stall until the client gives up (or the server stops), then hang up.
                self.server.stopping.wait(outcome.rule.hang)
            self.close_connection = True
            return
        assert outcome.response is not None
        reply = outcome.response
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when 20 clients connect at once.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.stopping = threading.Event()


class SandboxServer:
    """``start()`` serves in a background thread; ``stop()`` shuts down and closes the socket."""

    def __init__(self, app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._server = _Server((host, port), app)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fluent-sandbox-server", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
