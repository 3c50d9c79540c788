"""What the figures signal to a manager: traffic lights by the city's thresholds and the
change against an earlier period, decided here so that every page and export reads them alike.
"""
from __future__ import annotations

from decimal import Decimal

RATES = {"success_rate": "closed", "fulfilment_rate": "fulfilment_recorded"}
AMOUNTS = ("amount_involved", "agreed_amount")
LOWER_IS_BETTER = ("failed", "withdrawn", "avg_days")
HUNDRED = Decimal(100)


def percent(rate: Decimal) -> Decimal:
    """A 4-place fraction as a 2-place percentage (0.6667 → 66.67)."""
    return (rate * HUNDRED).quantize(Decimal("0.01"))


def share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * HUNDRED / whole).quantize(Decimal("0.01")) if whole else Decimal("0.00")


def success_light(kpi: dict, thresholds: dict) -> str:
    """Traffic light of a success rate by the administrator's thresholds ('none': no closed)."""
    if not kpi["closed"]:
        return "none"
    rate = float(kpi["success_rate"])
    if rate >= thresholds["traffic.success_green"]:
        return "green"
    return "yellow" if rate >= thresholds["traffic.success_yellow"] else "red"


def days_light(kpi: dict, thresholds: dict) -> str:
    if not kpi["closed"]:
        return "none"
    days = float(kpi["avg_days"])
    if days <= thresholds["traffic.days_green"]:
        return "green"
    return "yellow" if days <= thresholds["traffic.days_yellow"] else "red"


def change(key: str, now: dict, before: dict, before_raw: dict) -> dict | None:
    """Year-on-year change: percentage points for rates, per cent otherwise; None when the
    earlier figure is zero (or its rate has no denominator)."""
    if key in RATES:
        if not before_raw[RATES[key]]:
            return None
        delta = percent(now[key]) - percent(before[key])
        return {"delta": delta, "unit": "points", "better": delta > 0}
    if not before[key]:
        return None
    delta = ((Decimal(now[key]) - Decimal(before[key])) * HUNDRED
             / Decimal(before[key])).quantize(Decimal("0.1"))
    return {"delta": delta, "unit": "percent",
            "better": (delta < 0) if key in LOWER_IS_BETTER else (delta > 0)}
