"""Tests for mutualfin.finance.

Expected values carry their source in a comment: numpy-financial's own test suite
(numpy/numpy-financial, numpy_financial/tests/test_financial.py), or the worked example on
Microsoft's documentation page for the Excel function.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mutualfin.core import cashflow
from mutualfin.errors import InputError, SolverError
from mutualfin.finance import (
    IrrResult,
    PaybackResult,
    discounted_payback_period,
    irr,
    mirr,
    npv,
    payback_period,
    xirr,
    xnpv,
)

try:
    from strategies import RATES, flow_rows, flows_from_rates, invest_then_earn
except ImportError:  # tests/ is a package
    from tests.strategies import RATES, flow_rows, flows_from_rates, invest_then_earn

EXCEL_DATES = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
EXCEL_FLOWS = [-10000, 2750, 4250, 3250, 2750]


def discounted_scale(values, rate):
    """Sum of |flows| discounted at ``rate``: the size an NPV residual is judged against."""
    values = np.atleast_2d(values)
    return (np.abs(values) * (1.0 + rate) ** -np.arange(values.shape[1])).sum(-1)


def npv_exact(rate, flows):
    """NPV and the discounted size of the flows at ``rate``, in exact rational arithmetic on
    the doubles given (no rounding at all)."""
    x = 1 / (1 + Fraction(rate))
    terms = [Fraction(float(v)) * x**t for t, v in enumerate(flows)]
    return sum(terms), sum(abs(term) for term in terms)


def xnpv_precise(rate, flows, dates):
    """XNPV at ``rate`` to 50 significant digits (actual/365 from the first date)."""
    days = [(dt.date.fromisoformat(d) - dt.date.fromisoformat(dates[0])).days for d in dates]
    with localcontext() as ctx:
        ctx.prec = 50
        base = 1 + Decimal(rate)
        return sum(
            Decimal(float(v)) * base ** (-Decimal(d) / 365)
            for v, d in zip(flows, days, strict=True)
        )


def assert_root_within(npv_at, rate, width):
    """NPV changes sign between ``rate - width`` and ``rate + width`` (computed exactly or
    to 50 digits by ``npv_at``): a root lies within ``width`` of ``rate``."""
    below, above = npv_at(rate - width), npv_at(rate + width)
    assert below * above < 0, f"no sign change of NPV within {width} of {rate}"


# ---------------------------------------------------------------------------------------
# Worked examples
# ---------------------------------------------------------------------------------------


class TestNpv:
    def test_numpy_financial_value(self):
        # numpy-financial test_npv_decimal: Decimal('122.894854950942692161628715')
        got = npv(0.05, [-15000, 1500, 2500, 3500, 4500, 6000])
        assert got == pytest.approx(122.894854950942692, abs=1e-9)

    def test_numpy_financial_congruence_example(self):
        # numpy-financial TestIrr.test_npv_irr_congruence: NPV(IRR(x), x) = 0, atol 1e-10
        flows = [-40000, 5000, 8000, 12000, 30000]
        assert abs(npv(irr(flows), flows)) < 1e-10

    def test_excel_convention_formcalc_example(self):
        # Adobe LiveCycle FormCalc reference, NPV (Excel's end-of-period convention):
        # NPV(0.10, 500, 1500, 4000, 10000) = 11529.60863329007
        got = npv(0.10, [500, 1500, 4000, 10000], when="end")
        assert got == pytest.approx(11529.60863329007, abs=1e-8)

    def test_excel_convention_spread_example(self):
        # MESCIUS SPREAD function reference, NPV: NPV(6.5%, -10000, 3000, 3400, 7700)
        # = $2,055.38 (Excel semantics: every flow discounted, the first by one period)
        got = npv(0.065, [-10000, 3000, 3400, 7700], when="end")
        assert round(float(got), 2) == 2055.38

    def test_end_is_start_divided_by_one_plus_rate(self):
        flows = [-100.0, 50.0, 60.0]
        assert npv(0.07, flows, when="end") == pytest.approx(npv(0.07, flows) / 1.07)

    def test_rows_are_scenarios(self):
        flows = np.array([[-100, 60, 60], [-100, 50, 50]])
        got = npv(0.035, flows)
        assert got.shape == (2,)
        assert got == pytest.approx([npf.npv(0.035, f) for f in flows])

    def test_one_rate_per_scenario_as_column(self):
        flows = np.array([[-100, 60, 60], [-100, 60, 60]])
        got = npv(np.array([[0.03], [0.05]]), flows)
        assert got == pytest.approx([npf.npv(0.03, flows[0]), npf.npv(0.05, flows[1])])

    def test_constant_schedule_equals_scalar_rate(self):
        flows = [-100, 30, 40, 50]
        assert npv([0.04] * 4, flows) == pytest.approx(npv(0.04, flows), rel=1e-14)
        assert npv([0.04] * 4, flows, when="end") == pytest.approx(npv(0.04, flows, when="end"))

    def test_schedule_compounds_period_by_period(self):
        # Green Book style: D_t = D_{t-1} / (1 + r_t), D_0 = 1; r_0 is unused with "start"
        got = npv([0.99, 0.035, 0.03], [-100, 60, 60])
        assert got == pytest.approx(-100 + 60 / 1.035 + 60 / (1.035 * 1.03), rel=1e-14)

    def test_discount_factors_instead_of_rate(self):
        df = [1.0, 0.9, 0.8]
        assert npv(values=[-100, 60, 60], discount_factors=df) == pytest.approx(2.0)

    def test_scalar_output_for_1d(self):
        assert isinstance(npv(0.05, [1.0, 2.0]), np.floating)


class TestIrr:
    # numpy-financial TestIrr.test_basic_values (checked there to 2 decimals); the figures
    # are the rounded values from numpy-financial's irr docstring. Exact comparison with
    # numpy-financial itself is in test_matches_numpy_financial.
    @pytest.mark.parametrize(
        ("flows", "expected"),
        [
            ([-150000, 15000, 25000, 35000, 45000, 60000], 0.0524),
            ([-100, 0, 0, 74], -0.0955),
            ([-100, 39, 59, 55, 20], 0.28095),
            ([-100, 100, 0, -7], -0.0833),
            ([-100, 100, 0, 7], 0.06206),
            ([-5, 10.5, 1, -8, 1], 0.0886),
        ],
    )
    def test_numpy_financial_values(self, flows, expected):
        assert irr(flows) == pytest.approx(expected, abs=5e-5)

    @pytest.mark.parametrize(
        "flows",
        [
            [-150000, 15000, 25000, 35000, 45000, 60000],
            [-100, 0, 0, 74],
            [-100, 39, 59, 55, 20],
            [-100, 100, 0, -7],
            [-100, 100, 0, 7],
            [-5, 10.5, 1, -8, 1],
        ],
    )
    def test_matches_numpy_financial(self, flows):
        # with guess=0 mutualfin picks numpy-financial's root (the one closest to zero)
        assert abs(irr(flows, guess=0.0) - npf.irr(np.array(flows, dtype=float))) < 1e-9

    def test_trailing_zeros(self):
        # numpy-financial test_trailing_zeros: 0.0886
        assert irr([-5, 10.5, 1, -8, 1, 0, 0, 0]) == pytest.approx(0.0886, abs=5e-5)

    def test_no_solution_is_nan(self):
        # numpy-financial test_numpy_gh_6744: irr([-1, -2, -3]) is NaN
        assert np.isnan(irr([-1, -2, -3]))

    def test_rate_close_to_minus_one(self):
        # numpy-financial test_gh_15: -0.9999999990596069, rtol 1e-9
        v = [-3000.0, 2.3926932267015667e-07, 4.1672087103345505e-16, 5.3965110036378706e-25]
        v += [5.1962551071806174e-34, 3.7202955645436402e-43, 1.9804961711632469e-52]
        v += [7.8393517651814181e-62, 2.3072565113911438e-71, 5.0491839233308912e-81]
        v += [8.2159177668499263e-91, 9.9403244366963527e-101, 8.942410813633967e-111]
        v += [5.9816122646481191e-121, 2.9750309031844241e-131, 1.1002067043497954e-141]
        v += [3.0252876563518021e-152, 6.1854121948207909e-163, 9.4032980015353301e-174]
        v += [1.0629218520017728e-184, 8.9337141847171845e-196, 5.5830607698467935e-207]
        v += [2.5943122036622652e-218, 8.9635842466507006e-230, 2.3027710094332358e-241]
        v += [4.3987510596745562e-253, 6.2476630372575209e-265, 6.598046841695288e-277]
        v += [5.1811095266842017e-289, 3.0250999925830644e-301, 1.3133070599585015e-313]
        got = irr(v)
        assert np.isfinite(got)
        assert got == pytest.approx(-0.9999999990596069, rel=1e-9)

    def test_excel_irr_examples(self):
        # Microsoft, "IRR function" (Excel support): -70,000 then 12,000 15,000 18,000
        # 21,000 26,000. =IRR(A2:A6) -2.1%; =IRR(A2:A7) 8.7%; =IRR(A2:A4,-10%) -44.4%
        flows = [-70000, 12000, 15000, 18000, 21000, 26000]
        assert round(float(irr(flows[:5])), 3) == -0.021
        assert round(float(irr(flows)), 3) == 0.087
        assert round(float(irr(flows[:3], guess=-0.1)), 3) == -0.444

    def test_rows_are_scenarios(self):
        flows = np.array([[-100, 39, 59, 55, 20], [-100, 0, 0, 74, 0], [1, 2, 3, 4, 5]])
        got = irr(flows)
        assert got.shape == (3,)
        assert got[:2] == pytest.approx([npf.irr(f) for f in flows[:2]], abs=1e-12)
        assert np.isnan(got[2])

    def test_several_roots_are_all_reported(self):
        # -100 + 230x - 132x^2 = 0 at x = 1/1.1 and 1/1.2: rates 10% and 20%
        res = irr([-100, 230, -132], full_output=True)
        assert isinstance(res, IrrResult)
        assert res.roots == pytest.approx([0.1, 0.2], abs=1e-12)
        assert res.sign_changes == 2
        assert res.irr == pytest.approx(0.1)
        assert "several roots" in res.reason
        assert irr([-100, 230, -132], guess=0.19) == pytest.approx(0.2)

    def test_double_root_is_found(self):
        # (1.1x - 1)^2 = 1.21x^2 - 2.2x + 1: NPV touches zero at 10% without crossing (in
        # doubles, 2.2 and 1.21 round so that it crosses twice, 3e-8 apart: too close to tell)
        res = irr([1, -2.2, 1.21], full_output=True)
        assert res.irr == pytest.approx(0.1, abs=1e-6)

    def test_close_pair_of_roots_is_found(self):
        # roots at 10% and 11%, closer together than one grid step
        x1, x2 = 1 / 1.10, 1 / 1.11
        flows = [-x1 * x2 * 1000, (x1 + x2) * 1000, -1000.0]
        res = irr(flows, full_output=True)
        assert res.roots == pytest.approx([0.10, 0.11], abs=1e-9)

    def test_no_sign_change_reason(self):
        res = irr([[100, 50, 0], [-1, -2, -3], [0, 0, 0]], full_output=True)
        assert np.isnan(res.irr).all()
        assert res.reason == [
            "no sign change: all flows non-negative",
            "no sign change: all flows non-positive",
            "no sign change: all flows are zero",
        ]
        assert not res.converged.any()

    def test_sign_changes_but_no_root_reason(self):
        # -1 + 1x - 1x^2 < 0 for every x > 0
        res = irr([-1, 1, -1], full_output=True)
        assert np.isnan(res.irr)
        assert res.reason.startswith("no root: flows change sign 2 times")

    def test_raise_on_failure_names_the_row(self):
        with pytest.raises(SolverError, match=r"irr: row 1 has no internal rate of return: "):
            irr([[-100, 110], [100, 50]], raise_on_failure=True)
        with pytest.raises(SolverError, match="all flows non-negative"):
            irr([100, 50], raise_on_failure=True)

    def test_scalar_output_for_1d(self):
        assert isinstance(irr([-100, 110]), np.floating)
        res = irr([-100, 110], full_output=True)
        assert res.reason == "unique root"
        assert res.converged is True


class TestIrrFindsEveryRoot:
    """Regression tests for issue 19: each broke before, each expected rate is written out
    and confirmed by a sign change of NPV around it in exact (or 50-digit) arithmetic."""

    def test_three_close_roots(self):
        # -1000 (1 - 1.30x)(1 - 1.34x)(1 - 1.41x): rates 30%, 34% and 41%. Only 0.41 was
        # listed; the rate closest to guess=0.1 is 0.30, as LibreOffice's IRR and
        # numpy-financial return.
        flows = [-1000, 4050, -5464.4, 2456.22]
        res = irr(flows, full_output=True)
        assert res.roots == pytest.approx([0.30, 0.34, 0.41], abs=1e-10)
        for rate in (0.30, 0.34, 0.41):
            assert_root_within(lambda r: npv_exact(r, flows)[0], rate, 1e-10)
        assert res.irr == pytest.approx(0.30, abs=1e-10)
        assert npf.irr(flows) == pytest.approx(0.30, abs=1e-10)
        assert res.reason.startswith("several roots (0.3, 0.34, 0.41)")

    def test_root_hidden_by_a_grid_point(self):
        # 1000 - 2020x + 1020x^2 = (1 - x)(1000 - 1020x): rates 0 and 2%. Only 0 was found
        # (it sat on a grid point); 2% is closer to guess=0.1.
        flows = [1000, -2020, 1020]
        res = irr(flows, full_output=True)
        assert res.roots == pytest.approx([0.0, 0.02], abs=1e-12)
        assert npv_exact(0, flows)[0] == 0
        assert_root_within(lambda r: npv_exact(r, flows)[0], 0.02, 1e-12)
        assert res.irr == pytest.approx(0.02, abs=1e-12)

    def test_three_rates_a_point_apart(self):
        # -1000 (1 - 1.10x)(1 - 1.11x)(1 - 1.12x): 10%, 11% and 12%; only 10% was found
        flows = [-1000, 3330, -3696.2, 1367.52]
        res = irr(flows, full_output=True)
        assert res.roots == pytest.approx([0.10, 0.11, 0.12], abs=1e-10)
        for rate in (0.10, 0.11, 0.12):
            assert_root_within(lambda r: npv_exact(r, flows)[0], rate, 1e-10)

    def test_dated_pair_of_negative_roots(self):
        # A row with two close negative rates (-2.16% and -1.05%; 50-digit roots
        # -0.0215873888431984464... and -0.0105043207799163064...) gave NaN, "no root".
        flows = [-1000, 1573, -1229, -382, -394, 5408, -3977]
        dates = ["2001-01-01", "2002-01-01", "2007-01-01", "2008-01-01", "2009-01-01"]
        dates += ["2012-01-01", "2013-01-01"]
        expected = [-0.0215873888431984, -0.0105043207799163]
        res = xirr(flows, dates, full_output=True)
        assert res.roots == pytest.approx(expected, abs=1e-14)
        for rate in expected:
            assert_root_within(lambda r: xnpv_precise(r, flows, dates), rate, 1e-14)
        assert res.irr == pytest.approx(expected[1], abs=1e-14)  # closer to guess=0.1

    def test_rate_near_minus_one_over_a_long_horizon(self):
        # -1 + 0.01 x: 1 + r = 0.01. With 99 trailing zeros an unconverged -0.98937 came back
        # as the answer, and raise_on_failure did not raise.
        flows = [-1, 0.01] + [0] * 99
        assert_root_within(lambda r: npv_exact(r, flows)[0], -0.99, 1e-15)
        res = irr(flows, full_output=True)
        assert res.irr == pytest.approx(-0.99, abs=1e-15)
        assert res.converged and res.reason == "unique root"
        assert irr(flows, raise_on_failure=True) == pytest.approx(-0.99, abs=1e-15)

    def test_dated_rate_near_minus_one_over_a_century(self):
        # the same with dates: 0.01 a year in, then a zero flow 98 years later
        flows, dates = [-1, 0.01, 0], ["2001-01-01", "2002-01-01", "2100-01-01"]
        assert_root_within(lambda r: xnpv_precise(r, flows, dates), -0.99, 1e-15)
        assert xirr(flows, dates, raise_on_failure=True) == pytest.approx(-0.99, abs=1e-15)

    def test_tiny_income_gives_a_rate_near_minus_one(self):
        # -1 + 2e-8 x: 1 + r = 2e-8, rate -0.99999998 (NaN before)
        flows = [-1, 2e-8] + [0] * 40
        assert_root_within(lambda r: npv_exact(r, flows)[0], -0.99999998, 1e-16)
        assert irr(flows) == pytest.approx(-0.99999998, abs=1e-16)

    def test_padding_zeros_change_nothing(self):
        rows = [[-1000, 4050, -5464.4, 2456.22], [-100, 39, 59, 55, 20], [1000, -2020, 1020]]
        for row in rows:
            alone = irr(row, full_output=True)
            for padded in ([0, 0, *row], row + [0] * 7, [0, *row, 0, 0, 0]):
                res = irr(padded, full_output=True)
                assert res.irr == alone.irr
                np.testing.assert_array_equal(res.roots, alone.roots)
        # rows of one 2-D array padded to one length, as the module docstring advises
        table = np.zeros((3, 9))
        for i, row in enumerate(rows):
            table[i, 2 : 2 + len(row)] = row
        got = irr(table)
        np.testing.assert_allclose(got, [irr(row) for row in rows], rtol=1e-12)


@pytest.fixture
def subdivided(monkeypatch):
    """The input rows handed to the interval subdivision (cashflow._isolate), call by call:
    what the count in Bernstein form could not settle."""
    calls = []
    real = cashflow._isolate

    def isolate(half, idx):
        calls.append(sorted(half.row[idx].tolist()))
        return real(half, idx)

    monkeypatch.setattr(cashflow, "_isolate", isolate)
    return calls


class TestIrrCountsByCell:
    """Rows whose roots the grid cannot count (two in one cell of the grid, or a dip of NPV
    between grid points) are counted cell by cell in Bernstein form, halving cells, and only
    what that cannot settle goes on to the interval subdivision. The expected values are
    worked by hand from the quadratic in x = 1 / (1 + r)."""

    def test_close_pair_in_one_grid_cell(self, subdivided):
        # -(1 - 1.30x)(1 - 1.34x) = -1 + 2.64x - 1.742x^2: rates 30% and 34%, both between
        # the grid's points log(1 + r) = 0.2 and 0.3 (0.262 and 0.293), so NPV has one sign
        # at every grid point; halving the cell twice puts one rate in each half
        flows = [-1, 2.64, -1.742]
        res = irr(flows, full_output=True)
        assert res.roots == pytest.approx([0.30, 0.34], abs=1e-12)
        for rate in (0.30, 0.34):
            assert_root_within(lambda r: npv_exact(r, flows)[0], rate, 1e-12)
        assert res.irr == res.roots[0]  # closer to guess=0.1
        assert subdivided == []

    def test_dip_that_stays_clear_of_zero(self, subdivided):
        # 1.0001 - 2.2x + 1.21x^2 = (1 - 1.1x)^2 + 0.0001: two sign changes, but NPV is at
        # least 0.0001 (at r = 10%), so no rate; halving cells shows it without subdividing
        flows = [1.0001, -2.2, 1.21]
        c0, c1, c2 = (Fraction(v) for v in flows)
        assert c0 - c1**2 / (4 * c2) > Fraction(9999, 10**8)  # the least NPV, exactly
        res = irr(flows, full_output=True)
        assert np.isnan(res.irr) and res.roots.size == 0
        assert res.reason == (
            "no root: flows change sign 2 times but NPV does not reach zero for any rate "
            "above -100%"
        )
        assert subdivided == []

    def test_dip_close_to_zero_is_subdivided(self, subdivided):
        # the same with 1e-9 in place of 0.0001: the cells would need ~11 halvings, more than
        # allowed, so the interval subdivision settles it, with the same answer
        flows = [1 + 1e-9, -2.2, 1.21]
        res = irr(flows, full_output=True)
        assert np.isnan(res.irr) and res.roots.size == 0
        assert res.reason.startswith("no root: flows change sign 2 times")
        assert subdivided == [[0]]

    def test_double_root_is_subdivided(self, subdivided):
        # (1 - 1.1x)^2: 10% twice; the count stays at 2 however small the cell, so the
        # interval subdivision finds where NPV touches zero
        res = irr([1, -2.2, 1.21], full_output=True)
        assert res.irr == pytest.approx(0.1, abs=1e-6)
        assert subdivided == [[0]]

    def test_close_pair_in_a_long_row_is_subdivided(self, subdivided):
        # the close pair times 1 + 0.5 x^35 (positive for x > 0: no other rate), 38 periods:
        # too long for the count in Bernstein form, so the interval subdivision finds both
        flows = np.zeros(38)
        flows[:3] = [-1, 2.64, -1.742]
        flows[35:] = [-0.5, 1.32, -0.871]
        res = irr(flows, full_output=True)
        assert res.roots == pytest.approx([0.30, 0.34], abs=1e-12)
        for rate in (0.30, 0.34):
            assert_root_within(lambda r: npv_exact(r, flows)[0], rate, 1e-12)
        assert subdivided == [[0]]

    def test_short_row_padded_beside_a_long_one(self, subdivided):
        # padded with zeros to the 40 periods of the row beside it, the close pair is still
        # counted in Bernstein form by its own 3 terms: the same double as alone
        flows = np.zeros((2, 40))
        flows[0, 5:8] = [-1, 2.64, -1.742]
        flows[1, 0], flows[1, 1:] = -100, 5
        got = irr(flows)
        assert got[0] == irr([-1, 2.64, -1.742])
        assert got[1] == irr(flows[1])
        assert subdivided == []

    def test_rate_across_zero_is_sought_only_where_it_can_be_nearest(self, monkeypatch):
        # (1 - 1.5x)(1 - 0.5x) = 1 - 2x + 0.75x^2: rates 50% and -50%. From guess=0.1, 50%
        # is 0.4 away and any rate below zero at least 0.1 + |r|, so only r >= -0.3 could be
        # nearer; the one below-zero rate (the r <= 0 half's count is 1) is past that, as
        # NPV there has not changed sign by r = -0.3, and is not refined
        refined = []
        real = cashflow._refine

        def refine(half, cols, *args):
            refined.append((half.side, cols.size))
            return real(half, cols, *args)

        monkeypatch.setattr(cashflow, "_refine", refine)
        flows = [1, -2.0, 0.75]
        assert irr(flows) == pytest.approx(0.5, abs=1e-15)
        assert refined == [(1, 1), (-1, 0)]
        refined.clear()
        res = irr(flows, full_output=True)
        assert res.roots == pytest.approx([-0.5, 0.5], abs=1e-15)
        assert refined == [(1, 1), (-1, 1)]
        # 1 - 2.45x + 1.425x^2: 50% and -5%, which is nearer (0.15); 1 - 2.2x + 1.17x^2: 30%
        # and -10%, as near as each other (0.2): of two as close the lower rate. Either way
        # the rate is the same double as with full_output, and as solved alone
        rows = [[1, -2.0, 0.75], [1, -2.45, 1.425], [1, -2.2, 1.17]]
        got = irr(rows)
        assert got == pytest.approx([0.5, -0.05, -0.1], abs=1e-15)
        np.testing.assert_array_equal(got, irr(rows, full_output=True).irr)
        np.testing.assert_array_equal(got, [irr(row) for row in rows])

    def test_rows_solved_together_as_alone(self, subdivided):
        # a row of zeros, the close pair, both dips, the double root and one sign change
        # (-100 + 60x + 60x^2: x = (-1 + sqrt(1 + 4 * 100/60)) / 2, rate 1/x - 1 = 13.07%)
        rows = np.array(
            [
                [0, 0, 0],
                [-1, 2.64, -1.742],
                [1.0001, -2.2, 1.21],
                [1 + 1e-9, -2.2, 1.21],
                [1, -2.2, 1.21],
                [-100, 60, 60],
            ]
        )
        got = irr(rows)
        assert subdivided == [[3, 4]]  # only the close dip and the double root
        np.testing.assert_array_equal(got, [irr(row) for row in rows])
        assert np.isnan(got[[0, 2, 3]]).all()
        x = (-1 + math.sqrt(1 + 4 * 100 / 60)) / 2
        assert got[5] == pytest.approx(1 / x - 1, abs=1e-14)

    def test_root_too_close_to_minus_one_is_named(self):
        # -1 + 1e-17 x: 1 + r = 1e-17, below the spacing of doubles at -1 (2^-53): exactly
        # -1.0 came back, at which npv() refuses to discount
        flows = [-1, 1e-17]
        res = irr(flows, full_output=True)
        assert np.isnan(res.irr) and res.roots.size == 0
        assert "closer to -100% than double precision resolves" in res.reason
        with pytest.raises(SolverError, match="closer to -100% than double precision"):
            irr(flows, raise_on_failure=True)

    def test_root_above_the_old_limit_is_found(self):
        # 1e-20 - x: 1 + r = 1e20, beyond the old grid's 2e17 ("does not reach zero")
        flows = [1e-20, -1]
        assert_root_within(lambda r: npv_exact(r, flows)[0], 1e20, 1e6)
        assert irr(flows) == pytest.approx(1e20, rel=1e-13)

    def test_root_far_above_a_tiny_outlay_is_found(self):
        # -1 + 1e300 x: 1 + r = 1e300, so r = 1e300 - 1, which is 1e300 as a double. NPV at
        # the midpoint of the first bracket is 1e284 times the outlay: Newton's method crept
        # towards the root in steps of 1 in log(1 + r) and gave up ("no root")
        for flows in ([-1, 1e300], [1e-300, -1]):
            assert_root_within(lambda r, f=flows: npv_exact(r, f)[0], 1e300, 1e288)
            assert irr(flows) == pytest.approx(1e300, rel=1e-12)

    def test_flows_near_the_largest_double(self):
        # -1 + x + x^2 = 0 at x = (sqrt(5) - 1) / 2, so 1 + r is the golden ratio 1.618...;
        # times 1e308 the sum of the flows overflowed and a false root at 0 came back
        flows = [-1e308, 1e308, 1e308]
        golden = (1 + math.sqrt(5)) / 2 - 1
        assert irr(flows) == pytest.approx(golden, rel=1e-14)
        # scaled by a power of two the flows give the very same double
        assert irr([-(2.0**1020), 2.0**1020, 2.0**1020]) == irr([-1, 1, 1])
        dates = ["2001-01-01", "2002-01-01", "2003-01-01"]
        assert xirr(flows, dates) == pytest.approx(golden, rel=1e-14)

    def test_subnormal_flows(self):
        # 1e-323 is exactly twice the smallest double 5e-324, so 1 + r = 2. With so few
        # significant bits NPV rounded to zero at 0.35, which was returned as the root
        res = irr([-5e-324, 1e-323], full_output=True)
        assert res.irr == 1.0 and res.roots.tolist() == [1.0]

    def test_root_beyond_double_range_is_named(self):
        # 1e-306 - x: 1 + r = 1e306, above the e^700 (about 1e304) searched
        res = irr([1e-306, -1], full_output=True)
        assert np.isnan(res.irr)
        assert res.reason.startswith("no root in range: NPV changes sign only at a rate above")

    def test_dated_flows_on_one_date_are_added(self):
        res = xirr([-100, 100], ["2001-01-01", "2001-01-01"], full_output=True)
        assert np.isnan(res.irr)
        assert res.reason == "no sign change: the flows on each date add up to zero"
        # -100 and 30 on the first date are one flow of -70
        assert xirr([-100, 30, 77], ["2001-01-01", "2001-01-01", "2002-01-01"]) == (
            pytest.approx(0.1, abs=1e-12)
        )


class TestMirr:
    # numpy-financial test_mirr_decimal (exact Decimal results)
    @pytest.mark.parametrize(
        ("flows", "finance", "reinvest", "expected"),
        [
            (
                [-4500, -800, 800, 800, 600, 600, 800, 800, 700, 3000],
                0.08,
                0.055,
                0.066597175031553548874239618,
            ),
            ([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12, 0.126094130365905145),
            ([100, 200, -50, 300, -200], 0.05, 0.06, 0.342823387842176663647819868),
        ],
    )
    def test_numpy_financial_values(self, flows, finance, reinvest, expected):
        assert mirr(flows, finance, reinvest) == pytest.approx(expected, abs=1e-12)
        assert mirr(flows, finance, reinvest) == pytest.approx(
            npf.mirr(flows, finance, reinvest), abs=1e-12
        )

    def test_one_sign_is_nan(self):
        # numpy-financial test_mirr: [39000, 30000, 21000, 37000, 46000] gives NaN
        assert np.isnan(mirr([39000, 30000, 21000, 37000, 46000], 0.10, 0.12))

    def test_excel_examples(self):
        # Microsoft, "MIRR function" (Excel support): =MIRR(A2:A7, 10%, 12%) 13%;
        # =MIRR(A2:A5, 10%, 12%) -5%; =MIRR(A2:A7, 10%, 14%) 13%
        flows = [-120000, 39000, 30000, 21000, 37000, 46000]
        assert round(float(mirr(flows, 0.10, 0.12)), 2) == 0.13
        assert round(float(mirr(flows[:4], 0.10, 0.12)), 2) == -0.05
        assert round(float(mirr(flows, 0.10, 0.14)), 2) == 0.13

    def test_rows_are_scenarios(self):
        flows = np.array([[-120000, 39000, 30000, 21000], [1, 2, 3, 4]])
        got = mirr(flows, 0.10, 0.12)
        assert got[0] == pytest.approx(npf.mirr(flows[0], 0.10, 0.12))
        assert np.isnan(got[1])


class TestPayback:
    def test_interpolates_within_the_period(self):
        # cumulative -1000, -600, -200, +200: 200 of the 400 in period 3 is needed
        assert payback_period([-1000, 400, 400, 400]) == pytest.approx(2.5)

    def test_exactly_zero_pays_back_at_the_period_end(self):
        assert payback_period([-800, 400, 400, 400]) == pytest.approx(2.0)

    def test_non_negative_at_t0_is_zero(self):
        res = payback_period([0, -10, 20], full_output=True)
        assert res.period == 0.0
        assert res.reason.startswith("paid back at t=0")

    def test_never(self):
        res = payback_period([[-1000, 100, 100], [-10, 20, 0]], full_output=True)
        assert isinstance(res, PaybackResult)
        assert np.isnan(res.period[0])
        assert res.period[1] == pytest.approx(0.5)
        assert res.reason[0] == "never: cumulative cash stays negative over the horizon"

    def test_first_crossing_counts(self):
        assert payback_period([-100, 150, -200, 300]) == pytest.approx(100 / 150)

    def test_discounted(self):
        # flows discounted at 5%: -1000, 380.95, 362.81, 345.54; -256.24 left after t=2
        got = discounted_payback_period([-1000, 400, 400, 400], 0.05)
        expected = 2 + (1000 - 400 / 1.05 - 400 / 1.05**2) / (400 / 1.05**3)
        assert got == pytest.approx(expected, rel=1e-12)

    def test_discounted_never_when_npv_negative_throughout(self):
        res = discounted_payback_period([-1000, 400, 400, 400], 0.20, full_output=True)
        assert np.isnan(res.period)
        assert res.reason.startswith("never")


class TestDatedFlows:
    def test_excel_xnpv_example(self):
        # Microsoft, WorksheetFunction.Xnpv (Excel 2007 developer reference): 9%, result
        # 2086.6476 (shown as 2086.65)
        assert xnpv(0.09, EXCEL_FLOWS, EXCEL_DATES) == pytest.approx(2086.6476, abs=5e-5)

    def test_dax_xnpv_example(self):
        # Microsoft, "XNPV function (DAX)": the same flows on 2014/15 dates, 2089.50
        dates = ["2014-01-01", "2014-03-01", "2014-10-30", "2015-02-15", "2015-04-01"]
        assert round(float(xnpv(0.09, EXCEL_FLOWS, dates)), 2) == 2089.50

    def test_excel_xirr_example(self):
        # Microsoft, "XIRR function" (Excel support): 0.373362535 or 37.3%. Excel stops
        # at 0.000001%; mutualfin solves to full precision, so compare to 1e-8.
        assert xirr(EXCEL_FLOWS, EXCEL_DATES) == pytest.approx(0.373362535, abs=1e-8)

    def test_xirr_is_a_root_of_xnpv(self):
        r = xirr(EXCEL_FLOWS, EXCEL_DATES)
        assert abs(xnpv(r, EXCEL_FLOWS, EXCEL_DATES)) < 1e-9

    def test_yearly_dates_reduce_to_irr(self):
        dates = [dt.date(2023, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 1, 1)]
        flows = [-100, 50, 70]  # 2024 is a leap year: the second gap is 366/365 years
        tau = np.array([0, 365, 731]) / 365
        r = xirr(flows, dates)
        assert sum(f * (1 + r) ** -t for f, t in zip(flows, tau, strict=True)) == (
            pytest.approx(0, abs=1e-9)
        )

    def test_rows_share_dates(self):
        flows = np.array([EXCEL_FLOWS, [-5000, 2750, 4250, 3250, 2750], [1, 1, 1, 1, 1]])
        got = xirr(flows, EXCEL_DATES, full_output=True)
        assert got.irr[0] == pytest.approx(0.373362535, abs=1e-8)
        assert got.irr[1] > got.irr[0]
        assert np.isnan(got.irr[2])
        assert xnpv(0.09, flows, EXCEL_DATES).shape == (3,)

    def test_datetime_and_datetime64_accepted(self):
        as_dates = [dt.datetime.fromisoformat(d + "T15:30") for d in EXCEL_DATES]
        as_np = np.array(EXCEL_DATES, dtype="datetime64[D]")
        assert xnpv(0.09, EXCEL_FLOWS, as_dates) == xnpv(0.09, EXCEL_FLOWS, as_np)


# ---------------------------------------------------------------------------------------
# Bad input: one case per failure mode, each asserting the message
# ---------------------------------------------------------------------------------------


class TestInputErrors:
    def test_nan_names_row_and_column(self):
        with pytest.raises(InputError, match=r"values\[1, 2\] \(row 1, column 2\) is nan"):
            npv(0.05, [[1, 2, 3], [1, 2, np.nan]])

    def test_inf(self):
        with pytest.raises(InputError, match=r"values\[1\] \(position 1\) is inf.*finite"):
            irr([-1, np.inf])

    def test_nan_in_one_row_of_many(self):
        # a whole batch is refused, naming the cell, before anything is solved
        flows = np.tile([-100.0, 30, 40, 50, 20, 10, 5, 5, 5, 5], (1000, 1))
        flows[617, 4] = np.nan
        with pytest.raises(InputError, match=r"values\[617, 4\] \(row 617, column 4\) is nan"):
            irr(flows)

    def test_text(self):
        with pytest.raises(InputError, match=r"values\[1\] is '1,200', which is not a number"):
            irr([-1000, "1,200"])

    def test_whole_string(self):
        with pytest.raises(InputError, match="values is the text"):
            irr("-100, 110")

    def test_ragged(self):
        with pytest.raises(InputError, match=r"ragged \(row lengths \[3, 2\]\).*Pad shorter"):
            irr([[-100, 50, 60], [-100, 50]])

    def test_empty(self):
        with pytest.raises(InputError, match="values is empty"):
            npv(0.05, [])

    def test_scalar_values(self):
        with pytest.raises(InputError, match="single number"):
            irr(5.0)

    def test_three_dimensional(self):
        with pytest.raises(InputError, match=r"shape \(2, 2, 2\)"):
            irr(np.ones((2, 2, 2)))

    def test_rate_at_or_below_minus_one(self):
        with pytest.raises(InputError, match=r"rate is -1.0, at or below -1.*0.035 for 3.5%"):
            npv(-1, [1, 2])
        with pytest.raises(InputError, match=r"rate\[1\] is -1.5"):
            npv([0.03, -1.5], [1, 2])

    def test_rate_nan(self):
        with pytest.raises(InputError, match="rate is nan; rates must be finite"):
            npv(np.nan, [1, 2])

    def test_rate_text(self):
        with pytest.raises(InputError, match="rate is the text '3.5%'"):
            npv("3.5%", [1, 2])

    def test_rate_schedule_wrong_length(self):
        with pytest.raises(InputError, match=r"rate has shape \(2,\) but the flows have 3"):
            npv([0.03, 0.04], [1, 2, 3])

    def test_shapes_do_not_broadcast(self):
        with pytest.raises(InputError, match=r"does not broadcast.*shape \(2, 1\)"):
            npv(np.full((3, 1), 0.03), np.ones((2, 4)))

    def test_rate_and_discount_factors_both(self):
        with pytest.raises(InputError, match="exactly one of rate and discount_factors"):
            npv(0.03, [1, 2], discount_factors=[1, 0.9])

    def test_bad_when(self):
        with pytest.raises(InputError, match="when='begin' is not recognised"):
            npv(0.03, [1, 2], when="begin")

    def test_dates_unsorted(self):
        dates = ["2008-01-01", "2008-10-30", "2008-03-01", "2009-02-15", "2009-04-01"]
        with pytest.raises(InputError, match=r"dates\[2\] \(2008-03-01\) is earlier than"):
            xnpv(0.09, EXCEL_FLOWS, dates)

    def test_dates_length_mismatch(self):
        with pytest.raises(InputError, match="dates has 4 entries but values has 5 periods"):
            xirr(EXCEL_FLOWS, EXCEL_DATES[:4])

    def test_bad_date(self):
        with pytest.raises(InputError, match=r"dates\[1\] is 'March', which is not a date"):
            xnpv(0.09, [1, 2], ["2008-01-01", "March"])

    def test_bad_guess(self):
        with pytest.raises(InputError, match="guess is -2.0, at or below -1"):
            irr([-1, 2], guess=-2)


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(flow_rows())
def test_irr_is_a_root_of_npv(flows):
    """npv(irr(x), x) = 0 to 1e-6 of the flows' discounted scale, for every root found."""
    res = irr(flows, full_output=True)
    for i, roots in enumerate(res.roots):
        for r in roots:
            resid = abs(npv(r, flows[i]))
            assert resid <= 1e-6 * discounted_scale(flows[i], r)[0]


