"""Workforce savings from spinning out: less sickness absence and fewer leavers.

Evidence: the Cabinet Office's figures are that absenteeism and staff turnover fall by 20% and
16% on average after a mutual spins out (as reported by The Spectator, 2014, "Mutually assured
benefits"); Leading Lives reported sickness absence down 58% (East Anglian Daily Times).
Benchmarks: councils' average sickness absence 8.8 days per FTE a year and median labour
turnover 13.4% (Local Government Association workforce survey headlines, 2017/18); cost per
leaver £30,614, £25,181 of lost output and £5,433 of logistics (Oxford Economics for Unum,
2014, as reported by HRreview).

Conventions
-----------
* **Sign.** A saving is a positive number that reduces costs. Each component reports it twice:
  as a saving a cabinet paper can quote (``absence_saving``, ``turnover_saving``) and as a cost
  adjustment of the opposite sign (``absence_cost_adjustment``, ``turnover_cost_adjustment``,
  negative when costs fall) for adding to the cost lines. If the "after" figure is above the
  "before" figure the saving is negative (an extra cost).
* **Ramp.** The improvement builds up evenly over ``ramp_years`` from the start of the
  timeline: t years in, the share achieved is min(t / ramp_years, 1), and each period gets
  that share's **average over the period** (see :func:`ramp_progress`). With a 2-year ramp
  the first year gets a quarter of the improvement, the second three quarters and later
  years all of it, whether the case is planned by year or by month (the months of a year
  add up to the year); 0 means the target from the first day. The ramp may not be longer
  than the timeline.
* **Timing.** Annual rates and amounts are in the timeline's first-year prices, uplifted by the
  inflation input once a financial year (see :mod:`mutualfin.income`), and multiplied by
  ``year_fraction()`` on a monthly timeline.

Cashable and non-cashable: only costs that stop being paid are cash (the cover, agency and
recruitment a lower absence or turnover avoids); time regained is a non-cashable benefit for
the commissioner's appraisal (HM Treasury, *Supporting public service transformation: cost
benefit analysis for local partnerships*, 2014, which separates cashable fiscal benefits from
the rest).
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
from mutualfin.engine.nodes import (
    Expr,
    Input,
    Line,
    max_,
    min_,
    period_index,
    year_fraction,
    years_elapsed,
)
from mutualfin.engine.nodes import where as if_
from mutualfin.engine.timeline import Timeline
from mutualfin.errors import InputError

__all__ = [
    "DEFAULT_COST_PER_LEAVER",
    "DEFAULT_LOST_OUTPUT_PER_LEAVER",
    "DEFAULT_RECRUITMENT_COST_PER_LEAVER",
    "AbsenceSavings",
    "TurnoverSavings",
    "ramp_progress",
]

_LEAVER = _params.value("turnover.cost_per_leaver", on="2014-03-03")
_RECRUIT = _params.value("turnover.recruitment_cost_per_leaver", on="2014-03-03")
_OUTPUT = _params.value("turnover.lost_output_per_leaver", on="2014-03-03")
#: Cost per leaver, Oxford Economics for Unum (2014): £25,181 lost output + £5,433 logistics;
#: the parameter ``turnover.cost_per_leaver`` with its reference (the whole, cash and not).
DEFAULT_COST_PER_LEAVER: float = float(_LEAVER.value)
#: The cash part of it (recruitment, cover, agency fees): the default cashable saving.
DEFAULT_RECRUITMENT_COST_PER_LEAVER: float = float(_RECRUIT.value)
#: The lost-output part: a non-cashable benefit, never cash.
DEFAULT_LOST_OUTPUT_PER_LEAVER: float = float(_OUTPUT.value)

#: leavers a year as a share of staff
_Turnover = Annotated[
    Fraction,
    Limit(0, 1, why="give leavers a year as a share of staff from 0 to 1 (0.134 for 13.4%)"),
]


def ramp_progress(ramp_years: Input, timeline: Timeline, where: str) -> Expr:
    """Share of an improvement achieved in each period, on average over the period.

    The improvement builds up evenly from the start of the timeline, reaching the target
    ``ramp_years`` (R) in: t years in, the share is min(t / R, 1). Each period, from a = its
    start to b = its end (years since the start), gets that share's mean over the period,

        (min(b, R)^2 - min(a, R)^2) / (2 R (b - a)) + (max(b, R) - max(a, R)) / (b - a),

    the integral of min(t / R, 1) over the period divided by its length. The integral adds up
    over periods, so a financial year planned by month gets the same share in total as the
    year planned whole: with R = 2, a quarter in the first year (the months 1/48, 3/48, ...
    23/48, averaging 1/4) and three quarters in the second. Sampling the share at each
    period's end instead would give a plan by year half the improvement in its first year and
    a plan by month about 27%: the same case, different savings. A ramp of 0 gives 1
    throughout; a ramp longer than the timeline is refused.

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.engine.nodes import Input, Line
    >>> for freq in ("annual", "monthly"):
    ...     tl = mf.Timeline(2026, years=3, freq=freq)
    ...     ramp = ramp_progress(Input("ramp", 2.0), tl, "ramp")
    ...     share = mf.Model(tl, [Line("share", ramp, unit="fraction", kind="value")]).evaluate()
    ...     print(freq, share["share"].to_numpy().reshape(3, -1).mean(axis=1).round(12).tolist())
    annual [0.25, 0.75, 1.0]
    monthly [0.25, 0.75, 1.0]
    """
    ramp = float(ramp_years.value)
    if ramp > timeline.years + 1e-9:
        raise InputError(
            f"{where}: a ramp of {ramp:g} years is longer than the {timeline.years}-year "
            f"timeline ({timeline.labels[0]} to {timeline.labels[-1]}), so the target would "
            "never be reached inside the case; shorten the ramp or lengthen the timeline"
        )
    if timeline.freq == "annual":
        end = (period_index() + 1) * year_fraction()
    else:  # months, or months then years: the Timeline sheet's years elapsed
        end = years_elapsed()
    length = year_fraction()
    start = end - length
    # a ramp of 0 reaches the target at once; R stands in for it where it is 0 so that no
    # division by 0 is evaluated (the workbook's IF never evaluates that branch)
    r = if_(ramp_years > 0, ramp_years, 1)
    building = (min_(end, r) ** 2 - min_(start, r) ** 2) / (2 * r * length)
    reached = (max_(end, r) - max_(start, r)) / length
    return if_(ramp_years > 0, building + reached, 1)


class AbsenceSavings(Component):
    """Savings from fewer days lost to sickness absence: cashable and not.

    Sick pay goes on being paid while someone is absent, so a day of absence avoided saves
    cash only where the day would have been covered by someone else (agency, overtime, bank
    staff): that cover is the **cashable** saving, and its cost before spin-out is an
    operating cost of the service (``absence_backfill_cost``), which the saving then reduces.
    The productive time regained on days nobody covered is real but not cash: a
    **non-cashable** benefit (role ``non_cashable``), which the commissioner's appraisal
    reports and the mutual's surplus and cash never include (HM Treasury Green Book 2022,
    cash-releasing and non-cash-releasing benefits).

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
    backfill_in_costs : bool, default False
        The case's other costs already include the cover for absence (say, an agency budget in
        the running costs); then the baseline cover cost is not added again.
    pay_inflation : fraction a year or series, default 0.0
        Annual uplift of pay, and so of the cost of a day.

    Lines (sheet "Savings")
    -----------------------
    ``absence_days_per_fte`` (days/FTE)
        before + (after - before) x ramp progress.
    ``absence_day_cost`` (GBP/day)
        annual_pay x (1 + on_cost_rate) / working_days x pay index: a day of the absent
        employee's time.
    ``absence_cover_day_cost`` (GBP/day)
        absence_day_cost x (1 + backfill_premium): a day of cover.
    ``absence_days_avoided`` (days, flow)
        fte x (before - absence_days_per_fte) x year_fraction.
    ``absence_backfill_cost`` (GBP, flow, role cost)
        fte x days_lost_before x year_fraction x backfill_share x cover day cost: the cover
        bought at the absence rate before spin-out (left out with ``backfill_in_costs``).
    ``absence_saving`` (GBP, flow, role saving: cashable)
        absence_days_avoided x backfill_share x cover day cost: cover no longer bought.
    ``absence_time_regained`` (GBP, flow, role non_cashable)
        absence_days_avoided x (1 - backfill_share) x day cost.
    ``absence_cost_adjustment`` (GBP, flow)
        -absence_saving: the change in cash costs.

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.components.base import BuildContext
    >>> a = AbsenceSavings(fte=100, days_lost_before=10, days_lost_after=8, ramp_years=2,
    ...                    annual_pay=22_500, working_days=225, backfill_share=0.5)
    >>> tl = mf.Timeline(2026, years=3)
    >>> ev = mf.Model(tl, a.build(BuildContext(tl, a))).evaluate()
    >>> ev["absence_saving"].tolist(), ev["absence_time_regained"].tolist()
    ([2500.0, 7500.0, 10000.0], [2500.0, 7500.0, 10000.0])
    """

    key = "absence"
    sheet = "Savings"

    @property
    def roles(self) -> dict[str, str]:  # type: ignore[override]
        """Where the lines go in a business case's statements."""
        out = {"absence_saving": "saving", "absence_time_regained": "non_cashable"}
        if not self.inputs.backfill_in_costs:
            out["absence_backfill_cost"] = "cost"
        return out

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
        backfill_in_costs: bool = field(
            "The case's other costs already include cover for absence", False
        )
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
            * index_factor(ctx.input("pay_inflation", yearly="rate"), tl),
            unit="GBP/day",
            label="Cost of a day of the absent employee's time (pay and on-costs)",
            kind="value",
            sheet=s,
        )
        cover_cost = Line(
            "absence_cover_day_cost",
            day_cost * (1 + ctx.input("backfill_premium")),
            unit="GBP/day",
            label="Cost of a day of cover (agency, overtime: the day's cost plus the premium)",
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
        share = ctx.input("backfill_share")
        backfill = Line(
            "absence_backfill_cost",
            ctx.input("fte") * before * year_fraction() * share * cover_cost,
            label="Cover bought for absence at the rate before spin-out (a cash cost)",
            sheet=s,
        )
        saving = Line(
            "absence_saving",
            avoided * share * cover_cost,
            label="Cashable saving: cover no longer bought as absence falls",
            sheet=s,
        )
        regained = Line(
            "absence_time_regained",
            avoided * (1 - share) * day_cost,
            label="Non-cashable: staff time regained on days nobody covered (not cash)",
            sheet=s,
        )
        adjustment = Line(
            "absence_cost_adjustment",
            -saving,
            label="Change in cash costs from lower absence (negative = saving)",
            sheet=s,
        )
        return [days, day_cost, cover_cost, avoided, backfill, saving, regained, adjustment]


class TurnoverSavings(Component):
    """Savings from fewer leavers: the cash of recruiting a replacement (cashable) and the
    output lost while one learns the job (non-cashable, never in the mutual's surplus or
    cash; the commissioner's appraisal reports it).

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
    cost_per_leaver : GBP, default 5,433
        The cash cost of replacing a leaver: recruitment, agency fees, advertising, interviews,
        temporary cover. Default: Oxford Economics for Unum, "The Cost of Brain Drain" (2014),
        logistics part, parameter ``turnover.recruitment_cost_per_leaver`` (2014 prices,
        private-sector professional roles: replace it with the service's own figure).
    lost_output_per_leaver : GBP, default 25,181
        Output lost while a replacement reaches full productivity (the same study's other
        part, ``turnover.lost_output_per_leaver``): not cash.
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
    ``turnover_saving`` (GBP, flow, role saving: cashable)
        leavers_avoided x cost_per_leaver x cost index.
    ``turnover_output_regained`` (GBP, flow, role non_cashable)
        leavers_avoided x lost_output_per_leaver x cost index.
    ``turnover_cost_adjustment`` (GBP, flow)
        -turnover_saving.

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.components.base import BuildContext
    >>> t = TurnoverSavings(fte=100, turnover_before=0.134, turnover_after=0.1126)
    >>> tl = mf.Timeline(2026, years=2)
    >>> ev = mf.Model(tl, t.build(BuildContext(tl, t))).evaluate()
    >>> ev["turnover_saving"].round(2).tolist(), ev["turnover_output_regained"].round(2).tolist()
    ([11626.62, 11626.62], [53887.34, 53887.34])
    """

    key = "turnover"
    default_sources: ClassVar[dict[str, str]] = {
        "cost_per_leaver": _RECRUIT.source,
        "lost_output_per_leaver": _OUTPUT.source,
    }
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {
        "turnover_saving": "saving",
        "turnover_output_regained": "non_cashable",
    }
    sheet = "Savings"

    class Inputs(ComponentInputs):
        fte: Count = field("Full-time equivalent staff")
        turnover_before: _Turnover = field("Leavers a year as a share of staff, before")
        turnover_after: _Turnover = field("Leavers a year as a share of staff, after (target)")
        ramp_years: Years = field("Years to reach the target (0 = at once)", 0.0)
        cost_per_leaver: Money = field(
            "Cash cost of replacing a leaver (recruitment, agency, cover)",
            DEFAULT_RECRUITMENT_COST_PER_LEAVER,
        )
        lost_output_per_leaver: Money = field(
            "Output lost while a replacement learns the job (not cash)",
            DEFAULT_LOST_OUTPUT_PER_LEAVER,
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
        uplift = index_factor(ctx.input("cost_inflation", yearly="rate"), tl)
        saving = Line(
            "turnover_saving",
            avoided * cost * uplift,
            label="Cashable saving: recruitment and cover no longer needed",
            sheet=s,
        )
        regained = Line(
            "turnover_output_regained",
            avoided * ctx.input("lost_output_per_leaver") * uplift,
            label="Non-cashable: output not lost while replacements learn the job (not cash)",
            sheet=s,
        )
        adjustment = Line(
            "turnover_cost_adjustment",
            -saving,
            label="Change in cash costs from lower turnover (negative = saving)",
            sheet=s,
        )
        return [rate, expected, avoided, saving, regained, adjustment]
