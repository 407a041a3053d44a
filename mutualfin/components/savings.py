"""Workforce savings from spinning out: less sickness absence and fewer leavers.

Evidence (DOMAIN.md): a 2013 study of 70 mutuals found absence fell 20% and staff turnover
16% after spin-out; Leading Lives reported absence down 58%. Benchmarks: councils about 8.8
days lost per FTE a year (LGA), public sector 10.6 days per employee (CIPD 2023); council
median turnover 13.4% (LGA 2017/18); cost per leaver £30,614 (Oxford Economics 2014).

Conventions
-----------
* **Sign.** A saving is a positive number that reduces costs. Each component reports it twice:
  as a saving a cabinet paper can quote (``absence_saving``, ``turnover_saving``) and as a cost
  adjustment of the opposite sign (``absence_cost_adjustment``, ``turnover_cost_adjustment``,
  negative when costs fall) for adding to the cost lines. If the "after" figure is above the
  "before" figure the saving is negative (an extra cost).
* **Ramp.** The improvement builds up evenly over ``ramp_years`` from the start of the
  timeline: by the end of each period the share achieved is
  min(elapsed years / ramp_years, 1), so with a 2-year ramp on an annual timeline the first
  year gets half the improvement and later years all of it; 0 means the target from the first
  period. The ramp may not be longer than the timeline.
* **Timing.** Annual rates and amounts are in the timeline's first-year prices, uplifted by the
  inflation input once a financial year (see :mod:`mutualfin.income`), and multiplied by
  ``year_fraction()`` on a monthly timeline.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from mutualfin import params as _params
from mutualfin.components.base import (
    BuildContext,
    Component,
    ComponentInputs,
    Count,
    Fraction,
    FractionSeries,
    Limit,
    Money,
    Ratio,
    Share,
    Years,
    field,
)
from mutualfin.components.income import index_factor
from mutualfin.engine.nodes import Expr, Input, Line, max_, min_, period_index, year_fraction
from mutualfin.engine.timeline import Timeline
from mutualfin.errors import InputError

__all__ = ["DEFAULT_COST_PER_LEAVER", "AbsenceSavings", "TurnoverSavings", "ramp_progress"]

_LEAVER = _params.value("turnover.cost_per_leaver", on="2014-03-03")
#: Cost per leaver, Oxford Economics for Unum (2014): £25,181 lost output + £5,433 logistics;
#: the parameter ``turnover.cost_per_leaver`` with its reference.
DEFAULT_COST_PER_LEAVER: float = float(_LEAVER.value)

#: leavers a year as a share of staff
_Turnover = Annotated[
    Fraction,
    Limit(0, 1, why="give leavers a year as a share of staff from 0 to 1 (0.134 for 13.4%)"),
]


def ramp_progress(ramp_years: Input, timeline: Timeline, where: str) -> Expr:
    """Share of an improvement achieved by the end of each period: min(elapsed / ramp, 1).

    Elapsed years at the end of period t are (t + 1) x year_fraction; a ramp of 0 (or shorter
    than a period) gives 1 throughout. A ramp longer than the timeline is refused.
    """
    ramp = float(ramp_years.value)
    if ramp > timeline.years + 1e-9:
        raise InputError(
            f"{where}: a ramp of {ramp:g} years is longer than the {timeline.years}-year "
            f"timeline ({timeline.labels[0]} to {timeline.labels[-1]}), so the target would "
            "never be reached inside the case; shorten the ramp or lengthen the timeline"
        )
    elapsed = (period_index() + 1) * year_fraction()
    return min_(elapsed / max_(ramp_years, year_fraction()), 1)


class AbsenceSavings(Component):
    """Savings from fewer days lost to sickness absence.

    Parameters
    ----------
    fte : count
        Full-time equivalent staff. Required.
    days_lost_before : days per FTE a year
        Days lost per FTE a year before spin-out (councils about 8.8, LGA). Required.
    days_lost_after : days per FTE a year
        Target after spin-out, reached at the end of the ramp. Required.
    ramp_years : years, default 0
        Years over which absence moves evenly from before to after (0 = at once).
    annual_pay : GBP a year per FTE
        Average pay per FTE (first-year prices). Required.
    on_cost_rate : ratio, default 0.0
        Employer on-costs (National Insurance, pension, levy) as a share of pay, e.g. 0.32.
    working_days : days a year, default 225
        Working days per FTE a year (260 weekdays less 8 bank holidays and 27 days' leave).
    backfill_share : fraction, default 0.0
        Share of lost days covered by someone else (agency, overtime, bank staff).
    backfill_premium : ratio, default 0.0
        Extra cost of a backfilled day as a share of the day's cost (0.4 = cover costs 40%
        more than the absent employee's day).
    pay_inflation : fraction a year or series, default 0.0
        Annual uplift of pay, and so of the cost of a day.

    Lines (sheet "Savings")
    -----------------------
    ``absence_days_per_fte`` (days/FTE)
        before + (after - before) x ramp progress.
    ``absence_day_cost`` (GBP/day)
        annual_pay x (1 + on_cost_rate) / working_days x (1 + backfill_share x
        backfill_premium) x pay index.
    ``absence_days_avoided`` (days, flow)
        fte x (before - absence_days_per_fte) x year_fraction.
    ``absence_saving`` (GBP, flow, positive = saving)
        absence_days_avoided x absence_day_cost.
    ``absence_cost_adjustment`` (GBP, flow)
        -absence_saving: the change in costs.

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.components.base import BuildContext
    >>> a = AbsenceSavings(fte=100, days_lost_before=10, days_lost_after=8, ramp_years=2,
    ...                    annual_pay=22_500, working_days=225)
    >>> tl = mf.Timeline(2026, years=3)
    >>> mf.Model(tl, a.build(BuildContext(tl, a))).evaluate()["absence_saving"].tolist()
    [10000.0, 20000.0, 20000.0]
    """

    key = "absence"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {"absence_saving": "saving"}
    sheet = "Savings"

    class Inputs(ComponentInputs):
        fte: Count = field("Full-time equivalent staff")
        days_lost_before: Count = field("Days lost per FTE a year before spin-out")
        days_lost_after: Count = field("Days lost per FTE a year after spin-out (target)")
        ramp_years: Years = field("Years to reach the target (0 = at once)", 0.0)
        annual_pay: Money = field("Average pay per FTE a year (GBP)")
        on_cost_rate: Ratio = field("Employer on-costs as a share of pay", 0.0)
        working_days: Annotated[
            Count,
            Limit(
                0,
                366,
                low_open=True,
                why="give working days per FTE a year (about 225 for a full-time employee)",
            ),
        ] = field("Working days per FTE a year", 225.0)
        backfill_share: Share = field("Share of lost days backfilled", 0.0)
        backfill_premium: Ratio = field("Extra cost of a backfilled day, share of its cost", 0.0)
        pay_inflation: FractionSeries = field("Annual pay uplift", 0.0)

    def validate(self) -> None:
        i, k = self.inputs, self.key
        for name in ("days_lost_before", "days_lost_after"):
            v = getattr(i, name)
            if v > i.working_days:
                raise InputError(
                    f"{k}.{name}: {v!r} days lost is more than the {i.working_days:g} working "
                    "days in a year; give days lost per FTE a year"
                )

    def build(self, ctx: BuildContext) -> list[Line]:
        tl, s = ctx.timeline, self.sheet
        progress = ramp_progress(ctx.input("ramp_years"), tl, f"{self.key}.ramp_years")
        before, after = ctx.input("days_lost_before"), ctx.input("days_lost_after")
        days = Line(
            "absence_days_per_fte",
            before + (after - before) * progress,
            unit="days/FTE",
            label="Days lost per FTE a year (ramping to the target)",
            kind="value",
            sheet=s,
        )
        day_cost = Line(
            "absence_day_cost",
            ctx.input("annual_pay")
            * (1 + ctx.input("on_cost_rate"))
            / ctx.input("working_days")
            * (1 + ctx.input("backfill_share") * ctx.input("backfill_premium"))
            * index_factor(ctx.input("pay_inflation"), tl),
            unit="GBP/day",
            label="Cost of a lost day (pay and on-costs per working day, plus backfill premium)",
            kind="value",
            sheet=s,
        )
        avoided = Line(
            "absence_days_avoided",
            ctx.input("fte") * (before - days) * year_fraction(),
            unit="days",
            label="Days lost avoided",
            kind="flow",
            sheet=s,
        )
        saving = Line(
            "absence_saving",
            avoided * day_cost,
            label="Saving from lower sickness absence (positive = lower costs)",
            sheet=s,
        )
        adjustment = Line(
            "absence_cost_adjustment",
            -saving,
            label="Change in costs from lower absence (negative = saving)",
            sheet=s,
        )
        return [days, day_cost, avoided, saving, adjustment]


class TurnoverSavings(Component):
    """Savings from fewer leavers.

    Parameters
    ----------
    fte : count
        Full-time equivalent staff. Required.
    turnover_before : fraction a year
        Leavers a year as a share of staff before spin-out (council median 13.4%, LGA
        2017/18). Required.
    turnover_after : fraction a year
        Target after spin-out, reached at the end of the ramp. Required.
    ramp_years : years, default 0
        Years over which turnover moves evenly from before to after (0 = at once).
    cost_per_leaver : GBP, default 30,614
        Cost of replacing a leaver: lost output while the replacement gets up to speed plus
        recruitment and temporary cover. Default: Oxford Economics for Unum, "The Cost of Brain
        Drain" (2014): £25,181 lost output + £5,433 logistics, from the parameter
        ``turnover.cost_per_leaver`` (2014 prices, private-sector professional roles: replace
        it with the service's own figure where known).
    cost_inflation : fraction a year or series, default 0.0
        Annual uplift of the cost per leaver.

    Lines (sheet "Savings")
    -----------------------
    ``turnover_rate`` (fraction)
        before + (after - before) x ramp progress.
    ``leavers_expected`` (count, flow)
        fte x turnover_rate x year_fraction.
    ``leavers_avoided`` (count, flow)
        fte x (before - turnover_rate) x year_fraction.
    ``turnover_saving`` (GBP, flow, positive = saving)
        leavers_avoided x cost_per_leaver x cost index.
    ``turnover_cost_adjustment`` (GBP, flow)
        -turnover_saving.

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.components.base import BuildContext
    >>> t = TurnoverSavings(fte=100, turnover_before=0.134, turnover_after=0.1126)
    >>> tl = mf.Timeline(2026, years=2)
    >>> mf.Model(tl, t.build(BuildContext(tl, t))).evaluate()["turnover_saving"].round(2).tolist()
    [65513.96, 65513.96]
    """

    key = "turnover"
    default_sources: ClassVar[dict[str, str]] = {"cost_per_leaver": _LEAVER.source}
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {"turnover_saving": "saving"}
    sheet = "Savings"

    class Inputs(ComponentInputs):
        fte: Count = field("Full-time equivalent staff")
        turnover_before: _Turnover = field("Leavers a year as a share of staff, before")
        turnover_after: _Turnover = field("Leavers a year as a share of staff, after (target)")
        ramp_years: Years = field("Years to reach the target (0 = at once)", 0.0)
        cost_per_leaver: Money = field(
            "Cost of replacing a leaver (lost output + recruitment)", DEFAULT_COST_PER_LEAVER
        )
        cost_inflation: FractionSeries = field("Annual uplift of the cost per leaver", 0.0)

    def build(self, ctx: BuildContext) -> list[Line]:
        tl, s = ctx.timeline, self.sheet
        progress = ramp_progress(ctx.input("ramp_years"), tl, f"{self.key}.ramp_years")
        before, after = ctx.input("turnover_before"), ctx.input("turnover_after")
        fte = ctx.input("fte")
        cost = ctx.input("cost_per_leaver")
        rate = Line(
            "turnover_rate",
            before + (after - before) * progress,
            unit="fraction",
            label="Staff turnover a year (ramping to the target)",
            kind="rate",
            sheet=s,
        )
        expected = Line(
            "leavers_expected",
            fte * rate * year_fraction(),
            unit="count",
            label="Leavers expected",
            kind="flow",
            sheet=s,
        )
        avoided = Line(
            "leavers_avoided",
            fte * (before - rate) * year_fraction(),
            unit="count",
            label="Leavers avoided",
            kind="flow",
            sheet=s,
        )
        saving = Line(
            "turnover_saving",
            avoided * cost * index_factor(ctx.input("cost_inflation"), tl),
            label="Saving from lower staff turnover (positive = lower costs)",
            sheet=s,
        )
        adjustment = Line(
            "turnover_cost_adjustment",
            -saving,
            label="Change in costs from lower turnover (negative = saving)",
            sheet=s,
        )
        return [rate, expected, avoided, saving, adjustment]
