# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared documentation: the attributes of the modules that only read."""

from __future__ import annotations


class ModuleDocFragment:
    INFO = r"""
attributes:
  check_mode:
    description: The module only reads. It runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: N/A
"""
