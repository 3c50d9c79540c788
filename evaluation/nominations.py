"""Ranking candidates for an award by a weighted score of their KPIs (评优推荐).

Components and how each is normalised within the candidate set (min–max to 0..1, so that the
best candidate of a component gets 1 and the weakest 0):

- success_rate, closed, agreed_amount, fulfilment_rate: higher is better,
  ``(value − min) / (max − min)``;
- speed: from ``avg_days``, lower is better, ``(max − value) / (max − min)``, taken only over
  the candidates that closed at least one case (a candidate with no closed case has no mean
  and gets 0 for speed).

When every candidate has the same value of a component (including a single candidate) the
component does not separate them and counts 0 for all. The contribution of a component is
its weight (setting ``award.weight_<component>``) × its normalised value; the score is the
sum of the contributions. Ties are broken by more closed cases, then by code/工号.

A candidate with fewer closed cases than the setting ``award.min_closed`` is not ranked: a rate
over 4 cases says little, and 4 at 100 % must not outrank 60 at 85 %. Such candidates take no
part in the normalisation either (their extremes would squeeze everyone else's), and follow the
ranked ones, most closed cases first, with no score.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import peewee as pw

from network.db import N_, db
from network.models import Organization
from network.settings import get_settings
from org.models import Mediator

from .kpis import Figures, derive, ids_in, own_figures

COMPONENTS = {
    "success_rate": N_("调解成功率"),
    "closed": N_("结案数"),
    "agreed_amount": N_("协议金额"),
    "speed": N_("办理速度（平均天数）"),
    "fulfilment_rate": N_("履行率"),
}
MEDIATORS, STATIONS = "mediators", "stations"
TARGETS = {MEDIATORS: N_("调解员"), STATIONS: N_("机构")}


@dataclass
class Candidate:
    subject_id: int
    code: str  # 工号 or 编码: the last tie-break
    figures: Figures
    # filled by `rank` (three empty dicts made per candidate were a tenth of a province's page)
    values: dict | None = None  # component → raw value (speed: avg_days)
    normalised: dict | None = None
    contributions: dict | None = None
    score: float = 0.0
    eligible: bool = True  # enough closed cases to be ranked (award.min_closed)
    subject: Mediator | Organization | None = None  # read by `with_subjects`

    @functools.cached_property
    def kpis(self) -> dict:
        """The published KPIs, derived when a table shows them (a ranking of 30,000 shows 50;
        `_raw` ranks on the same values without them)."""
        return derive(self.figures)


WEIGHT_KEYS = [f"award.weight_{c}" for c in COMPONENTS]


def weights() -> dict[str, float]:
    """{component: weight} as the administrator set them."""
    values = get_settings(WEIGHT_KEYS)
    return {c: float(values[f"award.weight_{c}"]) for c in COMPONENTS}


def _half_up(numerator: int, denominator: int, scale: int) -> float:
    """numerator / denominator rounded half-up to 1/scale, as a float: the float of what
    `kpis.derive` publishes (its Decimals are these quotients; Python's int division is
    correctly rounded, as is float(Decimal)), without building Decimals for every
    candidate. Both operands are counts or sums of days, never negative."""
    if not denominator:
        return 0.0
    return (2 * numerator * scale + denominator) // (2 * denominator) / scale


def _raw(fig: Figures) -> dict:
    closed = fig["closed"]
    return {"success_rate": _half_up(fig["succeeded"], closed, 10_000),
            "closed": float(closed),
            "agreed_amount": fig["agreed_amount_cents"] / 100,
            "speed": _half_up(fig["days_sum"], closed, 10) if closed else None,
            "fulfilment_rate": _half_up(fig["fulfilled"], fig["fulfilment_recorded"], 10_000)}


def _normalise(values: list[float | None], lower_is_better: bool) -> list[float]:
    known = [v for v in values if v is not None]
    if not known or max(known) == min(known):
        return [0.0] * len(values)
    low, high = min(known), max(known)
    out = []
    for v in values:
        if v is None:
            out.append(0.0)
        else:
            out.append((high - v if lower_is_better else v - low) / (high - low))
    return out


def rank(candidates: list[Candidate], weight: dict[str, float] | None = None,
         minimum: int | None = None) -> list[Candidate]:
    """Fill in each candidate's components and score; best first, then those below the
    minimum caseload (see the module docstring)."""
    if weight is None or minimum is None:  # one read of the settings for both
        values = get_settings(WEIGHT_KEYS + ["award.min_closed"])
        if weight is None:
            weight = {c: float(values[f"award.weight_{c}"]) for c in COMPONENTS}
        if minimum is None:
            minimum = int(values["award.min_closed"])
    below = [c for c in candidates if c.figures["closed"] < minimum]
    candidates = [c for c in candidates if c.figures["closed"] >= minimum]
    zeros = dict.fromkeys(COMPONENTS, 0.0)
    for c in below:
        c.eligible, c.values = False, _raw(c.figures)
        c.normalised, c.contributions = dict(zeros), dict(zeros)
    for c in candidates:
        c.values = _raw(c.figures)
        c.normalised, c.contributions = {}, {}
    for component in COMPONENTS:
        column = _normalise([c.values[component] for c in candidates], component == "speed")
        w = weight[component]
        for c, norm in zip(candidates, column, strict=True):
            c.normalised[component] = norm
            c.contributions[component] = w * norm
    for c in candidates:
        c.score = sum(c.contributions.values())
    return (sorted(candidates,
                   key=lambda c: (-round(c.score, 9), -c.figures["closed"], c.code))
            + sorted(below, key=lambda c: (-c.figures["closed"], c.code)))


def _subjects(target: str) -> tuple[type[pw.Model], pw.Field, tuple[pw.Field, ...]]:
    """(model, its code field, the columns the ranking's table shows) of a target."""
    if target == MEDIATORS:
        return Mediator, Mediator.staff_no, (Mediator.id, Mediator.staff_no, Mediator.name,
                                             Mediator.station)
    return Organization, Organization.code, (Organization.id, Organization.code,
                                             Organization.name, Organization.parent)


def candidates(scope: Organization, target: str, start: dt.date,
               end: dt.date) -> list[Candidate]:
    """Mediators (or units) with a case received or closed in `scope`'s subtree over the range.

    A unit's figures here are the cases registered at that unit itself, so a county station
    and its rooms compete on their own work. A fixed number of queries whatever the count.
    Only ids and codes are read here: the ranking needs all of a province's 30,000
    mediators, its page shows 50 (`with_subjects`; reading every mediator whole took ~1 s).
    """
    figures = own_figures(scope, start, end, "mediator" if target == MEDIATORS else "station")
    if not figures:
        return []
    model, code, _ = _subjects(target)
    return [Candidate(subject_id, text, figures[subject_id]) for subject_id, text
            in db.execute(model.select(model.id, code).where(ids_in(model.id, list(figures))))]


def with_subjects(ranked: list[Candidate], target: str) -> list[Candidate]:
    """The candidates with their mediator (or unit) read, as much as a table of them shows;
    one query."""
    if ranked:
        model, _, columns = _subjects(target)
        found = {s.id: s for s in model.select(*columns).where(
            ids_in(model.id, [c.subject_id for c in ranked]))}
        for c in ranked:
            c.subject = found[c.subject_id]
    return ranked


def nominate(scope: Organization, target: str, start: dt.date, end: dt.date,
             weight: dict[str, float] | None = None, minimum: int | None = None,
             subjects: bool = True) -> list[Candidate]:
    """The ranked candidates; with `subjects` False their mediators (or units) are left for
    `with_subjects` to read, for the part of the ranking a page shows."""
    ranked = rank(candidates(scope, target, start, end), weight, minimum)
    return with_subjects(ranked, target) if subjects else ranked
