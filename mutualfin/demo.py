"""The demonstration model: contract income, staff costs, surplus and closing cash.

It is defined once here and read from a small TOML file of inputs shipped beside this module
(:data:`DEMO_FILE`, ``mutualfin/demo_inputs.toml``), so ``mutualfin demo``, the tests and the
benchmarks all run the same model. That file is not a business case (``models/`` holds those,
each run by ``mutualfin run``): it has a ``[timeline]`` and a table of ``[inputs]``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from mutualfin.engine import Input, Line, Model, Timeline, growth, max_, param, previous
from mutualfin.errors import CaseFileError, MutualfinError

__all__ = ["DEMO_FILE", "DEMO_INPUTS", "build_demo_model", "load_demo_inputs"]

#: the demonstration model's inputs, shipped with the package
DEMO_FILE = Path(__file__).with_name("demo_inputs.toml")

#: inputs the demonstration model needs, with their units
DEMO_INPUTS = {
    "contract.annual_value": "GBP",
    "contract.indexation": "fraction",
    "staff.headcount": "count",
    "staff.paybill": "GBP",
    "staff.pay_award": "fraction",
    "pension.employer_rate": "fraction",
    "costs.other": "GBP",
    "costs.inflation": "fraction",
    "cash.opening": "GBP",
}
_INPUT_KEYS = {"value", "unit", "label", "source"}


def load_demo_inputs(path: str | os.PathLike = DEMO_FILE) -> tuple[Timeline, dict[str, Input]]:
    """Read the timeline and inputs of the demonstration model from a TOML file (by default
    the one shipped with mutualfin, :data:`DEMO_FILE`)."""
    from mutualfin.case.loader import (
        read_toml,  # size limit, encoding and syntax errors, as for cases
    )

    path = Path(path)
    raw = read_toml(path)
    if "case" in raw:
        raise CaseFileError(
            f"{path.name}: this is a business case (it has [case]), not the demonstration "
            f"model's inputs; run it with: mutualfin run {path}"
        )
    for key in raw:
        if key not in ("timeline", "inputs"):
            raise CaseFileError(
                f"{path.name}: unknown section [{key}]; use [timeline] and [inputs]"
            )
    tl_raw = raw.get("timeline")
    if not isinstance(tl_raw, dict):
        raise CaseFileError(f"{path.name}: missing [timeline]; add start = '2026/27', years = 5")
    try:
        timeline = Timeline(tl_raw.get("start"), tl_raw.get("years"))
    except MutualfinError as exc:
        raise CaseFileError(f"{path.name}: [timeline]: {exc}") from None
    given = raw.get("inputs", {})
    inputs: dict[str, Input] = {}
    for name, spec in given.items():
        if name not in DEMO_INPUTS:
            close = difflib.get_close_matches(name, DEMO_INPUTS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "remove it"
            raise CaseFileError(f"{path.name}: inputs.{name}: unknown input; {hint}")
        if not isinstance(spec, dict) or "value" not in spec:
            raise CaseFileError(f"{path.name}: inputs.{name}: give a table with value = ...")
        extra = set(spec) - _INPUT_KEYS
        if extra:
            raise CaseFileError(
                f"{path.name}: inputs.{name}.{sorted(extra)[0]}: unknown key; allowed: "
                f"{sorted(_INPUT_KEYS)}"
            )
        unit = spec.get("unit", DEMO_INPUTS[name])
        if unit != DEMO_INPUTS[name]:
            raise CaseFileError(
                f"{path.name}: inputs.{name}.unit: {unit!r} should be {DEMO_INPUTS[name]!r}"
            )
        try:
            inputs[name] = Input(
                name,
                spec["value"],
                unit=unit,
                label=spec.get("label", ""),
                source=spec.get("source", ""),
            )
        except MutualfinError as exc:
            raise CaseFileError(f"{path.name}: inputs.{name}: {exc}") from None
    missing = sorted(set(DEMO_INPUTS) - set(inputs))
    if missing:
        raise CaseFileError(f"{path.name}: inputs.{missing[0]}: missing; add it with its value")
    return timeline, inputs


def build_demo_model(timeline: Timeline, inputs: dict[str, Any]) -> Model:
    """The demonstration model over ``timeline`` from the inputs of :func:`load_demo_inputs`.

    Lines (all GBP, nominal):

    - ``contract_income`` = annual value x (1 + indexation)^t
    - ``staff_pay`` = paybill x growth index of the pay awards
    - ``employer_ni`` = headcount x max(pay per head - secondary threshold, 0) x employer rate
      (UK parameters by period; an approximation that treats every employee as paid the average)
    - ``employer_pension`` = staff_pay x employer rate
    - ``other_costs`` = other costs x (1 + inflation)^t
    - ``total_costs``, ``surplus`` = income - costs, ``closing_cash`` = last year's + surplus
    """
    i = inputs
    income = Line(
        "contract_income",
        i["contract.annual_value"] * growth(i["contract.indexation"]),
        label="Council contract income",
    )
    pay = Line(
        "staff_pay", i["staff.paybill"] * growth(i["staff.pay_award"]), label="Staff pay (gross)"
    )
    heads = i["staff.headcount"]
    ni = Line(
        "employer_ni",
        heads * max_(pay / heads - param("ni.secondary_threshold"), 0) * param("ni.employer_rate"),
        label="Employer National Insurance",
    )
    pension = Line(
        "employer_pension", pay * i["pension.employer_rate"], label="Employer pension contributions"
    )
    other = Line(
        "other_costs",
        i["costs.other"] * growth(i["costs.inflation"]),
        label="Other operating costs",
    )
    costs = Line("total_costs", pay + ni + pension + other, label="Total costs")
    surplus = Line("surplus", income - costs, label="Surplus (deficit) for the year")
    cash = Line(
        "closing_cash",
        previous("closing_cash") + surplus,
        kind="balance",
        opening=i["cash.opening"],
        label="Closing cash",
    )
    return Model(timeline, [income, pay, ni, pension, other, costs, surplus, cash])
