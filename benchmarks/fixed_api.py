"""A fast stand-in for the AI Optimizer API on loopback, for the benchmark only (tools/benchmark.py).

It serves fixed hosted-model pages from memory, so the time a playbook takes is the client's, not the server's: the
bundled simulator validates every request and answer against the contract, and that work would hide the difference
between a module and ``ansible.builtin.uri``. What it answers:

- ``POST /ai-optimizer/v1beta/api-keys:verify``: the organization of the token;
- ``GET .../organizations/{org}/clusters/{cluster}/hosted-models``: one page of a ListHostedModelsResponse, at any
  ``page.limit`` up to 1000 (larger limits are cut to 1000, an assumption: the contract names no maximum), with an
  opaque ``nextPageCursor`` while models remain;
- ``POST`` on the same path: creates a hosted model (DEPLOYING, then RUNNING with one replica after
  ``--transition-seconds``); a second model with the same service is a 409;
- ``GET .../hosted-models/{id}/pods``: no pods (the module reads them only when a wait fails).

Outside the API prefix, ``/_bench/...`` seeds clusters, clears the request log and created models, and returns the
log: every API request with its path and whether it asked for a first page (a new listing) or a later one.

Bounds: 127.0.0.1 only, at most 100,000 models a cluster, 1 MiB a request body, and it stops by itself after
``--max-seconds`` or when the process that started it closes its standard input.

Run it alone: ``.venv/bin/python benchmarks/fixed_api.py --port 8081 --cluster demo=1000``.
"""

import argparse
import base64
import binascii
import json
import re
import sys
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API = "/ai-optimizer/v1beta"
DEFAULT_TOKEN = "bench-token"
DEFAULT_ORGANIZATION_ID = "22222222-2222-4222-8222-222222222222"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_MODELS = 100_000
MAX_CREATED = 10_000
MAX_LOG = 1_000_000
MAX_BODY = 1 << 20
NAMESPACE = uuid.UUID("6f1d0c5e-3a1b-4c55-9d0e-7b2f5a9c8e41")

LIST_PATH = re.compile(r"^%s/organizations/([^/]+)/clusters/([^/]+)/hosted-models$" % re.escape(API))
PODS_PATH = re.compile(r"^%s/organizations/([^/]+)/clusters/([^/]+)/hosted-models/([^/]+)/pods$" % re.escape(API))
VERIFY_PATH = API + "/api-keys:verify"

# (model, type, GPU memory in MiB, model specs ID): a few real names so the pages look like a real cluster's.
CATALOGUE = tuple(
    (name, kind, memory, str(uuid.uuid5(NAMESPACE, name)))
    for name, kind, memory in (
        ("meta-llama/Llama-3.1-8B-Instruct", "chat", "20480"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "chat", "18432"),
        ("Qwen/Qwen2.5-14B-Instruct", "chat", "36864"),
        ("BAAI/bge-large-en-v1.5", "embeddings", "4096"),
        ("openai/whisper-large-v3", "audio_transcription", "10240"),
    )
)


def model_id(cluster_id, index):
    """A UUID-shaped ID, unique per cluster and index, made without hashing each one (seeding 50,000 stays quick)."""
    return "%08x-0000-4000-8000-%012x" % (zlib.crc32(cluster_id.encode()), index)


def seeded_model(organization_id, cluster_id, index):
    """The camelCase HostedModel the API would list as the cluster's index-th model: about 0.85 KB of JSON."""
    name, kind, memory, specs_id = CATALOGUE[index % len(CATALOGUE)]
    created = "2025-%02d-%02dT%02d:%02d:%02dZ" % (1 + index % 12, 1 + index % 28, index % 24, index % 60, index % 60)
    return {
        "id": model_id(cluster_id, index),
        "organizationId": organization_id,
        "clusterId": cluster_id,
        "modelSpecsId": specs_id,
        "model": name,
        "provider": "hugging_face",
        "type": kind,
        "service": "llm-%05d" % index,
        "namespace": "castai-llms",
        "port": 8080,
        "status": "RUNNING",
        "currentReplicas": 1 + index % 3,
        "requiredGpuMemoryMib": memory,
        "cloudProvider": "aws",
        "region": "us-east-1",
        "helmChartVersion": "0.4.2",
        "createTime": created,
        "updateTime": created,
        "vllmConfig": {"secretName": "hf-token"},
        "horizontalAutoscaling": {
            "enabled": True,
            "minReplicas": 1,
            "maxReplicas": 3,
            "targetMetric": "GPU_CACHE_USAGE_PERCENTAGE",
            "targetValue": 0.8,
        },
        "hibernation": {
            "enabled": index % 2 == 0,
            "hibernateCondition": {"duration": "1800s", "requestCount": 0},
            "resumeCondition": {"duration": "60s"},
        },
    }


