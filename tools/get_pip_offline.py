# -*- coding: utf-8 -*-
"""Stand-in for the get-pip script ansible-test downloads: installs pip from the wheel beside this file.

tools/setup.sh copies it to ~/.ansible/test/cache/get_pip_<version>.py; ansible-test runs it with
the pip install arguments it would give get-pip.
"""

import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    wheels = sorted(glob.glob(os.path.join(HERE, "pip-*.whl")))
    if not wheels:
        sys.exit("get_pip_offline: no pip wheel in %s; run tools/setup.sh" % HERE)
    sys.path.insert(0, wheels[-1])
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    sys.exit(pip_main(["install", "--upgrade", "--force-reinstall", "--find-links", HERE] + args))


if __name__ == "__main__":
    main()
