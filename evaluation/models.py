"""The case ledger and the monthly and daily rollups of its figures.

A case is counted in the month of its 受理日期 (received) and, once concluded, in the month of its
结案日期 (closed). `Rollup` holds, for every organisation and month, the numerators and
denominators of the KPIs over that organisation's whole subtree — each case is counted at its
station and at every ancestor — so the figures of any unit for whole months are a handful of
rows. Ratios are never stored: they are derived in evaluation.kpis.
"""
from __future__ import annotations

import peewee as pw

from network import audit
from network.dates import local_now
from network.db import N_, BaseModel
from network.models import Organization, now
from org.models import Mediator

SUCCESS, FAILURE, WITHDRAWN, OPEN = "success", "failure", "withdrawn", "open"
RESULTS = {SUCCESS: N_("调解成功"), FAILURE: N_("调解不成功"), WITHDRAWN: N_("撤回"),
           OPEN: N_("调解中")}
CONCLUDED = (SUCCESS, FAILURE, WITHDRAWN)

ONLINE, OFFLINE = "online", "offline"
METHODS = {ONLINE: N_("线上"), OFFLINE: N_("线下")}

FULFILLED, PARTIAL, UNFULFILLED = "done", "partial", "none"
FULFILMENTS = {FULFILLED: N_("已履行"), PARTIAL: N_("部分履行"), UNFULFILLED: N_("未履行")}

DISPUTE_TYPES = [N_("个人贷款"), N_("小微企业贷款"), N_("信用卡"), N_("保险理赔"),
                 N_("道路交通保险"), N_("理财产品"), N_("其他")]
SOURCES = [N_("法院委派"), N_("金融机构申请"), N_("当事人申请"), N_("投诉转办"), N_("其他")]

AWARD_TYPES = [N_("年度优秀调解员"), N_("季度优秀调解员"), N_("先进调解组织"), N_("金牌调解员"),
               N_("其他")]
CITY, COUNTY = "city", "county"
AWARD_LEVELS = {CITY: N_("市级"), COUNTY: N_("县级")}


class MoneyField(pw.DecimalField):
    """Yuan, 2 decimals, read back as a 2-place Decimal on both backends (SQLite hands back
    9000 for 9000.00)."""

    def python_value(self, value):
        value = super().python_value(value)
        return value.quantize(self._exp) if value is not None else None


def money(**kwargs) -> MoneyField:
    return MoneyField(max_digits=14, decimal_places=2, **kwargs)


class Case(BaseModel):
    case_no = pw.CharField(max_length=40, unique=True, verbose_name=N_("案件编号"))
    # no index of its own: (station, received) below serves every query by station
    station = pw.ForeignKeyField(Organization, backref="cases", on_delete="RESTRICT",
                                 index=False, verbose_name=N_("机构"))
    mediator = pw.ForeignKeyField(Mediator, backref="cases", on_delete="RESTRICT",
                                  verbose_name=N_("调解员"))
    received = pw.DateField(verbose_name=N_("受理日期"))
    closed = pw.DateField(null=True, verbose_name=N_("结案日期"))
    dispute_type = pw.CharField(max_length=20, verbose_name=N_("纠纷类型"))
    amount_involved = money(default=0, verbose_name=N_("标的金额"))
    agreed_amount = money(null=True, verbose_name=N_("协议金额"))
    result = pw.CharField(max_length=10, default=OPEN, choices=list(RESULTS.items()),
                          verbose_name=N_("调解结果"))
    method = pw.CharField(max_length=10, default=OFFLINE, choices=list(METHODS.items()),
                          verbose_name=N_("调解方式"))
    source = pw.CharField(max_length=20, null=True, verbose_name=N_("案件来源"))
    judicial_confirmed = pw.BooleanField(default=False, verbose_name=N_("司法确认"))
    fulfilment = pw.CharField(max_length=10, null=True, choices=list(FULFILMENTS.items()),
                              verbose_name=N_("履行情况"))
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        table_name = "mediation_case"  # CASE is an SQL keyword: keep raw SQL simple
        indexes = (
            # type and source ride along so the dashboard's breakdowns read the index alone
            (("station", "received", "dispute_type", "source"), False),
            # result rides along: the low-success rule's edge days read the index alone
            (("station", "closed", "result"), False),
            # the case list's default order and its keyset pages (migration 017)
            (("received", "id"), False),
        )

    def __str__(self) -> str:
        return self.case_no


