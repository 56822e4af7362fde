#!/usr/bin/env python
"""Checks that an execution environment built with this collection gets the collection's Python requirements.

Usage: .venv/bin/python tools/ee_check.py
    stages the collection (STAGE_ROOT, default .cache), prints one PASS/FAIL line per check and ends with
    "N passed, N failed"; exits non-zero when a check failed.
tools/run_tests.py calls checks(stage_dir) instead and counts each (name, ok, detail) it yields.

`ansible-builder create` (no container engine needed) turns extensions/awx/execution-environment.yml, with the
collection taken from the freshly built tarball instead of Galaxy, into a build context. The two build steps that
decide what goes into the image then run here as the Containerfile runs them: its galaxy stage installs the context's
requirements.yml, and its builder stage runs the context's own introspect.py over the installed collections. That is
where the collection's meta/execution-environment.yml and requirements.txt are read.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

from awx_runner_test import install_collection, load_yaml, read_text, report, stage_collection  # noqa: E402

EE_DEFINITION = os.path.join("extensions", "awx", "execution-environment.yml")
COLLECTION = "castai.ai_optimizer"


def run(cmd, cwd=None, env=None):
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )
    return proc.returncode, proc.stdout


def requirement_lines(text):
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def pinned_version(package):
    text = read_text(os.path.join(ROOT, "requirements-dev.txt"))
    match = re.search(r"^%s==(\S+)" % re.escape(package), text, re.MULTILINE | re.IGNORECASE)
    return match.group(1) if match else None


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def checks(stage_dir, workdir=None):
    """Yield (name, ok, detail) for each check."""
    owned = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="castai-ee-")
    try:
        yield from _checks(stage_dir, workdir)
    finally:
        if owned:
            shutil.rmtree(workdir, ignore_errors=True)


def _checks(stage_dir, workdir):
    bin_dir = os.path.dirname(sys.executable)
    builder = os.path.join(bin_dir, "ansible-builder")
    code, out = run([builder, "--version"])
    wanted = pinned_version("ansible-builder")
    yield "ansible-builder is the pinned %s" % wanted, code == 0 and out.strip() == wanted, out.strip()

    try:
        collections, tarball = install_collection(stage_dir, workdir)
    except subprocess.CalledProcessError as exc:
        yield "build the collection and install the tarball", False, exc.stdout[-1500:]
        return
    installed = os.path.join(collections, "ansible_collections", *COLLECTION.split("."))
    meta = load_yaml(os.path.join(installed, "meta", "execution-environment.yml"))
    python_file = (meta.get("dependencies") or {}).get("python")
    shipped = os.path.join(installed, python_file or "requirements.txt")
    yield (
        "the tarball carries meta/execution-environment.yml and the Python requirements file it names",
        bool(python_file) and os.path.isfile(shipped),
        "dependencies.python: %s" % python_file,
    )
    expected = requirement_lines(read_text(shipped)) if os.path.isfile(shipped) else []

    # The shipped definition, with the collection from the built tarball: the only change a release build makes.
    definition = load_yaml(os.path.join(stage_dir, EE_DEFINITION))
    names = [c.get("name") for c in definition["dependencies"]["galaxy"]["collections"]]
    yield (
        "%s: version 3 and installs %s" % (EE_DEFINITION, COLLECTION),
        (definition.get("version") == 3 and COLLECTION in names),
        "version %s, collections %s" % (definition.get("version"), names),
    )
    local = "collections/" + os.path.basename(tarball)
    definition["dependencies"]["galaxy"]["collections"] = [{"name": local, "type": "file"}]
    definition["additional_build_files"] = [{"src": tarball, "dest": "collections"}]
    definition_path = os.path.join(workdir, "execution-environment.yml")
    with open(definition_path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(definition, handle)
    context = os.path.join(workdir, "context")
    code, out = run([builder, "create", "-f", definition_path, "-c", context, "--output-filename", "Containerfile"])
    containerfile = os.path.join(context, "Containerfile")
    yield "ansible-builder create writes a build context", code == 0 and os.path.isfile(containerfile), out[-1500:]
    if code != 0 or not os.path.isfile(containerfile):
        return
    build = os.path.join(context, "_build")
    copied = os.path.join(build, local)
    yield (
        "the context holds the collection tarball and a requirements.yml that installs it",
        os.path.isfile(copied)
        and sha256(copied) == sha256(tarball)
        and load_yaml(os.path.join(build, "requirements.yml")) == {"collections": [{"name": local, "type": "file"}]},
        read_text(os.path.join(build, "requirements.yml")),
    )
    steps = read_text(containerfile)
    yield (
        "the Containerfile installs requirements.yml, then introspects and installs the collections' requirements",
        "-r requirements.yml --collections-path" in steps
        and "introspect.py introspect" in steps
        and "--write-pip=" in steps
        and "/output/scripts/assemble" in steps,
        "",
    )

    # The galaxy stage (WORKDIR /build), then the builder stage's introspection, with the context's own scripts.
    image_collections = os.path.join(workdir, "usr-share-ansible", "collections")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=image_collections)
    code, out = run(
        [
            os.path.join(bin_dir, "ansible-galaxy"),
            "collection",
            "install",
            "--offline",
            "-r",
            "requirements.yml",
            "--collections-path",
            image_collections,
        ],
        cwd=build,
        env=env,
    )
    yield "the context's requirements.yml installs the collection", code == 0, out[-1500:]
    pip_file = os.path.join(workdir, "src", "requirements.txt")
    code, out = run(
        [
            sys.executable,
            os.path.join(build, "scripts", "introspect.py"),
            "introspect",
            image_collections,
            "--write-pip=%s" % pip_file,
            "--write-bindep=%s" % os.path.join(workdir, "src", "bindep.txt"),
        ]
    )
    introspected = requirement_lines(read_text(pip_file)) if os.path.isfile(pip_file) else []
    yield (
        "the image would get the collection's Python requirements: %s" % ", ".join(expected),
        code == 0 and bool(expected) and introspected == expected,
        "introspect wrote %s\n%s" % (introspected, out[-800:]),
    )
    packages = [re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower() for line in introspected]
    yield (
        "requests is required and pydantic is not",
        "requests" in packages and "pydantic" not in packages,
        "packages: %s" % packages,
    )


def main():
    return report("ee", checks(stage_collection()))


if __name__ == "__main__":
    sys.exit(main())
