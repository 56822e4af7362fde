# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_compare: differences (None = not set, float tolerance, proto3 zero values), merge and prune."""

from __future__ import annotations

import struct

import pytest

from ansible_collections.castai.ai_optimizer.plugins.module_utils._compare import (
    differences,
    floats_equal,
    is_zero,
    merge,
    prune,
)


def float32(value):
    """value after a round trip through a 32-bit float, as an API storing float32 answers it."""
    return struct.unpack("f", struct.pack("f", value))[0]


CURRENT = {
    "node_template_name": "gpu",
    "horizontal_autoscaling": {
        "enabled": True,
        "min_replicas": 1,
        "max_replicas": 3,
        "target_metric": "NUMBER_OF_REQUESTS_WAITING",
        "target_value": float32(0.7),
    },
    "hibernation": {
        "enabled": True,
        "hibernate_condition": {"duration": "1800s", "request_count": 0},
        "resume_condition": {"duration": "60s", "request_count": 1},
    },
    "edge_locations": {"ids": ["a", "b"]},
}


def test_nothing_set_is_no_difference():
    assert differences({"node_template_name": None, "hibernation": None}, CURRENT) == []
    assert differences({}, CURRENT) == []
    assert differences(None, CURRENT) == []


def test_equal_values_are_no_difference():
    assert differences({"node_template_name": "gpu", "edge_locations": {"ids": ["a", "b"]}}, CURRENT) == []


def test_nested_difference_is_a_dotted_path():
    desired = {
        "horizontal_autoscaling": {"max_replicas": 5, "min_replicas": None},
        "hibernation": {"resume_condition": {"request_count": 2}},
    }
    assert differences(desired, CURRENT) == [
        "hibernation.resume_condition.request_count",
        "horizontal_autoscaling.max_replicas",
    ]


def test_float32_round_trip_is_not_a_change():
    assert float32(0.7) != 0.7
    assert differences({"horizontal_autoscaling": {"target_value": 0.7}}, CURRENT) == []


@pytest.mark.parametrize("value", [0.7001, 0.69, 1.0, 0.0])
def test_real_float_change_is_a_change(value):
    assert differences({"horizontal_autoscaling": {"target_value": value}}, CURRENT) == [
        "horizontal_autoscaling.target_value"
    ]


def test_int_against_float_uses_tolerance():
    assert differences({"v": 5}, {"v": 5.0}) == []
    assert differences({"v": 5.0}, {"v": float32(5.0000001)}) == []
    assert differences({"v": 5}, {"v": 6}) == ["v"]


def test_tolerance_is_relative_and_tiny():
    assert differences({"v": 1.0}, {"v": 1.0000001}) == []
    assert differences({"v": 1.0}, {"v": 1.01}) == ["v"]
    assert floats_equal(0.0, 1e-12)
    assert not floats_equal(0.0, 1e-3)


def test_bool_is_not_a_number():
    assert differences({"enabled": True}, {"enabled": 1}) == ["enabled"]
    assert differences({"enabled": False}, {"enabled": 0}) == ["enabled"]


def test_missing_current_counts_as_different():
    assert differences({"fallback": {"enabled": True, "model": "m"}}, CURRENT) == ["fallback.enabled", "fallback.model"]
    assert differences({"fallback": {"model": "m"}}, {"fallback": None}) == ["fallback.model"]
    assert differences({"port": 8080}, {}) == ["port"]


@pytest.mark.parametrize("zero", [False, 0, 0.0, "", []])
def test_missing_current_matches_a_zero_value(zero):
    assert differences({"a": {"b": zero}}, {}) == []
    assert differences({"a": {"b": zero}}, {"a": {"b": None}}) == []


def test_a_present_value_is_compared_even_to_zero():
    assert differences({"enabled": False}, {"enabled": True}) == ["enabled"]
    assert differences({"count": 0}, {"count": 2}) == ["count"]


def test_lists_compare_in_order_and_length():
    assert differences({"edge_locations": {"ids": ["b", "a"]}}, CURRENT) == ["edge_locations.ids"]
    assert differences({"edge_locations": {"ids": ["a"]}}, CURRENT) == ["edge_locations.ids"]
    assert differences({"l": [{"x": 1, "y": None}]}, {"l": [{"x": 1, "y": 9}]}) == []
    assert differences({"l": [1.0]}, {"l": [float32(1.0)]}) == []


def test_scalar_against_dict_and_top_level_scalars():
    assert differences({"a": 1}, {"a": {"b": 1}}) == ["a"]
    assert differences({"a": {"b": 1}}, {"a": "text"}) == ["a.b"]
    assert differences(1, 2) == ["."]
    assert differences(1.0, float32(1.0)) == []


def test_is_zero():
    assert all(is_zero(v) for v in (False, 0, 0.0, "", []))
    assert not any(is_zero(v) for v in (None, True, 1, "x", [0], {}))


def test_merge_keeps_unmentioned_nested_fields():
    merged = merge({"horizontal_autoscaling": {"max_replicas": 8, "enabled": None}}, CURRENT)
    assert merged["horizontal_autoscaling"] == dict(CURRENT["horizontal_autoscaling"], max_replicas=8)
    assert merged["hibernation"] == CURRENT["hibernation"]
    assert CURRENT["horizontal_autoscaling"]["max_replicas"] == 3  # not modified


def test_merge_replaces_lists_and_scalars():
    merged = merge({"edge_locations": {"ids": ["c"]}, "node_template_name": "cpu"}, CURRENT)
    assert merged["edge_locations"] == {"ids": ["c"]}
    assert merged["node_template_name"] == "cpu"


def test_merge_into_nothing_gives_the_set_fields():
    assert merge({"a": {"b": 1, "c": None}, "d": None}, None) == {"a": {"b": 1}}
    assert merge({"a": {"b": 1}}, {"a": None}) == {"a": {"b": 1}}
    assert merge(None, {"x": 1}) == {"x": 1}
    assert merge(5, {"x": 1}) == 5


def test_merge_returns_copies():
    desired = {"a": {"l": [1]}}
    current = {"b": {"l": [2]}}
    merged = merge(desired, current)
    merged["a"]["l"].append(3)
    merged["b"]["l"].append(3)
    assert desired == {"a": {"l": [1]}} and current == {"b": {"l": [2]}}


def test_prune():
    assert prune({"a": None, "b": {"c": None, "d": 1}, "l": [{"x": None}]}) == {"b": {"d": 1}, "l": [{}]}
