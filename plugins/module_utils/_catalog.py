# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The model catalog: model registries and model specs, which the API can create and delete but never update.

``Replaceable`` is the resource core's declaration for such objects. It finds the object by ID (a GET) or by its
natural key (every page of the list), refuses a change unless the task allows a replacement (delete, wait until gone,
create with the task's options merged over the old object's), waits for a lifecycle status (``ACTIVE``; ``ERROR``
fails at once with the status reason) and never lets a write-only secret into a result or diff. A module declares the
operations, the natural key and the status of its object.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from ._checks import shown
from ._compare import differences, merge, prune
from ._generated.model_registries import PROVIDER_TYPE_VALUES
from ._generated.model_specs import ModelSpecs
from ._generated.operations import MODEL_SPECS_API_LIST_MODEL_SPECS
from ._resource import Resource
from ._schema import api_body, full, missing_required
from ._waiter import DONE, PENDING, WaitError, WaitFailed, wait_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from ._module import CastAIModule

HIDDEN = "<hidden>"
PROVIDER_TYPES = [value for value in PROVIDER_TYPE_VALUES if not value.endswith("_UNSPECIFIED")]
CANDIDATES_SHOWN = 10


# ---- options shared by the catalog modules ---------------------------------------------------------------------


def provider_spec() -> dict[str, Any]:
    """The argument spec of a bucket provider (``provider`` of model_registry, ``onboarding_provider`` of the info)."""
    return dict(
        type="dict",
        options=dict(
            type=dict(type="str", required=True, choices=PROVIDER_TYPES),
            gcs=dict(
                type="dict",
                options=dict(
                    bucket=dict(type="str", required=True),
                    prefix=dict(type="str"),
                    service_account=dict(type="str"),
                ),
            ),
            s3=dict(
                type="dict",
                options=dict(
                    bucket=dict(type="str", required=True),
                    prefix=dict(type="str"),
                    region=dict(type="str", required=True),
                    user_name=dict(type="str"),
                ),
            ),
        ),
        mutually_exclusive=[("gcs", "s3")],
        required_if=[("type", "GCS", ("gcs",)), ("type", "S3", ("s3",))],
    )


def wait_spec(timeout: int = 600, sleep: float = 5.0) -> dict[str, Any]:
    return dict(
        recreate=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=timeout),
        wait_sleep=dict(type="float", default=sleep),
    )


def provider_errors(option: str, provider: dict[str, Any] | None) -> list[str]:
    """Bucket settings that are set but blank (the argument spec already checked types, requirements and blocks)."""
    block = (provider or {}).get((provider or {}).get("type", "").lower()) or {}
    return [
        "%s.%s.%s must not be empty" % (option, provider["type"].lower(), name)
        for name in ("bucket", "region")
        if name in block and block[name] is not None and not block[name].strip()
    ]


def text_errors(option: str, value: str | None) -> list[str]:
    """A name sent as is (a model name, a directory): not blank, no control characters."""
    if value is None:
        return []
    if not value.strip():
        return ["%s must not be empty" % option]
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return ["%s must not contain control characters, got %s" % (option, shown(value))]
    return []


def json_object_text(option: str, value: Any) -> tuple[str | None, str | None]:
    """(the JSON text to send, error): ``value`` is a dict or the JSON text of an object. Never echoes the value."""
    if value is None:
        return None, None
    if isinstance(value, dict):
        return json.dumps(value), None
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return value.strip(), None
    return None, (
        "%s must be a JSON object (a dictionary, or its JSON text such as the contents of a key file); "
        "the value is not shown" % option
    )


# Names under which a credentials document keeps its secrets (private_key, secret_access_key, client_secret, ...).
SECRET_NAMES = ("key", "secret", "token", "password", "credential")


def secret_document(module: CastAIModule, option: str) -> tuple[str | None, str | None]:
    """(JSON text, error) of a ``no_log`` option that takes a JSON object as a dictionary or as its text.

    Ansible hides every string of a ``no_log`` dictionary wherever it appears in the task's output. A key file also
    holds ordinary words ("type": "service_account", a project ID that bucket names share, the service account that
    provider.gcs.service_account names), which would then show as "********" in field names and bucket names. So the
    whole document stays hidden, and of its parts only the values under secret names (and any other option's secret).
    """
    value = module.params[option]
    text, error = json_object_text(option, value)
    if isinstance(value, dict) and text is not None:
        others = {
            str(module.params[name])
            for name, spec in module.argument_spec.items()
            if spec.get("no_log") and name != option and module.params.get(name) is not None
        }
        module.no_log_values.difference_update(set(texts(value)) - set(secret_texts(value)) - others)
        module.no_log_values.add(text)
    return text, error


