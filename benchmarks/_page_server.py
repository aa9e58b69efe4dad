"""A fixed-data GraphQL page server for the pagination benchmark, run as its own process so its
CPU and memory never count against the client being measured.

``python -m benchmarks._page_server TOTAL`` serves ``orders`` pages over ``TOTAL`` canned nodes on
a free 127.0.0.1 port (printed on stdout's first line), honouring ``first`` and ``after``
(cursor ``cur-<index>``), with HTTP/1.1 keep-alive. Runs until killed or stdin closes.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from benchmarks._data import order_node

__all__ = ["main"]


def _node_bytes(index: int) -> bytes:
    return json.dumps({"cursor": f"cur-{index}", "node": order_node(index)}).encode()


def page(total: int, first: int, after: str | None) -> bytes:
    start = int(after.removeprefix("cur-")) + 1 if after else 0
    stop = min(total, start + first)
    edges = b",".join(_node_bytes(i) for i in range(start, stop))
    has_next = b"true" if stop < total else b"false"
    return b'{"data":{"orders":{"edges":[%s],"pageInfo":{"hasNextPage":%s}}}}' % (edges, has_next)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    total = 0

    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length))
        variables = request.get("variables") or {}
        body = page(self.total, int(variables.get("first") or 1000), variables.get("after"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    _Handler.total = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # the parent closes stdin (or exits) to stop us
    server.shutdown()


if __name__ == "__main__":
    main()
