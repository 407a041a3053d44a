"""The component framework: typed inputs from Python or case-file tables, errors naming the
field, value and fix, and inputs carried into the model with their units and sources."""

from __future__ import annotations

import pytest

import mutualfin as mf
from mutualfin.components import (
    BuildContext,
    Component,
    ComponentInputs,
    Fraction,
    FractionSeries,
    Money,
    field,
)
from mutualfin.errors import InputError


class Grant(Component):
    key = "grant"
    sheet = "Income"

    class Inputs(ComponentInputs):
        amount: Money = field("Grant received in the first year")
        taper: Fraction = field("Reduction each year", default=0.0)
        phasing: FractionSeries = field("Share paid each year", default=1.0)

    def validate(self):
        if self.inputs.amount == 0 and self.inputs.taper:
            raise InputError("grant.taper: a taper needs a grant amount above 0")

    def build(self, ctx):
        amount, taper = ctx.input("amount"), ctx.input("taper")
        phasing = ctx.input("phasing")
        return [mf.Line("grant_income", amount * mf.growth(-taper) * phasing, sheet=self.sheet)]


def build(component, years=3):
    tl = mf.Timeline(2026, years=years)
    ctx = BuildContext(tl, component)
    return ctx, mf.Model(tl, component.build(ctx))


def test_plain_and_table_values_build_lines():
    g = Grant.from_dict(
        {
            "amount": {"value": 100_000, "source": "transition grant letter"},
            "taper": {"value": 0.5, "uncertainty": {"triangular": [0.3, 0.5, 0.7]}},
            "phasing": [1.0, 1.0, 0.5],
        }
    )
    ctx, model = build(g)
    assert model.evaluate()["grant_income"].tolist() == [100_000, 50_000, 12_500]
    inp = ctx.created["grant.amount"]
    assert inp.unit == "GBP" and inp.source == "transition grant letter"
    assert inp.label == "Grant received in the first year"
    assert isinstance(ctx.created["grant.taper"].uncertainty, mf.Triangular)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"amount": -5}, r"grant.amount: -5: input should be greater than or equal to 0"),
        ({"amount": 1, "taper": 3}, r"grant.taper: 3: input should be less than or equal to 1"),
        ({"amount": 1, "tapper": 0.1}, r"grant.tapper: unknown input; did you mean 'taper'"),
        ({}, r"grant.amount: missing"),
        ({"amount": "lots"}, r"grant.amount: 'lots'"),
        ({"amount": {"value": 1, "sauce": "x"}}, r"unknown key 'sauce'"),
        (
            {"amount": 1, "taper": {"value": 0.1, "uncertainty": {"triangle": [0, 1, 2]}}},
            r"unknown distribution 'triangle'; did you mean 'triangular'",
        ),
        (
            {"amount": 1, "taper": {"value": 0.1, "uncertainty": {"uniform": [0.2, 0.1]}}},
            r"grant.taper.uncertainty: Uniform: low 0.2 is above high 0.1",
        ),
        ({"amount": 0, "taper": 0.1}, r"a taper needs a grant amount above 0"),
    ],
)
def test_bad_inputs_name_field_value_and_fix(values, message):
    with pytest.raises(InputError, match=message):
        Grant.from_dict(values)


def test_series_must_match_the_timeline():
    g = Grant(amount=1, phasing=[1.0, 0.5])
    with pytest.raises(InputError, match=r"grant.phasing: has 2 values but the timeline has 3"):
        build(g)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3, r"^grant.phasing: 3: input should be less than or equal to 1$"),
        ([1.0, 3, 1.0], r"^grant.phasing.1: 3: input should be less than or equal to 1$"),
        ("all", r"^grant.phasing: 'all': input should be a valid number"),
    ],
)
def test_series_inputs_report_one_plain_error(value, message):
    with pytest.raises(InputError, match=message):
        Grant(amount=1, phasing=value)


def test_optional_money_keeps_its_unit():
    class Deposit(Component):
        key = "deposit"

        class Inputs(ComponentInputs):
            amount: Money | None = field("Deposit, if any", default=None)

    assert Deposit.unit_of("amount") == "GBP"