# Figures a rollup row holds, in the order of its columns. Amounts are integer cents: sums of
# integers are exact on both backends (SQLite would add DECIMAL columns as floating point).
COUNTS = ("received", "closed", "succeeded", "failed", "withdrawn", "online",
          "judicial_confirmed", "fulfilled", "fulfilment_recorded", "days_sum",
          "amount_involved_cents", "agreed_amount_cents")


class Sums(BaseModel):
    """The columns of `COUNTS`, shared by the monthly and the daily rollups (a base class, not
    a table of its own)."""

    received = pw.IntegerField(default=0)
    closed = pw.IntegerField(default=0)
    succeeded = pw.IntegerField(default=0)
    failed = pw.IntegerField(default=0)
    withdrawn = pw.IntegerField(default=0)
    online = pw.IntegerField(default=0)
    judicial_confirmed = pw.IntegerField(default=0)
    fulfilled = pw.IntegerField(default=0)
    fulfilment_recorded = pw.IntegerField(default=0)
    days_sum = pw.BigIntegerField(default=0)
    amount_involved_cents = pw.BigIntegerField(default=0)
    agreed_amount_cents = pw.BigIntegerField(default=0)


class Rollup(Sums):
    """Figures of one organisation's whole subtree in one calendar month (`month` = day 1).

    received counts by 受理日期; every other figure counts concluded cases by 结案日期.
    Derived data: `evaluation.rollups.rebuild()` recomputes it from the cases.
    """

    organization = pw.ForeignKeyField(Organization, backref="rollups", on_delete="CASCADE",
                                      index=False)  # (organization, month) serves it
    month = pw.DateField()

    class Meta:
        indexes = ((("organization", "month"), True),)


class DayRollup(Sums):
    """Figures of the cases registered strictly below one organisation (its descendants, not
    the unit itself) on one day, counted as in `Rollup`.

    The edge days of a range then cost a unit a few rows, not a read of every case its subtree
    received in those days (a province: tens of thousands). Its own cases are left out so that
    rooms, the leaves that hold most cases, write no daily rows at all: a year of a province is
    ~60,000 rows (167 units above the rooms × 365 days). A unit's figures for some days are its
    day rows plus its own cases, read through the (station, date) indexes.
    """

    organization = pw.ForeignKeyField(Organization, backref="day_rollups",
                                      on_delete="CASCADE", index=False)
    day = pw.DateField()

    class Meta:
        table_name = "day_rollup"
        indexes = ((("organization", "day"), True),)


class MediatorRollup(Sums):
    """Figures of the cases one mediator handled at one unit (its own cases, not its subtree's)
    in one calendar year, counted as in `Rollup` (received by 受理日期, the rest by 结案日期).

    The nominations (评优推荐, above all the yearly awards) rank every mediator or unit of a
    scope over a period by these figures; grouping a province's cases for it read 3.3M cases
    a year at 10M (5.4 s, a city 1.3–3.1 s). A scope's year is its units' rows: at most one
    per mediator and unit. By year, not by month: per month the rows were nearly as many as
    the cases at the densities the networks publish (1M cases: 0.85M rows) and their rebuild
    took twice the time of a yearly pass. Other periods take the whole years inside them from
    here and the rest from the cases (`kpis.own_figures`).
    Derived data: `evaluation.rollups.rebuild()` recomputes it from the cases.
    """

    # Plain ids, no foreign keys: a row exists only while a case of that unit and mediator
    # does (the deltas drop rows left at zero), and the cases' own keys already refuse to
    # delete either; checking two keys per row cost the rebuild ~6 s a million rows.
    station = pw.IntegerField(column_name="station_id")
    mediator = pw.IntegerField(column_name="mediator_id")
    year = pw.IntegerField()

    class Meta:
        table_name = "mediator_rollup"
        # by mediator: the figures of a ranking's page (migration 028)
        indexes = ((("station", "year", "mediator"), True), (("mediator", "year"), False))


