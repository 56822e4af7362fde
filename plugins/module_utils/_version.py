# -*- coding: utf-8 -*-
# Copyright: castai.ai_optimizer contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection version sent in the User-Agent; a unit test keeps it equal to galaxy.yml."""

from __future__ import annotations

COLLECTION_VERSION = "1.0.0"
