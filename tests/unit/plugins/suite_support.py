# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the bad-input and fault-matrix suites share: set-up calls to the API, and a summary across all of a suite's
cases.

``ansible-test units`` runs every test in a fork of a pytest-xdist worker (its ``ansible_forked`` plugin), so results
cannot be collected in memory: each case appends one JSON line to a file shared by the whole run (every xdist worker
and fork), and the case that completes the set prints the summary. xdist sends a worker's stdout to /dev/null but
keeps stderr, so the summary goes to stderr, with pytest's capture suspended.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

# Shared by the xdist workers of one run; without xdist, this process (its forks inherit the value).
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or "pid%d-%d" % (os.getpid(), time.time() * 1000)
RESULTS_ROOT = os.path.join(tempfile.gettempdir(), "castai-ai-optimizer-suites")
STALE_SECONDS = 24 * 3600
API_PREFIX = "/ai-optimizer/v1beta"


def api(sim, method, path, body=None):
    """Call the simulator's API directly (set-up, not under test); ``path`` follows the API prefix."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        sim.url + API_PREFIX + path,
        data=data,
        method=method,
        headers={"X-API-Key": sim.token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


def no_traceback(outcome):
    text = repr(outcome.result) + repr(outcome.warnings)
    return "Traceback (most recent call last)" not in text and 'File "' not in text


# --- results across forks and workers -----------------------------------------------------------------------------


class Results:
    """Per-case results of one suite in this run, in a file every fork and worker appends to."""

    def __init__(self, suite):
        self.suite = suite
        self.directory = os.path.join(RESULTS_ROOT, RUN_ID)
        self.path = os.path.join(self.directory, suite + ".jsonl")

    def record(self, **fields):
        os.makedirs(self.directory, exist_ok=True)
        line = (json.dumps(fields, sort_keys=True) + "\n").encode("utf-8")
        # One write of a short line in append mode: lines of concurrent writers do not interleave.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def read(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                return [json.loads(line) for line in handle if line.strip()]
        except FileNotFoundError:
            return []

    def complete(self, request, test_names):
        """All results when every selected case of ``test_names`` (one name or several) has recorded one and no one
        printed yet, else None."""
        names = (test_names,) if isinstance(test_names, str) else tuple(test_names)
        expected = sum(
            1
            for item in request.session.items
            if getattr(item, "originalname", item.name) in names and item.module is request.node.module
        )
        results = self.read()
        if len({r["case"] for r in results}) < expected:
            return None
        try:
            # Exactly one of the cases that see the full set prints (two workers may finish at the same moment).
            os.close(os.open(self.path + ".printed", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            return None
        # The marker stays (a case finishing at this moment must not print again); the lines are not needed now.
        os.unlink(self.path)
        return results


def print_summary(capsys, text):
    with capsys.disabled():
        sys.stderr.write("\n" + text.rstrip("\n") + "\n")
        sys.stderr.flush()


def remove_stale_results():
    """Result folders of runs that ended a day ago or more (this run's folder is left alone)."""
    try:
        names = os.listdir(RESULTS_ROOT)
    except FileNotFoundError:
        return
    for name in names:
        path = os.path.join(RESULTS_ROOT, name)
        try:
            if name != RUN_ID and time.time() - os.path.getmtime(path) > STALE_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass
