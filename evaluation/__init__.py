"""Evaluation: the case ledger, KPIs, rollups, warnings and awards (later issues)."""
