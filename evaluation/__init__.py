"""Evaluation: the case ledger, the KPI definitions and the monthly rollups behind them.

Importing the package registers what evaluation adds to the lower layers: the rollups'
organisation-move hook (figures stay right whenever a unit moves, whichever entry point moved
it) and evaluation's settings, audit labels and import kinds.
"""
from . import imports as _imports  # noqa: F401
from . import rollups as _rollups  # noqa: F401
from . import settings as _settings  # noqa: F401
