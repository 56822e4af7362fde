# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helpers: the scripted HTTP server and what the patched exit_json/fail_json raise.

Tests import the exception classes from here (not from conftest), so there is one class object for each.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# --- the scripted HTTP server -------------------------------------------------------------------------------------

DROP = object()  # canned "response": close the connection without answering


class RecordedRequest:
    """One request as the server received it."""

    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query  # {name: [values]}
        self.headers = headers  # {lower-case name: value}
        self.body = body  # bytes

    def json(self):
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def __repr__(self):
        return "<%s %s %r>" % (self.method, self.path, self.query)


class CannedResponse:
    def __init__(self, status, body, headers, reason):
        self.status = status
        self.headers = dict(headers or {})
        self.reason = reason
        if body is None:
            self.body = b""
        elif isinstance(body, bytes):
            self.body = body
        elif isinstance(body, str):
            self.body = body.encode("utf-8")
            self.headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        else:
            self.body = json.dumps(body).encode("utf-8")
            self.headers.setdefault("Content-Type", "application/json")


class ScriptedServer:
    """Answers each request with the next canned response; an empty queue answers 599 so a test notices."""

    def __init__(self):
        self.requests = []
        self._responses = deque()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with server._lock:
                    server.requests.append(recorded)
                    canned = server._responses.popleft() if server._responses else None
                if canned is DROP:
                    self.close_connection = True
                    return
                if canned is None:
                    canned = CannedResponse(
                        599, {"message": "the test queued no response for this request"}, None, "No Canned Response"
                    )
                self.send_response(canned.status, canned.reason)
                for name, value in canned.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(canned.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(canned.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return "http://%s:%s" % (host, port)

    def reply(self, status=200, body=None, headers=None, reason=None):
        """Queue one answer; a dict/list body is sent as JSON, str as text, bytes as they are."""
        with self._lock:
            self._responses.append(CannedResponse(status, body, headers, reason))

    def drop(self):
        """Queue a connection that closes after reading the request, without any answer."""
        with self._lock:
            self._responses.append(DROP)

    @property
    def pending(self):
        with self._lock:
            return len(self._responses)

    def start(self):
        self._thread.start()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


# --- running modules ----------------------------------------------------------------------------------------------


class ModuleExit(Exception):
    """Raised by the patched exit_json/fail_json; carries the module and what it returned."""

    def __init__(self, module, result):
        super().__init__(result.get("msg", ""))
        self.module = module
        self.result = result


class ModuleExitJson(ModuleExit):
    pass


class ModuleFailJson(ModuleExit):
    pass


class Outcome:
    def __init__(self, failed, result, module, warnings):
        self.failed = failed
        self.result = result
        self.module = module
        self.warnings = warnings

    def __repr__(self):
        return "<Outcome failed=%s result=%r warnings=%r>" % (self.failed, self.result, self.warnings)