@settings(max_examples=300, deadline=None)
@given(invest_then_earn())
def test_irr_matches_numpy_financial_for_one_sign_change(flows):
    expected = npf.irr(flows)
    got = irr(flows)
    assert np.isfinite(got)  # one sign change: a rate always exists
    assume(np.isfinite(expected))
    assert abs(got - expected) <= 1e-9 * max(1.0, abs(expected))


@settings(max_examples=300, deadline=None)
@given(flow_rows())
def test_irr_never_nan_when_ends_differ_in_sign(flows):
    """First and last non-zero flows of opposite sign guarantee a root (intermediate value)."""
    got = irr(flows)
    for i, row in enumerate(flows):
        nz = row[row != 0]
        if nz.size and nz[0] * nz[-1] < 0:
            assert np.isfinite(got[i])


@settings(max_examples=200, deadline=None)
@given(flow_rows(min_rows=2, max_rows=2), RATES, st.floats(-3, 3), st.floats(-3, 3))
def test_npv_is_linear_in_the_flows(flows, rate, a, b):
    x, y = flows
    lhs = npv(rate, a * x + b * y)
    rhs = a * npv(rate, x) + b * npv(rate, y)
    scale = (abs(a) + abs(b)) * discounted_scale(flows, rate).max()
    assert abs(lhs - rhs) <= 1e-12 * max(scale, 1.0)


