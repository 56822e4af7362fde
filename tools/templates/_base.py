# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every generated group module builds on: a handle on one schema of the contract."""

from __future__ import annotations


class Schema:
    """One schema of the contract: its name and the field tables of its group.

    ``CastAIModule.parse(schema, answer, action)`` checks an answer against it and turns it into a result. Handles
    cost nothing to create: no class is built and no validation library is imported when a module starts.
    """

    __slots__ = ("__name__", "tables")

    def __init__(self, name, tables):
        self.__name__ = name
        self.tables = tables

    @property
    def fields(self):
        return self.tables[self.__name__]["fields"]

    @property
    def required(self):
        return self.tables[self.__name__]["required"]

    def __repr__(self):
        return "<Schema %s>" % self.__name__
