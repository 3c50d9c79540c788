"""How an organisation's cases split by dispute type, source and method over a date range.

Each breakdown counts what its KPI counterpart counts, so the parts add up to a dashboard card:
- `by_dispute_type` and `by_source` split the *received* cases (受理日期 in range), summing to
  the KPI `received`. Both come from the mix rollups (evaluation.mix): whole months from
  its rows, the edge days from the subtree's cases; `received_mix_direct` groups the cases of
  the subtree, the cross-check;
- `by_method` splits the *concluded* cases (结案日期 in range, result not 调解中), summing to
  the KPI `closed`; its 线上 part is the KPI `online`, so it is derived from the KPI figures
  (rollups) instead of being counted again.
"""
from __future__ import annotations

import datetime as dt

from network.models import Organization

from .kpis import Figures, figures, in_org
from .mix import UNFILLED, own_counts, received_mix_counts
from .models import OFFLINE, ONLINE, Case

__all__ = ["UNFILLED", "received_mix", "received_mix_direct", "by_dispute_type", "by_source",
           "by_method", "methods_of"]


def _split(counts: dict[tuple[str, str], int]) -> tuple[dict[str, int], dict[str, int]]:
    types: dict[str, int] = {}
    sources: dict[str, int] = {}
    for (dispute_type, source), count in counts.items():
        types[dispute_type] = types.get(dispute_type, 0) + count
        sources[source] = sources.get(source, 0) + count
    return _largest_first(types), _largest_first(sources)


def received_mix(org: Organization, start: dt.date,
                 end: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """Received cases per 纠纷类型 and per 案件来源 (UNFILLED for none), each largest first."""
    if start > end:
        raise ValueError("start after end")
    return _split(received_mix_counts(org, start, end))


def received_mix_direct(org: Organization, start: dt.date,
                        end: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """received_mix grouped straight from the subtree's cases (the cross-check)."""
    if start > end:
        raise ValueError("start after end")
    return _split(own_counts(in_org(org) & Case.received.between(start, end)))


def _largest_first(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def by_dispute_type(org: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """Received cases (受理日期 in [start, end]) per 纠纷类型, largest first."""
    return received_mix(org, start, end)[0]


def by_source(org: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """Received cases (受理日期 in [start, end]) per 案件来源; UNFILLED for no source recorded."""
    return received_mix(org, start, end)[1]


def methods_of(fig: Figures) -> dict[str, int]:
    """Concluded cases per 调解方式 key (online/offline, both present) from KPI figures."""
    return {ONLINE: fig["online"], OFFLINE: fig["closed"] - fig["online"]}


def by_method(org: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """Concluded cases (结案日期 in [start, end]) per 调解方式 key, both present."""
    return methods_of(figures(org, start, end))