@settings(max_examples=300, deadline=None)
@given(flow_rows())
def test_payback_within_horizon_iff_cumulative_turns_non_negative(flows):
    got = payback_period(flows)
    cum = np.cumsum(flows, axis=1)
    for i in range(flows.shape[0]):
        hits = np.flatnonzero(cum[i] >= 0)
        if hits.size == 0:
            assert np.isnan(got[i])
            continue
        k = hits[0]
        assert 0 <= got[i] <= flows.shape[1] - 1
        if k == 0:
            assert got[i] == 0
        else:
            assert k - 1 < got[i] <= k


@settings(max_examples=200, deadline=None)
@given(flow_rows(), RATES)
def test_rows_equal_one_at_a_time(flows, rate):
    """Vectorised results are the same as row-by-row calls: a row's rate is the same double
    whatever rows are solved beside it (simulate relies on it: a scenario with every input
    at its point value gives exactly the deterministic run's IRR)."""
    one_by_one = np.array([irr(row) for row in flows])
    np.testing.assert_array_equal(irr(flows), one_by_one)
    assert npv(rate, flows) == pytest.approx([npv(rate, row) for row in flows], rel=1e-12)


def _rate_groups(rates, flows, npv_at, times=None):
    """The chosen rates as groups that double precision can tell apart, each with its
    multiplicity and how closely (in log(1 + r)) a root must be found there.

    Neighbouring rates are one group when equal to 1e-6 or when NPV midway between them is
    below 1e-11 of the flows' discounted size (``npv_at`` gives both, exactly or to 50
    digits): NPV is zero to rounding across the stretch, and a root anywhere in it (or just
    beyond) will do, so allow 2e-2 beyond its ends. A lone simple rate is fixed by the flows
    only as well as rounding allows: to about eps sum|v_t x^t| / |dNPV/du| (x = 1/(1 + r),
    u = log(1 + r)).
    """
    s = sorted(math.log1p(r) for r in rates)
    groups = [[s[0], s[0], 1]]
    for x in s[1:]:
        lo, hi, mult = groups[-1]
        value, size = npv_at(math.expm1((hi + x) / 2))
        if x - hi <= 1e-6 * (1 + abs(x)) or abs(float(value)) <= 1e-11 * float(size):
            groups[-1] = [lo, x, mult + 1]
        else:
            groups.append([x, x, 1])
    t = np.arange(len(flows)) if times is None else np.asarray(times)
    out = []
    for lo, hi, mult in groups:
        centre = (lo + hi) / 2
        terms = np.asarray(flows) * np.exp(-centre * t)
        slope = abs((t * terms).sum())
        noise = 64 * (len(flows) + 2) * np.finfo(float).eps * np.abs(terms).sum()
        blurred = mult > 1 or any(
            m > 1 and min(abs(lo - h2), abs(hi - l2)) <= 2e-2 for l2, h2, m in groups
        )
        tol = min(2e-2, max(1e-10, noise / max(slope, 1e-300)))
        out.append((centre, mult, (hi - lo) / 2 + 2e-2 if blurred else tol))
    return out