class MixRollup(BaseModel):
    """Cases received below one organisation (its descendants, not the unit itself) in one
    month, per 纠纷类型 and 案件来源 ('' when none): the dashboard's and the report's splits of
    received cases read these rows instead of grouping the subtree's cases.

    Like `DayRollup`, a unit's own cases are left out, so rooms write no rows: a province
    year is at most 167 units × 12 months × 7 types × 6 sources. A unit's split is its rows
    plus its own cases (one station, through the (station, received, type, source) index).
    Derived data: `evaluation.rollups.rebuild()` recomputes it from the cases.
    """

    organization = pw.ForeignKeyField(Organization, backref="mix_rollups", on_delete="CASCADE",
                                      index=False)
    month = pw.DateField()
    dispute_type = pw.CharField(max_length=20)
    source = pw.CharField(max_length=20, default="")
    received = pw.IntegerField(default=0)

    class Meta:
        table_name = "mix_rollup"
        indexes = ((("organization", "month", "dispute_type", "source"), True),)


class OpenRollup(BaseModel):
    """Cases still 调解中 per organisation and 受理 month: `subtree` counts the unit's whole
    subtree (like `Rollup`), `own` the unit's own cases only.

    The early warnings' "open too long" figures of a province (1.5M open cases at 10M) are
    these rows for the months before the cut-off plus the cases of the cut-off's month
    (evaluation.overdue): a scope's count reads its one unit's rows, the per-station list the
    `own` rows. Derived data: `evaluation.rollups.rebuild()` recomputes it from the cases.
    """

    organization = pw.ForeignKeyField(Organization, backref="open_rollups",
                                      on_delete="CASCADE", index=False)
    month = pw.DateField()
    subtree = pw.IntegerField(default=0)
    own = pw.IntegerField(default=0)

    class Meta:
        table_name = "open_rollup"
        indexes = ((("organization", "month"), True),)


class Award(BaseModel):
    award_type = pw.CharField(max_length=20, verbose_name=N_("奖项"))
    level = pw.CharField(max_length=10, choices=list(AWARD_LEVELS.items()),
                         verbose_name=N_("授予级别"))
    mediator = pw.ForeignKeyField(Mediator, null=True, backref="awards", on_delete="RESTRICT",
                                  verbose_name=N_("获奖调解员"))
    station = pw.ForeignKeyField(Organization, null=True, backref="awards",
                                 on_delete="RESTRICT", verbose_name=N_("获奖机构"))
    period = pw.CharField(max_length=20, verbose_name=N_("评选期间"))
    doc_no = pw.CharField(max_length=60, default="", verbose_name=N_("文号"))
    awarded_on = pw.DateField(verbose_name=N_("表彰日期"))
    note = pw.TextField(default="", verbose_name=N_("备注"))
    created_at = pw.DateTimeField(default=now)
    updated_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("awarded_on",), False),)
        # The database refuses a row with no recipient or with both, whatever writes it.
        constraints = [pw.Check("(mediator_id IS NULL) <> (station_id IS NULL)")]

    def __str__(self) -> str:
        return f"{self.award_type} {self.period} {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.mediator_id is not None:
            return str(self.mediator)
        return self.station.name if self.station_id is not None else ""

    def recipient_org(self) -> Organization | None:
        """The organisation whose jurisdiction the award falls in."""
        if self.mediator_id is not None:
            return Organization.get_by_id(Mediator.get_by_id(self.mediator_id).station_id)
        return Organization.get_or_none(Organization.id == self.station_id)


class WarningAck(BaseModel):
    """Someone responsible has seen a warning and said what is being done about it."""

    key = pw.CharField(max_length=120, unique=True)
    acknowledged_by = pw.CharField(max_length=80)
    comment = pw.TextField()
    at = pw.DateTimeField(default=local_now)

    class Meta:
        table_name = "warning_ack"


audit.register(
    tables={"case": N_("案件"), "award": N_("表彰"), "warning": N_("预警")},
    actions={"acknowledge": N_("确认预警")},
)
