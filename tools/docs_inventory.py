#!/usr/bin/env python
"""Writes a Sphinx object inventory (objects.inv format 2) of the Ansible documentation labels the docsite links to.

The docsite is built offline, so intersphinx cannot download docs.ansible.com's inventory; this small local one makes
those references resolve to their pages there. Only labels outside this collection belong here: a reference to one of
our own pages that does not resolve must stay a warning (a failure of `make docs`).

Usage: tools/docs_inventory.py OUTPUT
"""

import sys
import zlib

# label -> (page under https://docs.ansible.com/projects/ansible/devel/, title)
LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    "ansible_configuration_settings": (
        "reference_appendices/config.html#ansible-configuration-settings",
        "Ansible Configuration Settings",
    ),
    "module_defaults": ("playbook_guide/playbooks_module_defaults.html#module-defaults", "Module defaults"),
    "vault": ("vault_guide/index.html#vault", "Protecting sensitive data with Ansible vault"),
    "check_mode_dry": (
        "playbook_guide/playbooks_checkmode.html#check-mode-dry",
        "Validating tasks: check mode and diff mode",
    ),
    "playbooks_environment": (
        "playbook_guide/playbooks_environment.html#playbooks-environment",
        "Setting the remote environment",
    ),
}


def inventory():
    head = (
        b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
        b"# The remainder of this file is compressed using zlib.\n"
    )
    lines = "".join("%s std:label -1 %s %s\n" % (name, uri, title) for name, (uri, title) in sorted(LABELS.items()))
    return head + zlib.compress(lines.encode())


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as handle:
        handle.write(inventory())
