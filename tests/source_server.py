"""A local HTTP server that answers like a public source's API, from canned answers written
from the source's documentation: each path (with its query, in any order) answers its list of
responses in turn, the last one again after; every request is recorded. No test reaches the
internet."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


def key(path: str, **query: object) -> tuple[str, frozenset]:
    """A route: the path and its query parameters."""
    return path, frozenset((k, str(v)) for k, v in query.items())


class SourceServer:
    """`answers[key(path, **query)] = [(status, headers, body), ...]`; a body that is not bytes
    or str is sent as JSON."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, frozenset], list[tuple[int, dict, object]]] = {}
        self.requests: list[tuple[str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                outer.requests.append((parts.path, query))
                found = outer.answers.get((parts.path, frozenset(query.items())))
                if not found:
                    self.send_response(404)
                    self.end_headers()
                    return
                status, headers, body = found.pop(0) if len(found) > 1 else found[0]
                data = (
                    body
                    if isinstance(body, bytes)
                    else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
                )
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, path: str, body: object, status: int = 200, headers: dict | None = None, **query: object) -> None:
        self.answers.setdefault(key(path, **query), []).append((status, headers or {}, body))

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
