"""A real HTTP server on 127.0.0.1 for the fetching tests (python's http.server in a thread):
routes can be changed while it runs, it answers conditional requests with 304 by ETag and
Last-Modified, and it logs every request with its conditional headers."""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str = ""  # a redirect
    drip_seconds: float = 0.0  # send the body slowly, one piece per this many seconds
    endless: bool = False  # stream without end (no Content-Length)
    modified: float = 1_655_280_000.0  # Last-Modified, seconds since the epoch


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[dict] = []
        self.lock = threading.Lock()
        self.url = ""

    def set(self, path: str, body: bytes | str = b"", **options) -> None:
        with self.lock:
            self.routes[path] = Route(body.encode() if isinstance(body, str) else body, **options)

    def requests(self, path: str) -> list[dict]:
        with self.lock:
            return [entry for entry in self.log if entry["path"] == path]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()


def _handler(server: Server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802
            with server.lock:
                route = server.routes.get(self.path)
                entry = {"path": self.path, "if_none_match": self.headers.get("If-None-Match"),
                         "if_modified_since": self.headers.get("If-Modified-Since"),
                         "user_agent": self.headers.get("User-Agent"), "status": None}
                server.log.append(entry)
            if route is None:
                route = Route(b"<html><body>Not here</body></html>", status=404)
            if route.location:
                entry["status"] = route.status or 302
                self.send_response(entry["status"])
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            modified = formatdate(route.modified, usegmt=True)
            if route.status == 200 and (self.headers.get("If-None-Match") == etag
                                        or (not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == modified)):
                entry["status"] = 304
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            entry["status"] = route.status
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.status == 200:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
            if route.endless:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                piece = b"<p>" + b"x" * 65536 + b"</p>"
                try:
                    for _ in range(4000):  # bounded: 256 MB at most, the client hangs up long before
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                if route.drip_seconds:
                    for i in range(0, len(route.body), 16):
                        self.wfile.write(route.body[i:i + 16])
                        self.wfile.flush()
                        time.sleep(route.drip_seconds)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@contextmanager
def serving():
    server = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
