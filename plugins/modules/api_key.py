#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: api_key
short_description: Create CAST AI AI Optimizer API keys idempotently
version_added: 1.0.0
description:
  - Creates an AI Optimizer API key in an organization and returns its token.
  - The API shows a token once, when the key is created. It cannot list, read or delete keys, and it stores no name
    for them. So this module is idempotent through what you hold, not through a lookup. Give back the token you got
    (O(token)), or let the module keep it in a file (O(path)). When that token still verifies for the organization, the
    module does nothing. Otherwise it creates a key.
  - "Put C(no_log: true) on the task. The new token is in the result of the task that creates it, and only there."
author:
  - CAST AI AI Optimizer collection maintainers (@castai)
extends_documentation_fragment:
  - castai.ai_optimizer.connection
  - castai.ai_optimizer.connection.actiongroup
attributes:
  check_mode:
    description: Check mode verifies the held token (a read) but never creates a key or writes or removes a file.
    support: full
  diff_mode:
    description: Shows whether a key would be created and the state of the token file. Tokens are never shown.
    support: full
options:
  state:
    description:
      - V(present) makes sure you hold a token that verifies for the organization, creating a key when you do not.
      - V(absent) can only forget a key. The API has no way to delete or revoke keys, so the key keeps working
        at CAST AI. With O(path), the module removes the token file and warns that the key still exists.
        Revoke the key in the CAST AI console.
    type: str
    choices: [present, absent]
    default: present
  token:
    description:
      - A token you got from an earlier run of this module (or from the CAST AI console).
      - With O(state=present), when this token verifies for the organization, no key is created.
      - When both O(token) and O(path) are set, O(token) is checked and O(path) receives the token that is kept.
    type: str
  path:
    description:
      - File that holds the token. The module reads it to decide whether a key exists already. It writes a new token
        there atomically, with mode C(0600).
      - The directory must exist.
    type: path
  rotate:
    description:
      - Create a new key even if the held token still verifies. The old key keeps working, because the API cannot
        revoke keys.
      - With O(path), the new token replaces the file's content.
    type: bool
    default: false
notes:
  - Idempotence needs O(token) or O(path). With neither, every run creates a new key. The module warns when that
    happens.
  - A held token that the API rejects (HTTP 401 or 403 from C(api-keys:verify)) or that belongs to another organization
    is replaced by a new key. Any other failure to verify stops the module, so a network error never mints a key.
  - O(path) keeps a token only where the file outlives the run. In a container that is thrown away after the run (an
    AWX or Automation Controller job, a CI job in a fresh container) the file is gone at the next run, so every run
    creates another key, and the API cannot delete keys. There, store the token in a credential or a vault and pass it
    as O(token), with C(check_mode) if a token that no longer verifies should fail the run instead of creating a key
    (see the AWX guide, C(docs/awx.md)).
  - "Under C(no_log: true), ansible-core before 2.19 shows only C(censored) when the task fails; 2.19 and later also
    print the module's message. A new execution environment that lacks C(requests) is the usual cause. To see the
    message, run a task that returns no secret, such as M(castai.ai_optimizer.api_key_info), without C(no_log) first.
    Do not turn C(no_log) off on a task that may create a key: its token would be in the output."
seealso:
  - module: castai.ai_optimizer.hosted_models_info
"""

EXAMPLES = r"""
- name: Create a key once, keeping its token in a file readable only by the owner
  castai.ai_optimizer.api_key:
    api_token: "{{ castai_admin_token }}"
    path: /etc/castai/ai-optimizer.token
  no_log: true
  register: key

- name: Use the token only when this run created it
  ansible.builtin.debug:
    msg: "A new key was created for organization {{ key.organization_id }}"
  when: key.created

- name: Keep the token in a vault-managed variable instead of a file
  castai.ai_optimizer.api_key:
    token: "{{ vault_ai_optimizer_token | default(omit) }}"
  no_log: true
  register: key

