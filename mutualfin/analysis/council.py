"""The council's side of a business case: its budget year by year and its options appraisal.

A case's ``[appraisal]`` table (:class:`CouncilAppraisal`) gives the commissioner's view:

**The council's budget by year** (nominal, the medium-term financial strategy's view), live
lines on the workbook's "Council budget" sheet over the case's timeline: the in-house budget
against what the spin-out costs the council (contract payments, stranded overheads, contract
management, pension and staff costs it keeps, set-up support, less any profit share it
receives), the saving each year and to date, and the payback of the council's set-up money.

**The options appraisal** (HM Treasury Green Book 2022, :mod:`mutualfin.analysis.appraisal`):
up to seven options (:data:`OPTION_KINDS`) built from the same case file, differing only
where they must, over an appraisal period of ``years`` (ten by default: the service's life,
not the contract's), in real terms, discounted, with optimism bias on the genuinely uncertain
costs of every option, contingent liabilities, non-cashable and social-value benefits, and
switching values in words.

Rules the options follow
------------------------
- A **reserved contract** for a public service mutual is let by a competition among
  qualifying mutuals (Procurement Act 2023 s.33(1)-(4), an award under s.19:
  ``procurement_cost``) and may last at most five years (s.33(1)(b); three under regulation 77
  of the Public Contracts Regulations 2015 for awards before 24 February 2025). At its end the
  service is re-procured (again at the end of each further term), at a price nobody has fixed:
  reserved again only if the mutual entered into no comparable reserved contract with the
  council in the three years before the new award (s.33(5)), else by open competition, which
  the mutual may lose.
- Until the **full business case** the contract's price is an estimate like any other and
  carries optimism bias unless evidence is recorded (``mitigations``); at the full business
  case stage the tendered price fixed in the contract mitigates the bias on that price in
  full, and only on it.
- A **council-owned company** is awarded its contract without competition under the
  vertical-arrangements exemption (Procurement Act 2023 Sch. 2 para 2; Public Contracts
  Regulations 2015 reg. 12(1), "Teckal"); the council owns its surplus and bears its overruns,
  so no contract fixes the council's cost.
- **Staff transfer** with their terms (TUPE 2006) and pension protection (Best Value
  Authorities Staff Transfers (Pensions) Direction 2007) under every external option, so the
  pension and staff costs the council keeps are the same for each.
- **Pension guarantee**: an exit payment the admission body (or its bond) cannot meet falls to
  the council that let the contract (LGPS Regulations 2013 reg. 64(3) and Sch. 2 Part 3).

Beyond the case's last year
---------------------------
The case models the mutual's first years; the appraisal period is usually longer. After the
case's last year, the in-house budget and the council's recurring costs grow at
``in_house_inflation``; the contract price follows its own indexation and efficiency rule
while its term lasts, then is re-procured at the last price grown at ``in_house_inflation``
(not fixed: optimism bias applies); one-off items (set-up, exit payments) do not recur and no
profit share is assumed. Each assumption is in the appraisal's notes.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from mutualfin.analysis.appraisal import Appraisal, Benefit, Cost, Option, appraise
from mutualfin.components.base import (
    BuildContext,
    Component,
    ComponentInputs,
    Fraction,
    FreeText,
    Money,
    OneLine,
    Share,
    Unit,
    field,
)
from mutualfin.components.income import index_factor, reserved_contract_limit
from mutualfin.core.calendar import financial_year_label
from mutualfin.engine.nodes import (
    Line,
    by_year,
    first_period,
    payback_,
    ref,
    sum_,
    year_fraction,
)
from mutualfin.errors import InputError, SolverError, warn_assumption

__all__ = [
    "COSTS",
    "OPTION_KINDS",
    "CouncilAppraisal",
    "Mitigation",
    "SocialValue",
]

#: The options a commissioner compares, by kind: what each is called in the tables.
OPTION_KINDS: dict[str, str] = {
    "in_house": "Business as usual (in-house)",
    "in_house_transformed": "In-house, transformed",
    "mutual_reserved": "Mutual, reserved contract",
    "mutual_competition": "Mutual, open competition",
    "outsource": "Outsource to the market",
    "teckal": "Council-owned company (Teckal)",
    "joint_venture": "Joint venture (mutual and partner)",
}
_EXTERNAL = ("mutual_reserved", "mutual_competition", "outsource", "teckal", "joint_venture")
_MUTUAL = ("mutual_reserved", "mutual_competition", "joint_venture")
#: options whose contract is let by a procurement at the start (a reserved contract too: a
#: competition among qualifying mutuals, Procurement Act 2023 s.33(1)-(4) and s.19)
_TENDERED = ("mutual_reserved", "mutual_competition", "outsource", "joint_venture")

_NO_BIAS_SET_UP = "a sum the council decides and pays: no estimate to be optimistic about"
_NO_BIAS_RISK = "an expected value of a risk: optimism bias on top would count the risk twice"

#: Each cost an option can have: its label, its optimism bias category (None: no bias, with
#: the reason). Mitigations name a cost by its key.
COSTS: dict[str, tuple[str, str | None, str]] = {
    "in_house_service": ("In-house service", "operating", ""),
    "transformation_savings": ("Savings from transforming the service in-house", "operating", ""),
    "transformation_cost": (
        "One-off cost of the in-house transformation",
        "equipment_development",
        "",
    ),
    "contract_price": ("Contract payments (the contract's price for its term)", "operating", ""),
    "company_payments": ("Payments to the council's company", "operating", ""),
    "contract_price_reprocured": ("Contract payments after re-procurement", "operating", ""),
    "stranded_overheads": ("Overheads the council keeps (stranded)", "operating", ""),
    "contract_management": ("Contract management (client team)", "operating", ""),
    "council_retained_costs": ("Pension and staff costs the council keeps", "operating", ""),
    "pension_risk_retained": (
        "Allowance for pension risk the council keeps",
        None,
        "an allowance for a risk: optimism bias on top would count the risk twice",
    ),
    "lost_vat_recovery": ("VAT the council can no longer recover", "operating", ""),
    "setup_support": ("Set-up support from the council", None, _NO_BIAS_SET_UP),
    "procurement": ("Procurement (tender, evaluation, mobilisation)", "operating", ""),
    "step_in": ("Provider failure and step-in (expected value)", None, _NO_BIAS_RISK),
    "profit_share_received": ("Profit share received by the council", "operating", ""),
    "company_surplus": ("Surplus returned to the council as owner", "operating", ""),
}


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mitigation(_Item):
    """Evidence that reduces the optimism bias on one cost (of one option, or of every option
    that has it)."""

    cost: Literal[tuple(COSTS)] = Field(  # type: ignore[valid-type]
        description="The cost it applies to (a key of mutualfin.appraisal.COSTS)"
    )
    option: Literal[tuple(OPTION_KINDS)] | None = Field(  # type: ignore[valid-type]
        default=None,
        description="The option it applies to (all options with that cost if not given)",
    )
    share: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        description="Share of the optimism bias mitigated, 0 to 1"
    )
    reason: FreeText = Field(description="The evidence (Green Book: mitigate only with reasons)")


class SocialValue(_Item):
    """A benefit under the Public Services (Social Value) Act 2012: monetised with a source's
    unit value where one exists (``a_year``), else scored (``score``, 0 to 5)."""

    name: OneLine = Field(description="What it is, e.g. 'Volunteering hours'")
    source: FreeText = Field(description="Where the value or the score comes from")
    a_year: Money | None = Field(
        default=None, description="Value a year in the first year's prices (GBP), when monetised"
    )
    score: Annotated[int, Field(ge=0, le=5)] | None = Field(
        default=None, description="Score 0 to 5 where it is not monetised"
    )
    options: list[Literal[tuple(OPTION_KINDS)]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(_MUTUAL),
        description="The options that deliver it (beyond business as usual)",
    )


#: the sheet of the council's budget lines by period on a timeline with months (the budget
#: sheet then holds them by financial year)
BY_PERIOD_SHEET = "Council budget by period"


class CouncilAppraisal(Component):
    """The council's side of a case: its budget by year, and the options appraisal.

    Parameters (a case file's ``[appraisal]``)
    ------------------------------------------
    stage : {"strategic_outline", "outline", "full"}, default "strategic_outline"
        The business case stage. Optimism bias starts at the upper bounds and is reduced only
        by recorded evidence (``mitigations``) as the case matures; mitigations at the
        strategic outline stage are warned about.
    years : whole number, default 10
        Appraisal period in years from the case's first year (the service's expected life,
        not the contract's end).
    options : list of kinds, default all that apply
        Which of :data:`OPTION_KINDS` to appraise; by default business as usual, in-house
        transformed, the mutual (reserved if the contract is reserved, else open competition)
        and outsourcing.
    in_house_cost : GBP a year, optional
        The council's cost of running the service in-house in the first year, including the
        overheads charged to it. Without it, built from the case's staff: the paybill the case
        models (pay, employer NI and pension contributions of the same people, the council's
        share included) plus ``in_house_other_costs``.
    in_house_other_costs : GBP a year, default 0
        Non-staff costs of the in-house service (when the in-house cost is built from staff).
    in_house_inflation : fraction a year, default 0
        Growth of the in-house budget and of the council's recurring costs.
    in_house_savings_target : fraction a year, optional
        The efficiency the council would ask of its own service each year (cumulative); by
        default the contract's ``efficiency_target`` (the same efficiency asked of the mutual).
    transformation_cost : GBP, default 0
        One-off cost of transforming the service in-house (first year).
    stranded_overheads, contract_management, pension_risk_retained, lost_vat_recovery : GBP a year
        What the council keeps paying under an external option, grown at in-house inflation.
    setup_support : GBP, default 0
        One-off support to set up a mutual, joint venture or company (first year).
    procurement_cost : GBP, default 0
        One procurement (tender, evaluation, mobilisation): at the start of the competed
        options and whenever a contract is re-procured.
    step_in_probability : share a year, default 0
        Chance a year that the provider fails and the council steps in.
    step_in_cost : GBP, default 0
        What stepping in costs (interim management, emergency staffing, legal), at first-year
        prices; its expected value is a cost of every external option.
    outsource_price_change, competition_price_change, jv_price_change : fraction, default 0
        The price under outsourcing, open competition and a joint venture against the case's
        contract price (negative where competition or a partner brings it down).
    jv_council_profit_share : share, optional
        The council's share of a joint venture's surplus after tax (by default the case's
        ``[profit_share] council_share``).
    teckal_surplus_share : share, default 1
        The share of a council-owned company's surplus after tax returned to the council.
    mitigations : list of {cost, option, share, reason}
        Evidence reducing the optimism bias on a cost (:class:`Mitigation`; cost keys in
        :data:`COSTS`). At the full business case stage a contract's price is mitigated in
        full for its term (it is then the tendered price fixed in the contract); an entry that
        matches no cost of an option appraised is refused.
    social_value : list of {name, source, a_year or score, options}
        Social value (:class:`SocialValue`): monetised items count towards net present social
        value; scored ones are tabled.
    deflator_forecast : fraction a year, default 0.02
        GDP deflator growth beyond the published data (an assumption).

    Lines (sheet "Council budget")
    ------------------------------
    ``council_in_house_budget``; ``council_contract_payments``, ``council_stranded_overheads``,
    ``council_contract_management``, ``council_pension_allowance``,
    ``council_lost_vat_recovery``, ``council_setup_support``, ``council_retained_costs``,
    ``council_profit_share_received`` (negative), ``council_spin_out_cost`` (their sum);
    ``council_saving`` (in-house less spin-out) with its running total
    (``council_saving_cumulative``) and ``council_payback_years`` (metric: years from the
    first outlay until the council's set-up money is paid back).

    On a timeline with months these lines are worked by period on the sheet "Council budget
    by period" (the contract paid monthly, a twelfth of a year's budget a month), and the
    sheet "Council budget" holds each by financial year, ``<name>_annual`` (``by_year``: the
    months summed, live in the workbook); the payback is of the yearly saving.
    """

    key = "appraisal"
    sheet = "Council budget"
    moved: ClassVar[dict[str, str]] = {
        "optimism_bias": (
            "optimism bias now goes on every option, cost by cost, from the Green Book upper "
            "bounds (parameters greenbook.optimism_bias_*); remove optimism_bias and record "
            "evidence as mitigations = [{ cost = 'contract_price', share = 0.3, "
            "reason = '...' }]"
        ),
        "mitigation": (
            "mitigation is now given cost by cost with its reason: mitigations = "
            "[{ cost = 'in_house_service', share = 0.5, reason = '...' }] (a contract's fixed "
            "price is mitigated automatically for its term)"
        ),
        "mitigation_reason": (
            "give the reason inside each of mitigations = [{ cost = ..., share = ..., reason = "
            "'...' }]"
        ),
        "in_house_optimism_bias": (
            "the in-house option now takes the Green Book upper bound on its operating costs; "
            "reduce it with evidence: mitigations = [{ cost = 'in_house_service', share = ..., "
            "reason = '...' }]"
        ),
        "in_house_bias_reason": (
            "give the reason inside mitigations = [{ cost = 'in_house_service', share = ..., "
            "reason = '...' }]"
        ),
    }

    class Inputs(ComponentInputs):
        stage: Literal["strategic_outline", "outline", "full"] = field(
            "Business case stage", default="strategic_outline"
        )
        years: Annotated[int, Unit("years"), Field(ge=1, le=100)] = field(
            "Appraisal period (years from the case's first year)", default=10
        )
        options: list[Literal[tuple(OPTION_KINDS)]] | None = field(  # type: ignore[valid-type]
            "Options to appraise, by kind: " + ", ".join(OPTION_KINDS) + " (default: those that "
            "apply)",
            default=None,
        )
        in_house_cost: Money | None = field(
            "Council's cost of running the service in-house, year 1", default=None
        )
        in_house_other_costs: Money = field(
            "Non-staff costs of the in-house service a year (when built from staff)", default=0.0
        )
        in_house_inflation: Fraction = field("Growth of the in-house cost a year", default=0.0)
        in_house_savings_target: Fraction | None = field(
            "Savings the council would require in-house, each year (cumulative)", default=None
        )
        transformation_cost: Money = field(
            "One-off cost of transforming the service in-house", default=0.0
        )
        stranded_overheads: Money = field(
            "Overheads the council keeps after a spin-out, a year", default=0.0
        )
        contract_management: Money = field(
            "Council's cost of managing the contract (client team), a year", default=0.0
        )
        pension_risk_retained: Money = field(
            "Allowance for pension risk the council keeps (pass-through), a year", default=0.0
        )
        lost_vat_recovery: Money = field(
            "VAT the council can no longer recover, a year", default=0.0
        )
        setup_support: Money = field("One-off set-up support from the council", default=0.0)
        procurement_cost: Money = field(
            "Cost of one procurement (tender, evaluation, mobilisation)", default=0.0
        )
        step_in_probability: Share = field(
            "Chance a year that the provider fails and the council steps in", default=0.0
        )
        step_in_cost: Money = field("Cost of stepping in if the provider fails", default=0.0)
        outsource_price_change: Fraction = field(
            "Outsourced price against the case's contract price", default=0.0
        )
        competition_price_change: Fraction = field(
            "Price won in open competition against the case's contract price", default=0.0
        )
        jv_price_change: Fraction = field(
            "Joint venture's price against the case's contract price", default=0.0
        )
        jv_council_profit_share: Share | None = field(
            "Council's share of a joint venture's surplus after tax", default=None
        )
        teckal_surplus_share: Share = field(
            "Share of a council company's surplus after tax returned to the council", default=1.0
        )
        mitigations: list[Mitigation] = field("Evidence mitigating optimism bias", default=[])
        social_value: list[SocialValue] = field("Social value, monetised or scored", default=[])
        deflator_forecast: Fraction = field(
            "GDP deflator growth a year beyond the published data (assumption)", default=0.02
        )

    # -- checks ------------------------------------------------------------------------------
    def validate(self) -> None:
        i = self.inputs
        if i.options is not None:
            if not i.options:
                raise InputError(
                    "appraisal.options: give at least one option, e.g. ['in_house', "
                    "'mutual_reserved']"
                )
            if len(set(i.options)) != len(i.options):
                raise InputError(f"appraisal.options: {i.options} names an option twice")
        seen = set()
        for n, m in enumerate(i.mitigations):
            where = f"appraisal.mitigations[{n}]"
            if not m.reason.strip():
                raise InputError(
                    f"{where}: give the reason for mitigating {m.share:.0%} of the optimism "
                    f"bias on {m.cost} (Green Book: reduce the upper bound only with evidence)"
                )
            if COSTS[m.cost][1] is None:
                raise InputError(
                    f"{where}: {m.cost} carries no optimism bias ({COSTS[m.cost][2]}), so there "
                    "is nothing to mitigate; remove it"
                )
            if (m.cost, m.option) in seen:
                raise InputError(
                    f"{where}: a second mitigation of {m.cost}"
                    + (f" for {m.option}" if m.option else "")
                    + "; give one with the combined share and reasons"
                )
            seen.add((m.cost, m.option))
        names = set()
        for n, sv in enumerate(i.social_value):
            where = f"appraisal.social_value[{n}]"
            if (sv.a_year is None) == (sv.score is None):
                raise InputError(
                    f"{where} ({sv.name}): give either a_year (a money value a year, with its "
                    "source) or score (0 to 5, where no source gives a money value), not both "
                    "or neither"
                )
            if not sv.source.strip():
                raise InputError(f"{where} ({sv.name}): give its source")
            if not sv.options:
                raise InputError(f"{where} ({sv.name}): name the options that deliver it")
            if sv.name in names:
                raise InputError(f"{where}: {sv.name!r} is named twice")
            names.add(sv.name)
        for name in ("outsource_price_change", "competition_price_change", "jv_price_change"):
            if getattr(i, name) <= -1:
                raise InputError(
                    f"appraisal.{name}: {getattr(i, name):g} would make the service free; give "
                    "the change in price as a fraction above -1 (-0.05 for 5% cheaper)"
                )
        if (i.step_in_probability > 0) != (i.step_in_cost > 0):
            raise InputError(
                f"appraisal.step_in_probability {i.step_in_probability:g} and step_in_cost "
                f"{i.step_in_cost:,.0f}: give both (a chance of failure and what stepping in "
                "costs) or neither"
            )
        if i.stage == "strategic_outline" and i.mitigations:
            warn_assumption(
                "appraisal: optimism bias mitigated at the strategic outline stage; the Green "
                "Book starts from the upper bounds and reduces them as evidence is gathered for "
                "the outline and full business cases (set appraisal.stage when you have it)"
            )

    def check_case(self, components: Mapping[str, Component]) -> None:
        i = self.inputs
        if i.in_house_cost is None and "staff" not in components:
            raise InputError(
                "appraisal.in_house_cost: missing, and the case has no staff ([staff] with a "
                "roster) to build the in-house cost from; give the council's in-house cost of "
                "the service in the first year"
            )
        wanted = i.options or []
        if any(k in _EXTERNAL for k in wanted) and "contract" not in components:
            raise InputError(
                f"appraisal.options: {[k for k in wanted if k in _EXTERNAL]} need the case's "
                "contract ([contract]) for the price the council would pay"
            )
        if "contract" not in components and i.options is None:
            raise InputError(
                "appraisal: the case has no [contract]; the appraisal compares in-house with "
                "a contract, so give one, or options = ['in_house', 'in_house_transformed']"
            )

    # -- the council's budget: live lines ------------------------------------------------------
    def build(self, ctx: BuildContext) -> list[Line]:
        i, s, tl = self.inputs, self.sheet, ctx.timeline
        factor = index_factor(ctx.input("in_house_inflation"), tl) * year_fraction()
        roles = {
            name: role
            for comp in ctx.others.values()
            if comp is not self
            for name, role in getattr(comp, "roles", {}).items()
        }
        lines: list[Line] = []
        if i.in_house_cost is not None:
            in_house_expr: Any = ctx.input("in_house_cost") * factor
            label = "In-house budget (the council's cost of the service)"
        else:
            staff = [n for n, r in roles.items() if r == "pay"]
            staff += [
                n
                for n in ("lgps_contributions_council", "staff_not_transferred_cost")
                if n in roles
            ]
            in_house_expr = sum_(
                *[ref(n) for n in staff], ctx.input("in_house_other_costs") * factor
            )
            label = "In-house budget: the staff the case models, plus non-staff costs"
        in_house = Line(
            "council_in_house_budget", in_house_expr, label=label, sheet=s, section="In-house"
        )
        sec = "Spin-out: what the council pays and keeps"
        contract = [n for n, r in roles.items() if r == "council_income"]
        retained = [
            n for n, r in roles.items() if r == "council_cost" and n != "staff_not_transferred_cost"
        ]
        if i.in_house_cost is not None and "staff_not_transferred_cost" in roles:
            retained.append("staff_not_transferred_cost")
        parts = [
            Line(
                "council_contract_payments",
                sum_(*[ref(n) for n in contract]) if contract else 0 * factor,
                label="Contract payments to the mutual",
                sheet=s,
                section=sec,
            ),
            Line(
                "council_stranded_overheads",
                ctx.input("stranded_overheads") * factor,
                label="Overheads the council keeps (stranded)",
                sheet=s,
                section=sec,
            ),
            Line(
                "council_contract_management",
                ctx.input("contract_management") * factor,
                label="Contract management (client team)",
                sheet=s,
                section=sec,
            ),
            Line(
                "council_pension_allowance",
                ctx.input("pension_risk_retained") * factor,
                label="Allowance for pension risk the council keeps",
                sheet=s,
                section=sec,
            ),
            Line(
                "council_lost_vat_recovery",
                ctx.input("lost_vat_recovery") * factor,
                label="VAT the council can no longer recover",
                sheet=s,
                section=sec,
            ),
            Line(
                "council_setup_support",
                ctx.input("setup_support") * first_period(),
                label="Set-up support from the council (first period)",
                sheet=s,
                section=sec,
            ),
        ]
        if retained:
            parts.append(
                Line(
                    "council_retained_costs",
                    sum_(*[ref(n) for n in retained]),
                    label="Pension and staff costs the council keeps (from the case)",
                    sheet=s,
                    section=sec,
                )
            )
        if "contract" in ctx.others:
            parts.append(
                Line(
                    "council_service_outside_contract",
                    in_house * (1 - ref("contract_active")),
                    label="The service outside the contract's term, at the in-house cost",
                    sheet=s,
                    section=sec,
                )
            )
        if "profit_share_council" in roles:
            parts.append(
                Line(
                    "council_profit_share_received",
                    -ref("profit_share_council"),
                    label="Profit share received from the mutual (a receipt: negative)",
                    sheet=s,
                    section=sec,
                )
            )
        spin_out = Line(
            "council_spin_out_cost",
            sum_(*parts),
            label="Spin-out: the council's cost",
            sheet=s,
            section=sec,
        )
        saving = Line(
            "council_saving",
            in_house - spin_out,
            label="Council's saving (in-house budget less the spin-out's cost)",
            sheet=s,
            section="Saving",
        )
        lines += [in_house, *parts, spin_out, saving]
        if tl.freq != "annual":
            # the council budgets by financial year (its medium-term financial strategy):
            # the lines above are worked by period on a sheet of their own, and the budget
            # sheet sums them by financial year (SUMIF on the Timeline); the payback is of
            # the yearly saving, as the statements' paybacks are
            for ln in lines:
                ln.sheet = BY_PERIOD_SHEET
            lines += [
                Line(
                    f"{ln.name}_annual",
                    by_year(ln),
                    label=ln.label,
                    sheet=s,
                    section=ln.section,
                )
                for ln in list(lines)
            ]
            saving = lines[-1]
        payback = Line(
            "council_payback_years",
            payback_(saving),
            unit="years",
            kind="metric",
            label="Years until the council's set-up money is paid back (from the first outlay)",
            sheet=s,
            section="Saving",
        )
        payback.missing_text = "not paid back"
        return [*lines, payback]

    # -- from results to options ----------------------------------------------------------------
    def option_kinds(self, case) -> list[str]:
        """The options appraised: as given, else those that apply to the case."""
        if self.inputs.options is not None:
            return list(self.inputs.options)
        contract = case.components.get("contract")
        if contract is None:
            return ["in_house", "in_house_transformed"]
        mutual = "mutual_reserved" if contract.inputs.reserved_for_mutual else "mutual_competition"
        return ["in_house", "in_house_transformed", mutual, "outsource"]

    def options(self, results, scenario: int = 0) -> list[Option]:
        """The options from a run of the case (``scenario`` of a many-scenario run)."""
        return _Builder(self, results, scenario).options()

    def appraise(self, results, *, switching: bool = True) -> Appraisal:
        """The appraisal of the case's options, with its council budget, contingent
        liabilities, benefits, Five Case mapping and (with ``switching``) switching values on
        the case's inputs that decide the ranking."""
        b = _Builder(self, results, 0)
        out = appraise(
            b.options(),
            first_year=b.first_fy,
            years=self.inputs.years,
            deflator_forecast=self.inputs.deflator_forecast,
            params=results.case.params,
            stage=self.inputs.stage,
        )
        out.notes += b.notes
        if any(o.kind in ("in_house", "in_house_transformed") for o in out.options):
            out.notes.append(
                "The in-house service's operating costs take the outsourcing operating-cost "
                "upper bound (41%): the Green Book publishes no bound for an in-house service, "
                "so this is a judgement; the service's outturn record is the evidence that "
                "mitigates it."
            )
        out.inputs = self.inputs_table()
        out.council_budget = b.council_budget()
        out.contingent_liabilities = b.contingent(out)
        out.social_value_scores = b.scores()
        out.five_cases = b.five_cases(out)
        if switching and b.spin_out is not None and len(out.options) > 1:
            rows = []
            for name in ("contract.annual_value", "contract.efficiency_target"):
                inp = results.case.model.inputs.get(name)
                if inp is not None and inp.kind == "scalar":
                    rows.append(self._switching_row(results.case, name, out))
            out.input_switching = pd.DataFrame(rows)
        return out

    def spin_out_cost(
        self, results, scenario: int = 0, values: Mapping[str, Any] | None = None
    ) -> tuple[str, float] | None:
        """The spin-out option (the mutual, else the first external option appraised) and its
        net present cost after optimism bias, in ``scenario`` of a run of the case; None when
        no option appraised spins the service out.

        ``values`` gives the case inputs that scenario ran with where they differ from the
        case's own (input name -> value, as passed to ``case.run``), so that what the appraisal
        reads from inputs directly follows them too: its own ``[appraisal]`` inputs and the
        contract's indexation and efficiency target. (``mutualfin diff`` bridges the council's
        net present cost from one version of a case to the next with it.)
        """
        values = dict(values or {})
        comp = self
        own = {
            name.split(".", 1)[1]: _plain(v)
            for name, v in values.items()
            if name.startswith(f"{self.key}.")
        }
        if own:
            comp = copy.copy(self)
            comp.inputs = self.inputs.model_copy(update=own)
        over = {name: _plain(v) for name, v in values.items() if name.startswith("contract.")}
        b = _Builder(comp, results, scenario, over)
        if b.spin_kind is None:
            return None
        out = appraise(
            b.options(only=(b.spin_kind,)),
            first_year=b.first_fy,
            years=comp.inputs.years,
            deflator_forecast=comp.inputs.deflator_forecast,
            params=results.case.params,
            stage=comp.inputs.stage,
        )
        return str(b.spin_out), out.npc(str(b.spin_out))

    def _switching_row(self, case, name: str, appraisal: Appraisal) -> dict:
        base = float(case.model.inputs[name].value)
        try:
            return self.switching_input(case, name, appraisal)
        except SolverError as exc:
            return {
                "input": name,
                "base": base,
                "switching value": None,
                "change": None,
                "in words": f"Cannot occur: {exc}.",
            }

    def inputs_table(self) -> pd.DataFrame:
        """The appraisal's inputs with their sources, for the workbook."""
        rows = []
        for name, info in type(self).Inputs.model_fields.items():
            meta = self._meta.get(name, {})
            given = name in self.inputs.model_fields_set
            source = meta.get("source") or ("case file" if given else "mutualfin default")
            value = getattr(self.inputs, name)
            if isinstance(value, list):
                value = (
                    "; ".join(
                        ", ".join(f"{k}={v}" for k, v in x.model_dump().items() if v is not None)
                        if isinstance(x, BaseModel)
                        else str(x)
                        for x in value
                    )
                    or "none"
                )
            elif value is None:
                value = "not given"
            rows.append(
                {
                    "input": f"appraisal.{name}",
                    "value": value,
                    "description": info.description or "",
                    "source": source,
                }
            )
        return pd.DataFrame(rows)

    def switching_input(self, case, input_name: str, appraisal: Appraisal | None = None) -> dict:
        """The value of a case input at which the spin-out option (the mutual, else the first
        external option) and the best of the other options change places (net present cost
        after optimism bias, less any monetised benefits: the ranking's measure), found by
        running the case. Fed back into the case, the two agree within £1."""
        inp = case.model.inputs.get(input_name)
        if inp is None or inp.kind != "scalar":
            raise InputError(f"switching_input: {input_name!r} is not a scalar input")
        results = case.run()
        if appraisal is None:
            appraisal = self.appraise(results, switching=False)
        b = _Builder(self, results, 0)
        if b.spin_out is None or len(appraisal.options) < 2:
            raise InputError(
                "switching_input compares a spin-out option with another option; appraise at "
                "least two, one of them external"
            )
        spin = b.spin_out
        other = next(str(name) for name in appraisal.table.index if name != spin)
        other_kind = next(o.kind for o in appraisal.options if o.name == other)

        def gap(values: np.ndarray) -> np.ndarray:
            res = case.run({input_name: np.asarray(values, dtype=float)})
            out = np.empty(len(values))
            for k, v in enumerate(values):
                a = appraise(
                    _Builder(self, res, k, {input_name: float(v)}).options(
                        only=(b.spin_kind, other_kind)
                    ),
                    first_year=b.first_fy,
                    years=self.inputs.years,
                    deflator_forecast=self.inputs.deflator_forecast,
                    params=case.params,
                )
                out[k] = a.score(spin) - a.score(other)
            return out

        base = float(inp.value)
        what = f'"{inp.label}"' if inp.label else input_name  # in words; the table has the name
        lo, hi = (0.0, 1.0) if inp.unit == "fraction" else (0.0, max(base * 4, 1.0))
        g_lo, g_hi = gap(np.array([lo, hi]))
        if np.sign(g_lo) == np.sign(g_hi):
            raise SolverError(
                f"{spin} and {other} do not change places for the input {what} between "
                f"{lo:,.4g} and {hi:,.4g}"
            )
        # regula falsi, Illinois variant: the gap is close to linear in these inputs
        side = 0
        value = lo
        for _ in range(200):
            value = (lo * g_hi - hi * g_lo) / (g_hi - g_lo)
            g = float(gap(np.array([value]))[0])
            if abs(g) < 0.05 or hi - lo < (0.01 if inp.unit == "GBP" else 1e-12):
                break
            if np.sign(g) == np.sign(g_lo):
                lo, g_lo = value, g
                if side == -1:
                    g_hi /= 2
                side = -1
            else:
                hi, g_hi = value, g
                if side == 1:
                    g_lo /= 2
                side = 1
        else:  # pragma: no cover - the bracket always narrows
            raise SolverError(f"no switching value found for {input_name}")
        change = value / base - 1 if base else None
        leads = appraisal.score(spin) < appraisal.score(other)
        shown = f"£{value:,.0f}" if inp.unit == "GBP" else f"{value:.2%}"
        verb = "stops being preferred to" if leads else "becomes preferred to"
        words = f"{spin} {verb} {other} if the input {what} moves to {shown}"
        if change is not None:
            words += f" ({'up' if change > 0 else 'down'} {abs(change):.1%} from the case's value)"
        return {
            "input": input_name,
            "base": base,
            "switching value": value,
            "change": change,
            "against": other,
            "in words": words + ".",
        }


def _plain(value: Any) -> Any:
    """An input's value as its schema holds it: a number, or a list for one per period."""
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else [float(x) for x in arr.reshape(-1)]


# ---------------------------------------------------------------------------------------------
class _Builder:
    """The options of one scenario of a case run, over the appraisal period."""

    def __init__(
        self,
        comp: CouncilAppraisal,
        results,
        scenario: int,
        overrides: Mapping[str, float] | None = None,
    ):
        self.comp, self.i = comp, comp.inputs
        #: case inputs set to other values in this scenario (switching values)
        self.over = dict(overrides or {})
        self.results, self.s = results, scenario
        case = results.case
        tl = case.timeline
        self.tl = tl
        self.first_fy = int(tl.financial_years[0])
        self.n = self.i.years
        self.case_years = case.model.annual_timeline.n
        self.g = (1 + self.i.in_house_inflation) ** np.arange(self.n)
        self.kinds = comp.option_kinds(case)
        self.contract = case.components.get("contract")
        self.notes: list[str] = []
        self.used: set[int] = set()  # mitigations applied
        spin = [k for k in self.kinds if k in _MUTUAL] or [k for k in self.kinds if k in _EXTERNAL]
        self.spin_kind = spin[0] if spin else None
        self.spin_out = OPTION_KINDS[spin[0]] if spin else None

    # -- series ---------------------------------------------------------------------------------
    def metric(self, name: str) -> float:
        """A metric line's value in this scenario (NaN where the case has no such line)."""
        ev = self.results.evaluation
        if name not in ev.values:
            return float("nan")
        arr = np.asarray(ev.array(name), dtype=float)
        return float(arr[min(self.s, arr.shape[0] - 1)])

    def case_line(self, name: str) -> np.ndarray:
        """A line's annual values in each of the case's years (zeros where the case has no
        such line)."""
        ev = self.results.evaluation
        if name not in ev.values:
            return np.zeros(self.case_years)
        # by financial year, also on a timeline with months (its statement line by year,
        # else the monthly rows summed, or at the year's close for a balance)
        arr = self.results.annual_values(name)
        return arr[min(self.s, arr.shape[0] - 1)]

    def line(self, name: str) -> np.ndarray:
        """A line's annual values in the case's years, cut or padded with zeros to the
        appraisal period."""
        out = np.zeros(self.n)
        arr = self.case_line(name)
        k = min(len(arr), self.n)
        out[:k] = arr[:k]
        return out

    def extend(self, arr: np.ndarray, *, recurring: bool = True) -> np.ndarray:
        """Years after the case's last: grown from the last year at in-house inflation
        (recurring), or nothing (one-off)."""
        out = arr.copy()
        if recurring and self.case_years < self.n and self.case_years > 0:
            last = arr[self.case_years - 1]
            k = np.arange(1, self.n - self.case_years + 1)
            out[self.case_years :] = last * (1 + self.i.in_house_inflation) ** k
        return out

    def grown(self, amount: float) -> np.ndarray:
        """An amount a year in the first year's prices, grown at in-house inflation."""
        return amount * self.g

    def real(self, amount: float) -> np.ndarray:
        """An amount a year in the first year's prices, kept constant in real terms (grown at
        the appraisal's GDP deflator forecast)."""
        return amount * (1 + self.i.deflator_forecast) ** np.arange(self.n)

    def year0(self, amount: float) -> np.ndarray:
        out = np.zeros(self.n)
        out[0] = amount
        return out

    def fy_start(self, k: int) -> dt.date:
        return dt.date(self.first_fy + k, self.tl.year_start_month, 1)

    def in_term(self, end: dt.date) -> np.ndarray:
        """Share of each appraisal year on or before ``end`` (whole months)."""
        out = np.zeros(self.n)
        for k in range(self.n):
            start = self.fy_start(k)
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            out[k] = min(max(months, 0), 12) / 12
        return out

    # -- the contract ---------------------------------------------------------------------------
    def term_end(self) -> dt.date:
        c = self.contract
        end = c.extension_end_date if c.inputs.extension_taken else c.end_date
        if c.inputs.break_exercised and c.break_date is not None:
            end = min(end, c.break_date - dt.timedelta(days=1))
        return end

    def efficiency_rates(self, target: Any) -> np.ndarray:
        """The efficiency cut asked in each appraisal year (none in the first): a per-year
        list as given for the case's years and none after them; one number every year of the
        contract's term (so the same rule for the contract and for the in-house service)."""
        rates = np.zeros(self.n)
        if isinstance(target, list):
            k = min(len(target), self.n)
            rates[:k] = target[:k]
        elif self.contract is not None:
            rates[:] = target * (self.in_term(self.term_end()) > 0)
        else:
            rates[: self.case_years] = target
        rates[0] = 0.0
        return rates

    def contract_target(self) -> Any:
        return self.over.get("contract.efficiency_target", self.contract.inputs.efficiency_target)

    def price_path(self) -> np.ndarray:
        """The contract's annual price in every appraisal year: the case's figures while the
        contract runs in the case's years; after them, while its term lasts, its indexation
        (the last value) and efficiency rule (:meth:`efficiency_rates`); outside the term the
        last price grown at in-house inflation."""
        c = self.contract.inputs
        income = self.line("contract_income")
        share = self.contract_share()
        price = np.zeros(self.n)
        known = (np.arange(self.n) < self.case_years) & (share > 0) & (income > 0)
        price[known] = income[known] / share[known]
        if not known.any() and self.over:  # a switching value's search passes a zero price
            return price
        if not known.any():
            raise InputError(
                "appraisal: the case's contract pays nothing in the case's years, so there is "
                "no price to appraise; check [contract] annual_value, start_date and term_years"
            )
        index = self.over.get("contract.indexation", c.indexation)
        index = float(index[-1] if isinstance(index, list) else index)
        cuts = self.efficiency_rates(self.contract_target())
        first = int(np.argmax(known))
        for k in range(first + 1, self.n):
            if known[k]:
                continue
            if share[k] > 0:
                price[k] = price[k - 1] * (1 + index) * (1 - cuts[k])
            else:
                price[k] = price[k - 1] * (1 + self.i.in_house_inflation)
        for k in range(first - 1, -1, -1):  # before the contract starts: its first price
            price[k] = price[k + 1]
        return price

    def contract_share(self, end: dt.date | None = None) -> np.ndarray:
        """Share of each appraisal year inside the contract (from its start to ``end``, by
        default the end of its term, extension and break as the case assumes)."""
        start = self.contract.inputs.start_date
        started = 1 - self.in_term(start - dt.timedelta(days=1))
        return np.minimum(self.in_term(end or self.term_end()), started)

    def contract_costs(self, kind: str) -> tuple[list[Cost], list[int]]:
        """The service's cost under an external option: before the contract starts, the
        in-house cost; for the contract's term, its price; after it, the price re-procured
        (again at the end of each further term). Returns the costs and the years in which a
        procurement falls."""
        c = self.contract
        price = self.price_path()
        change = {
            "mutual_competition": self.i.competition_price_change,
            "outsource": self.i.outsource_price_change,
            "joint_venture": self.i.jv_price_change,
        }.get(kind, 0.0)
        price = price * (1 + change)
        end = self.term_end()
        if kind == "mutual_reserved":
            award = c.inputs.award_date or c.inputs.start_date
            limit, rule = reserved_contract_limit(award)
            cap = self._add_years(c.inputs.start_date, limit)
            if cap < end:
                self.notes.append(
                    f"{OPTION_KINDS[kind]}: a reserved contract ends by {cap.isoformat()} "
                    f"({rule}); the case's term runs to {end.isoformat()}, so the appraisal "
                    "re-procures from then."
                )
                end = cap
        started = 1 - self.in_term(c.inputs.start_date - dt.timedelta(days=1))
        in_term = self.contract_share(end)
        before = 1 - started
        after = 1 - in_term - before
        costs = []
        if before.any():
            costs.append(self.cost("in_house_service", self.in_house() * before, kind))
            self.notes.append(
                f"{OPTION_KINDS[kind]}: before the contract starts on "
                f"{c.inputs.start_date.isoformat()} the council runs the service in-house."
            )
        if kind == "teckal":
            costs.append(self.cost("company_payments", price * (1 - before), kind))
            return costs, []
        costs.append(self.cost("contract_price", price * in_term, kind))
        years = [0] if kind in _TENDERED else []
        if after.any():
            costs.append(self.cost("contract_price_reprocured", price * after, kind))
            first = int(np.argmax(after > 0))
            term = max(1, round(c.inputs.term_years + c.inputs.extension_years))
            years += list(range(first, self.n, term))
            again = (
                " A new reserved award is open to the mutual only if it entered into no "
                "comparable reserved contract with the council in the three years before it "
                "(Procurement Act 2023 s.33(5)); otherwise the council competes it openly, and "
                "the mutual may lose."
                if kind == "mutual_reserved"
                else ""
            )
            self.notes.append(
                f"{OPTION_KINDS[kind]}: the contract ends on {end.isoformat()}; the service is "
                f"re-procured for {financial_year_label(self.first_fy + first)} on (and every "
                f"{term} years after), at the last price grown at "
                f"{self.i.in_house_inflation:.1%} a year (an assumption, with optimism bias)."
                + again
            )
        return costs, years

    # -- costs with their bias ------------------------------------------------------------------
    def cost(self, key: str, values: np.ndarray, kind: str | None = None) -> Cost:
        label, category, no_bias = COSTS[key]
        mitigation, reason = 0.0, no_bias
        if key == "contract_price" and self.i.stage == "full":
            mitigation = 1.0
            reason = (
                "full business case: the price is the one tendered and fixed in the contract "
                "for its term (the council's exposure around it keeps its bias)"
            )
        found = [m for m in self.i.mitigations if m.cost == key and m.option in (kind, None)]
        found.sort(key=lambda m: m.option is None)  # an option's own mitigation first
        if found and category is not None:
            mitigation, reason = found[0].share, found[0].reason
            self.used.add(id(found[0]))
        return Cost(label, values, category=category, mitigation=mitigation, reason=reason, key=key)

    def options(self, only: tuple | None = None) -> list[Option]:
        kinds = [k for k in self.kinds if only is None or k in only]
        out = [self.option(k) for k in kinds]
        if only is None:
            for n, m in enumerate(self.i.mitigations):
                if id(m) not in self.used:
                    where = f" of {m.option}" if m.option else ""
                    raise InputError(
                        f"appraisal.mitigations[{n}]: no option appraised has the cost "
                        f"{m.cost}{where}, so the mitigation would be ignored; check its cost "
                        f"and option against the options appraised ({', '.join(kinds)})"
                    )
        return out

    def in_house(self) -> np.ndarray:
        return self.extend(self.line("council_in_house_budget"))

    def efficiency(self) -> np.ndarray:
        """The cumulative efficiency factor asked of the in-house service (1 in the first
        year): its own target, or the contract's, by the contract's rule."""
        target = self.i.in_house_savings_target
        if target is None:
            target = self.contract_target() if self.contract is not None else 0.0
        return np.cumprod(1 - self.efficiency_rates(target))

    def option(self, kind: str) -> Option:
        name = OPTION_KINDS[kind]
        costs: list[Cost] = []
        if kind in ("in_house", "in_house_transformed"):
            ih = self.in_house()
            costs.append(self.cost("in_house_service", ih, kind))
            if kind == "in_house_transformed":
                saving = ih * (1 - self.efficiency())
                costs.append(self.cost("transformation_savings", -saving, kind))
                costs.append(
                    self.cost("transformation_cost", self.year0(self.i.transformation_cost), kind)
                )
            costs = [c for c in costs if np.any(np.asarray(c.values) != 0)] or costs[:1]
            return Option(name, costs, kind=kind, benefits=self.benefits(kind))
        contract, procured = self.contract_costs(kind)
        costs += contract
        costs.append(
            self.cost(
                "stranded_overheads", self.extend(self.line("council_stranded_overheads")), kind
            )
        )
        costs.append(
            self.cost(
                "contract_management", self.extend(self.line("council_contract_management")), kind
            )
        )
        retained = self.line("council_retained_costs")
        recurring = self.line("lgps_contributions_council")
        tail = self.extend(recurring)
        retained = np.where(np.arange(self.n) < self.case_years, retained, tail)
        costs.append(self.cost("council_retained_costs", retained, kind))
        costs.append(
            self.cost(
                "pension_risk_retained", self.extend(self.line("council_pension_allowance")), kind
            )
        )
        costs.append(
            self.cost(
                "lost_vat_recovery", self.extend(self.line("council_lost_vat_recovery")), kind
            )
        )
        if kind != "outsource":
            costs.append(self.cost("setup_support", self.year0(self.i.setup_support), kind))
        procurement = np.zeros(self.n)
        for k in procured:
            procurement[k] += self.i.procurement_cost * self.g[k]
        costs.append(self.cost("procurement", procurement, kind))
        costs.append(
            self.cost("step_in", self.real(self.i.step_in_probability * self.i.step_in_cost), kind)
        )
        surplus = np.maximum(np.concatenate([[0.0], self.line("surplus_after_tax")[:-1]]), 0)
        surplus[self.case_years :] = 0.0
        if kind == "teckal":
            costs.append(self.cost("company_surplus", -surplus * self.i.teckal_surplus_share, kind))
        elif kind in ("mutual_reserved", "mutual_competition") or (
            kind == "joint_venture" and self.i.jv_council_profit_share is None
        ):
            received = self.line("profit_share_council")
            if received.any():
                costs.append(self.cost("profit_share_received", -received, kind))
        elif kind == "joint_venture":
            costs.append(
                self.cost("profit_share_received", -surplus * self.i.jv_council_profit_share, kind)
            )
        costs = [c for c in costs if np.any(np.asarray(c.values) != 0)] or costs[:1]
        return Option(name, costs, kind=kind, benefits=self.benefits(kind))

    def benefits(self, kind: str) -> list[Benefit]:
        out = []
        if kind in _MUTUAL:
            nc = self.extend(self.line("non_cashable_benefits"))
            if nc.any():
                out.append(
                    Benefit(
                        "Non-cashable savings (time regained: lower absence and turnover)",
                        nc,
                        "the case's [absence] and [turnover] inputs and their sources",
                        kind="non-cashable",
                    )
                )
        for sv in self.i.social_value:
            if sv.a_year is not None and kind in sv.options:
                out.append(Benefit(sv.name, self.real(sv.a_year), sv.source))
        return out

    # -- tables ---------------------------------------------------------------------------------
    def council_budget(self) -> pd.DataFrame:
        """The council budget lines by financial year (nominal) with a total column."""
        model = self.results.case.model
        rows = {}
        for line in model.lines.values() if isinstance(model.lines, dict) else model.lines:
            if getattr(line, "sheet", None) != self.comp.sheet or line.kind == "metric":
                continue
            if line.name.startswith("council_saving_") and line.name not in (
                "council_saving_cumulative",  # the payback's running total
                "council_saving_annual",  # on a timeline with months: by financial year
                "council_saving_annual_cumulative",
            ):
                continue
            if line.unit != "GBP":
                continue
            rows[line.label] = self.case_line(line.name)
        labels = [financial_year_label(self.first_fy + k) for k in range(self.case_years)]
        frame = pd.DataFrame(rows, index=labels).T
        frame.index.name = "council budget (nominal GBP)"
        flows = [r for r in frame.index if "to date" not in r and "cumulative" not in r]
        frame["Total"] = np.where(frame.index.isin(flows), frame.sum(axis=1), np.nan)
        return frame

    def contingent(self, appraisal: Appraisal) -> pd.DataFrame:
        i = self.i
        factor = appraisal.real_factor * appraisal.discount_factors
        rows = []
        deficit = self.line("lgps_exit_deficit")[: self.case_years]
        if "lgps_exit_deficit" in self.results.evaluation.values and not deficit.any():
            rows.append(
                {
                    "liability": "Pension guarantee (LGPS)",
                    "what the council keeps": "If the mutual fails, its LGPS exit deficit falls "
                    "to the council that let the contract (LGPS Regulations 2013 reg. 64(3), "
                    "Sch. 2 Part 3); the case estimates no exit deficit in its years (an "
                    "ESTIMATE: a fall in gilt yields or asset values would create one)",
                    "exposure": 0.0,
                    "when": "",
                    "expected value (present value)": 0.0,
                    "in the options' costs": "no: shown here (a contingent liability)",
                }
            )
        if deficit.size and deficit.any():
            worst = float(deficit.max())
            year = financial_year_label(self.first_fy + int(deficit.argmax()))
            ev = float(
                np.sum(i.step_in_probability * self.extend(self.line("lgps_exit_deficit")) * factor)
            )
            rows.append(
                {
                    "liability": "Pension guarantee (LGPS)",
                    "what the council keeps": "If the mutual fails, its LGPS exit deficit falls "
                    "to the council that let the contract (LGPS Regulations 2013 reg. 64(3), "
                    "Sch. 2 Part 3); an ESTIMATE, not an actuarial figure",
                    "exposure": worst,
                    "when": f"largest in {year}",
                    "expected value (present value)": ev,
                    "in the options' costs": "no: shown here (a contingent liability)",
                }
            )
        if i.step_in_probability > 0:
            ev = float(np.sum(self.real(i.step_in_probability * i.step_in_cost) * factor))
            when = self._trough_year()
            k = when if when is not None else 0
            scenario_pv = i.step_in_cost * self.real(1.0)[k] * factor[k] + (
                (self.line("lgps_exit_deficit")[k] * factor[k]) if k < self.n else 0.0
            )
            rows.append(
                {
                    "liability": "Provider failure and step-in",
                    "what the council keeps": f"{i.step_in_probability:.1%} a year chance the "
                    f"provider fails; stepping in costs £{i.step_in_cost:,.0f} (first-year "
                    "prices)",
                    "exposure": i.step_in_cost,
                    "when": "any year",
                    "expected value (present value)": ev,
                    "in the options' costs": "yes: the expected value, in every external option",
                }
            )
            rows.append(
                {
                    "liability": "Scenario: the mutual fails in its cash trough",
                    "what the council keeps": "Step-in cost and the pension exit deficit in "
                    f"{financial_year_label(self.first_fy + k)} (the year of the mutual's "
                    "lowest cash)",
                    "exposure": float(
                        i.step_in_cost * self.real(1.0)[k] + self.line("lgps_exit_deficit")[k]
                    ),
                    "when": financial_year_label(self.first_fy + k),
                    "expected value (present value)": float(scenario_pv),
                    "in the options' costs": "no: a scenario (present value if it happens)",
                }
            )
        else:
            rows.append(
                {
                    "liability": "Provider failure and step-in",
                    "what the council keeps": "Not assessed: give appraisal.step_in_probability "
                    "and step_in_cost",
                    "exposure": np.nan,
                    "when": "",
                    "expected value (present value)": np.nan,
                    "in the options' costs": "no",
                }
            )
        if self.contract is not None and "mutual_reserved" in self.kinds:
            c = self.contract.inputs
            limit, rule = reserved_contract_limit(c.award_date or c.start_date)
            end = min(self.term_end(), self._add_years(c.start_date, limit))
            rows.append(
                {
                    "liability": "Re-commissioning at the end of the reserved contract",
                    "what the council keeps": f"The reserved contract ends by {end.isoformat()} "
                    f"({rule}) and the service must be re-procured: reserved again only if the "
                    "mutual entered into no comparable reserved contract with the council in "
                    "the three years before the new award (Procurement Act 2023 s.33(5)), else "
                    "by open competition, which the mutual may lose",
                    "exposure": float(self.i.procurement_cost),
                    "when": end.isoformat(),
                    "expected value (present value)": np.nan,
                    "in the options' costs": "yes: procurement cost, and optimism bias on the "
                    "re-procured price",
                }
            )
        return pd.DataFrame(rows)

    @staticmethod
    def _add_years(d: dt.date, years: float) -> dt.date:
        y, m = divmod(d.month - 1 + round(years * 12), 12)
        return dt.date(d.year + y, m + 1, 1) - dt.timedelta(days=1)

    def _trough_year(self) -> int | None:
        """The case year (0 the first) of the mutual's lowest cash: on a timeline with
        months, the year of the lowest month, not of the lowest year end."""
        ev = self.results.evaluation
        if "closing_cash" not in ev.values:
            return None
        cash = np.asarray(ev.array("closing_cash"), dtype=float)
        cash = cash[min(self.s, cash.shape[0] - 1)]
        years = self.tl.financial_years
        return int(years[int(cash.argmin())] - years[0])

    def scores(self) -> pd.DataFrame:
        scored = [sv for sv in self.i.social_value if sv.score is not None]
        if not scored:
            return pd.DataFrame()
        rows = []
        for sv in scored:
            row = {"social value": sv.name, "source": sv.source}
            for kind in self.kinds:
                row[OPTION_KINDS[kind]] = sv.score if kind in sv.options else 0
            rows.append(row)
        return pd.DataFrame(rows)

    def five_cases(self, appraisal: Appraisal) -> pd.DataFrame:
        t = appraisal.table
        budget = self.council_budget()
        saving_row = "Council's saving (in-house budget less the spin-out's cost)"
        total_saving = budget.loc[saving_row, "Total"] if saving_row in budget.index else np.nan
        payback = self.metric("council_payback_years")
        if np.isfinite(payback):
            paid = f"paid back in {payback:.1f} years from the first outlay"
        elif (budget.loc[f"{saving_row}: cumulative", budget.columns[:-1]] >= 0).all():
            paid = "no net outlay (the saving covers it from the first year)"
        else:
            paid = "not paid back within the case's years"
        rows = [
            {
                "case": "Strategic",
                "question": "Why change; what the options achieve beyond cost",
                "figures": "Social value (scored and monetised), non-cashable benefits",
                "where": "Appraisal: benefits and scores",
            },
            {
                "case": "Economic",
                "question": "Which option gives the best value to society",
                "figures": f"Net present cost of {len(t)} options ({appraisal.base_year} "
                f"prices); preferred: {appraisal.preferred}; optimism bias by cost; switching "
                "values",
                "where": "Appraisal: options ranked, switching values; Appraisal detail: optimism "
                "bias cost by cost",
            },
            {
                "case": "Commercial",
                "question": "Can the deal be done and on what terms",
                "figures": "Contract price, term, payment terms, reserved-contract rule, "
                "re-commissioning, contingent liabilities",
                "where": "Income (contract lines), Appraisal: contingent liabilities",
            },
            {
                "case": "Financial",
                "question": "Is it affordable for the council and viable for the mutual",
                "figures": f"Council's saving over the case's years £{total_saving:,.0f} "
                f"(nominal); the council's set-up money: {paid}; the mutual's cash, reserves, "
                "NPV",
                "where": "Council budget; Statements; Summary",
            },
            {
                "case": "Management",
                "question": "Can it be delivered; how risks are managed",
                "figures": "Checks, scenarios, sensitivity, Monte Carlo",
                "where": "Checks; Risk",
            },
        ]
        return pd.DataFrame(rows)
