"""A loopback HTTP/1.1 file server with per-path fault modes and a request log.

    with Server(www_dir) as srv:                 # 127.0.0.1, ephemeral port
        url = srv.url("/ubuntu/")                 # http://127.0.0.1:PORT/ubuntu/
        srv.set_fault("/big.bin", Fault.cut(1000, times=1))   # first GET stops after 1000 bytes
        ...
        assert srv.requests_for("/big.bin")[1].range == "bytes=1000-"

Faults (each optionally limited to the first `times` matching requests, then the path is served
normally): status code (404, 500...), cut the connection after N body bytes, corrupt the body (same
length, bytes flipped), stall before answering (bounded by MAX_STALL_S). Range requests with one
range are answered 206 (or 416); HEAD is supported. Only files under the served directory are served.

HTTPS: Server(www_dir, tls=(certfile, keyfile)) serves the same over TLS (url() says https);
self_signed_cert() makes such a pair with openssl for the names a test wants in the certificate.
"""

import http.server
import os
import posixpath
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Optional

MAX_STALL_S = 60.0
CHUNK = 64 * 1024


@dataclass
class Fault:
    kind: str                    # "status" | "cut" | "corrupt" | "stall"
    value: float = 0             # status code, bytes before the cut, stall seconds
    times: Optional[int] = None  # None: every request; n: the first n requests only

    @staticmethod
    def status(code, times=None):
        return Fault("status", code, times)

    @staticmethod
    def cut(after_bytes, times=None):
        return Fault("cut", after_bytes, times)

    @staticmethod
    def corrupt(times=None):
        return Fault("corrupt", 0, times)

    @staticmethod
    def stall(seconds, times=None):
        return Fault("stall", min(float(seconds), MAX_STALL_S), times)


@dataclass
class Request:
    method: str
    path: str
    range: Optional[str]
    status: int = 0
    body_bytes: int = 0
    fault: Optional[str] = None


def parse_range(header, size):
    """(start, end) inclusive for a single "bytes=" range, None for no/ignored range, or "416"."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes="):].strip().partition("-")
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                return "416"
            return (max(0, size - n), size - 1)
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return "416"
    return (start, min(end, size - 1))


def corrupt_bytes(data, offset=0):
    """Flips every 97th byte (counted from the start of the file) and always the first byte sent."""
    out = bytearray(data)
    for i in range(len(out)):
        if i == 0 or (offset + i) % 97 == 0:
            out[i] ^= 0xFF
    return bytes(out)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aiprov-e2e-httpd/1"

    def log_message(self, fmt, *args):  # quiet: the request log is kept in memory
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _serve(self, head):
        srv = self.server.owner
        path = urllib.parse.urlsplit(self.path).path
        req = Request(self.command, path, self.headers.get("Range"))
        srv._log(req)
        fault = srv._take_fault(path)
        req.fault = fault.kind if fault else None
        if fault and fault.kind == "stall":
            time.sleep(min(fault.value, MAX_STALL_S))
        if fault and fault.kind == "status":
            return self._send_status(req, int(fault.value))
        file_path = srv._resolve(path)
        if file_path is None:
            return self._send_status(req, 404)
        with open(file_path, "rb") as f:
            data = f.read()
        rng = parse_range(req.range, len(data))
        if rng == "416":
            req.status = 416
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = rng if rng else (0, len(data) - 1)
        body = data[start:end + 1]
        req.status = 206 if rng else 200
        self.send_response(req.status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", self.date_time_string(int(os.path.getmtime(file_path))))
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        if head:
            return
        if fault and fault.kind == "corrupt":
            body = corrupt_bytes(body, start)
        if fault and fault.kind == "cut":
            body = body[:int(fault.value)]
        for i in range(0, len(body), CHUNK):
            self.wfile.write(body[i:i + CHUNK])
            req.body_bytes += len(body[i:i + CHUNK])
        if fault and fault.kind == "cut":
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _send_status(self, req, code):
        req.status = code
        body = f"{code}\n".encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
            req.body_bytes = len(body)


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return  # the client refused the certificate (as it should) or went away
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        # A client that hangs up (apt closing a pipelined connection, a test's short timeout) is
        # not an error of the server; anything else is printed as usual.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class Server:
    """Serves `directory` on 127.0.0.1 (port 0: an ephemeral port) from a background thread."""

    def __init__(self, directory, port=0, tls=None):
        self.directory = os.path.realpath(directory)
        self._lock = threading.Lock()
        self._faults = {}
        self._requests = []
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = None
        self.scheme = "http"
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            # The handshake happens in the handler's thread, not in accept(): a client that refuses
            # the certificate must not hold up the server.
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True,
                                                 do_handshake_on_connect=False)
            self.scheme = "https"

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self):
        if self._thread:
            self._httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._httpd.server_close()

    def url(self, path="/"):
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def set_fault(self, path, fault):
        """Applies `fault` to requests for the URL path `path` (exact match)."""
        with self._lock:
            self._faults[path] = fault

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def requests_for(self, path):
        return [r for r in self.requests if r.path == path]

    def clear_log(self):
        with self._lock:
            self._requests.clear()

    def _log(self, req):
        with self._lock:
            self._requests.append(req)

    def _take_fault(self, path):
        with self._lock:
            fault = self._faults.get(path)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 0:
                    return None
                fault.times -= 1
            return Fault(fault.kind, fault.value, None)

    def _resolve(self, url_path):
        rel = posixpath.normpath(urllib.parse.unquote(url_path)).lstrip("/")
        if rel.startswith(".."):
            return None
        full = os.path.realpath(os.path.join(self.directory, rel))
        if not (full == self.directory or full.startswith(self.directory + os.sep)):
            return None
        return full if os.path.isfile(full) else None


def self_signed_cert(directory, name, sans):
    """Writes NAME.pem and NAME.key in `directory`: a self-signed certificate (it is its own CA) for
    `sans`, such as ["IP:127.0.0.1"] or ["DNS:other.invalid"], valid for a day. Returns (cert, key)."""
    cert, key = os.path.join(directory, name + ".pem"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=" + sans[0].split(":", 1)[1],
                    "-addext", "subjectAltName=" + ",".join(sans)],
                   check=True, capture_output=True)
    return cert, key
