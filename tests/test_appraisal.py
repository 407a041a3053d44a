"""The options appraisal: real terms, Green Book discounting, optimism bias, switching values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualfin.appraisal import Option, appraise, deflator_index
from mutualfin.errors import InputError


def test_green_book_deflating_example():
    # Green Book: £1,000 nominal at a 2% deflator is £980, £961, £942, £924, £906 in years 1-5
    index = deflator_index(range(2030, 2036), forecast_rate=0.02)  # all beyond the data: 2%
    real = [1000 * index[2030] / index[2030 + t] for t in range(1, 6)]
    assert [round(x) for x in real] == [980, 961, 942, 924, 906]


def test_two_options_by_hand():
    # years 2030/31-2032/33, prices of 2030/31, deflator forecast 2% (beyond the 2024 data),
    # discount 3.5%: factor on year t = 1 / (1.02^t x 1.035^t)
    inhouse = Option("Retain in-house", {"service budget": 1_000_000})
    mutual = Option(
        "Spin out to a mutual",
        {"contract": 900_000, "stranded overheads": 50_000},
        optimism_bias=0.41,
        mitigation=0.5,
        mitigation_reason="fixed-price contract",
        bias_applies_to=["contract"],
    )
    a = appraise([inhouse, mutual], first_year="2030/31", years=3, deflator_forecast=0.02)
    f = [1 / (1.02**t * 1.035**t) for t in range(3)]
    npc_in = 1_000_000 * sum(f)
    pv_contract = 900_000 * sum(f)
    npc_mu = pv_contract + 50_000 * sum(f) + pv_contract * 0.41 * 0.5
    assert a.npc("Retain in-house") == pytest.approx(npc_in, rel=1e-12)
    assert a.npc("Spin out to a mutual") == pytest.approx(npc_mu, rel=1e-12)
    t = a.table
    assert t.index[0] == "Retain in-house"  # 1.05m + uplift 0.205 x 0.9m > 1.0m
    assert t.loc["Spin out to a mutual", "difference from the cheapest"] == pytest.approx(
        npc_mu - npc_in
    )
    # EANC = NPC / sum of the Green Book discount factors (not the deflator)
    eanc = npc_in / sum(1 / 1.035**t for t in range(3))
    assert t.loc["Retain in-house", "equivalent annual net cost"] == pytest.approx(eanc)
    assert any("41%" in n and "fixed-price contract" in n for n in a.notes)


def test_switching_value_fed_back_equalises():
    inhouse = Option("Retain in-house", {"service budget": [1_000_000, 1_020_000, 1_040_000]})
    mutual = Option(
        "Spin out to a mutual",
        {"contract": [950_000, 930_000, 910_000], "set-up support": [100_000, 0, 0]},
        optimism_bias=0.41,
        mitigation=0.6,
        mitigation_reason="pilot year",
        bias_applies_to=["contract"],
    )
    a = appraise([inhouse, mutual], first_year=2026, years=3)
    sv = a.switching_value("Spin out to a mutual", "contract", "Retain in-house")
    moved = Option(
        "Spin out to a mutual",
        {
            "contract": np.array([950_000, 930_000, 910_000]) * sv["multiple"],
            "set-up support": [100_000, 0, 0],
        },
        optimism_bias=0.41,
        mitigation=0.6,
        mitigation_reason="pilot year",
        bias_applies_to=["contract"],
    )
    b = appraise([inhouse, moved], first_year=2026, years=3)
    assert b.npc("Spin out to a mutual") == pytest.approx(b.npc("Retain in-house"), abs=1)
    frame = a.switching_values()
    assert {"option", "against", "cost", "multiple"} <= set(frame.columns)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1e7), min_size=5, max_size=5), st.floats(0, 0.66), st.floats(0, 1))
def test_identical_options_differ_by_zero(costs, bias, mitigation):
    def make(name):
        return Option(
            name,
            {"cost": costs},
            optimism_bias=bias,
            mitigation=mitigation,
            mitigation_reason="reason",
        )

    a = appraise([make("A"), make("B")], first_year=2026, years=5)
    assert a.table["difference from the cheapest"].abs().max() == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"costs": {"x": [1, 2]}}, "has 2 values; the appraisal has 3 years"),
        ({"costs": {"x": 1}, "optimism_bias": 41}, "between 0 and 3"),
        ({"costs": {"x": 1}, "optimism_bias": 0.41, "mitigation": 0.5}, "record mitigation_reason"),
        ({"costs": {"x": 1}, "bias_applies_to": ["y"]}, "names 'y'"),
        ({"costs": {}}, "at least one cost"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(InputError, match=message):
        appraise([Option("A", **kwargs)], first_year=2026, years=3)


def test_duplicate_option_names():
    with pytest.raises(InputError, match="must differ"):
        appraise([Option("A", {"x": 1}), Option("A", {"x": 2})], first_year=2026, years=3)


def test_switching_values_on_case_inputs_fed_back_equalise():
    import os

    import mutualfin as mf

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    case = mf.BusinessCase.from_file(os.path.join(root, "models", "youth_service.toml"))
    appraisal = case.appraise()
    table = appraisal.input_switching.set_index("input")
    row = table.loc["contract.annual_value"]
    spin, other = "Mutual, reserved contract", row["against"]
    assert appraisal.preferred in (spin, other)
    comp = case.components["appraisal"]
    moved = comp.appraise(
        case.run({"contract.annual_value": [row["switching value"]]}), switching=False
    )
    # the ranking's measure (cost less monetised benefits) is equal at the switching value
    assert moved.score(spin) == pytest.approx(moved.score(other), abs=1)
    verb = "stops being preferred" if appraisal.preferred == spin else "becomes preferred"
    label = case.model.inputs["contract.annual_value"].label
    assert f'{spin} {verb} to {other} if the input "{label}" moves to' in row["in words"]
    assert "contract.annual_value" not in row["in words"]  # words, not the code name


def test_switching_value_that_cannot_occur_says_so():
    import os

    import mutualfin as mf

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    case = mf.BusinessCase.from_file(os.path.join(root, "models", "schools_support.toml"))
    # the joint venture and the council's company are both paid the contract price: no
    # contract value changes which is preferred
    row = case.appraise().input_switching.set_index("input").loc["contract.annual_value"]
    assert row["in words"].startswith("Cannot occur:") and pd.isna(row["switching value"])
