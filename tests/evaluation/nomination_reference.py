"""The ranking of evaluation.nominations as its module docstring states it, in plain Python
over the published KPIs (`kpis.derive`): the oracle the database's ranking is checked against.
"""
from __future__ import annotations

from evaluation.kpis import Figures, derive
from evaluation.nominations import COMPONENTS

KPI_OF = {"success_rate": "success_rate", "closed": "closed", "agreed_amount": "agreed_amount",
          "speed": "avg_days", "fulfilment_rate": "fulfilment_rate"}


def reference_rank(figures: dict[int, Figures], codes: dict[int, str],
                   weight: dict[str, float], minimum: int) -> list[dict]:
    """[{id, eligible, normalised, contributions, score}] best first."""
    rows = []
    for key, fig in figures.items():
        kpis = derive(fig)
        values = {c: float(kpis[KPI_OF[c]]) for c in COMPONENTS}
        if not fig["closed"]:
            values["speed"] = None  # no mean without a closed case
        rows.append({"id": key, "code": codes[key], "closed": fig["closed"],
                     "eligible": fig["closed"] >= minimum, "values": values,
                     "normalised": {}, "contributions": {}})
    ranked = [r for r in rows if r["eligible"]]
    for c in COMPONENTS:
        known = [r["values"][c] for r in ranked if r["values"][c] is not None]
        low, high = (min(known), max(known)) if known else (0.0, 0.0)
        for r in rows:
            v, norm = r["values"][c], 0.0
            if r["eligible"] and v is not None and high > low:
                norm = (high - v if c == "speed" else v - low) / (high - low)
            r["normalised"][c] = norm
            r["contributions"][c] = weight[c] * norm
    for r in rows:
        score = 0.0
        for c in COMPONENTS:  # in order, as the docstring says (no compensated sum)
            score = score + r["contributions"][c]
        r["score"] = score
    below = [r for r in rows if not r["eligible"]]
    return (sorted(ranked, key=lambda r: (-int(r["score"] * 1e9 + 0.5), -r["closed"],
                                          r["code"]))
            + sorted(below, key=lambda r: (-r["closed"], r["code"])))
