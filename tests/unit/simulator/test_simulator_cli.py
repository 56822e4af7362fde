"""Simulator: the command line entry point (startup line, port file, options, SIGTERM) and the loopback-only rule."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from simulator.server import SimulatorServer, parse_args

SERVER = Path(__file__).resolve().parents[2] / "simulator" / "server.py"


def test_cli_starts_serves_and_stops(tmp_path):
    port_file = tmp_path / "port"
    process = subprocess.Popen(
        [
            sys.executable,
            str(SERVER),
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--token",
            "cli-token",
            "--organization-id",
            "org-cli",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("castai-simulator listening on http://127.0.0.1:")
        port = int(line.rsplit(":", 1)[1])
        assert port_file.read_text().strip() == str(port)
        answer = requests.post(
            f"http://127.0.0.1:{port}/ai-optimizer/v1beta/api-keys:verify",
            json={},
            headers={"X-API-Key": "cli-token"},
            timeout=10,
        )
        assert answer.json() == {"organizationId": "org-cli"}
    finally:
        process.send_signal(signal.SIGTERM)
        rest, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert rest == ""  # exactly one line on stdout


def test_cli_refuses_non_loopback_host(capsys):
    with pytest.raises(SystemExit) as raised:
        parse_args(["--host", "0.0.0.0"])
    assert raised.value.code == 2
    assert "loopback" in capsys.readouterr().err
    assert parse_args(["--host", "::1"]).host == "::1"
    with pytest.raises(ValueError):
        SimulatorServer(host="0.0.0.0")
