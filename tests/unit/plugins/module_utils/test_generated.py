# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of plugins/module_utils/_generated: up to date with the spec, and the models behave as promised."""

import ast
import importlib
import importlib.util
import os
import re

import pytest
import yaml

from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated import operations
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models import (
    HOSTED_MODEL_STATUS_VALUES,
    HostedModel,
)
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.hosted_models_schema import (
    SCHEMAS as HOSTED_MODEL_SCHEMAS,
)
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.model_specs_schema import (
    SCHEMAS as MODEL_SPECS_SCHEMAS,
)
from ansible_collections.castai.ai_optimizer.plugins.module_utils._generated.operations import (
    API_KEYS_API_VERIFY_API_KEY,
    HOSTED_MODELS_API_LIST_HOSTED_MODELS,
    MODEL_REGISTRIES_API_GET_ONBOARDING_COMMAND,
    ONBOARDING_API_GET_ONBOARDING_COMMAND,
    OPERATIONS,
    SETTINGS_API_GET_SETTINGS,
)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
GENERATOR = os.path.join(REPO_ROOT, "tools", "generate_models.py")
SPEC = os.path.join(REPO_ROOT, "spec", "ai-optimizer.openapi.yaml")
GENERATED = os.path.join(REPO_ROOT, "plugins", "module_utils", "_generated")

PACKAGE = "ansible_collections.castai.ai_optimizer.plugins.module_utils._generated"
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
SCALAR_TYPES = ("string", "integer", "number", "boolean")


def load_generator():
    if not os.path.isfile(GENERATOR):
        pytest.skip("tools/generate_models.py is not part of this copy of the collection")
    spec = importlib.util.spec_from_file_location("castai_generate_models", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_files(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".py"))


def test_checked_in_output_is_current(tmp_path):
    generator = load_generator()
    assert generator.main(["--output-dir", str(tmp_path)]) == 0
    expected = python_files(str(tmp_path))
    assert python_files(GENERATED) == expected, "run: python tools/generate_models.py"
    for name in expected:
        with (
            open(os.path.join(str(tmp_path), name), "rb") as fresh,
            open(os.path.join(GENERATED, name), "rb") as checked_in,
        ):
            assert checked_in.read() == fresh.read(), "%s is stale, run: python tools/generate_models.py" % name


def test_generation_is_deterministic(tmp_path):
    generator = load_generator()
    first, second = tmp_path / "first", tmp_path / "second"
    generator.main(["--output-dir", str(first)])
    generator.main(["--output-dir", str(second)])
    for name in python_files(str(first)):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_snake_case():
    generator = load_generator()
    assert generator.field_name("requiredGpuMemoryMib") == "required_gpu_memory_mib"
    assert generator.field_name("huggingFaceToken") == "hugging_face_token"
    assert generator.field_name("apiKeyId") == "api_key_id"
    assert generator.field_name("ids") == "ids"
    assert generator.field_name("from") == "from_"
    assert generator.snake("APIKeyBudget") == "api_key_budget"


def test_hosted_model_status_values_follow_spec_order():
    assert tuple(spec_schemas()["HostedModel"]["properties"]["status"]["enum"]) == HOSTED_MODEL_STATUS_VALUES
    assert HOSTED_MODEL_SCHEMAS["HostedModel"]["fields"]["status"]["enum"] == HOSTED_MODEL_STATUS_VALUES


def test_models_no_longer_carry_required_fields():
    for name in python_files(GENERATED):
        with open(os.path.join(GENERATED, name), encoding="utf-8") as handle:
            text = handle.read()
        assert "_required_fields" not in text and "ClassVar" not in text, name
    assert HostedModel.__name__ == "HostedModel" and HostedModel.tables is HOSTED_MODEL_SCHEMAS


