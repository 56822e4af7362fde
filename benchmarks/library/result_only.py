# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""For the benchmark only (tools/benchmark.py): return a saved module result and do nothing else.

It measures what Ansible itself spends on a result, the floor under any module returning it: the
module process's start, ``exit_json`` (which copies the result to mask no_log values and serialises
it) and the controller's handling of what the module printed. The file holds the result without its
list on the first line, then one item of the list per line; items are parsed a thousand at a time
(as a module reads API pages), so the file's text is never held whole. With ``rss_file``, the
process's peak RSS (KiB) just before ``exit_json`` is appended to that file, so what ``exit_json``
adds is known apart from what holding the result costs.
"""

import json
import resource

from ansible.module_utils.basic import AnsibleModule

CHUNK = 1000


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            key=dict(type="str", required=True),
            rss_file=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    items = []
    with open(module.params["path"], encoding="utf-8") as handle:
        result = json.loads(handle.readline())
        lines = []
        for line in handle:
            lines.append(line)
            if len(lines) == CHUNK:
                items.extend(json.loads("[%s]" % ",".join(lines)))
                lines = []
        if lines:
            items.extend(json.loads("[%s]" % ",".join(lines)))
    result[module.params["key"]] = items
    if module.params["rss_file"]:
        with open(module.params["rss_file"], "a", encoding="utf-8") as handle:
            handle.write("%d\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
