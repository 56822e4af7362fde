"""Starts the bundled API simulator as a child process on a free loopback port (for tests and the demo)."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

DEFAULT_TOKEN = "sim-token-demo"
DEFAULT_ORGANIZATION_ID = "11111111-1111-4111-8111-111111111111"


class SimulatorProcess:
    def __init__(self, root, transition_seconds=0.3, python=None):
        self.root = root
        self.transition_seconds = transition_seconds
        self.python = python or sys.executable
        self.token = DEFAULT_TOKEN
        self.organization_id = DEFAULT_ORGANIZATION_ID
        self.url = None
        self._proc = None

    def __enter__(self):
        port_file = tempfile.NamedTemporaryFile(prefix="castai-sim-", suffix=".port", delete=False).name
        os.unlink(port_file)
        self._proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [
                self.python,
                os.path.join(self.root, "tests", "simulator", "server.py"),
                "--port",
                "0",
                "--port-file",
                port_file,
                "--token",
                self.token,
                "--organization-id",
                self.organization_id,
                "--transition-seconds",
                str(self.transition_seconds),
                "--quiet",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while not (os.path.exists(port_file) and open(port_file, encoding="utf-8").read().strip()):
            if self._proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the simulator did not start")
            time.sleep(0.05)
        with open(port_file, encoding="utf-8") as handle:
            self.url = "http://127.0.0.1:%s" % handle.read().strip()
        os.unlink(port_file)
        return self

    def __exit__(self, *exc):
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()

    def env(self, extra=None):
        env = {"CASTAI_API_URL": self.url, "CASTAI_API_TOKEN": self.token, "CASTAI_SIMULATOR_URL": self.url}
        env.update(extra or {})
        return env

    def control(self, path, payload=None):
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")
