"""Evaluation: the case ledger, the KPI definitions and the monthly rollups behind them.

Importing the package registers the rollups' organisation-move hook, so figures stay right
whenever a unit moves, whichever entry point (web, CLI, tests) performed the move.
"""
from . import rollups as _rollups  # noqa: F401
