"""Factored evaluation of per-entity lines (engine/model.py, ``_Factored``) equals the plain one.

With many scenarios, a per-employee line such as ``salary x fte x (1 - vacancy)`` is held as
a sum of products of an employee-only factor and a scenario-only factor, and its total over
employees is ``sum_e(salary x fte) x (1 - vacancy)``. That is exact algebra, so the factored
evaluation must give the plain evaluation's numbers (``FACTORED = False``), to rounding.

The random models draw small whole numbers and divide only by powers of two, so every
intermediate sum and product is a float with no rounding at all: any slip in the algebra
(a lost term, a wrong sign, a total that forgets an employee) shows as a difference, which
rounding could not hide.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin import Entities, Input, Line, Model, Timeline
from mutualfin.engine import model as engine_model

SETTINGS = settings(max_examples=60, deadline=None)
SMALL = st.integers(-6, 6).map(float)
POWERS_OF_TWO = st.sampled_from([0.5, 1.0, 2.0, 4.0, -2.0])


@st.composite
def factored_models(draw):
    """(model, overrides): per-employee lines over employee inputs, scenario-varying scalar
    and per-period inputs and plain ones, with totals, a stepped balance and a metric."""
    years = draw(st.integers(1, 4))
    n_emp = draw(st.integers(2, 5))
    n_scen = draw(st.integers(2, 4))
    staff = Entities("employee", [f"E{k}" for k in range(n_emp)])

    def emp_values():
        return draw(st.lists(SMALL, min_size=n_emp, max_size=n_emp))

    emp = [Input(f"emp.x{k}", emp_values(), unit="ratio", per=staff) for k in range(2)]
    flags = draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n_emp, max_size=n_emp))
    flag = Input("emp.flag", flags, unit="flag", per=staff)
    scal = [Input(f"s.v{k}", draw(SMALL), unit="ratio") for k in range(2)]
    fixed = Input("s.fixed", draw(SMALL), unit="ratio")
    halves = Input("s.divisor", 2.0, unit="ratio")
    series = Input("p.varying", [1.0] * years, unit="ratio")
    fixed_values = draw(st.lists(SMALL, min_size=years, max_size=years))
    plain_series = Input("p.fixed", fixed_values, unit="ratio")
    overrides = {
        "s.v0": draw(st.lists(SMALL, min_size=n_scen, max_size=n_scen)),
        "s.v1": draw(st.lists(SMALL, min_size=n_scen, max_size=n_scen)),
        "s.divisor": draw(st.lists(POWERS_OF_TWO, min_size=n_scen, max_size=n_scen)),
        "p.varying": np.array(
            draw(st.lists(SMALL, min_size=n_scen * years, max_size=n_scen * years))
        ).reshape(n_scen, years),
    }
    leaves = st.sampled_from([*emp, flag, *scal, fixed, series, plain_series]) | SMALL

    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] - ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
            st.tuples(children, st.sampled_from([2.0, 0.5, 4.0])).map(lambda ab: ab[0] / ab[1]),
            children.map(lambda a: a / halves),
            children.map(lambda a: -a),
            st.tuples(children, children).map(lambda ab: mf.max_(ab[0], ab[1])),
        )

    exprs = st.recursive(leaves, extend, max_leaves=6)
    per_emp: list[Line] = []
    for k in range(draw(st.integers(1, 3))):
        e = draw(exprs)
        # every per-employee line has an employee factor (and usually a scenario one)
        e = draw(st.sampled_from([*emp, flag])) * draw(st.sampled_from([*scal, series])) + e
        if per_emp and draw(st.booleans()):
            e = e * per_emp[-1] - draw(st.sampled_from(per_emp))
        # a threshold per employee, as employer NI has: max(x, floor) or min(cap, x)
        clip = draw(st.sampled_from(["max", "min", "both", "none"]))
        if clip in ("max", "both"):
            e = mf.max_(e, draw(st.sampled_from([0.0, 3.0, fixed, scal[1], plain_series])))
        if clip in ("min", "both"):
            e = mf.min_(draw(st.sampled_from([5.0, scal[0], series, fixed])), e) * 2
        # a step at a threshold (strict or not, either way round), as the auto-enrolment
        # trigger is, and a hinge or step weighted by an employee factor from outside, on
        # one employee factor times a scenario factor (what stays factored)
        simple = draw(st.sampled_from(emp)) * draw(st.sampled_from([*scal, series]))
        bar = draw(st.sampled_from([0.0, 3.0, -2.0, fixed, scal[1], plain_series]))
        step = draw(st.sampled_from(["none", ">", ">=", "<", "<="]))
        if step != "none":
            test = {">": simple > bar, ">=": simple >= bar, "<": simple < bar}.get(
                step, simple <= bar
            )
            if draw(st.booleans()):
                test = draw(st.sampled_from([flag, *emp])) * test
            e = e + test * draw(st.sampled_from([*scal, series, fixed, 2.0]))
        if draw(st.booleans()):
            weight = draw(st.sampled_from([flag, *emp]))
            e = e + weight * mf.max_(simple - bar, 0) * draw(st.sampled_from([*scal, 2.0]))
        per_emp.append(Line(f"emp_line_{k}", e, unit="ratio"))
    totals = [Line(f"total_{k}", mf.total(x), unit="ratio") for k, x in enumerate(per_emp)]
    mixed = Line("mixed", sum(totals[1:], totals[0]) * scal[0] - fixed, unit="ratio")
    balance = Line(
        "balance", mf.previous("balance") + mixed, unit="ratio", kind="balance", opening=fixed
    )
    emp_balance = Line(
        "emp_balance",
        mf.previous("emp_balance") + per_emp[0],
        unit="ratio",
        kind="balance",
        opening=emp[0],
    )
    metric = Line("summed", mf.sum_periods(balance), unit="ratio", kind="metric")
    emp_total = Line("emp_total", mf.total(emp_balance), unit="ratio")
    # last year's value of a per-employee line that is not itself a running balance
    lagged = Line("lagged", mf.previous(per_emp[-1], opening=0) * scal[0], unit="ratio")
    lines = [*per_emp, *totals, mixed, balance, emp_balance, emp_total, lagged, metric]
    model = Model(Timeline(2026, years=years), lines)
    return model, {k: v for k, v in overrides.items() if k in model.inputs}


def evaluate_both(model, overrides, monkeypatch, **kwargs):
    factored = model.evaluate(overrides, **kwargs)
    with monkeypatch.context() as m:
        m.setattr(engine_model, "FACTORED", False)
        plain = model.evaluate(overrides, **kwargs)
    return factored, plain


@SETTINGS
@given(factored_models())
def test_factored_evaluation_equals_plain(case):
    model, overrides = case
    with pytest.MonkeyPatch.context() as mp:
        factored, plain = evaluate_both(model, overrides, mp, check_finite=False)
    for name in plain.values:
        a, b = factored.array(name), plain.array(name)
        assert a.shape == b.shape, name
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=0, err_msg=name)


@SETTINGS
@given(factored_models(), st.data())
def test_factored_evaluation_with_keep_equals_plain(case, data):
    """Keeping only some lines (as simulate does) frees the others; the kept ones agree."""
    model, overrides = case
    names = [n for n in model.order if not model.lines[n].auxiliary]
    keep = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    with pytest.MonkeyPatch.context() as mp:
        factored, plain = evaluate_both(model, overrides, mp, check_finite=False, keep=keep)
    assert set(factored.values) == set(plain.values)
    for name in keep:
        np.testing.assert_allclose(
            factored.array(name), plain.array(name), rtol=1e-9, atol=0, err_msg=name
        )


# --------------------------------------------------------------------------------------------
# hand-worked: three employees, two scenarios of the vacancy factor
# --------------------------------------------------------------------------------------------
def staff_model():
    staff = Entities("employee", ["E1", "E2", "E3"])
    salary = Input("roster.salary", [20_000.0, 30_000.0, 50_000.0], per=staff)
    fte = Input("roster.fte", [1.0, 0.5, 1.0], unit="FTE", per=staff)
    lgps = Input("roster.lgps", [1.0, 0.0, 1.0], unit="flag", per=staff)
    vacancy = Input("staff.vacancy_factor", 0.0, unit="fraction")
    rate = Input("staff.lgps_rate", 0.2, unit="fraction")
    pay = Line("pay_employee", salary * fte * (1 - vacancy))
    pension = Line("pension_employee", pay * lgps * rate)
    cost = Line("cost_employee", pay + pension)
    return Model(Timeline(2026, years=2), [Line("staff_costs", mf.total(cost))])


def test_hand_worked_totals_are_factored(monkeypatch):
    """Paybill 20,000 + 15,000 + 50,000 = 85,000 at full strength; LGPS members' pay 70,000.
    Scenario 1: vacancy 10%, rate 20%: 85,000 x 0.9 + 70,000 x 0.9 x 0.2 = 76,500 + 12,600 =
    89,100. Scenario 2: vacancy 0, rate 25%: 85,000 + 70,000 x 0.25 = 102,500."""
    model = staff_model()
    totals = []
    real_total = engine_model._Factored.total

    def spy(self):
        totals.append(len(self.terms))
        return real_total(self)

    monkeypatch.setattr(engine_model._Factored, "total", spy)
    ev = model.evaluate(
        {"staff.vacancy_factor": [0.1, 0.0], "staff.lgps_rate": [0.2, 0.25]},
        keep=["staff_costs"],
    )
    np.testing.assert_allclose(ev.array("staff_costs"), [[89_100.0] * 2, [102_500.0] * 2])
    assert totals, "the per-employee cost was expanded instead of totalled in factored form"
    assert "cost_employee" not in ev.values  # freed: only the total was asked for


def test_kept_per_employee_line_is_expanded_in_the_result():
    ev = staff_model().evaluate(
        {"staff.vacancy_factor": [0.1, 0.0], "staff.lgps_rate": [0.2, 0.25]}
    )
    cost = ev.array("cost_employee")
    assert isinstance(cost, np.ndarray) and cost.shape == (2, 3, 2)
    # E1, scenario 1: 20,000 x 0.9 x 1.2 = 21,600; E2, scenario 2: 15,000 (no pension)
    assert cost[0, 0, 0] == pytest.approx(21_600.0)
    assert cost[1, 1, 1] == pytest.approx(15_000.0)


def test_non_finite_factored_line_is_named(monkeypatch):
    """A division by a zero scenario factor is refused naming the per-employee line, as the
    plain evaluation does."""
    staff = Entities("employee", ["E1", "E2"])
    salary = Input("roster.salary", [1.0, 2.0], per=staff)
    d = Input("a.divisor", 1.0, unit="ratio")
    model = Model(Timeline(2026, years=1), [Line("t", mf.total(Line("per", salary / d)))])
    with pytest.raises(mf.errors.EvaluationError, match="'per'"):
        model.evaluate({"a.divisor": [1.0, 0.0]})


def test_stepped_lines_without_varying_inputs_are_stepped_once():
    """A running balance per employee that no overridden input reaches is evaluated for one
    scenario and broadcast, not stepped once per scenario."""
    staff = Entities("employee", ["E1", "E2"])
    accrued = Input("roster.accrued", [100.0, 200.0], per=staff)
    add = Input("roster.add", [10.0, 20.0], per=staff)
    balance = Line(
        "care", mf.previous("care") + add, kind="balance", opening=accrued
    )  # independent of the scenario input below
    other = Input("a.other", 1.0, unit="ratio")
    model = Model(Timeline(2026, years=3), [balance, Line("x", other * 2, unit="ratio")])
    ev = model.evaluate({"a.other": [1.0, 2.0, 3.0]})
    assert ev.values["care"].shape == (1, 2, 3)
    assert ev.array("care").shape == (3, 2, 3)
    assert ev.array("care")[2].tolist() == [[110.0, 120.0, 130.0], [220.0, 240.0, 260.0]]


def test_terms_sharing_a_scenario_factor_are_added_once():
    """salary x v + bonus x v is held as one product (salary + bonus) x v: with salaries
    10 and 20, bonuses 1 and 2 and v = 2 or 3, the total is 33 x 2 = 66 or 33 x 3 = 99."""
    staff = Entities("employee", ["E1", "E2"])
    salary = Input("roster.salary", [10.0, 20.0], per=staff)
    bonus = Input("roster.bonus", [1.0, 2.0], per=staff)
    v = Input("a.v", 1.0, unit="ratio")
    per = Line("per", salary * v + bonus * v)
    model = Model(Timeline(2026, years=1), [Line("t", mf.total(per))])
    seen = []
    real_total = engine_model._Factored.total

    def spy(self):
        seen.append(len(self.terms))
        return real_total(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine_model._Factored, "total", spy)
        ev = model.evaluate({"a.v": [2.0, 3.0]})
    assert seen == [1]
    assert ev.array("t")[:, 0].tolist() == [66.0, 99.0]
    assert ev.array("per")[:, :, 0].tolist() == [[22.0, 44.0], [33.0, 66.0]]


def hinge_expansions(monkeypatch) -> list:
    """A list to which every (scenarios x employees) expansion of a hinge or step appends its
    shape: empty after an evaluation that totalled them without building the array."""
    expanded = []
    real_dense = engine_model._Hinge.dense

    def spy(self):
        expanded.append(self.shape)
        return real_dense(self)

    monkeypatch.setattr(engine_model._Hinge, "dense", spy)
    return expanded


def test_hand_worked_threshold_total_is_not_expanded(monkeypatch):
    """Employer NI as the staff component writes it, 10% x max(pay - 15,000, 0), with pay =
    salary x pay index. Salaries 10,000, 20,000 and 30,000. Index 1.0: NI 0 + 500 + 1,500 =
    2,000. Index 1.5 (pay 15,000, 30,000, 45,000): 0 + 1,500 + 3,000 = 4,500. Index 0.5:
    nobody is over the threshold, 0."""
    staff = Entities("employee", ["E1", "E2", "E3"])
    salary = Input("roster.salary", [10_000.0, 20_000.0, 30_000.0], per=staff)
    index = Input("staff.pay_index", 1.0, unit="ratio")
    threshold = Input("ni.threshold", 15_000.0)
    pay = Line("pay_employee", salary * index)
    ni = Line("ni_employee", 0.1 * mf.max_(pay - threshold, 0))
    model = Model(Timeline(2026, years=1), [Line("employer_ni", mf.total(ni))])
    expanded = hinge_expansions(monkeypatch)
    ev = model.evaluate({"staff.pay_index": [1.0, 1.5, 0.5]}, keep=["employer_ni"])
    np.testing.assert_allclose(ev.array("employer_ni")[:, 0], [2_000.0, 4_500.0, 0.0])
    assert expanded == []  # totalled by sorting the salaries, never (scenarios x employees)
    # kept, the per-employee line is expanded in the result: E3 at index 1.5 pays 3,000
    full = model.evaluate({"staff.pay_index": [1.0, 1.5, 0.5]}).array("ni_employee")
    np.testing.assert_allclose(full[1, :, 0], [0.0, 1_500.0, 3_000.0])
    # a falling index (b < 0 in max(a b + c, 0)) and a cap, min(pay, 25,000), likewise
    capped = Line("capped", mf.min_(salary * (2 - index), 25_000.0))
    model = Model(Timeline(2026, years=1), [Line("t", mf.total(capped))])
    ev = model.evaluate({"staff.pay_index": [1.0, 1.5]}, keep=["t"])
    # index 1.0: 10,000 + 20,000 + 25,000; index 1.5: 5,000 + 10,000 + 15,000
    np.testing.assert_allclose(ev.array("t")[:, 0], [55_000.0, 30_000.0])


def test_hand_worked_auto_enrolment_total_is_not_expanded(monkeypatch):
    """Auto-enrolment as the staff component writes it: for staff in no scheme, 3% of
    qualifying earnings once pay passes the trigger, as a step and two hinges:
    max(pay - 10,000, 0) + (10,000 - 6,000) x (pay > 10,000) - max(pay - 50,000, 0)
    (trigger 10,000, lower limit 6,000, upper 50,000). Salaries 8,000 (no scheme), 20,000
    (no scheme), 60,000 (no scheme) and 30,000 (in a scheme). Index 1.0: 0 + 14,000 +
    44,000 = 58,000, x 3% = 1,740. Index 1.25 (pay 10,000, 25,000, 75,000): 0 at the trigger
    (not over it), 19,000, 44,000: 63,000 x 3% = 1,890. Index 0.5 (4,000, 10,000, 30,000):
    0, 0, 24,000: 720."""
    staff = Entities("employee", ["E1", "E2", "E3", "E4"])
    salary = Input("roster.salary", [8_000.0, 20_000.0, 60_000.0, 30_000.0], per=staff)
    none = Input("roster.no_scheme", [1.0, 1.0, 1.0, 0.0], unit="flag", per=staff)
    index = Input("staff.pay_index", 1.0, unit="ratio")
    pay = Line("pay_employee", salary * index)
    trigger, lower, upper = 10_000.0, 6_000.0, 50_000.0
    qualifying = (
        mf.max_(pay - trigger, 0) + (trigger - lower) * (pay > trigger) - mf.max_(pay - upper, 0)
    )
    auto = Line("auto_employee", none * (qualifying * 0.03))
    model = Model(Timeline(2026, years=1), [Line("auto", mf.total(auto))])
    expanded = hinge_expansions(monkeypatch)
    scenarios = {"staff.pay_index": [1.0, 1.25, 0.5]}
    ev = model.evaluate(scenarios, keep=["auto"])
    np.testing.assert_allclose(ev.array("auto")[:, 0], [1_740.0, 1_890.0, 720.0])
    assert expanded == []  # a step and hinges, weighted by the flag: never expanded
    full = model.evaluate(scenarios).array("auto_employee")
    np.testing.assert_allclose(full[1, :, 0], [0.0, 570.0, 1_320.0, 0.0])
