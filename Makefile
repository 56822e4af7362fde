# Repo tooling for castai.ai_optimizer (not part of the built collection).
PY := .venv/bin/python

.PHONY: setup lock demo test sanity units integration molecule examples lint ruff actionlint docs-check build awx ee importer compat docs bench generate simulator changelog clean

setup:
	@tools/setup.sh

## Re-resolve requirements-dev.in and tools/requirements-floor.in into the pinned .txt files (throw-away venvs).
lock:
	@tools/lock.sh

## The main job: the demo playbook against the bundled simulator, or the real API when CASTAI_API_TOKEN is set.
demo: setup
	@tools/demo.sh

## Every test stage; ends with "N passed, N failed".
test: setup
	@$(PY) tools/run_tests.py

sanity units integration molecule examples lint ruff actionlint build awx ee importer compat: setup
	@$(PY) tools/run_tests.py $@

## The docs stage (lint + site build with 0 warnings) without the other stages.
docs-check: setup
	@$(PY) tools/run_tests.py docs

## Build the HTML docsite (modules and the guides in docs/docsite/rst) into .cache/docsite/src/build/html, offline.
docs: setup
	@tools/build_docs.sh

## The benchmark of issue 13 against a fixed-page server on loopback (not part of make test); writes docs/performance.md.
bench: setup
	@$(PY) tools/benchmark.py $(BENCH_ARGS)

## Regenerate plugins/module_utils/_generated from spec/ai-optimizer.openapi.yaml.
generate: setup
	@$(PY) tools/generate_models.py

## Run the simulator in the foreground (PORT=0 picks a free port).
simulator: setup
	@$(PY) tests/simulator/server.py --port $${PORT:-8080}

changelog: setup
	@.venv/bin/antsibull-changelog release

clean:
	rm -rf .cache tests/output
