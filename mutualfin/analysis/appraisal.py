"""The commissioner's options appraisal: is the spin-out value for money for the council?

Each option is the council's costs by year over the appraisal period (nominal cash, GBP),
cost by cost: for business as usual, the service's in-house budget; for a spin-out, the
contract payments plus what stays behind with the council (stranded overheads, contract
management, pension costs, set-up support, the expected cost of stepping in if the provider
fails), less any profit share the council receives. The options built from a business case
are :class:`mutualfin.analysis.council.CouncilAppraisal`'s; this module is the method.

HM Treasury Green Book method (2022), as :func:`appraise` applies it:

1. **Real terms**: nominal flows are converted to the prices of the base year with the GDP
   deflator (HM Treasury series, calendar years to 2024) extended beyond its data by a stated
   forecast rate, labelled as an assumption: ``real_t = nominal_t x D(base) / D(year_t)``.
2. **Optimism bias, cost by cost, on every option**: each cost carries a category whose upper
   bound is a dated parameter (supplementary Green Book guidance, from Mott MacDonald's 2002
   review: outsourcing operating expenditure 41%; equipment and development capital
   expenditure 200%), reduced by the share of the risk mitigated, with the evidence recorded:
   ``uplift = upper_bound x (1 - mitigation)``. The bias always makes an option worse: a cost
   rises by ``uplift x |PV|``, a saving or a receipt falls by the same. A cost with no
   category carries no bias, and says why (a sum the council fixes; an expected value of a
   risk, which bias would count twice). A price fixed in a contract is evidence that mitigates
   the bias on that price, not on the council's exposure around it.
3. **Discounting**: real flows are discounted with the Green Book schedule (3.5% for years
   0-30, then declining), year 0 being the first appraisal year, undiscounted.
4. **Results**: the net present cost (NPC) of each option with and without optimism bias and
   its rank on each; the equivalent annual net cost (NPC / sum of the discount factors); where
   benefits are monetised, the net present social value against the first option (business as
   usual): ``NPSV = NPC(first) - NPC(option) + PV(benefits of the option)``; and switching
   values: how far a named cost of an option must move before the preferred option changes,
   with the direction of change in words.

References
----------
HM Treasury, *The Green Book* (2022), chapter 5 and Annex A6 (discounting);
HM Treasury, *Supplementary Green Book guidance: optimism bias* (2003; Mott MacDonald,
*Review of Large Public Procurement in the UK*, 2002, Table 2).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.core.calendar import financial_year_label, parse_financial_year
from mutualfin.errors import InputError
from mutualfin.params import resolve_store
from mutualfin.uk.greenbook import deflator_index, green_book_discount_factors

__all__ = [
    "BIAS_CATEGORIES",
    "STAGES",
    "Appraisal",
    "Benefit",
    "BiasCategory",
    "Cost",
    "Option",
    "appraise",
    "deflator_index",
]


@dataclass(frozen=True)
class BiasCategory:
    """A Green Book optimism bias category: what it covers and the parameter holding its
    upper bound."""

    label: str
    parameter: str


#: Optimism bias categories (supplementary Green Book guidance, Mott MacDonald 2002 Table 2).
#: Operating costs of every option take the only operating-cost bound the guidance publishes,
#: the outsourcing one; one-off change programmes take equipment and development.
BIAS_CATEGORIES: dict[str, BiasCategory] = {
    "operating": BiasCategory(
        "Operating costs (outsourcing bound)",
        "greenbook.optimism_bias_outsourcing_opex",
    ),
    "equipment_development": BiasCategory(
        "One-off change (equipment and development capital bound)",
        "greenbook.optimism_bias_equipment_development_capex",
    ),
}

#: Business case stages (HM Treasury, Guide to developing the Project Business Case, 2018):
#: optimism bias starts at the upper bounds and is reduced as evidence is recorded.
STAGES: dict[str, str] = {
    "strategic_outline": "Strategic outline case",
    "outline": "Outline business case",
    "full": "Full business case",
}

_GIVEN = "given"  # the category of a bias given as a number (the first release's Option)


def _series(value: Any, n_years: int, where: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{where} is not numeric: {value!r}") from None
    if arr.ndim == 0:
        arr = np.full(n_years, float(arr))
    if arr.shape != (n_years,):
        raise InputError(
            f"{where} has {arr.size} values; the appraisal has {n_years} years "
            "(give one per year, or one number)"
        )
    if not np.isfinite(arr).all():
        raise InputError(f"{where} has a value that is not finite")
    return arr


@dataclass
class Cost:
    """One cost of an option: nominal GBP by appraisal year, with its optimism bias.

    Parameters
    ----------
    name : str
        How the cost reads ("Contract payments (price fixed in the contract)").
    values : a number per year (list or array), or one number for every year
        Positive amounts the council pays; negative for savings and receipts (a profit share).
    category : str or None
        A key of :data:`BIAS_CATEGORIES`; None for no optimism bias (give ``reason``).
    mitigation : float
        Share of the bias mitigated (0 to 1); above 0 needs ``reason``.
    reason : str
        The evidence for the mitigation, or why the cost carries no bias.
    upper_bound : float, optional
        The category's upper bound; read from the parameter store when not given.
    key : str
        A short identifier (``contract_price_fixed``), used to name mitigations.
    """

    name: str
    values: Any
    category: str | None = "operating"
    mitigation: float = 0.0
    reason: str = ""
    upper_bound: float | None = None
    key: str = ""
    arr: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    @property
    def uplift(self) -> float:
        if self.category is None:
            return 0.0
        return float(self.upper_bound or 0.0) * (1 - self.mitigation)

    def check(self, where: str, n_years: int, store: Any) -> None:
        where = f"{where}: cost {self.name!r}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"{where}: give the cost a name")
        if self.category is not None and self.category != _GIVEN:
            if self.category not in BIAS_CATEGORIES:
                raise InputError(
                    f"{where}: optimism bias category {self.category!r} is not one of "
                    f"{sorted(BIAS_CATEGORIES)} (None for a cost without bias, with a reason)"
                )
            if self.upper_bound is None:
                self.upper_bound = float(
                    store.get(BIAS_CATEGORIES[self.category].parameter).entries[-1].value
                )
        if self.category is None and not str(self.reason).strip():
            raise InputError(f"{where}: say why it carries no optimism bias (reason)")
        m = self.mitigation
        if isinstance(m, bool) or not isinstance(m, int | float) or not np.isfinite(m):
            raise InputError(f"{where}: mitigation {m!r} must be a number")
        if not 0 <= m <= 1:
            raise InputError(f"{where}: mitigation {m} must be a share between 0 and 1")
        if m > 0 and not str(self.reason).strip():
            raise InputError(
                f"{where}: record the reason for mitigating {m:.0%} of its optimism bias "
                "(Green Book: reduce the upper bound only with evidence)"
            )
        ub = self.upper_bound
        if ub is not None and (not np.isfinite(ub) or not 0 <= ub <= 3):
            raise InputError(f"{where}: upper bound {ub} must be between 0 and 3 (0.41 for 41%)")
        self.arr = _series(self.values, n_years, where)


@dataclass
class Benefit:
    """A monetised benefit of an option beyond the council's cash: nominal GBP by year.

    Non-cashable savings (time regained from lower absence) and social value with a published
    unit value (Public Services (Social Value) Act 2012) count towards the net present social
    value, each with its source.
    """

    name: str
    values: Any
    source: str
    kind: str = "social value"
    arr: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def check(self, where: str, n_years: int) -> None:
        where = f"{where}: benefit {self.name!r}"
        if not str(self.source).strip():
            raise InputError(f"{where}: give its source (a benefit is counted only with one)")
        self.arr = _series(self.values, n_years, where)


@dataclass
class Option:
    """One option: the council's nominal costs by appraisal year.

    Parameters
    ----------
    name : str
        "Business as usual (in-house)", "Spin out to a mutual (reserved contract)"...
    costs : sequence of Cost, or a mapping of cost name to a number per year
        With a mapping (the first release's form), every cost named in ``bias_applies_to``
        (all by default) takes the single ``optimism_bias`` with ``mitigation``.
    optimism_bias, mitigation, mitigation_reason, bias_applies_to
        The first release's single bias, for a mapping of costs; give :class:`Cost` items
        to set a category, mitigation and reason on each cost instead.
    kind : str
        What the option is (``in_house``, ``mutual_reserved``...), for tables.
    benefits : sequence of Benefit
        Monetised benefits beyond the council's costs (net present social value).
    description : str
        One line on what the option is.
    """

    name: str
    costs: Mapping[str, Any] | Sequence[Cost]
    optimism_bias: float = 0.0
    mitigation: float = 0.0
    mitigation_reason: str = ""
    bias_applies_to: Sequence[str] | None = None
    kind: str = "custom"
    benefits: Sequence[Benefit] = ()
    description: str = ""
    items: list[Cost] = field(default_factory=list, repr=False)

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """Each cost's nominal values by year (after :meth:`validate`)."""
        return {c.name: c.arr for c in self.items}

    def _legacy_items(self, where: str) -> list[Cost]:
        for key, value in {
            "optimism_bias": self.optimism_bias,
            "mitigation": self.mitigation,
        }.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"{where}: {key} {value!r} must be a number")
            if not np.isfinite(value):
                raise InputError(f"{where}: {key} {value!r} must be a number")
        if not 0 <= self.optimism_bias <= 3:
            raise InputError(
                f"{where}: optimism_bias {self.optimism_bias} must be a fraction between 0 and "
                "3 (0.41 for 41%)"
            )
        if not 0 <= self.mitigation <= 1:
            raise InputError(
                f"{where}: mitigation {self.mitigation} must be a share between 0 and 1"
            )
        if self.mitigation > 0 and not self.mitigation_reason.strip():
            raise InputError(
                f"{where}: record mitigation_reason for the {self.mitigation:.0%} of optimism "
                "bias mitigated (Green Book: reduce the upper bound only with reasons)"
            )
        for name in self.bias_applies_to or ():
            if name not in self.costs:
                raise InputError(f"{where}: bias_applies_to names {name!r}, not one of its costs")
        items = []
        for name, value in self.costs.items():  # type: ignore[union-attr]
            biased = self.bias_applies_to is None or name in self.bias_applies_to
            if biased and self.optimism_bias:
                items.append(
                    Cost(
                        name,
                        value,
                        category=_GIVEN,
                        upper_bound=float(self.optimism_bias),
                        mitigation=float(self.mitigation),
                        reason=self.mitigation_reason,
                    )
                )
            else:
                items.append(
                    Cost(
                        name,
                        value,
                        category=None,
                        reason="not named in bias_applies_to"
                        if self.optimism_bias
                        else "no optimism bias given",
                    )
                )
        return items

    def validate(self, n_years: int, store: Any = None) -> None:
        where = f"option {self.name!r}"
        if not self.costs:
            raise InputError(f"{where}: give at least one cost")
        store = resolve_store(store)
        if isinstance(self.costs, Mapping):
            self.items = self._legacy_items(where)
        else:
            items = list(self.costs)
            for item in items:
                if not isinstance(item, Cost):
                    raise InputError(
                        f"{where}: costs must be Cost items or a mapping of name to values, "
                        f"got {type(item).__name__}"
                    )
            if self.optimism_bias or self.mitigation or self.bias_applies_to:
                raise InputError(
                    f"{where}: with Cost items, set each cost's category and mitigation; "
                    "optimism_bias, mitigation and bias_applies_to are for a mapping of costs"
                )
            self.items = items
        names = [c.name for c in self.items]
        if len(set(names)) != len(names):
            raise InputError(f"{where}: cost names must differ, got {names}")
        for item in self.items:
            item.check(where, n_years, store)
        for benefit in self.benefits:
            if not isinstance(benefit, Benefit):
                raise InputError(f"{where}: benefits must be Benefit items")
            benefit.check(where, n_years)

    @property
    def uplift(self) -> float:
        """The single uplift of a first-release option (0 for an option of Cost items)."""
        return self.optimism_bias * (1 - self.mitigation)

    def cost(self, name: str) -> Cost:
        for item in self.items:
            if item.name == name:
                return item
        raise InputError(
            f"option {self.name!r} has no cost {name!r}; its costs: {[c.name for c in self.items]}"
        )


