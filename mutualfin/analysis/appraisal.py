"""The commissioner's options appraisal: is the spin-out value for money for the council?

Each option is the council's costs by year over the appraisal period (nominal cash, GBP):
for "retain in-house", the service's budget and the overheads that support it; for "spin out
to a mutual", the contract payments plus what stays behind with the council (stranded
overheads, pension risk retained under pass-through, lost VAT recovery, set-up support).

HM Treasury Green Book method (2022), as :func:`appraise` applies it:

1. **Real terms**: nominal flows are converted to the prices of the base year with the GDP
   deflator (HM Treasury series, calendar years to 2024) extended beyond its data by a stated
   forecast rate, labelled as an assumption: ``real_t = nominal_t x D(base) / D(year_t)``.
2. **Optimism bias**: costs the option names are uplifted by the upper bound (outsourcing
   operating costs: 41%, Mott MacDonald 2002) reduced by the share of risk mitigated, with the
   reasons recorded: ``uplift = upper_bound x (1 - mitigation)``.
3. **Discounting**: real flows are discounted with the Green Book schedule (3.5% for years
   0-30, then declining), year 0 being the first appraisal year, undiscounted.
4. **Results**: the net present cost (NPC) of each option, the difference from the cheapest,
   the equivalent annual net cost (NPC / sum of the discount factors), and switching values:
   how far a named cost of an option must move (as a multiple and as a present value) before
   the preferred option changes.

This is appraisal from the council's viewpoint; the mutual's own viability is the business
case (:mod:`mutualfin.case`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.core.calendar import financial_year_label, parse_financial_year
from mutualfin.errors import InputError, SolverError
from mutualfin.params import resolve_store
from mutualfin.uk.greenbook import deflator_index, green_book_discount_factors

__all__ = ["Appraisal", "CouncilAppraisal", "Option", "appraise", "deflator_index"]


@dataclass
class Option:
    """One option: the council's nominal costs by appraisal year.

    Parameters
    ----------
    name : str
        "Retain in-house", "Spin out to a mutual", "Outsource"...
    costs : mapping of cost name to a number per year (a list, array or number)
        Positive amounts the council pays. A number applies to every year.
    optimism_bias : float
        Upper bound of the uplift (0.41 for outsourcing operating costs), a fraction.
    mitigation : float
        Share of the optimism bias mitigated (0 to 1), with ``mitigation_reason`` recorded.
    bias_applies_to : sequence of str, optional
        Cost names the uplift applies to; all of the option's costs by default.
    """

    name: str
    costs: Mapping[str, Any]
    optimism_bias: float = 0.0
    mitigation: float = 0.0
    mitigation_reason: str = ""
    bias_applies_to: Sequence[str] | None = None
    arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def validate(self, n_years: int) -> None:
        where = f"option {self.name!r}"
        if not self.costs:
            raise InputError(f"{where}: give at least one cost")
        for key, value in {
            "optimism_bias": self.optimism_bias,
            "mitigation": self.mitigation,
        }.items():
            if not isinstance(value, int | float) or not np.isfinite(value):
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
        self.arrays = {}
        for name, value in self.costs.items():
            try:
                arr = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise InputError(f"{where}: cost {name!r} is not numeric: {value!r}") from None
            if arr.ndim == 0:
                arr = np.full(n_years, float(arr))
            if arr.shape != (n_years,):
                raise InputError(
                    f"{where}: cost {name!r} has {arr.size} values; the appraisal has "
                    f"{n_years} years (give one per year, or one number)"
                )
            if not np.isfinite(arr).all():
                raise InputError(f"{where}: cost {name!r} has a value that is not finite")
            self.arrays[name] = arr

    @property
    def uplift(self) -> float:
        return self.optimism_bias * (1 - self.mitigation)

    def biased(self, name: str) -> bool:
        return self.bias_applies_to is None or name in self.bias_applies_to


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

    def npc(self, option: str) -> float:
        return float(sum(self.present_values[option].values()))

    @property
    def table(self) -> pd.DataFrame:
        """Options ranked by net present cost (cheapest first)."""
        rows = []
        total_df = float(self.discount_factors.sum())
        for opt in self.options:
            pv = self.present_values[opt.name]
            uplift = sum(v for k, v in pv.items() if k.startswith("optimism bias"))
            npc = self.npc(opt.name)
            rows.append(
                {
                    "option": opt.name,
                    "present cost before optimism bias": npc - uplift,
                    "optimism bias": uplift,
                    "net present cost": npc,
                    "equivalent annual net cost": npc / total_df,
                }
            )
        frame = pd.DataFrame(rows).set_index("option").sort_values("net present cost")
        best = frame["net present cost"].iloc[0]
        frame["difference from the cheapest"] = frame["net present cost"] - best
        frame.insert(0, "rank", range(1, len(frame) + 1))
        return frame

    @property
    def preferred(self) -> str:
        return str(self.table.index[0])

    def detail(self, option: str) -> pd.DataFrame:
        """Present value of each cost of one option."""
        return pd.Series(self.present_values[option], name="present value").to_frame()

    def switching_value(self, option: str, cost: str, against: str | None = None) -> dict:
        """How far ``cost`` of ``option`` must move before the preference between ``option``
        and ``against`` (default: the best other option) changes.

        NPC is linear in each cost line, so the answer is exact:
        ``multiple = 1 + (NPC_against - NPC_option) / PV_cost`` (PV including any optimism
        bias on that cost). Returns the multiple, the percentage change, and the change in
        present value.
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
        pv = self.present_values[option]
        if cost not in pv:
            raise InputError(
                f"switching_value: option {option!r} has no cost {cost!r}; its costs: "
                f"{[k for k in pv if not k.startswith('optimism bias')]}"
            )
        opt = next(o for o in self.options if o.name == option)
        pv_cost = pv[cost] * (1 + (opt.uplift if opt.biased(cost) else 0.0))
        if pv_cost == 0:
            raise InputError(f"switching_value: {cost!r} of {option!r} has no present value")
        gap = self.npc(against) - self.npc(option)
        multiple = 1 + gap / pv_cost
        return {
            "option": option,
            "against": against,
            "cost": cost,
            "multiple": multiple,
            "change": multiple - 1,
            "present value change": gap,
        }

    def switching_values(self) -> pd.DataFrame:
        """The switching value of every cost of the preferred option against the next best,
        and of the next best's costs against the preferred."""
        table = self.table
        if len(table) < 2:
            raise InputError("switching values need at least two options")
        first, second = str(table.index[0]), str(table.index[1])
        rows = []
        for option, against in ((first, second), (second, first)):
            for cost in self.present_values[option]:
                if cost.startswith("optimism bias") or self.present_values[option][cost] == 0:
                    continue
                rows.append(self.switching_value(option, cost, against))
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        t = self.table.to_html(float_format=lambda x: f"{x:,.0f}")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<h4>Options appraisal, {html.escape(self.base_year)} prices, Green Book "
            f"discounting</h4>{t}<ul>{notes}</ul>"
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
) -> Appraisal:
    """Appraise options in real terms with Green Book discounting (see the module docstring).

    Parameters
    ----------
    options : sequence of Option
    first_year : financial year of the first appraisal year (year 0), e.g. "2026/27"
    years : number of appraisal years
    base_year : financial year whose prices the appraisal uses; the first year by default
    deflator_forecast : growth of the GDP deflator a year beyond its published data (an
        assumption, recorded in the notes)
    schedule : Green Book discount schedule, "standard" or "health"
    params : the parameter store (GDP deflator, discount schedule); shipped UK figures by default
    """
    if not options:
        raise InputError("appraise: give at least one option")
    names = [o.name for o in options]
    if len(set(names)) != len(names):
        raise InputError(f"appraise: option names must differ, got {names}")
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise InputError(f"appraise: years {years!r} must be a whole number, at least 1")
    start = parse_financial_year(first_year)
    base = parse_financial_year(base_year) if base_year is not None else start
    fy = [start + k for k in range(years)]
    index = deflator_index(sorted({*fy, base}), deflator_forecast, params=params)
    real_factor = np.array([index[base] / index[y] for y in fy])
    df = green_book_discount_factors(years, schedule, params=params)
    pvs: dict[str, dict[str, float]] = {}
    for opt in options:
        opt.validate(years)
        pv = {}
        for cost, arr in opt.arrays.items():
            pv[cost] = float(np.sum(arr * real_factor * df))
        biased = sum(v for k, v in pv.items() if opt.biased(k))
        pv[f"optimism bias ({opt.uplift:.1%})"] = biased * opt.uplift
        pvs[opt.name] = pv
    last = resolve_store(params).get("gdp_deflator.index").entries[-1].start.year
    notes = [
        f"Prices of {financial_year_label(base)}: nominal costs deflated by the GDP deflator "
        f"(HM Treasury, calendar years to {last}), extended at {deflator_forecast:.1%} a year "
        "beyond the data (assumption).",
        f"Discounted with the Green Book {schedule} schedule (year 0 = "
        f"{financial_year_label(start)}, undiscounted).",
    ]
    for opt in options:
        if opt.optimism_bias:
            notes.append(
                f"{opt.name}: optimism bias upper bound {opt.optimism_bias:.0%}, mitigated "
                f"{opt.mitigation:.0%} ({opt.mitigation_reason or 'no mitigation'}), "
                f"uplift {opt.uplift:.1%}."
            )
    return Appraisal(
        list(options),
        [financial_year_label(y) for y in fy],
        financial_year_label(base),
        df,
        real_factor,
        pvs,
        notes,
    )


