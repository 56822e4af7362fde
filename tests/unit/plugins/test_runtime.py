# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collection-wide consistency: action group, version and documentation of every module."""

from __future__ import annotations

import ast
import os

import pytest
import yaml

from ansible_collections.castai.ai_optimizer.plugins.module_utils._version import COLLECTION_VERSION


def find_collection_root():
    here = os.path.dirname(os.path.abspath(__file__))
    while not os.path.exists(os.path.join(here, "galaxy.yml")):
        parent = os.path.dirname(here)
        if parent == here:
            raise AssertionError("no galaxy.yml above %s" % __file__)
        here = parent
    return here


ROOT = find_collection_root()
MODULES_DIR = os.path.join(ROOT, "plugins", "modules")


def load_yaml(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def module_names():
    return sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith(".py") and name != "__init__.py")


def documentation_of(name):
    """DOCUMENTATION read from the source without importing the module."""
    with open(os.path.join(MODULES_DIR, name + ".py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError("%s has no DOCUMENTATION" % name)


def test_there_are_modules():
    assert {"api_key", "hosted_models_info"} <= set(module_names())


def test_action_group_all_lists_exactly_the_modules():
    group = load_yaml("meta", "runtime.yml")["action_groups"]["all"]
    assert len(group) == len(set(group)), "duplicates in the all action group"
    assert set(group) == set(module_names())


def test_collection_version_matches_galaxy():
    assert load_yaml("galaxy.yml")["version"] == COLLECTION_VERSION


@pytest.mark.parametrize("name", module_names())
def test_module_documentation_uses_the_connection_fragment(name):
    doc = documentation_of(name)
    assert doc["module"] == name
    fragments = doc.get("extends_documentation_fragment") or []
    assert "castai.ai_optimizer.connection" in fragments
    assert "castai.ai_optimizer.connection.actiongroup" in fragments
