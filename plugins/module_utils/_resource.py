# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource core: one present/absent algorithm for every resource module.

A module declares a ``Resource`` subclass: how to read the current object, which fields it manages, how to write.
``run(resource)`` does the rest, the same way for every module:

1. read the current object (``None`` when absent; a 404 is absent);
2. for ``state=present``: the desired fields (``None`` = the user did not set it), local checks, the fields that
   differ, then create / update, or nothing; for ``state=absent``: delete when it exists;
3. in check mode the same decision, with a predicted object instead of the writes;
4. the optional settle step (waits), then one exit with one result shape and one diff shape.

Writes go through ``CastAIModule.write``, which records each acknowledged (or possibly applied) write, so a failure
after a write reports ``changed: true`` and says what was done.

The diff of every resource module has one shape: ``{"state": "absent"}`` for a missing object, and
``{"state": "present", <managed fields>}`` for an existing one.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any, NoReturn

from ._compare import differences, merge

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._generated._base import Schema
    from ._module import CastAIModule

ABSENT_VIEW = {"state": "absent"}
# Past tense of the verbs ``Resource.send`` takes, for "what was done" in messages.
DONE = {
    "create": "created",
    "update": "updated",
    "set": "set",
    "remove": "removed",
    "delete": "deleted",
    "scale": "scaled",
}


class Resource:
    """What a resource module declares; ``run()`` drives it. Override the hooks that differ from the defaults."""

    #: Name of the resource in messages, e.g. "budget of API key abc".
    noun = "resource"
    #: Key of the object in the result, e.g. "budget".
    result_key = "resource"
    #: snake_case fields the module manages: compared, merged and shown in the diff.
    managed = ()

    def __init__(self, module: CastAIModule) -> None:
        self.module = module
        self.params = module.params
        #: Path parameters of the object's operations.
        self.path = {}

    # ---- helpers for the declarations -----------------------------------------------------------------------

    def fetch(self, operation_id: str, model: Schema, needs: Iterable[str] = ()) -> dict[str, Any] | None:
        """Read the object at ``self.path``: parsed, or None when the API answers 404."""
        action = "read " + self.noun
        answer = self.module.call_or_none(action, operation_id, self.path)
        return None if answer is None else self.module.parse(model, answer, action, needs=needs)

    def send(
        self,
        verb: str,
        operation_id: str,
        body: dict[str, Any] | None = None,
        model: Schema | None = None,
        needs: Iterable[str] = (),
        gone_ok: bool = False,
    ) -> dict[str, Any] | None:
        """One recorded write to ``self.path`` ("set the budget of ..."); the answer parsed when ``model`` is given."""
        doing = "%s %s" % (verb, self.noun)
        answer = self.module.write(
            doing, "%s %s" % (DONE[verb], self.noun), operation_id, self.path, body=body, gone_ok=gone_ok
        )
        return answer if model is None else self.module.parse(model, answer, doing, needs=needs)

    # ---- what every module declares ------------------------------------------------------------------------

    def read(self) -> dict[str, Any] | None:
        """The current object as a snake_case dict, or None when it does not exist."""
        raise NotImplementedError

    def create(self, desired: dict[str, Any]) -> dict[str, Any]:
        """Create the object; return it as the API answered (snake_case). By default an upsert through update()."""
        return self.update(desired, None, None)

    def update(
        self, desired: dict[str, Any], current: dict[str, Any] | None, changes: list[str] | None
    ) -> dict[str, Any]:
        """Apply the changed fields; return the object after the change."""
        raise NotImplementedError("%s cannot be updated" % self.noun)

    def delete(self, current: dict[str, Any]) -> None:
        """Delete the object."""
        raise NotImplementedError("%s cannot be deleted" % self.noun)

    # ---- defaults a module may override ------------------------------------------------------------------

    def desired(self) -> dict[str, Any]:
        """The managed fields as the user set them; None means "not set" and is never compared or written."""
        return {name: copy.deepcopy(self.params.get(name)) for name in self.managed}

    def errors(self, desired: dict[str, Any], current: dict[str, Any] | None) -> list[str]:
        """Reasons to refuse the task once the current object is known, before any write."""
        return []

    def changes(self, desired: dict[str, Any], current: dict[str, Any]) -> list[str]:
        """Dotted paths of the set fields that differ from the current object."""
        return differences(desired, current)

    def created_fields(self, desired: dict[str, Any]) -> list[str]:
        """What ``changed_fields`` lists for a create: every field the user set."""
        return set_paths(desired)

    def predict(self, desired: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        """The object as the change would leave it: what check mode returns."""
        return merge(desired, current)

    def exists(self, current: dict[str, Any] | None) -> bool:
        """Whether a read object counts as present (a model being deleted does not)."""
        return current is not None

    def settle(self, obj: dict[str, Any], changed: bool) -> dict[str, Any] | None:
        """After the writes (or none): wait for the object to reach its goal; return it. No wait by default."""
        return obj

    def settle_absent(self, current: dict[str, Any] | None, changed: bool) -> None:
        """After a delete (or none): wait for the object to be gone. No wait by default."""

    def view(self, obj: dict[str, Any] | None) -> dict[str, Any]:
        """One side of the diff: never a secret."""
        if obj is None:
            return dict(ABSENT_VIEW)
        view = {"state": "present"}
        view.update((name, copy.deepcopy(obj.get(name))) for name in self.managed)
        return view

    def result(self) -> dict[str, Any]:
        """Fields that identify the object in the result: by default the path parameters, in snake_case."""
        return {re.sub(r"([A-Z])", r"_\1", name).lower(): value for name, value in self.path.items()}


def run(resource: Resource) -> NoReturn:
    """Run a declared resource for the task's ``state`` and exit the module (never returns)."""
    module = resource.module
    state = module.params.get("state") or "present"
    current = resource.read()
    if state == "absent":
        after, changed, changes = _absent(resource, current)
    else:
        after, changed, changes = _present(resource, current)
    result = resource.result()
    result[resource.result_key] = after
    result["changed_fields"] = changes
    module.exit_with(
        changed=changed,
        diff={"before": resource.view(current if resource.exists(current) else None), "after": resource.view(after)},
        **result,
    )


def _present(resource, current):
    module = resource.module
    desired = resource.desired()
    present = current if resource.exists(current) else None
    errors = resource.errors(desired, present)
    if errors:
        module.fail_json(msg="; ".join(errors), **{resource.result_key: current})
    if present is None:
        changes = resource.created_fields(desired)
        changed = True
    else:
        changes = sorted(resource.changes(desired, present))
        changed = bool(changes)
    if module.check_mode:
        after = resource.predict(desired, present) if changed else present
        return after, changed, changes
    if present is None:
        after = resource.create(desired)
    elif changed:
        after = resource.update(desired, present, changes)
    else:
        after = present
    return resource.settle(after, changed), changed, changes


def set_paths(desired: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of every field the user set: what a create writes."""
    paths = []
    for name, value in sorted(desired.items()):
        if isinstance(value, dict):
            paths.extend(set_paths(value, prefix + name + "."))
        elif value is not None:
            paths.append(prefix + name)
    return paths


def _absent(resource, current):
    module = resource.module
    changed = resource.exists(current)
    if changed and not module.check_mode:
        resource.delete(current)
        # A delete whose 404 shows someone else removed it first is not our change (write() records none).
        changed = bool(module.writes_done)
    if not module.check_mode:
        resource.settle_absent(current, changed)
    return None, changed, []
