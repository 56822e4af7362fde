"""CAST AI AI Optimizer API simulator: command line entry point, and SimulatorServer to run it inside tests.

Run: python tests/simulator/server.py [--host 127.0.0.1] [--port 0] [--port-file PATH] [--token TOKEN]
     [--organization-id ORG] [--transition-seconds 2.0] [--max-page-size 1000] [--spec PATH] [--quiet]
"""

import argparse
import ipaddress
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

if __name__ == "__main__" and not __package__:
    # Run as a script: make the sibling modules importable as the 'simulator' package.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "simulator"  # pylint: disable=redefined-builtin

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import make_app
from .spec import SPEC_PATH
from .state import DEFAULT_MAX_PAGE_SIZE, DEFAULT_ORGANIZATION_ID, DEFAULT_TOKEN, DEFAULT_TRANSITION_SECONDS, State


class QuietRequestHandler(WSGIRequestHandler):
    """Request handler without the access log line."""

    def log_request(self, code="-", size="-"):
        pass


class PlainRequestHandler(WSGIRequestHandler):
    """Request handler with a plain (uncoloured) access log line on stderr."""

    def log_request(self, code="-", size="-"):
        sys.stderr.write(f'{self.address_string()} [{self.log_date_time_string()}] "{self.requestline}" {code}\n')


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SimulatorServer:
    """The simulator on a background thread; use as a context manager. `.url` is the api_url to give clients."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        token=DEFAULT_TOKEN,
        organization_id=DEFAULT_ORGANIZATION_ID,
        transition_seconds=DEFAULT_TRANSITION_SECONDS,
        max_page_size=DEFAULT_MAX_PAGE_SIZE,
        spec_path=SPEC_PATH,
        quiet=True,
    ):
        if not is_loopback(host):
            raise ValueError(f"the simulator binds loopback addresses only, not {host!r}")
        self.state = State(
            token=token,
            organization_id=organization_id,
            transition_seconds=transition_seconds,
            max_page_size=max_page_size,
        )
        self.app = make_app(self.state, spec_path)
        self.token = token
        self.organization_id = organization_id
        self._host, self._port, self._quiet = host, port, quiet
        self._server = None
        self._thread = None

    @property
    def port(self):
        return self._server.port

    @property
    def url(self):
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    def start(self):
        self._server = make_server(
            self._host,
            self._port,
            self.app,
            threaded=True,
            request_handler=QuietRequestHandler if self._quiet else PlainRequestHandler,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="castai-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def control(self, method, path, payload=None):
        """Call a /_sim/ control endpoint; returns the decoded JSON answer (raises urllib.error.HTTPError on errors)."""
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.url}/_sim/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read() or b"null")


def parse_args(argv):
    parser = argparse.ArgumentParser(description="CAST AI AI Optimizer API simulator (loopback only, state in memory).")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free port (default)")
    parser.add_argument("--port-file", help="write the port to this file once listening")
    parser.add_argument(
        "--token", default=DEFAULT_TOKEN, help=f"API token of the default organization (default {DEFAULT_TOKEN})"
    )
    parser.add_argument("--organization-id", default=DEFAULT_ORGANIZATION_ID, help="ID of the default organization")
    parser.add_argument(
        "--transition-seconds",
        type=float,
        default=DEFAULT_TRANSITION_SECONDS,
        help="seconds each hosted model status transition takes (default 2.0)",
    )
    parser.add_argument(
        "--max-page-size", type=int, default=DEFAULT_MAX_PAGE_SIZE, help="largest page.limit honoured (default 1000)"
    )
    parser.add_argument("--spec", default=str(SPEC_PATH), help="OpenAPI document to serve and validate against")
    parser.add_argument("--quiet", action="store_true", help="no access log on stderr")
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"--host must be a loopback address, not {args.host!r}")
    if args.transition_seconds < 0 or args.max_page_size < 1:
        parser.error("--transition-seconds must be >= 0 and --max-page-size >= 1")
    return args


def write_port_file(path, port):
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(f"{port}\n")
    os.replace(temporary, path)


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    state = State(
        token=args.token,
        organization_id=args.organization_id,
        transition_seconds=args.transition_seconds,
        max_page_size=args.max_page_size,
    )
    server = make_server(
        args.host,
        args.port,
        make_app(state, args.spec),
        threaded=True,
        request_handler=QuietRequestHandler if args.quiet else PlainRequestHandler,
    )
    for signum in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a background job may inherit it ignored
        signal.signal(signum, _interrupt)
    if args.port_file:
        write_port_file(args.port_file, server.port)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"castai-simulator listening on http://{host}:{server.port}", flush=True)
    server.serve_forever(poll_interval=0.2)  # returns on SIGINT or SIGTERM
    return 0


if __name__ == "__main__":
    sys.exit(main())