def texts(value: Any) -> Iterator[str]:
    """The texts Ansible hides for a no_log value: its strings and numbers, recursively."""
    if isinstance(value, (dict, list)):
        for item in value.values() if isinstance(value, dict) else value:
            yield from texts(item)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
        yield str(value)


def secret_texts(value: Any) -> Iterator[str]:
    """The texts under secret names (private_key, client_secret, ...), recursively."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from texts(item) if any(word in str(name).lower() for word in SECRET_NAMES) else secret_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from secret_texts(item)


# ---- answers and predictions -----------------------------------------------------------------------------------


def pick(value: Any, shape: Any) -> Any:
    """The parts of ``value`` that ``shape`` (the options a task set) names, recursively."""
    if not isinstance(shape, dict):
        return copy.deepcopy(value)
    value = value if isinstance(value, dict) else {}
    return {name: pick(value.get(name), item) for name, item in shape.items() if item is not None}


def query_of(schemas: dict[str, Any], schema: str, value: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Dotted camelCase query parameters of a snake_case object (``provider.gcs.bucket=...``), unset ones left out."""
    query = {}

    def walk(body, path):
        for name, item in body.items():
            if isinstance(item, dict):
                walk(item, path + name + ".")
            else:
                query[path + name] = item

    walk(api_body(schemas, schema, prune(value)), prefix + ".")
    return query


# ---- the resource ----------------------------------------------------------------------------------------------


