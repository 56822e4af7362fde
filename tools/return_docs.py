#!/usr/bin/env python
"""Lists the RETURN values of type dict or list that lack `contains:` (for dicts and lists of dicts, at any depth)
or a `sample` (top-level ones), per module. Exit code 1 when any is missing.

Usage: .venv/bin/python tools/return_docs.py [MODULE ...]
"""

import os
import sys

import yaml
from run_examples import doc_string, module_names

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def gaps(values, prefix="", top=True):
    found = []
    for key, spec in (values or {}).items():
        if not isinstance(spec, dict):
            continue
        kind, elements, path = spec.get("type"), spec.get("elements"), prefix + key
        structured = kind == "dict" or (kind == "list" and elements in ("dict", None))
        if structured and "contains" not in spec:
            found.append("%s (%s%s): no contains" % (path, kind, " of %s" % elements if elements else ""))
        if top and kind in ("dict", "list") and "sample" not in spec:
            found.append("%s (%s): no sample" % (path, kind))
        found += gaps(spec.get("contains"), path + ".", top=False)
    return found


def main():
    missing = 0
    for module in sys.argv[1:] or module_names(ROOT):
        listed = gaps(yaml.safe_load(doc_string(ROOT, module, "RETURN") or "") or {})
        missing += len(listed)
        for line in listed:
            print("%s: %s" % (module, line))
    print("%d RETURN value(s) without contains/sample" % missing)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