@settings(max_examples=300, deadline=None)
@given(flows_from_rates())
def test_irr_finds_every_chosen_rate(case):
    """Flows built from chosen rates (some a point apart, some within 1e-3, some repeated):
    every rate where NPV changes sign (odd multiplicity) is found; a repeated rate of even
    multiplicity has no sign change and is not promised. Every rate listed is near a chosen
    one and makes NPV zero to 1e-9 of the flows' discounted size, in exact arithmetic."""
    flows, rates = case
    res = irr(flows, full_output=True)
    found = np.log1p(res.roots)
    for s, mult, tol in _rate_groups(rates, flows, lambda r: npv_exact(r, flows)):
        if mult % 2:
            assert np.any(np.abs(found - s) <= tol * (1 + abs(s))), (rates, res.roots)
    chosen = np.log1p(rates)
    for r, s in zip(res.roots, found, strict=True):
        assert np.min(np.abs(chosen - s)) <= 2e-2 * (1 + abs(s)), (rates, res.roots)
        value, size = npv_exact(r, flows)
        assert abs(value) <= 1e-9 * size
    if res.roots.size:
        assert res.irr == res.roots[np.argmin(np.abs(res.roots - 0.1))]
        assert irr(flows) == res.irr


@settings(max_examples=100, deadline=None)
@given(flows_from_rates(max_rates=3))
def test_xirr_finds_every_chosen_rate(case):
    """The same with dates a fifth of a year (73 days) apart, so the exponents are t/5:
    NPV is a polynomial in y = (1 + r)^(-1/5), built with roots at the chosen rates."""
    _, rates = case
    coef = np.array([-100.0])
    for rate in rates:
        coef = np.convolve(coef, [1.0, -((1.0 + rate) ** 0.2)])
    start = dt.date(2001, 1, 1)
    dates = [(start + dt.timedelta(days=73 * t)).isoformat() for t in range(coef.size)]
    res = xirr(coef, dates, full_output=True)
    found = np.log1p(res.roots)

    def npv_at(rate):
        return xnpv_precise(rate, coef, dates), xnpv_precise(rate, np.abs(coef), dates)

    for s, mult, tol in _rate_groups(rates, coef, npv_at, np.arange(coef.size) / 5):
        if mult % 2:
            assert np.min(np.abs(found - s)) <= tol * (1 + abs(s)), (rates, res.roots)
    chosen = np.log1p(rates)
    for rate, s in zip(res.roots, found, strict=True):
        assert np.min(np.abs(chosen - s)) <= 2e-2 * (1 + abs(s)), (rates, res.roots)
        value, size = npv_at(rate)
        assert abs(value) <= Decimal("1e-9") * size