def _pct(x: float) -> str:
    return f"{x:.1%}".replace(".0%", "%")


def _gbp(x: float) -> str:
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}£{x / 1e6:,.2f}m"
    return f"{sign}£{x:,.0f}"


@dataclass
class Appraisal:
    """The result of :func:`appraise`: tables ready for a cabinet paper."""

    options: list[Option]
    years: list[str]
    base_year: str
    discount_factors: np.ndarray
    real_factor: np.ndarray
    present_values: dict[str, dict[str, float]]
    notes: list[str]
    #: switching values on case inputs (contract value, efficiency target), when computed
    input_switching: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the appraisal's own inputs with sources, when it came from a case's [appraisal]
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the business case stage (a key of STAGES), when given
    stage: str | None = None
    #: each option's monetised benefits: option -> benefit -> present value
    benefit_values: dict[str, dict[str, float]] = field(default_factory=dict)
    #: the council's budget by year, nominal (from a case: CouncilAppraisal)
    council_budget: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: liabilities and risks the council keeps, with expected values and scenarios
    contingent_liabilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: social value scored where no source gives it a money value
    social_value_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: which figures feed each case of the Five Case Model
    five_cases: pd.DataFrame = field(default_factory=pd.DataFrame)

    # -- figures -----------------------------------------------------------------------------
    def _option(self, name: str) -> Option:
        for opt in self.options:
            if opt.name == name:
                return opt
        raise InputError(f"no option {name!r}; options: {[o.name for o in self.options]}")

    def npc(self, option: str, *, bias: bool = True) -> float:
        """Net present cost of an option, with its optimism bias (or without)."""
        pv = self.present_values[option]
        total = float(sum(v for k, v in pv.items() if k != "optimism bias"))
        return total + (pv.get("optimism bias", 0.0) if bias else 0.0)

    @property
    def monetised(self) -> bool:
        """Whether any option has a monetised benefit (then NPSV decides the ranking)."""
        return any(self.benefit_values.get(o.name) for o in self.options)

    @property
    def table(self) -> pd.DataFrame:
        """Options ranked: by net present social value where benefits are monetised, else by
        net present cost (cheapest first); with the rank before optimism bias beside it."""
        rows = []
        total_df = float(self.discount_factors.sum())
        first = self.options[0].name
        for opt in self.options:
            npc = self.npc(opt.name)
            row = {
                "option": opt.name,
                "present cost before optimism bias": self.npc(opt.name, bias=False),
                "optimism bias": self.present_values[opt.name].get("optimism bias", 0.0),
                "net present cost": npc,
                "equivalent annual net cost": npc / total_df,
            }
            if self.monetised:
                benefits = float(sum(self.benefit_values.get(opt.name, {}).values()))
                row["monetised benefits"] = benefits
                row["net present social value"] = self.score(first) - (npc - benefits)
            rows.append(row)
        frame = pd.DataFrame(rows).set_index("option")
        benefits = frame["monetised benefits"] if self.monetised else 0.0
        score = frame["net present cost"] - benefits
        before = frame["present cost before optimism bias"] - benefits
        order = score.sort_values(kind="stable").index
        rank_before = before.rank(method="first").astype(int)
        frame = frame.loc[order]
        frame["difference from the cheapest"] = (
            frame["net present cost"] - frame["net present cost"].min()
        )
        frame.insert(0, "rank", range(1, len(frame) + 1))
        frame["rank before optimism bias"] = rank_before.loc[order].to_numpy()
        return frame

    @property
    def preferred(self) -> str:
        return str(self.table.index[0])

    @property
    def preferred_before_bias(self) -> str:
        t = self.table
        return str(t.index[t["rank before optimism bias"].to_numpy().argmin()])

    def detail(self, option: str) -> pd.DataFrame:
        """Present value of each cost of one option, its optimism bias and the total."""
        self._option(option)
        pv = self.present_values[option]
        frame = pd.Series(pv, name="present value").to_frame()
        return frame

    def costs_by_year(self, option: str) -> pd.DataFrame:
        """One option's nominal costs by appraisal year (rows: costs; columns: years)."""
        opt = self._option(option)
        return pd.DataFrame({c.name: c.arr for c in opt.items}, index=self.years).T

    @property
    def optimism_bias(self) -> pd.DataFrame:
        """Every cost of every option with its optimism bias: category, upper bound, stage,
        mitigation and its reason, the uplift, the present value and the bias on it."""
        rows = []
        factor = self.real_factor * self.discount_factors
        for opt in self.options:
            for c in opt.items:
                pv = float(np.sum(c.arr * factor))
                if c.category is None:
                    label = "none"
                elif c.category == _GIVEN:
                    label = "as given"
                else:
                    label = BIAS_CATEGORIES[c.category].label
                rows.append(
                    {
                        "option": opt.name,
                        "cost": c.name,
                        "category": label,
                        "upper bound": c.upper_bound if c.category is not None else 0.0,
                        "stage": STAGES.get(self.stage or "", "not given"),
                        "mitigation": c.mitigation if c.category is not None else 0.0,
                        "reason": c.reason,
                        "uplift": c.uplift,
                        "present value": pv,
                        "optimism bias": c.uplift * abs(pv),
                    }
                )
        return pd.DataFrame(rows)

    # -- switching values --------------------------------------------------------------------
    def score(self, option: str) -> float:
        """What the ranking minimises: the net present cost less monetised benefits (so
        ``NPSV = score(first option) - score(option)``)."""
        return self.npc(option) - float(sum(self.benefit_values.get(option, {}).values()))

    def switching_value(self, option: str, cost: str, against: str | None = None) -> dict:
        """How far ``cost`` of ``option`` must move before the preference between ``option``
        and ``against`` (default: the best other option) changes.

        NPC is linear in each cost, so the answer is exact: with ``T`` the cost's present
        value including its own optimism bias, ``multiple = 1 + gap / T`` where ``gap`` is
        how much dearer ``against`` is than ``option`` (less monetised benefits where there
        are any). A multiple below 0 cannot occur (the cost would have to change sign): the
        row says so. Returns the multiple, the change, the change in present value, whether
        it can occur, and the finding in words.
        """
        names = [o.name for o in self.options]
        if option not in names:
            raise InputError(f"switching_value: no option {option!r}; options: {names}")
        if against is None:
            others = self.table.drop(index=option)
            if others.empty:
                raise InputError("switching_value needs at least two options")
            against = str(others.index[0])
        elif against not in names:
            raise InputError(f"switching_value: no option {against!r}; options: {names}")
        opt = self._option(option)
        pv = self.present_values[option]
        if cost not in pv or cost == "optimism bias":
            raise InputError(
                f"switching_value: option {option!r} has no cost {cost!r}; its costs: "
                f"{[k for k in pv if k != 'optimism bias']}"
            )
        item = opt.cost(cost)
        base = pv[cost]
        total = base + item.uplift * abs(base)
        if total == 0:
            raise InputError(f"switching_value: {cost!r} of {option!r} has no present value")
        gap = self.score(against) - self.score(option)
        multiple = 1 + gap / total
        possible = multiple >= 0
        return {
            "option": option,
            "against": against,
            "cost": cost,
            "multiple": multiple,
            "change": multiple - 1,
            "present value change": gap,
            "can occur": possible,
            "in words": self._words(option, against, cost, base, multiple, gap),
        }

    def _words(self, option, against, cost, base, multiple, gap) -> str:
        leads = gap > 0  # option is the better of the two now
        verb_now = "is better than" if leads else "is worse than"
        if multiple < 0:
            return (
                f"Cannot occur: {option} {verb_now} {against} by {_gbp(abs(gap))} in present "
                f'value, and no value of its cost "{cost}" would change that (it would have '
                "to change sign)."
            )
        change = multiple - 1
        # a negative "cost" is a receipt or a saving: speak of it rising or falling as such
        what = "cost" if base > 0 else "receipt"
        direction = "rises" if change > 0 else "falls"
        by = abs(change)
        if leads:
            return (
                f'{option} stops being preferred to {against} if its {what} "{cost}" '
                f"{direction} by more than {_pct(by)} ({_gbp(abs(gap))} in present value)."
            )
        return (
            f'{option} becomes preferred to {against} if its {what} "{cost}" {direction} by '
            f"more than {_pct(by)} ({_gbp(abs(gap))} in present value)."
        )

    def switching_values(self) -> pd.DataFrame:
        """The switching value of every cost of the preferred option against the next best,
        and of the next best's costs against the preferred."""
        table = self.table
        if len(table) < 2:
            raise InputError("switching values need at least two options")
        first, second = str(table.index[0]), str(table.index[1])
        rows = []
        for option, against in ((first, second), (second, first)):
            for cost, value in self.present_values[option].items():
                if cost == "optimism bias" or value == 0:
                    continue
                rows.append(self.switching_value(option, cost, against))
        return pd.DataFrame(rows)

    @property
    def findings(self) -> list[str]:
        """The appraisal's conclusion in plain sentences (for a cabinet paper)."""
        t = self.table
        out = []
        best = self.preferred
        if len(t) > 1:
            second = str(t.index[1])
            if self.monetised:
                gap = (
                    t.loc[best, "net present social value"]
                    - t.loc[second, "net present social value"]
                )
                measure = "net present social value"
            else:
                gap = t.loc[second, "net present cost"] - t.loc[best, "net present cost"]
                measure = "net present cost"
            out.append(
                f"{best} ranks first on {measure}, {_gbp(gap)} better than {second} "
                f"({self.base_year} prices, Green Book discounting, after optimism bias)."
            )
        else:
            out.append(f"{best} is the only option appraised.")
        before = self.preferred_before_bias
        if before != best:
            out.append(
                f"Before optimism bias {before} would rank first: the bias decides the ranking, "
                "so read the bias table and its reasons."
            )
        else:
            out.append("The ranking of the first option is the same before optimism bias.")
        return out

    def _repr_html_(self) -> str:
        t = self.table.to_html(float_format=lambda x: f"{x:,.0f}")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in [*self.findings, *self.notes])
        stage = f", {html.escape(STAGES[self.stage])}" if self.stage in STAGES else ""
        return (
            f"<h4>Options appraisal, {html.escape(self.base_year)} prices, Green Book "
            f"discounting{stage}</h4>{t}<ul>{notes}</ul>"
        )


