"""In-memory state of the simulator: organizations, API keys, settings, budgets, hosted models, the model catalog, components,
usage records, faults and the request log."""

import itertools
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

DEFAULT_TOKEN = "sim-token-demo"
DEFAULT_ORGANIZATION_ID = "11111111-1111-4111-8111-111111111111"
DEFAULT_TRANSITION_SECONDS = 2.0
DEFAULT_MAX_PAGE_SIZE = 1000
DEFAULT_SETTINGS = {"routingEnabled": True, "promptSharingEnabled": False, "routerQualityWeight": 0.5}
FAULT_KINDS = ("status", "slow", "reset", "reset_after", "malformed_json", "html", "truncated", "empty", "body")
REQUEST_LOG_LIMIT = 10000
SECRET_KEYS = {"huggingfacetoken", "token", "credentials", "password", "apikey"}


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def micros(timestamp):
    """Whole microseconds since the epoch: the precision timestamps are shown with."""
    return round(timestamp * 1_000_000)


def rfc3339(timestamp):
    """UTC timestamp with a fixed six-digit fraction, so strings sort like times."""
    return (EPOCH + timedelta(microseconds=micros(timestamp))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def redact(value):
    """A copy of a JSON value with secret-looking fields replaced by '***'."""
    if isinstance(value, dict):
        return {
            key: "***" if key.lower() in SECRET_KEYS and value[key] not in (None, "") else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


@dataclass
class ApiKey:
    id: str
    token: str
    organization_id: str


@dataclass
class Step:
    """A pending status transition of a hosted model: at `at`, become `status`, set `fields`, record `event`."""

    at: float
    status: str
    fields: dict = field(default_factory=dict)
    event: tuple | None = None


@dataclass
class HostedModel:
    data: dict
    seq: int
    steps: list = field(default_factory=list)
    stuck: bool = False
    pod_generation: int = 0
    events: list = field(default_factory=list)


@dataclass
class Tracked:
    """A catalog record (model specs, model registry) with one status that settles after a delay.

    `due` is when the pending status change happens (None: none pending); `stuck` freezes the status until the next forced one.
    """

    data: dict
    seq: int
    status: str
    reason: str | None = None
    due: float | None = None
    stuck: bool = False
    directories: list = field(default_factory=list)


@dataclass
class Organization:
    id: str
    settings: dict = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    key_settings: dict = field(default_factory=dict)  # apiKeyId -> Settings
    budgets: dict = field(default_factory=dict)  # apiKeyId -> budgetLimitUsd (normalized decimal string)
    models: dict = field(default_factory=dict)  # hosted model id -> HostedModel (all clusters)
    specs: dict = field(
        default_factory=dict
    )  # model specs id -> Tracked (the organization's own, not the predefined ones)
    registries: dict = field(default_factory=dict)  # model registry id -> Tracked
    components: dict = field(
        default_factory=dict
    )  # cluster id -> list of Component dicts, for clusters changed by control
    usage: list = field(default_factory=list)  # inference usage records added by control (see ops_observability)


@dataclass
class Fault:
    """An injected fault: which requests it matches, how many more it takes, and what it does (see faults.py)."""

    kind: str
    remaining: int
    method: str | None = None
    path: re.Pattern | None = None
    operation_id: str | None = None
    status: int = 503
    retry_after: str | None = None  # the Retry-After header text, sent as given
    delay: float = 0.0
    apply: bool = False  # perform the operation before the fault's answer
    body: object = None  # the JSON value a 'body' fault answers with

    def matches(self, method, path, operation_id):
        if self.method and self.method.upper() != method.upper():
            return False
        if self.operation_id and self.operation_id != operation_id:
            return False
        return self.path is None or self.path.search(path) is not None

    def describe(self):
        described = {
            "kind": self.kind,
            "remaining": self.remaining,
            "method": self.method,
            "path": self.path.pattern if self.path else None,
            "operation_id": self.operation_id,
            "status": self.status,
            "retry_after": self.retry_after,
            "delay": self.delay,
            "apply": self.apply,
        }
        if self.kind == "body":
            described["body"] = self.body
        return described


class State:
    """Everything the simulator knows. Hold `lock` while reading or changing it."""

    def __init__(
        self,
        token=DEFAULT_TOKEN,
        organization_id=DEFAULT_ORGANIZATION_ID,
        transition_seconds=DEFAULT_TRANSITION_SECONDS,
        max_page_size=DEFAULT_MAX_PAGE_SIZE,
        clock=time.time,
    ):
        self.lock = threading.RLock()
        self.clock = clock
        self.initial = {
            "token": token,
            "organization_id": organization_id,
            "transition_seconds": float(transition_seconds),
            "max_page_size": int(max_page_size),
        }
        self.reset()

    def reset(self):
        with self.lock:
            self.transition_seconds = self.initial["transition_seconds"]
            self.max_page_size = self.initial["max_page_size"]
            self.organizations = {}
            self.keys_by_token = {}
            self.keys_by_id = {}
            self.spend = {}  # apiKeyId -> totalSpendUsd string
            self.faults = []
            self.requests = []
            self._seq = itertools.count(1)
            self.started = self.clock()
            self.add_organization(self.initial["organization_id"], self.initial["token"])

    def next_seq(self):
        return next(self._seq)

    # organizations and keys
    def add_organization(self, organization_id=None, token=None):
        """Create (or reuse) an organization and mint a key for it; return that key."""
        with self.lock:
            organization_id = organization_id or str(uuid.uuid4())
            self.organizations.setdefault(organization_id, Organization(organization_id))
            return self.add_key(organization_id, token)

    def add_key(self, organization_id, token=None):
        with self.lock:
            key = ApiKey(str(uuid.uuid4()), token or secrets.token_hex(32), organization_id)
            self.keys_by_token[key.token] = key
            self.keys_by_id[key.id] = key
            return key

    def key_for_token(self, token):
        with self.lock:
            return self.keys_by_token.get(token) if token else None

    # faults
    def add_fault(self, fault):
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, method, path, operation_id=None):
        """The first armed fault matching the request, counted as used; None when none applies."""
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.matches(method, path, operation_id):
                    fault.remaining -= 1
                    return fault
            return None

    # request log
    def log_request(self, entry):
        with self.lock:
            self.requests.append(entry)
            del self.requests[:-REQUEST_LOG_LIMIT]