- name: Mint a fresh key on purpose and replace the stored token
  castai.ai_optimizer.api_key:
    path: /etc/castai/ai-optimizer.token
    rotate: true
  no_log: true

- name: Forget the key locally (it still exists at CAST AI until revoked in the console)
  castai.ai_optimizer.api_key:
    path: /etc/castai/ai-optimizer.token
    state: absent

- name: Set the connection once for every module of the collection
  module_defaults:
    group/castai.ai_optimizer.all:
      api_url: https://api.cast.ai
      api_token: "{{ castai_admin_token }}"
  block:
    - name: Create a key
      castai.ai_optimizer.api_key:
        path: /etc/castai/ai-optimizer.token
      no_log: true
"""

RETURN = r"""
organization_id:
  description:
    - The organization the key belongs to.
    - With O(state=absent) the module makes no API call, so this is O(organization_id) as given (null when unset).
  returned: always
  type: str
  sample: 11111111-1111-4111-8111-111111111111
created:
  description: Whether this run created a new key (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
token:
  description:
    - The new key's token. It is returned only by the task that created the key, and never in check mode.
    - The API never shows it again. Keep it (O(path) does that for you).
  returned: when a key was created
  type: str
  sample: castai-ai-optimizer-token-value
api_key:
  description:
    - What the task holds after it ran. V(null) when it holds no key (O(state=absent), or no token and no file).
    - Never contains a token.
  returned: always
  type: dict
  sample:
    key: created by this task (token hidden)
    token_file: present, mode 0600
  contains:
    key:
      description: V(held token verifies) when the token you hold still works, V(created by this task (token hidden))
        when the task created a key.
      type: str
      sample: held token verifies
    token_file:
      description: The state of O(path) (V(present, mode 0600), V(absent)), or V(not managed) without O(path).
      type: str
      sample: present, mode 0600
changed_fields:
  description:
    - V(token) when a key was created, V(token_file) when only the token file was written.
    - Empty when nothing changed, and with O(state=absent).
  returned: always
  type: list
  elements: str
  sample: [token]
api_calls:
  description:
    - How many HTTP requests the task sent to the API, retries included. Useful to see what a task costs.
  returned: always
  type: int
  sample: 2
"""

import os
import stat
import tempfile

from ..module_utils._client import APIError
from ..module_utils._generated.api_keys import APIKey
from ..module_utils._generated.operations import API_KEYS_API_CREATE_API_KEY
from ..module_utils._module import CastAIModule
from ..module_utils._resource import Resource, run

REJECTED_STATUSES = (401, 403)
TOKEN_FILE_MODE = 0o600
KEPT = "present, mode 0600"
UNMANAGED = "not managed"
HELD = "held token verifies"
NEW = "created by this task (token hidden)"


def read_token_file(path):
    """The token stored at path, or None when the file does not exist."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or None
    except FileNotFoundError:
        return None


def write_token_file(path, token):
    """Write atomically: a reader sees the old token or the new one, never a partial file."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".castai-token-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, TOKEN_FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def file_state(path):
    if not path:
        return UNMANAGED
    if not os.path.exists(path):
        return "absent"
    return "present, mode %04o" % stat.S_IMODE(os.stat(path).st_mode)


class HeldKey(Resource):
    """The key a task holds: a token (option or file) that verifies. Keys cannot be listed, read or deleted."""

    noun = "API key"
    result_key = "api_key"
    managed = ("key", "token_file")

    def __init__(self, module):
        super().__init__(module)
        self.path = self.params["path"]
        self.token = None
        self.held = None
        self.would_create = False

    def read(self):
        if self.params["state"] == "absent":
            return (
                {"key": None, "token_file": file_state(self.path)} if self.path and os.path.exists(self.path) else None
            )
        self.held = self.params["token"] or self.read_file()
        # A token read from a file is not an option, so Ansible would not hide it by itself.
        self.module.hide(self.held)
        if self.held and self.verifies(self.held):
            return {"key": HELD, "token_file": file_state(self.path)}
        return None

    def read_file(self):
        if not self.path:
            return None
        try:
            return read_token_file(self.path)
        except (OSError, UnicodeDecodeError) as exc:
            self.module.fail_json(msg="path: cannot read %s: %s" % (self.path, exc))

    def verifies(self, token):
        """Whether token verifies for the organization; a rejected token is False, any other failure stops the task."""
        try:
            owner = self.module.client_for(token).verify()
        except APIError as exc:
            if exc.status in REJECTED_STATUSES:
                return False
            self.module.fail_api("verify the held token", exc)
        if owner != self.module.organization_id:
            self.module.warn(
                "The held token belongs to another organization; a key is created for %s." % self.module.organization_id
            )
            return False
        return True

    def desired(self):
        return {"key": None, "token_file": KEPT if self.path else UNMANAGED}

    def created_fields(self, desired):
        # Writing the new token to path is part of keeping it, not a change of its own.
        return ["token"]

    def changes(self, desired, current):
        if self.params["rotate"]:
            return self.created_fields(desired)
        rewrite = self.path and (current["token_file"] != KEPT or read_token_file(self.path) != self.held)
        return ["token_file"] if rewrite else []

    def predict(self, desired, current):
        self.would_create = current is None or self.params["rotate"]
        return dict(desired, key=NEW if self.would_create else HELD)

    def create(self, desired):
        action = "create an API key"
        answer = self.module.write(
            action,
            "created an API key",
            API_KEYS_API_CREATE_API_KEY,
            {"organizationId": self.module.organization_id},
            body={},
        )
        self.token = self.module.parse(APIKey, answer, action, needs=("token",))["token"]
        if not isinstance(answer["token"], str):
            # The model would turn a number into text; a token of another type is no token.
            self.module.fail_json(msg="%s: the API answered a token that is not a string" % action)
        self.keep(self.token)
        return dict(desired, key=NEW)

    def update(self, desired, current, changes):
        if "token" in changes:
            return self.create(desired)
        self.keep(self.held)
        return dict(desired, key=HELD)

    def keep(self, token):
        if not self.path:
            return
        try:
            write_token_file(self.path, token)
        except OSError as exc:
            # A key minted now would be an orphan nobody can use if its token were lost with the file.
            self.module.fail_json(
                msg="path: cannot write %s: %s%s"
                % (
                    self.path,
                    exc,
                    ". The new token is in this result; store it now, the API will not show it again"
                    if self.token
                    else "",
                ),
                **self.result(),
            )
        self.module.record("wrote the token file %s" % self.path)

    def delete(self, current):
        try:
            os.unlink(self.path)
        except OSError as exc:
            self.module.fail_json(msg="path: cannot remove %s: %s" % (self.path, exc))
        self.module.record("removed the token file %s" % self.path)

    def result(self):
        absent = self.params["state"] == "absent"
        # With state=absent no API call is made, so the organization is only known when given.
        result = {
            "organization_id": self.params["organization_id"] if absent else self.module.organization_id,
            "created": self.token is not None or self.would_create,
        }
        if self.token:
            result["token"] = self.token
        return result


def main():
    module = CastAIModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            token=dict(type="str", no_log=True),
            path=dict(type="path"),
            rotate=dict(type="bool", default=False),
        ),
    )
    params = module.params
    if params["path"]:
        directory = os.path.dirname(os.path.abspath(params["path"]))
        if not os.path.isdir(directory):
            module.fail_json(msg="path: directory %s does not exist" % directory)
        if os.path.isdir(params["path"]):
            module.fail_json(msg="path: %s is a directory; give a file name" % params["path"])
    gone = "The API cannot delete API keys: the key still exists at CAST AI. Revoke it in the CAST AI console."
    if params["state"] == "absent":
        module.warn(("Removes the local token file only. " if params["path"] else "") + gone)
    elif not (params["token"] or params["path"] or params["rotate"]):
        module.warn(
            "Neither token nor path is set, so every run creates a new key. Keep the token to make this task "
            "idempotent."
        )
    run(HeldKey(module))


if __name__ == "__main__":
    main()