def appraise(
    options: Sequence[Option],
    *,
    first_year: int | str,
    years: int,
    base_year: int | str | None = None,
    deflator_forecast: float = 0.02,
    schedule: str = "standard",
    params: Any = None,
    stage: str | None = None,
) -> Appraisal:
    """Appraise options in real terms with Green Book discounting (see the module docstring).

    Parameters
    ----------
    options : sequence of Option
        The first is the reference for net present social value (business as usual).
    first_year : financial year of the first appraisal year (year 0), e.g. "2026/27"
    years : number of appraisal years
    base_year : financial year whose prices the appraisal uses; the first year by default
    deflator_forecast : growth of the GDP deflator a year beyond its published data (an
        assumption, recorded in the notes)
    schedule : Green Book discount schedule, "standard" or "health"
    params : the parameter store (GDP deflator, discount schedule, optimism bias bounds);
        shipped UK figures by default
    stage : business case stage, a key of :data:`STAGES` (shown beside the optimism bias)

    Examples
    --------
    >>> a = appraise(
    ...     [Option("In-house", [Cost("Service", 1_000_000, mitigation=0.5, reason="outturn")]),
    ...      Option("Mutual", [Cost("Contract", 950_000, mitigation=1, reason="fixed price"),
    ...                        Cost("Client team", 40_000)])],
    ...     first_year="2026/27", years=1)
    >>> a.table["optimism bias"].round(0).to_dict()
    {'Mutual': 16400.0, 'In-house': 205000.0}
    """
    if not options:
        raise InputError("appraise: give at least one option")
    names = [o.name for o in options]
    if len(set(names)) != len(names):
        raise InputError(f"appraise: option names must differ, got {names}")
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise InputError(f"appraise: years {years!r} must be a whole number, at least 1")
    if stage is not None and stage not in STAGES:
        raise InputError(f"appraise: stage {stage!r} must be one of {list(STAGES)}")
    store = resolve_store(params)
    start = parse_financial_year(first_year)
    base = parse_financial_year(base_year) if base_year is not None else start
    fy = [start + k for k in range(years)]
    index = deflator_index(sorted({*fy, base}), deflator_forecast, params=params)
    real_factor = np.array([index[base] / index[y] for y in fy])
    df = green_book_discount_factors(years, schedule, params=params)
    factor = real_factor * df
    pvs: dict[str, dict[str, float]] = {}
    benefits: dict[str, dict[str, float]] = {}
    for opt in options:
        opt.validate(years, store)
        pv: dict[str, float] = {}
        bias = 0.0
        for c in opt.items:
            value = float(np.sum(c.arr * factor))
            pv[c.name] = value
            bias += c.uplift * abs(value)
        pv["optimism bias"] = bias
        pvs[opt.name] = pv
        benefits[opt.name] = {b.name: float(np.sum(b.arr * factor)) for b in opt.benefits}
    last = store.get("gdp_deflator.index").entries[-1].start.year
    notes = [
        f"Prices of {financial_year_label(base)}: nominal costs deflated by the GDP deflator "
        f"(HM Treasury, calendar years to {last}), extended at {deflator_forecast:.1%} a year "
        "beyond the data (assumption).",
        f"Discounted with the Green Book {schedule} schedule (year 0 = "
        f"{financial_year_label(start)}, undiscounted).",
    ]
    for opt in options:
        for c in opt.items:
            if c.category is None or not c.upper_bound:
                continue
            notes.append(
                f"{opt.name}: {c.name}: optimism bias upper bound {_pct(c.upper_bound)}, "
                f"mitigated {_pct(c.mitigation)}"
                + (f" ({c.reason})" if c.reason else " (no mitigation)")
                + f", uplift {c.uplift:.1%}."
            )
    return Appraisal(
        list(options),
        [financial_year_label(y) for y in fy],
        financial_year_label(base),
        df,
        real_factor,
        pvs,
        notes,
        stage=stage,
        benefit_values=benefits,
    )