# --------------------------------------------------------------------------------------------
# the appraisal of a business case, declared in its case file as [appraisal]
from mutualfin.components.base import (  # noqa: E402
    Component,
    ComponentInputs,
    Fraction,
    Money,
    Ratio,
    field,
)


class CouncilAppraisal(Component):
    """The council's side of a case: what keeping the service costs, what stays behind.

    Two options from the council's viewpoint, both nominal cash by year over the case's
    timeline:

    - **Retain in-house**: ``in_house_cost`` in the first year, growing at
      ``in_house_inflation``, less ``in_house_savings_target`` the council would ask of its
      own service each year (cumulative);
    - **Spin out to a mutual**: the contract payments from the case (its ``council_income``
      line) plus ``stranded_overheads`` (support costs the council keeps, growing with
      inflation), ``pension_risk_retained`` (a yearly allowance for LGPS risk the council
      keeps under pass-through), ``lost_vat_recovery`` (VAT the council can no longer
      recover), and one-off ``setup_support`` in the first year.

    Optimism bias applies to the spin-out's contract payments: the upper bound (outsourcing
    operating costs, 41%) reduced by ``mitigation`` with ``mitigation_reason`` recorded; and,
    since the Green Book applies it to every option, ``in_house_optimism_bias`` (after any
    mitigation) uplifts the in-house cost. Optimism bias is often the pivotal assumption: read
    the switching values.
    """

    key = "appraisal"
    sheet = "Appraisal"

    class Inputs(ComponentInputs):
        in_house_cost: Money = field("Council's cost of running the service in-house, year 1")
        in_house_inflation: Fraction = field("Growth of the in-house cost a year", default=0.0)
        in_house_savings_target: Fraction = field(
            "Savings the council would require in-house, each year (cumulative)", default=0.0
        )
        stranded_overheads: Money = field(
            "Overheads the council keeps after a spin-out, a year", default=0.0
        )
        pension_risk_retained: Money = field(
            "Allowance for pension risk the council keeps (pass-through), a year", default=0.0
        )
        lost_vat_recovery: Money = field(
            "VAT the council can no longer recover, a year", default=0.0
        )
        setup_support: Money = field("One-off set-up support from the council", default=0.0)
        optimism_bias: Ratio = field(
            "Optimism bias upper bound on the contract (outsourcing opex: 0.41)", default=0.41
        )
        mitigation: Fraction = field("Share of optimism bias mitigated", default=0.0)
        mitigation_reason: str = field("Why the optimism bias is mitigated", default="")
        in_house_optimism_bias: Ratio = field(
            "Optimism bias on the in-house cost (after mitigation; the Green Book applies "
            "optimism bias to every option)",
            default=0.0,
        )
        in_house_bias_reason: str = field("Why that in-house optimism bias", default="")
        deflator_forecast: Fraction = field(
            "GDP deflator growth a year beyond the published data (assumption)", default=0.02
        )

    def validate(self) -> None:
        i = self.inputs
        if i.optimism_bias > 3:
            raise InputError(
                f"appraisal.optimism_bias: {i.optimism_bias:g} is over 3 (300%); it is a "
                "fraction, so give 0.41 for 41%"
            )
        if i.mitigation > 0 and not i.mitigation_reason.strip():
            raise InputError(
                "appraisal.mitigation_reason: give the reasons for mitigating "
                f"{i.mitigation:.0%} of optimism bias (Green Book)"
            )
        if i.mitigation < 0:
            raise InputError(f"appraisal.mitigation: {i.mitigation} must be 0 to 1")

    def build(self, ctx):  # the appraisal is computed from results, not a model line
        return []

    def options(self, results) -> list[Option]:
        i = self.inputs
        tl = results.case.timeline
        t = np.arange(tl.n)
        growth_in = (1 + i.in_house_inflation) ** t
        savings = (1 - i.in_house_savings_target) ** t
        contract = np.asarray(results.evaluation.array("council_income")[0], dtype=float)
        setup = np.zeros(tl.n)
        setup[0] = i.setup_support
        inhouse = Option(
            "Retain in-house",
            {"in-house service": i.in_house_cost * growth_in * savings},
            optimism_bias=i.in_house_optimism_bias,
            mitigation=0.0,
            mitigation_reason=i.in_house_bias_reason,
        )
        mutual = Option(
            "Spin out to a mutual",
            {
                "contract payments": contract,
                "stranded overheads": i.stranded_overheads * growth_in,
                "pension risk retained": np.full(tl.n, i.pension_risk_retained),
                "lost VAT recovery": np.full(tl.n, i.lost_vat_recovery),
                "set-up support": setup,
                **self._pension_exit(results),
            },
            optimism_bias=i.optimism_bias,
            mitigation=i.mitigation,
            mitigation_reason=i.mitigation_reason,
            bias_applies_to=["contract payments"],
        )
        return [inhouse, mutual]

    @staticmethod
    def _pension_exit(results) -> dict[str, np.ndarray]:
        """The LGPS exit payment the council bears (an estimate from the case's pensions
        model), when the case has one: a cost of the spin-out option to the council."""
        values = results.evaluation.values
        if "lgps_exit_payment_council" not in values:
            return {}
        return {
            "pension exit payment borne by the council": np.asarray(
                results.evaluation.array("lgps_exit_payment_council")[0], dtype=float
            )
        }

    def inputs_table(self) -> pd.DataFrame:
        """The appraisal's inputs with their sources, for the workbook."""
        rows = []
        fields = type(self).Inputs.model_fields
        for name, info in fields.items():
            meta = self._meta.get(name, {})
            given = name in self.inputs.model_fields_set
            source = meta.get("source") or ("case file" if given else "mutualfin default")
            rows.append(
                {
                    "input": f"appraisal.{name}",
                    "value": getattr(self.inputs, name),
                    "description": info.description or "",
                    "source": source,
                }
            )
        return pd.DataFrame(rows)

    def appraise(self, results) -> Appraisal:
        """The appraisal, with switching values on the contract's value and efficiency target
        where the case has them (see :meth:`switching_input`)."""
        tl = results.case.timeline
        if tl.freq != "annual":
            raise InputError("the options appraisal needs an annual timeline")
        out = appraise(
            self.options(results),
            first_year=int(tl.financial_years[0]),
            years=tl.n,
            deflator_forecast=self.inputs.deflator_forecast,
            params=results.case.params,
        )
        rows = []
        inputs = results.case.model.inputs
        for name in ("contract.annual_value", "contract.efficiency_target"):
            if name in inputs and inputs[name].kind == "scalar":  # a per-year series is skipped
                try:
                    rows.append(self.switching_input(results.case, name, out))
                except SolverError as exc:
                    base = float(results.case.model.inputs[name].value)
                    rows.append(
                        {
                            "input": name,
                            "base": base,
                            "switching value": None,
                            "change": None,
                            "note": str(exc),
                        }
                    )
        out.input_switching = pd.DataFrame(rows)
        out.inputs = self.inputs_table()
        return out

    def switching_input(self, case, input_name: str, appraisal: Appraisal | None = None) -> dict:
        """The value of a case input at which the spin-out and in-house options cost the
        council the same (net present cost), found by vectorised bisection over the case.

        For the contract value this is the price at which the spin-out stops (or starts)
        being cheaper; for the efficiency target, the cut at which it starts. Fed back into
        the case, the two options' NPCs agree within £1.
        """
        inp = case.model.inputs.get(input_name)
        if inp is None or inp.kind != "scalar":
            raise InputError(f"switching_input: {input_name!r} is not a scalar input")
        if appraisal is None:
            appraisal = self.appraise(case.run())
        base_contract = case.run().evaluation.array("council_income")
        target = appraisal.npc("Retain in-house")
        other = (
            appraisal.npc("Spin out to a mutual") - self._contract_npc(base_contract, appraisal)[0]
        )

        def gap(values: np.ndarray) -> np.ndarray:
            ev = case.model.evaluate({input_name: values}, keep=["council_income"])
            return other + self._contract_npc(ev.array("council_income"), appraisal) - target

        base = float(inp.value)
        lo, hi = (0.0, 1.0) if inp.unit == "fraction" else (0.0, max(base * 4, 1.0))
        ends = gap(np.array([lo, hi]))
        if np.sign(ends[0]) == np.sign(ends[1]):
            raise SolverError(
                f"the options do not change places for {input_name} between {lo:,.4g} and {hi:,.4g}"
            )
        tol = 0.01 if inp.unit == "GBP" else 1e-9
        for _ in range(100):
            if hi - lo <= tol:
                break
            grid = np.linspace(lo, hi, 66)
            g = gap(grid)
            k = int(np.argmax(np.sign(g[:-1]) != np.sign(g[1:])))
            lo, hi = float(grid[k]), float(grid[k + 1])
        value = (lo + hi) / 2
        return {
            "input": input_name,
            "base": base,
            "switching value": value,
            "change": value / base - 1 if base else None,
            "note": "the two options cost the council the same at this value",
        }

    @staticmethod
    def _contract_npc(contract: np.ndarray, appraisal: Appraisal) -> np.ndarray:
        """Present cost of the contract payments (with optimism bias) per scenario."""
        opt = next(o for o in appraisal.options if o.name == "Spin out to a mutual")
        factor = appraisal.real_factor * appraisal.discount_factors
        return (np.asarray(contract) * factor).sum(axis=-1) * (1 + opt.uplift)