def encode(value):
    return json.dumps(value, separators=(",", ":")).encode()


def encode_cursor(offset):
    return base64.urlsafe_b64encode(b"offset:%d" % offset).decode().rstrip("=")


def decode_cursor(cursor):
    """The offset in a cursor this server made; None for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _sep, number = text.partition(":")
    return int(number) if prefix == "offset" and number.isdigit() else None


class Cluster:
    """Seeded models as ready-made JSON (nothing is encoded per request) plus the few created through the API."""

    def __init__(self, organization_id, cluster_id, count):
        models = [seeded_model(organization_id, cluster_id, index) for index in range(count)]
        self.encoded = [encode(model) for model in models]
        self.services = {model["service"] for model in models}
        self.created = []  # [model dict, time it turns RUNNING]

    def size(self):
        return len(self.encoded) + len(self.created)

    def created_json(self, index, now):
        model, ready_at = self.created[index]
        if now >= ready_at and model["status"] == "DEPLOYING":
            model.update(status="RUNNING", currentReplicas=1, updateTime=rfc3339(ready_at))
        return encode(model)

    def page(self, offset, limit, now):
        end = min(offset + limit, self.size())
        seeded = len(self.encoded)
        parts = self.encoded[offset : min(end, seeded)]
        parts += [self.created_json(index - seeded, now) for index in range(max(offset, seeded), end)]
        body = b'{"items":[' + b",".join(parts) + b"]"
        if end < self.size():
            body += b',"nextPageCursor":"' + encode_cursor(end).encode() + b'"'
        return body + b',"totalCount":%d}' % self.size()


def rfc3339(moment):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class FixedAPI:
    """The server's state; every method runs under one lock (requests are short)."""

    def __init__(self, token=DEFAULT_TOKEN, organization_id=DEFAULT_ORGANIZATION_ID, transition_seconds=2.0):
        self.token = token
        self.organization_id = organization_id
        self.transition_seconds = transition_seconds
        self.clusters = {}
        self.log = []
        self.requests = 0
        self.lock = threading.Lock()

    def seed(self, cluster_id, count):
        if not 0 <= count <= MAX_MODELS:
            raise ValueError("models must be between 0 and %d" % MAX_MODELS)
        cluster = Cluster(self.organization_id, cluster_id, count)
        with self.lock:
            self.clusters[cluster_id] = cluster

    def reset(self):
        """Forget the request log and every model created through the API (the seeded ones stay)."""
        with self.lock:
            self.log = []
            self.requests = 0
            for cluster in self.clusters.values():
                cluster.created = []

    def record(self, method, path, first_page):
        self.requests += 1
        if len(self.log) < MAX_LOG:
            self.log.append([round(time.monotonic(), 4), method, path, first_page])

    def report(self):
        with self.lock:
            counts = {}
            for _at, method, path, _first in self.log:
                key = "%s %s" % (method, path)
                counts[key] = counts.get(key, 0) + 1
            return {"requests": self.requests, "counts": counts, "log": list(self.log)}

    # ---- the API ----------------------------------------------------------------------------------------------

    def handle(self, method, path, query, headers, body):
        """(HTTP status, JSON bytes) of one API request."""
        with self.lock:
            match = LIST_PATH.match(path) or PODS_PATH.match(path)
            self.record(method, path, bool(match) and method == "GET" and not query.get("page.cursor"))
            if headers.get("X-API-Key") != self.token:
                return error(401, 16, "missing or unknown API key")
            if path == VERIFY_PATH:
                return (
                    (200, encode({"organizationId": self.organization_id}))
                    if method == "POST"
                    else error(405, 12, "method %s is not allowed for %s" % (method, path))
                )
            if not match:
                return error(404, 5, "no such API path: %s" % path)
            organization_id, cluster_id = match.group(1), match.group(2)
            cluster = self.clusters.get(cluster_id)
            if organization_id != self.organization_id or cluster is None:
                return error(404, 5, "cluster %s not found" % cluster_id)
            if match.re is PODS_PATH:
                return (200, b'{"pods":[]}') if method == "GET" else error(405, 12, "method not allowed")
            if method == "GET":
                return self.list_page(cluster, query)
            if method == "POST":
                return self.create(cluster, cluster_id, body)
            return error(405, 12, "method %s is not allowed for %s" % (method, path))

    def list_page(self, cluster, query):
        raw = (query.get("page.limit") or "").strip()
        if raw and not raw.isdigit():
            return error(400, 3, "page.limit must be a non-negative integer, got %r" % raw)
        limit = min(int(raw or 0) or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        cursor = query.get("page.cursor") or ""
        offset = decode_cursor(cursor) if cursor else 0
        if offset is None or offset > cluster.size():
            return error(400, 3, "page.cursor is not a cursor this API returned")
        return 200, cluster.page(offset, limit, time.time())

    def create(self, cluster, cluster_id, body):
        try:
            data = json.loads(body or b"null")
        except ValueError:
            return error(400, 3, "the body is not JSON")
        if not isinstance(data, dict):
            return error(400, 3, "the body must be a HostedModel object")
        missing = [name for name in ("clusterId", "modelSpecsId", "port", "service") if data.get(name) in (None, "")]
        if missing:
            return error(400, 3, "invalid hosted model: missing %s" % ", ".join(missing))
        if data["clusterId"] != cluster_id:
            return error(400, 3, "clusterId must equal the cluster in the path")
        if data["service"] in cluster.services or any(m["service"] == data["service"] for m, _at in cluster.created):
            return error(409, 6, "hosted model with service %r already exists" % data["service"])
        if len(cluster.created) >= MAX_CREATED:
            return error(429, 8, "this benchmark server creates at most %d models" % MAX_CREATED)
        now = time.time()
        model = dict(
            data,
            id=str(uuid.uuid4()),
            organizationId=self.organization_id,
            namespace="castai-llms",
            model=data["modelSpecsId"],
            deployedModel=data["modelSpecsId"],
            provider="hugging_face",
            type="chat",
            status="DEPLOYING",
            currentReplicas=0,
            createTime=rfc3339(now),
            updateTime=rfc3339(now),
        )
        model.get("vllmConfig", {}).pop("huggingFaceToken", None)  # write-only
        cluster.created.append([model, now + self.transition_seconds])
        return 200, encode(model)


def error(status, code, message):
    return status, encode({"code": code, "message": message, "details": []})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API (and requests' pooled connections) use it
    api = None  # set by serve()

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.answer(*error(413, 3, "request body over %d bytes" % MAX_BODY), close=True)
            return
        body = self.rfile.read(length) if length else b""
        query = {name: values[-1] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path.startswith("/_bench/"):
            self.answer(*self.control(method, parts.path, body))
        else:
            self.answer(*self.api.handle(method, parts.path, query, self.headers, body))

    def control(self, method, path, body):
        if method == "POST" and path == "/_bench/reset":
            self.api.reset()
            return 200, b"{}"
        if method == "POST" and path == "/_bench/clusters":
            try:
                data = json.loads(body)
                self.api.seed(str(data["cluster_id"]), int(data["models"]))
            except (ValueError, KeyError, TypeError) as exc:
                return error(400, 3, "seed a cluster with {cluster_id, models}: %s" % exc)
            return 200, b"{}"
        if method == "GET" and path == "/_bench/requests":
            return 200, encode(self.api.report())
        return error(404, 5, "no such control path: %s" % path)

    def answer(self, status, payload, close=False):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: the request log is kept in memory instead."""


def serve(api, port=0):
    """A started server bound to 127.0.0.1 (port 0: a free one), answering from a daemon thread."""
    handler = type("BoundHandler", (Handler,), {"api": api})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="fixed-api", daemon=True).start()
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port; the port is printed on stdout")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--organization-id", default=DEFAULT_ORGANIZATION_ID)
    parser.add_argument("--transition-seconds", type=float, default=2.0, help="DEPLOYING to RUNNING after a create")
    parser.add_argument("--cluster", action="append", default=[], metavar="ID=MODELS", help="seed a cluster")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop after this long at the latest")
    parser.add_argument(
        "--until-stdin-closes",
        action="store_true",
        help="also stop when standard input closes (the parent process ended)",
    )
    args = parser.parse_args(argv)
    api = FixedAPI(args.token, args.organization_id, args.transition_seconds)
    for item in args.cluster:
        cluster_id, _sep, count = item.partition("=")
        api.seed(cluster_id, int(count or 0))
    server = serve(api, args.port)
    print(server.server_address[1], flush=True)
    stop = threading.Event()
    if args.until_stdin_closes:
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait(args.max_seconds)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