class Replaceable(Resource):
    """A catalog object: found by ``id`` or natural key, created, replaced on change, deleted, waited for."""

    #: The generated model and field table of the object, and the contract's name of its schema.
    model = None
    schemas = None
    schema = None
    #: operationIds: get, list, create, delete.
    operations = {}
    #: "model registries", for messages about the list; "a model registry" or "model specs", for one in general.
    plural = ""
    any_one = ""
    #: Option of a write-only secret (never read back, never shown), and its JSON text to send.
    secret = None
    secret_text = None
    #: Paths of read-only fields under the managed ones (never sent, never compared).
    read_only = ()
    goal = "ACTIVE"
    failed = ("ERROR",)

    def __init__(self, module: CastAIModule) -> None:
        super().__init__(module)
        self.path = {"organizationId": module.organization_id}
        self.before = None
        self.replaced = False
        self.secret_sent = False

    # ---- what a module declares ----------------------------------------------------------------------------

    def is_mine(self, obj: dict[str, Any]) -> bool:
        """Whether a listed object has the natural key the task names."""
        raise NotImplementedError

    def key(self) -> str:
        """The natural key the task names, for messages."""
        raise NotImplementedError

    def list_query(self) -> dict[str, Any]:
        return {}

    def create_errors(self, body: dict[str, Any]) -> list[str]:
        """Why ``body`` (snake_case, what a create would send) cannot be created: fields the contract requires."""
        return [
            "creating %s needs %s" % (self.any_one, path.lstrip("."))
            for path in missing_required(self.schemas, self.schema, body, "")
        ]

    def status_of(self, obj: dict[str, Any]) -> tuple[str | None, str | None]:
        """(status, reason) of an object; the goal status for an object without a lifecycle."""
        return obj.get("status"), obj.get("status_reason")

    # ---- reading -------------------------------------------------------------------------------------------

    def parse(self, answer: dict[str, Any], action: str) -> dict[str, Any]:
        return without_secret(self.module.parse(self.model, answer, action, needs=("id",)), self.secret)

    def get(self, object_id: str) -> dict[str, Any] | None:
        action = "read %s %s" % (self.noun, object_id)
        answer = self.module.call_or_none(action, self.operations["get"], dict(self.path, id=object_id))
        return None if answer is None else self.parse(answer, action)

    def find(self) -> dict[str, Any] | None:
        action = "list %s" % self.plural
        listed = self.module.each(
            action, self.model, self.operations["list"], self.path, self.list_query(), needs=("id",)
        )
        found = [obj for obj in (without_secret(item, self.secret) for item in listed) if self.is_mine(obj)]
        if len(found) > 1:
            self.module.fail_json(
                msg="%d %s match %s (IDs %s); set id to choose one"
                % (len(found), self.plural, self.key(), ", ".join(obj["id"] for obj in found))
            )
        return found[0] if found else None

    def read(self) -> dict[str, Any] | None:
        self.before = self.get(self.params["id"]) if self.params["id"] else self.find()
        return self.before

    # ---- deciding ------------------------------------------------------------------------------------------

    def inputs(self, obj: dict[str, Any]) -> dict[str, Any]:
        """The managed fields of an object as a create would send them: read-only fields left out."""
        result = {name: copy.deepcopy(obj.get(name)) for name in self.managed}
        for path in self.read_only:
            parent, name = path.split(".")
            if isinstance(result.get(parent), dict):
                result[parent].pop(name, None)
        return result

    def changes(self, desired: dict[str, Any], current: dict[str, Any]) -> list[str]:
        paths = differences(desired, self.inputs(current))
        if self.secret_text is not None and self.params.get("update_" + self.secret) == "always":
            paths.append(self.secret)
        return sorted(paths)

    def errors(self, desired: dict[str, Any], current: dict[str, Any] | None) -> list[str]:
        if current is None:
            if self.params["id"]:
                return ["no %s with id %s; to create one, leave id out" % (self.noun, self.params["id"])]
            return self.create_errors(prune(desired))
        changes = self.changes(desired, current)
        if not changes:
            return []
        if not self.params["recreate"]:
            fields = [name for name in changes if name != self.secret]
            return [
                "%s %s cannot change %s: the API cannot update %s. It has %s; the task asks for %s. Set "
                "recreate=true to delete it and create it again (a new ID)"
                % (
                    self.noun,
                    current["id"],
                    ", ".join(changes),
                    self.any_one,
                    ", ".join("%s=%s" % (f, shown(lookup(current, f))) for f in fields) or "stored credentials",
                    ", ".join("%s=%s" % (f, shown(lookup(desired, f))) for f in fields) or "new ones",
                )
            ]
        return self.create_errors(self.replacement(desired, current))

    def replacement(self, desired: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """What a replacement creates: the task's options merged over the old object's."""
        return prune(merge(desired, self.inputs(current)))

    def predict(self, desired: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        body = self.replacement(desired, current) if current else prune(desired)
        self.secret_sent = self.secret_text is not None
        self.replaced = current is not None
        obj = full(self.schemas, self.schema, body)
        obj.pop(self.secret, None)
        return obj

    # ---- writing -------------------------------------------------------------------------------------------

    def create(self, desired: dict[str, Any], body: dict[str, Any] | None = None) -> dict[str, Any]:
        body = api_body(self.schemas, self.schema, prune(desired) if body is None else body)
        if self.secret_text is not None:
            body[self.secret] = self.secret_text
            self.secret_sent = True
        doing = "create %s %s" % (self.noun, self.key())
        answer = self.module.write(
            doing, "created %s %s" % (self.noun, self.key()), self.operations["create"], self.path, body=body
        )
        return self.parse(answer, doing)

    def update(self, desired: dict[str, Any], current: dict[str, Any], changes: list[str]) -> dict[str, Any]:
        """The API has no update: delete, wait until gone (a create of the same key would conflict), create."""
        body = self.replacement(desired, current)
        self.delete(current, " to replace it")
        self.wait(current, gone, "the old %s to be gone before creating it again" % self.noun)
        self.replaced = True
        return self.create(desired, body)

    def delete(self, current: dict[str, Any], why: str = "") -> None:
        what = "%s %s%s" % (self.noun, current["id"], why)
        self.module.write(
            "delete " + what,
            "deleted " + what,
            self.operations["delete"],
            dict(self.path, id=current["id"]),
            gone_ok=True,
        )

    # ---- waiting -------------------------------------------------------------------------------------------

    def ready(self, obj: dict[str, Any] | None) -> str:
        if obj is None:
            raise WaitFailed("it disappeared while waiting for it to be %s" % self.goal)
        status, reason = self.status_of(obj)
        if status == self.goal:
            return DONE
        if status in self.failed:
            raise WaitFailed("it is %s: %s" % (status, reason or "no reason given"), state=obj)
        return PENDING

    def describe(self, obj: dict[str, Any] | None) -> str:
        if obj is None:
            return "gone"
        status, reason = self.status_of(obj)
        return "%s%s" % (status or "no status", " (%s)" % reason if reason else "")

    def settle(self, obj: dict[str, Any], changed: bool) -> dict[str, Any] | None:
        return self.wait(obj, self.ready, "it to be %s" % self.goal) if self.params["wait"] else obj

    def settle_absent(self, current: dict[str, Any] | None, changed: bool) -> None:
        if self.params["wait"] and changed:
            self.wait(current, gone, "it to be gone")

    def wait(
        self, obj: dict[str, Any], check: Callable[[dict[str, Any] | None], str], what: str
    ) -> dict[str, Any] | None:
        """The object once ``check`` is done (judged on ``obj`` first, so a settled object costs no read)."""
        try:
            if check(obj) == DONE:
                return obj
            return wait_for(
                lambda: self.get(obj["id"]),
                check,
                timeout=self.params["wait_timeout"],
                sleep=self.params["wait_sleep"],
                describe=self.describe,
                what=what,
            )
        except WaitError as exc:
            self.module.fail_json(
                msg="%s %s: %s" % (self.noun, obj["id"], exc.message),
                **dict(self.result(), **{self.result_key: exc.state or obj}),
            )

    # ---- results -------------------------------------------------------------------------------------------

    def view(self, obj: dict[str, Any] | None) -> dict[str, Any]:
        """The fields the task set (every managed field when it deletes); a sent secret only as a placeholder."""
        if obj is None:
            return {"state": "absent"}
        fields = self.inputs(obj)
        if self.params["state"] == "present":
            fields = pick(fields, prune(self.desired()))
        view = dict(fields, state="present")
        if self.secret_sent and obj is not self.before:
            view[self.secret] = HIDDEN
        return view

    def result(self) -> dict[str, Any]:
        return {"organization_id": self.path["organizationId"], "recreated": self.replaced}


def gone(obj: dict[str, Any] | None) -> str:
    return DONE if obj is None else PENDING


def lookup(obj: Any, path: str) -> Any:
    for name in path.split("."):
        obj = obj.get(name) if isinstance(obj, dict) else None
    return obj


# ---- a model by name -----------------------------------------------------------------------------------------


def without_secret(obj: dict[str, Any], secret: str | None) -> dict[str, Any]:
    """``obj`` without its write-only ``secret`` field: never in a result, whatever an answer holds."""
    if secret:
        obj.pop(secret, None)
    return obj


def model_specs_id_of(module: CastAIModule, model: str) -> str:
    """The ID of the one model specs whose ``model`` is ``model``; fails listing the candidates otherwise."""
    action = "find the model specs of model %s" % model
    path = {"organizationId": module.organization_id}
    specs = list(module.each(action, ModelSpecs, MODEL_SPECS_API_LIST_MODEL_SPECS, path, needs=("id",)))
    matches = [spec for spec in specs if spec["model"] == model]
    if len(matches) == 1:
        return matches[0]["id"]
    if matches:
        module.fail_json(
            msg="%d model specs have model %r: %s; set model_specs_id to choose one"
            % (
                len(matches),
                model,
                "; ".join(
                    "%s (%s%s)"
                    % (
                        spec["id"],
                        spec["registry_type"],
                        (" registry %s" % spec["private_registry"]["registry_id"]) if spec["private_registry"] else "",
                    )
                    for spec in matches
                ),
            )
        )
    names = sorted({spec["model"] for spec in specs if spec["model"]})
    close = [name for name in names if model.lower() in name.lower() or name.lower() in model.lower()]
    candidates = close or names
    module.fail_json(
        msg="no model specs has model %r; %s: %s%s (model_specs_info lists them all)"
        % (
            model,
            "similar names" if close else "the organization's models",
            ", ".join(candidates[:CANDIDATES_SHOWN]),
            " and %d more" % (len(candidates) - CANDIDATES_SHOWN) if len(candidates) > CANDIDATES_SHOWN else "",
        )
    )
