"""People of the network: mediators, their station assignments, and portal accounts.

Importing the package registers org's import kind (mediators) with network.imports.
"""
from . import imports as _imports  # noqa: F401
