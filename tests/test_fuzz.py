"""Property-based fuzzing of case files: generated valid cases always run and their checks
balance (a few also verify in LibreOffice); generated invalid ones always raise a
MutualfinError, never another exception. Example counts come from tests/conftest.py's profiles
(HYPOTHESIS_PROFILE=deep for long runs)."""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutualfin.case import BusinessCase
from mutualfin.errors import MutualfinError

from .bad_inputs.conftest import GOOD_CASE

TEMPLATE = tomllib.loads(GOOD_CASE)
OPTIONAL = ["overheads", "setup", "appraisal", "finance"]
MONEY = st.integers(min_value=0, max_value=5_000_000)
RATE = st.sampled_from([0.0, 0.005, 0.01, 0.02, 0.035, 0.05, 0.1])


def dump(data: dict) -> str:
    """A small TOML writer for the case tables (strings, numbers, lists, inline tables)."""

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return repr(v)

    out = []
    for table, items in data.items():
        out.append(f"[{table}]")
        out += [f"{k} = {value(v)}" for k, v in items.items()]
        out.append("")
    return "\n".join(out)


@st.composite
def valid_cases(draw) -> dict:
    data = {k: dict(v) for k, v in TEMPLATE.items()}
    data["timeline"]["years"] = years = draw(st.integers(min_value=1, max_value=12))
    data["contract"]["term_years"] = draw(st.integers(min_value=1, max_value=12))
    data["contract"]["annual_value"] = draw(st.integers(min_value=1, max_value=20_000_000))
    data["contract"]["indexation"] = draw(RATE)
    data["contract"]["efficiency_target"] = draw(RATE)
    data["contract"]["payment_lag_months"] = draw(st.integers(min_value=0, max_value=3))
    for name in ("hr", "payroll", "finance", "it", "insurance", "audit"):
        data["overheads"][name] = draw(MONEY)
    data["setup"]["amounts"] = draw(st.lists(MONEY, min_size=years, max_size=years))
    data["finance"]["opening_cash"] = draw(MONEY)
    data["finance"]["debtor_days"] = draw(st.integers(min_value=0, max_value=90))
    data["finance"]["creditor_days"] = draw(st.integers(min_value=0, max_value=90))
    data["finance"]["discount_rate"] = draw(RATE)
    for section in draw(st.sets(st.sampled_from(OPTIONAL))):
        del data[section]
    return data


def run(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.toml"
        path.write_text(text, encoding="utf-8")
        case = BusinessCase.from_file(path)
        results = case.run()
        case.appraise(results)
        return results


@given(valid_cases())
def test_valid_cases_run_and_balance(data):
    results = run(dump(data))
    assert bool(results.checks["ok"].all()), results.checks


@pytest.mark.libreoffice
@settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=valid_cases())
def test_valid_case_workbooks_verify(data, soffice, tmp_path_factory):
    results = run(dump(data))
    path = results.to_excel(tmp_path_factory.mktemp("fuzz") / "case.xlsx")
    assert results.verify(path).ok


# -- invalid cases ----------------------------------------------------------------------------
KEYS = [(t, k) for t, items in TEMPLATE.items() for k in items if t not in ("case",)]


@st.composite
def typo(draw, data):
    table, key = draw(st.sampled_from(KEYS))
    pos = draw(st.integers(min_value=0, max_value=len(key)))
    ch = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz_"))
    bad = key[:pos] + ch + key[pos:]
    data[table][bad] = data[table].pop(key)
    return data


@st.composite
def wrong_type(draw, data):
    table, key = draw(st.sampled_from([k for k in KEYS if k[0] != "case"]))
    wrong = ["text", True, [1, [2]], {"x": 1}, "", [], "2026-04-01"]
    if key in ("start", "start_date"):  # a date is the right type for these
        wrong.remove("2026-04-01")
    data[table][key] = draw(st.sampled_from(wrong))
    return data


OUT_OF_RANGE = {
    ("timeline", "years"): [0, -1, 2.5, 201],
    ("contract", "indexation"): [2, 3.5, -1.5],
    ("contract", "efficiency_target"): [5, 41, -2],
    ("contract", "term_years"): [0, -1],
    ("overheads", "hr"): [-1, -40_000],
    ("finance", "discount_rate"): [3.5, 35, -1.5],
    ("finance", "debtor_days"): [-1, 400],
    ("appraisal", "step_in_probability"): [41, -0.5],
    ("appraisal", "years"): [0, 2.5, 101],
    ("appraisal", "in_house_cost"): [-1],
}


@st.composite
def out_of_range(draw, data):
    table, key = draw(st.sampled_from(sorted(OUT_OF_RANGE)))
    data[table][key] = draw(st.sampled_from(OUT_OF_RANGE[(table, key)]))
    return data


@st.composite
def invalid_cases(draw) -> tuple[str, str]:
    data = {k: dict(v) for k, v in TEMPLATE.items()}
    kind = draw(st.sampled_from(["typo", "type", "range", "garbage"]))
    if kind == "garbage":
        text = dump(data)
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        junk = draw(st.text(st.sampled_from('[]{}="\\,.\n#x1 '), min_size=1, max_size=12))
        return kind, text[:cut] + junk + text[cut:]
    strategy = {"typo": typo, "type": wrong_type, "range": out_of_range}[kind]
    return kind, dump(draw(strategy(data)))


@given(invalid_cases())
def test_invalid_cases_raise_a_mutualfin_error(generated):
    kind, text = generated
    try:
        run(text)
    except MutualfinError:
        return
    except Exception as exc:  # pragma: no cover - the failure being looked for
        pytest.fail(f"{type(exc).__name__} (not a MutualfinError): {exc}\n{text}")
    # only garbage may leave a valid file (junk inside a comment or a string)
    assert kind == "garbage", f"accepted an invalid case ({kind}):\n{text}"
