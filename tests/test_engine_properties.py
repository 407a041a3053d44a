"""Properties of the engine that hold for every model (hypothesis)."""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string

import mutualfin as mf
from mutualfin import Input, Line, Model, Timeline
from mutualfin.excel import verify, write_workbook
from mutualfin.excel.writer import plan_layout
from mutualfin.workbook.layout import FIRST_PERIOD_COL, render_formula
from mutualfin.workbook.portable import logical_cells, logical_hazards
from tests.strategies_engine import random_models

_REF = re.compile(r"(?<![A-Za-z_])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])")


def r1c1(formula: str, row: int, col: int) -> str:
    """Rewrite A1 references relative to (row, col), as Excel's R1C1 notation does."""

    def sub(m: re.Match) -> str:
        c_abs, letters, r_abs, digits = m.groups()
        c = column_index_from_string(letters)
        r = int(digits)
        rc = f"R{r}" if r_abs else f"R[{r - row}]"
        cc = f"C{c}" if c_abs else f"C[{c - col}]"
        return rc + cc

    return _REF.sub(sub, formula)


@given(random_models())
def test_one_formula_per_row(model):
    """The rendered formula of every line is identical across its row in R1C1 terms."""
    layout, _ = plan_layout(model)
    for name, (sheet, row) in layout.lines.items():
        expr = model.lines[name].expr
        forms = {
            r1c1(render_formula(model, layout, expr, sheet, p, None), row, FIRST_PERIOD_COL + p)
            for p in range(model.timeline.n)
        }
        assert len(forms) == 1, (name, forms)


@given(random_models(), st.integers(2, 5), st.randoms(use_true_random=False))
def test_scenarios_equal_separate_evaluations(model, n_scen, rnd):
    draws = {
        "a.scalar": np.array([rnd.uniform(-50, 50) for _ in range(n_scen)]),
        "a.rate": np.array([rnd.uniform(0, 0.2) for _ in range(n_scen)]),
    }
    draws = {k: v for k, v in draws.items() if k in model.inputs}
    together = model.evaluate(draws)
    for s in range(n_scen):
        alone = model.evaluate({k: v[s : s + 1] for k, v in draws.items()})
        for name in model.lines:
            np.testing.assert_array_equal(together.array(name)[s], alone.array(name)[0])


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=24, max_size=24),
    st.floats(-1e6, 1e6, allow_nan=False),
)
def test_monthly_flows_sum_to_annual(flows, opening):
    tl = Timeline(2026, years=2, freq="monthly")
    flow = Line("flow", Input("monthly.flow", flows) + 0)
    cash = Line(
        "cash", mf.previous("cash") + flow, kind="balance", opening=Input("cash.opening", opening)
    )
    ev = Model(tl, [flow, cash]).evaluate()
    annual_flow = ev.annual("flow")[0]
    np.testing.assert_allclose(
        annual_flow, [sum(flows[:12]), sum(flows[12:])], rtol=1e-12, atol=1e-6
    )
    # closing balance of each year = opening + the year's flows
    closing = ev.annual("cash")[0]
    np.testing.assert_allclose(closing[0], opening + annual_flow[0], rtol=1e-12, atol=1e-5)
    np.testing.assert_allclose(closing[1], closing[0] + annual_flow[1], rtol=1e-12, atol=1e-5)


@settings(max_examples=10, deadline=None)
@given(random_models())
def test_random_models_write_flags_as_numbers(tmp_path_factory, model):
    """No formula of any model's workbook can be a logical value, or hand one to SUM/MAX."""
    path = write_workbook(model.evaluate(), tmp_path_factory.mktemp("wb") / "random.xlsx")
    wb = openpyxl.load_workbook(path)
    assert logical_cells(wb) == []
    assert logical_hazards(wb) == []


@pytest.mark.libreoffice
@settings(max_examples=4, deadline=None)
@given(random_models(years=4))
def test_random_models_verify_in_both_engines(soffice, excel_rules, tmp_path_factory, model):
    ev = model.evaluate()
    path = write_workbook(ev, tmp_path_factory.mktemp("wb") / "random.xlsx")
    report = verify(path, ev, excel_rules=True)
    assert report.ok, str(report)
