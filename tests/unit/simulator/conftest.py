"""Fixtures for the simulator's own tests: one server per session, reset before each test, and a small API client."""

import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, so that 'import simulator' works

from simulator.server import SimulatorServer

API = "/ai-optimizer/v1beta"
TRANSITION = 0.05
CLUSTER = "cluster-1"


class Api:
    """requests.Session bound to the simulator's API prefix and a token."""

    def __init__(self, server, token):
        self.server = server
        self.session = requests.Session()
        self.session.headers["X-API-Key"] = token
        self.org = server.organization_id

    def url(self, path):
        return f"{self.server.url}{API}/{path.lstrip('/')}"

    def models_path(self, cluster=CLUSTER, org=None):
        return f"organizations/{org or self.org}/clusters/{cluster}/hosted-models"

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def create_model(self, service="llama", cluster=CLUSTER, **fields):
        body = {
            "modelSpecsId": "meta-llama/Llama-3.1-8B-Instruct",
            "service": service,
            "port": 8080,
            "clusterId": cluster,
            **fields,
        }
        answer = self.post(self.models_path(cluster), json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def model(self, model_id, cluster=CLUSTER):
        """The hosted model from the list (the API has no get by id), or None."""
        items = self.get(self.models_path(cluster), params={"page.limit": "1000"}).json()["items"]
        return next((item for item in items if item["id"] == model_id), None)


def poll(predicate, timeout=3.0, interval=0.01):
    """Poll until predicate() returns something truthy; return it, or fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture(scope="session")
def simulator_server():
    with SimulatorServer(transition_seconds=TRANSITION) as server:
        yield server


@pytest.fixture
def sim(simulator_server):
    simulator_server.control("POST", "reset")
    return simulator_server


@pytest.fixture
def api(sim):
    return Api(sim, sim.token)


@pytest.fixture
def make_api(sim):
    """Api for another token (and its organization)."""

    def make(token, org):
        other = Api(sim, token)
        other.org = org
        return other

    return make


@pytest.fixture
def wait_for():
    return poll