def test_operations_match_spec():
    with open(SPEC, encoding="utf-8") as handle:
        paths = yaml.safe_load(handle)["paths"]
    seen = set()
    for path, item in paths.items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            entry = OPERATIONS[operation["operationId"]]
            seen.add(operation["operationId"])
            params = operation.get("parameters") or []
            assert entry["method"] == method.upper()
            assert entry["path"] == path
            assert entry["path_params"] == tuple(re.findall(r"{([^}]+)}", path))
            assert set(entry["path_params"]) == {p["name"] for p in params if p["in"] == "path"}
            assert entry["query_params"] == tuple(p["name"] for p in params if p["in"] == "query")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            assert entry["body"] == (body["$ref"].rsplit("/", 1)[-1] if body else None)
            response = operation["responses"]["200"].get("content", {}).get("application/json", {}).get("schema")
            assert entry["response"] == (response["$ref"].rsplit("/", 1)[-1] if response else None)
    assert seen == set(OPERATIONS)
    assert list(OPERATIONS) == sorted(OPERATIONS)
    scale = OPERATIONS["HostedModelsAPIScaleHostedModel"]
    assert scale["method"] == "POST" and scale["body"] == "ScaleHostedModelRequest"


def spec_document():
    with open(SPEC, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def spec_schemas():
    return spec_document()["components"]["schemas"]


def schema_modules():
    """{group: SCHEMAS} of every generated <group>_schema.py."""
    found = {}
    for name in python_files(GENERATED):
        if name.endswith("_schema.py"):
            found[name[: -len("_schema.py")]] = importlib.import_module("%s.%s" % (PACKAGE, name[:-3])).SCHEMAS
    return found


def spec_target(prop_schema):
    """The component a property refers to through $ref or a one-item allOf, else None."""
    ref = prop_schema.get("$ref") or (prop_schema.get("allOf") or [{}])[0].get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def test_operation_constants_name_their_own_operation():
    constants = {name: value for name, value in vars(operations).items() if name.isupper() and name != "OPERATIONS"}
    assert sorted(constants.values()) == sorted(OPERATIONS)
    for name, value in constants.items():
        assert re.sub(r"[^A-Z]", "", name) == re.sub(r"[^A-Z]", "", value.upper()), name
    assert HOSTED_MODELS_API_LIST_HOSTED_MODELS == "HostedModelsAPIListHostedModels"
    assert API_KEYS_API_VERIFY_API_KEY == "APIKeysAPIVerifyAPIKey"
    assert SETTINGS_API_GET_SETTINGS == "SettingsAPIGetSettings"
    assert MODEL_REGISTRIES_API_GET_ONBOARDING_COMMAND == "ModelRegistriesAPIGetOnboardingCommand"
    assert ONBOARDING_API_GET_ONBOARDING_COMMAND == "OnboardingAPIGetOnboardingCommand"


def test_colliding_operation_constants_fail_generation(tmp_path):
    generator = load_generator()
    document = spec_document()
    path, item = next(iter(document["paths"].items()))
    method = next(key for key, value in item.items() if isinstance(value, dict) and "operationId" in value)
    # 'APIKeys_APIVerifyAPIKey' also yields API_KEYS_API_VERIFY_API_KEY.
    document["paths"][path + "/twin"] = {method: dict(item[method], operationId="APIKeys_APIVerifyAPIKey")}
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ValueError, match="API_KEYS_API_VERIFY_API_KEY"):
        generator.Generator(str(spec), {}).render_operations()


def test_response_required_only_when_the_answer_has_properties():
    assert OPERATIONS[HOSTED_MODELS_API_LIST_HOSTED_MODELS]["response_required"] is True
    assert OPERATIONS["ModelSpecsAPIListModelSpecs"]["response_required"] is True
    assert OPERATIONS["HostedModelsAPIDeleteHostedModel"]["response_required"] is False
    assert OPERATIONS["ModelRegistriesAPIDeleteModelRegistry"]["response_required"] is False
    # A free-form object (additionalProperties only) is not something the client can demand fields of.
    assert OPERATIONS["OtelAPIIngestLogs"]["response"] == "IngestLogsResponse"
    assert OPERATIONS["OtelAPIIngestLogs"]["response_required"] is False
    spec = spec_schemas()
    for entry in OPERATIONS.values():
        assert entry["response_required"] is bool(entry["response"] and spec[entry["response"]].get("properties"))


