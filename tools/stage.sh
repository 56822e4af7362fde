#!/usr/bin/env bash
# Copies the collection's files (tracked and new, not ignored) to
# .cache/ansible_collections/castai/ai_optimizer and prints that path:
# ansible-test only runs from a directory with that suffix and resolves symlinks.
# STAGE_ROOT overrides .cache (the folder that holds ansible_collections/).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${STAGE_ROOT:-$PWD/.cache}/ansible_collections/castai/ai_optimizer
# tests/output holds ansible-test's venvs and caches: keep it so they are built once.
keep=$(dirname "$dest")/.output-keep
rm -rf "$keep"
[ -d "$dest/tests/output" ] && mv "$dest/tests/output" "$keep"
rm -rf "$dest"
mkdir -p "$dest/tests"
[ -d "$keep" ] && mv "$keep" "$dest/tests/output"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | xargs -0 cp --parents -t "$dest"
# ansible-test lists files with git from the nearest repo up the tree; without a repo of its own
# the copy would be seen as an ignored folder of this one. Untracked files count, so no commit is needed.
git -C "$dest" init -q
echo "$dest"
