#!/usr/bin/env bash
# `make docs`: the collection's HTML docsite (module docs, and the guides of docs/docsite/extra-docs.yml) built with
# antsibull-docs and Sphinx, offline: intersphinx reads only a local inventory of the Ansible docs labels we link to
# (tools/docs_inventory.py) and downloads nothing. Sphinx runs with -W, so any warning fails the build.
# DOCS_ROOT (env) sets the work folder (default .cache/docsite); the site ends up in $DOCS_ROOT/src/build/html.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DOCS_ROOT=$(realpath -m "${DOCS_ROOT:-$ROOT/.cache/docsite}")
export PATH=$ROOT/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$DOCS_ROOT/collections

STAGE_ROOT=$ANSIBLE_COLLECTIONS_PATH tools/stage.sh >/dev/null
src=$DOCS_ROOT/src
rm -rf "$src"
mkdir -p "$src"
chmod 700 "$src"  # antsibull-docs refuses a destination others can write to
antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --no-add-antsibull-docs-version \
  --dest-dir "$src" --project castai.ai_optimizer --copyright "castai.ai_optimizer contributors" \
  --title "CAST AI AI Optimizer collection" --html-short-title castai.ai_optimizer castai.ai_optimizer >/dev/null
.venv/bin/python tools/docs_inventory.py "$src/ansible_devel.inv"
cat >> "$src/conf.py" <<CONF

# Offline build (tools/build_docs.sh): no inventory downloads; Ansible docs labels come from a local inventory.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '$src/ansible_devel.inv'),
}
CONF
"$src/build.sh"
echo "docs: $src/build/html/index.html"