def test_schema_files_are_plain_data():
    groups = schema_modules()
    assert {
        "api_keys",
        "hosted_models",
        "settings",
        "model_specs",
        "model_registries",
        "components",
        "analytics",
    } <= set(groups)
    for group in groups:
        with open(os.path.join(GENERATED, group + "_schema.py"), encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        statements = [node for node in tree.body if not isinstance(node, ast.Expr)]
        assert [type(node) for node in statements] == [ast.Assign], group
        assert [target.id for target in statements[0].targets] == ["SCHEMAS"]
        assert ast.literal_eval(statements[0].value) == groups[group]


def test_every_table_has_its_schema_handle():
    for group, schemas in schema_modules().items():
        module = importlib.import_module("%s.%s" % (PACKAGE, group))
        handles = {name: value for name, value in vars(module).items() if type(value).__name__ == "Schema"}
        assert set(handles) == set(schemas), group
        assert all(handle.__name__ == name and handle.tables is schemas for name, handle in handles.items()), group


def test_table_fields_and_required_follow_the_spec():
    spec = spec_schemas()
    for _group, schemas in schema_modules().items():
        for name, table in schemas.items():
            properties = spec[name].get("properties") or {}
            assert [field["alias"] for field in table["fields"].values()] == list(properties), name
            aliases = {field_name: field["alias"] for field_name, field in table["fields"].items()}
            assert tuple(aliases[field_name] for field_name in table["required"]) == tuple(
                spec[name].get("required") or ()
            ), name
            for field in table["fields"].values():
                prop = properties[field["alias"]]
                assert field["type"] in SCALAR_TYPES + ("object", "array", "any")
                target = spec_target(prop)
                if target:
                    assert field.get("schema") == target and target in schemas, (name, field)
                if "enum" in prop:
                    assert field["enum"] == tuple(prop["enum"])
                if prop.get("type") == "integer" and prop.get("format") in ("int32", "int64"):
                    assert "minimum" in field and "maximum" in field, (name, field)


def test_required_of_nested_and_new_schemas():
    assert HOSTED_MODEL_SCHEMAS["HostedModel"]["required"] == ("cluster_id", "model_specs_id", "port", "service")
    assert HOSTED_MODEL_SCHEMAS["HorizontalAutoscaling"]["required"] == (
        "max_replicas",
        "min_replicas",
        "target_metric",
        "target_value",
    )
    assert MODEL_SPECS_SCHEMAS["PrivateRegistryModel"]["required"] == ("base_model_id", "registry_id")


def test_integer_bounds_come_from_format_and_spec():
    fields = HOSTED_MODEL_SCHEMAS["HostedModel"]["fields"]
    assert fields["port"] == {
        "alias": "port",
        "type": "integer",
        "format": "int32",
        "minimum": INT32[0],
        "maximum": INT32[1],
    }
    assert (fields["current_replicas"]["minimum"], fields["current_replicas"]["maximum"]) == INT32
    # int64 with the spec's own `minimum: 0`: the spec wins for the lower bound, the format gives the upper.
    count = HOSTED_MODEL_SCHEMAS["HibernationCondition"]["fields"]["request_count"]
    assert count == {"alias": "requestCount", "type": "integer", "format": "int64", "minimum": 0, "maximum": INT64[1]}
    replicas = HOSTED_MODEL_SCHEMAS["ScaleHostedModelRequest"]["fields"]["replicas"]
    assert (replicas["format"], replicas["minimum"], replicas["maximum"]) == ("int64", 0, INT64[1])
    assert "minimum" not in fields["required_gpu_memory_mib"] and fields["required_gpu_memory_mib"]["type"] == "string"
    assert "minimum" not in HOSTED_MODEL_SCHEMAS["HorizontalAutoscaling"]["fields"]["target_value"]


def test_field_shapes():
    fields = HOSTED_MODEL_SCHEMAS["HostedModel"]["fields"]
    assert fields["horizontal_autoscaling"] == {
        "alias": "horizontalAutoscaling",
        "type": "object",
        "schema": "HorizontalAutoscaling",
    }
    assert fields["create_time"] == {"alias": "createTime", "type": "string", "format": "date-time"}
    assert HOSTED_MODEL_SCHEMAS["EdgeLocations"]["fields"]["ids"] == {
        "alias": "ids",
        "type": "array",
        "items": {"type": "string"},
    }
    regions = MODEL_SPECS_SCHEMAS["HardwareSpecs"]["fields"]["regions"]
    assert regions == {"alias": "regions", "type": "array", "items": {"type": "object", "schema": "CloudRegion"}}


def test_sort_fields_reach_nested_scalars_only():
    spec = spec_schemas()
    sort_fields = HOSTED_MODEL_SCHEMAS["HostedModel"]["sort_fields"]
    assert sort_fields["cluster_id"] == "clusterId"
    assert sort_fields["horizontal_autoscaling.min_replicas"] == "horizontalAutoscaling.minReplicas"
    assert sort_fields["hibernation.hibernate_condition.request_count"] == "hibernation.hibernateCondition.requestCount"
    for excluded in (
        "horizontal_autoscaling",
        "hibernation",
        "hibernation.hibernate_condition",
        "edge_locations",
        "edge_locations.ids",
    ):
        assert excluded not in sort_fields
    spec_sort = MODEL_SPECS_SCHEMAS["ModelSpecs"]["sort_fields"]
    assert spec_sort["hardware_specs.cpu"] == "hardwareSpecs.cpu"
    assert spec_sort["private_registry.status"] == "privateRegistry.status"
    assert "modalities" not in spec_sort and not any(path.startswith("hardware_specs.regions") for path in spec_sort)
    for _group, schemas in schema_modules().items():
        for name, table in schemas.items():
            for path, aliases in table["sort_fields"].items():
                assert path.count(".") == aliases.count(".") < 3, path
                schema = spec[name]
                for alias in aliases.split("."):
                    prop = schema["properties"][alias]
                    target = spec_target(prop)
                    schema = spec[target] if target else prop
                assert schema.get("type") in SCALAR_TYPES, (name, path)


def test_field_info_rules_on_a_small_spec(tmp_path):
    generator = load_generator()
    document = {
        "paths": {},
        "components": {
            "schemas": {
                "Color": {"type": "string", "enum": ["RED", "GREEN"]},
                "Inner": {"type": "object", "properties": {"depth": {"type": "integer", "format": "int32"}}},
                "Outer": {
                    "type": "object",
                    "required": ["labels", "fooId"],
                    "properties": {
                        "fooId": {"type": "string", "readOnly": True},
                        "color": {"allOf": [{"$ref": "#/components/schemas/Color"}], "description": "inlined"},
                        "inner": {"$ref": "#/components/schemas/Inner"},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "bytes": {"type": "string", "format": "int64"},
                        "big": {"type": "integer", "format": "int64", "maximum": 10},
                        "whatever": {"description": "no type"},
                    },
                },
            }
        },
    }
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    table = generator.Generator(str(spec), {"demo": ["Outer"]}).table("Outer")
    assert table["required"] == ("labels", "foo_id")
    assert table["fields"] == {
        "foo_id": {"alias": "fooId", "type": "string", "read_only": True},
        "color": {"alias": "color", "type": "string", "enum": ("RED", "GREEN")},
        "inner": {"alias": "inner", "type": "object", "schema": "Inner"},
        "labels": {"alias": "labels", "type": "object"},
        "bytes": {"alias": "bytes", "type": "string", "format": "int64"},
        "big": {"alias": "big", "type": "integer", "format": "int64", "minimum": INT64[0], "maximum": 10},
        "whatever": {"alias": "whatever", "type": "any"},
    }
    assert table["sort_fields"] == {
        "foo_id": "fooId",
        "color": "color",
        "inner.depth": "inner.depth",
        "bytes": "bytes",
        "big": "big",
    }
    # demo_schema.py would be the table file of a group "demo", so such a group name is refused.
    with pytest.raises(ValueError, match="demo_schema"):
        generator.Generator(str(spec), {"demo_schema": ["Outer"]})


def test_generated_lines_fit():
    for name in python_files(GENERATED):
        with open(os.path.join(GENERATED, name), encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                assert len(line.rstrip("\n")) <= 160, "%s:%d" % (name, number)


def test_base_module_is_the_template_verbatim():
    generator = load_generator()
    with open(os.path.join(REPO_ROOT, "tools", "templates", "_base.py"), encoding="utf-8") as handle:
        template = handle.read()
    with open(os.path.join(GENERATED, "_base.py"), encoding="utf-8") as handle:
        assert handle.read() == generator.COPY_HEADER + template
