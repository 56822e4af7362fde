# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base class of the generated models. pydantic is optional at import time."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import traceback

__all__ = ('APIModel', 'ConfigDict', 'Field', 'HAS_PYDANTIC', 'PYDANTIC_IMPORT_ERROR')

try:
    from pydantic import BaseModel, ConfigDict, Field
except ImportError:
    HAS_PYDANTIC = False
    PYDANTIC_IMPORT_ERROR = traceback.format_exc()

    class BaseModel:
        """Stand-in so the model classes still define; modules then report missing_required_lib('pydantic')."""

    def ConfigDict(**kwargs):
        return kwargs

    def Field(default=None, **kwargs):
        return default
else:
    HAS_PYDANTIC = True
    PYDANTIC_IMPORT_ERROR = None


class APIModel(BaseModel):
    """Base of every generated model: snake_case attributes, camelCase aliases on the wire."""

    # Unknown fields are dropped (the API grows); int64 values arrive as strings, so a number is accepted there too.
    model_config = ConfigDict(populate_by_name=True, extra='ignore', protected_namespaces=(), defer_build=True,
                              coerce_numbers_to_str=True)

    def to_api(self) -> dict:
        """Return the camelCase JSON body for the API; fields that are None are omitted, recursively."""
        return self.model_dump(by_alias=True, exclude_none=True, mode='json')

    def to_result(self) -> dict:
        """Return a snake_case dict with every declared field (None when absent) for module results."""
        return self.model_dump(by_alias=False, mode='json')
