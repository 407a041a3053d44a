"""Every worksheet function the writer may emit behaves identically in Excel, LibreOffice and
the formulas package (mutualfin.workbook.portable.WORKSHEET_FUNCTIONS).

One workbook holds a case per use of each function, in the forms the writer emits (a SUM over
a row, a running SUM, MAX of a cell and a flag, IF(AND(...),1,0) over dates, NPV of a row plus
the first flow...) and the worked examples of Microsoft's function reference. It is recalculated
once by LibreOffice and once by the formulas package; each function's test then checks, for
every case, that both engines give the expected value written here by hand (with the figure
Microsoft's page shows, to its rounding) and that they agree with each other to 1e-9.

Microsoft's pages are the URLs in WORKSHEET_FUNCTIONS; the examples quoted are theirs.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import openpyxl
import pytest

import mutualfin as mf
from mutualfin.engine.nodes import P_ATOM, Expr
from mutualfin.errors import WorkbookError
from mutualfin.workbook import excel_rules as second_engine
from mutualfin.workbook.portable import WORKSHEET_FUNCTIONS, check_functions, functions_in
from mutualfin.workbook.recalc import recalculate


@dataclass(frozen=True)
class Case:
    function: str
    formula: str
    expected: Any
    tolerance: float = 1e-9  # absolute, for numbers; the rounding of Microsoft's figure
    why: str = ""


# -- the data the cases read (sheet "Data") --------------------------------------------------
DATA = {
    # Microsoft NPV example 1: rate 10%; a 10,000 cost one year from today, then 3,000, 4,200
    # and 6,800 in the following years
    "A1": 0.10,
    "B1": -10_000,
    "C1": 3_000,
    "D1": 4_200,
    "E1": 6_800,
    # Microsoft NPV example 2: rate 8%; 40,000 paid at the start of the first period, then
    # returns of 8,000, 9,200, 10,000, 12,000 and 14,500
    "A2": 0.08,
    "B2": -40_000,
    "C2": 8_000,
    "D2": 9_200,
    "E2": 10_000,
    "F2": 12_000,
    "G2": 14_500,
    # Microsoft IRR example: a 70,000 business, then five years' net income
    "B3": -70_000,
    "C3": 12_000,
    "D3": 15_000,
    "E3": 18_000,
    "F3": 21_000,
    "G3": 26_000,
    # Microsoft MIRR example: a 120,000 loan at 10%, returns reinvested at 12%
    "A4": 0.10,
    "H4": 0.12,
    "B4": -120_000,
    "C4": 39_000,
    "D4": 30_000,
    "E4": 21_000,
    "F4": 37_000,
    "G4": 46_000,
    # Microsoft MAX and MIN example data
    "B5": 10,
    "C5": 7,
    "D5": 9,
    "E5": 27,
    "F5": 2,
    # a paid-back flag's previous value and two cumulative cash figures
    "B6": 0,
    "C6": -5,
    "D6": 5,
    # a row with empty cells (C7, E7, F7)
    "B7": 1.5,
    "D7": 2.25,
    # growth factors 1, 1 + 2%, 1 + 3%
    "B9": 1,
    "C9": 1.02,
    "D9": 1.03,
    # Microsoft PRODUCT example data
    "A9": 5,
    "A10": 15,
    "A11": 30,
    "B10": -4,
    # check differences
    "B11": 0.5,
    "C11": -0.25,
    "D11": 0,
    "E11": -1,
    "F11": 2,
    # check statuses; Microsoft COUNTIF example data
    "B12": "OK",
    "C12": "ERROR",
    "D12": "OK",
    "B13": "apples",
    "C13": "oranges",
    "D13": "peaches",
    "E13": "apples",
    # flags written as numbers, and a non-zero condition
    "B14": 1,
    "C14": 0,
    "D14": -1,
    # a period (start, end) and a date range (start, end), as on the Timeline sheet
    "B15": dt.datetime(2026, 4, 1),
    "C15": dt.datetime(2027, 3, 31),
    "D15": dt.datetime(2025, 4, 1),
    "E15": dt.datetime(2026, 3, 31),
    # Microsoft's (older) SUMPRODUCT example: two 3x2 arrays
    "B16": 3,
    "C16": 4,
    "B17": 8,
    "C17": 6,
    "B18": 1,
    "C18": 9,
    "D16": 2,
    "E16": 7,
    "D17": 6,
    "E17": 7,
    "D18": 5,
    "E18": 3,
    # cash flows with no outlay: no IRR
    "B21": 100,
    "C21": 50,
    "D21": 25,
    # Microsoft IFERROR example: quotas and units sold
    "B22": 210,
    "C22": 35,
    "D22": 55,
    "E22": 0,
    # Microsoft SUMIF example: property values
    "B23": 100_000,
    "C23": 200_000,
    "D23": 300_000,
    "E23": 400_000,
    # Microsoft COUNT example: a date, a blank, 19, 22.24 and an error (its TRUE is in row 25)
    "B24": dt.datetime(2008, 12, 8),
    "D24": 19,
    "E24": 22.24,
    "G24": "=1/0",
    # logical values in a range: where the engines part (test_logical_values_in_a_range_...)
    "B25": True,
    "C25": False,
    "D25": True,
    "E25": 2,
    # a row of flags written as numbers, as every flag line is: 1 where B5:F5 exceed 8
    **{f"{c}20": f"=IF({c}5>8,1,0)" for c in "BCDEF"},
}

CASES = [
    # -- SUM: "Adds values"; logical values in a reference are ignored (hence flags as 1/0) --
    Case("SUM", "=SUM(Data!$B$5:$F$5)", 55, why="a row total: 10+7+9+27+2"),
    Case("SUM", "=SUM(Data!$B5:D5)", 26, why="a running total to the third period: 10+7+9"),
    Case("SUM", "=SUM(Data!B7:F7)", 3.75, why="empty cells are ignored: 1.5+2.25"),
    Case("SUM", "=SUM(Data!$B$20:$F$20)", 3, why="a row of 1/0 flags (10, 9, 27 > 8)"),
    # -- MAX and MIN: Microsoft's examples on 10, 7, 9, 27, 2 ---------------------------------
    Case("MAX", "=MAX(Data!B5:F5)", 27, why="Microsoft: Largest of the numbers, 27"),
    Case("MAX", "=MAX(Data!B5:F5,30)", 30, why="Microsoft: largest of the numbers and 30"),
    Case("MAX", "=MAX(Data!B6,IF(Data!C6>=0,1,0))", 0, why="paid back: not yet (-5 < 0)"),
    Case("MAX", "=MAX(Data!B6,IF(Data!D6>=0,1,0))", 1, why="paid back: from now (5 >= 0)"),
    Case("MIN", "=MIN(Data!B5:F5)", 2, why="Microsoft: Smallest of the numbers, 2"),
    Case("MIN", "=MIN(Data!B5:F5,0)", 0, why="Microsoft: smallest of the numbers and 0"),
    Case("MIN", "=MIN(MAX(Data!B5,8),9)", 9, why="clip(10, 8, 9)"),
    # -- ABS ----------------------------------------------------------------------------------
    Case("ABS", "=ABS(Data!B10)", 4, why="Microsoft: Absolute value of -4, 4"),
    Case("ABS", "=ABS(2)", 2, why="Microsoft: Absolute value of 2"),
    # -- IF: a comparison, or a number (non-zero is TRUE), as the test ------------------------
    Case("IF", "=IF(Data!B5>8,1,0)", 1, why="a flag as a number: 10 > 8"),
    Case("IF", "=IF(Data!C5>8,1,0)", 0, why="a flag as a number: 7 > 8 is false"),
    Case("IF", "=IF(Data!B14,0,5)", 0, why="a 1/0 flag row as the test: 1 is TRUE"),
    Case("IF", "=IF(Data!C14,0,5)", 5, why="0 is FALSE"),
    Case("IF", '=IF(Data!D14,"yes","no")', "yes", why="any non-zero number is TRUE"),
    Case(
        "IF",
        '=IF(MAX(Data!$B$6:$B$6)=1,SUM(Data!$B$5:$C$5),"never")',
        "never",
        why="the payback metric when cash never turns",
    ),
    # -- AND inside IF, over dates (the Timeline's within-dates flags) ------------------------
    Case(
        "AND",
        "=IF(AND(Data!B15<=Data!E15,Data!C15>=Data!D15),1,0)",
        0,
        why="2026/27 does not overlap 1 April 2025 to 31 March 2026",
    ),
    Case(
        "AND",
        "=IF(AND(Data!D15<=Data!C15,Data!E15>=Data!B15),1,0)",
        0,
        why="and the other way round",
    ),
    Case(
        "AND",
        "=IF(AND(Data!B15<=Data!C15,Data!C15>=Data!B15),1,0)",
        1,
        why="a period overlaps itself",
    ),
    Case("AND", "=IF(AND(Data!B5>1,Data!B5<100),1,0)", 1, why="Microsoft: 1 < 10 < 100"),
    # -- PRODUCT: a running growth index; Microsoft's example on 5, 15, 30 --------------------
    Case("PRODUCT", "=PRODUCT(Data!$B9:D9)", 1.0506, why="1 x 1.02 x 1.03"),
    Case("PRODUCT", "=PRODUCT(Data!A9:A11)", 2250, why="Microsoft: 5 x 15 x 30 = 2,250"),
    Case("PRODUCT", "=PRODUCT(Data!A9:A11,2)", 4500, why="Microsoft: 2,250 x 2 = 4,500"),
    # -- NPV: first flow one period away; "first + NPV(rest)" for a flow at the start ---------
    Case(
        "NPV",
        "=NPV(Data!A1,Data!$B$1:$E$1)",
        1188.44,
        0.005,
        "Microsoft: $1,188.44 (-10,000/1.1 + 3,000/1.1^2 + 4,200/1.1^3 + 6,800/1.1^4)",
    ),
    Case(
        "NPV",
        "=Data!$B$2+NPV(Data!A2,Data!$C$2:$G$2)",
        1922.06,
        0.005,
        "Microsoft: $1,922.06, the 40,000 paid at the start added outside NPV",
    ),
    Case(
        "NPV",
        "=Data!$B$2+NPV(Data!A2,Data!$C$2:$G$2,-9000)",
        -3749.47,
        0.005,
        "Microsoft: -$3,749.47 with a 9,000 loss in the sixth year",
    ),
    # -- IRR: Microsoft's figures to 0.1%; and NPV at the rate is nil ------------------------
    Case("IRR", "=IRR(Data!$B$3:$F$3)", -0.021, 0.0005, "Microsoft: -2.1% after four years"),
    Case("IRR", "=IRR(Data!$B$3:$G$3)", 0.087, 0.0005, "Microsoft: 8.7% after five years"),
    Case(
        "IRR",
        "=Data!B3+NPV(IRR(Data!$B$3:$G$3),Data!$C$3:$G$3)",
        0,
        1e-6,
        "the rate is a root: the flows' NPV at it is nil",
    ),
    Case(
        "IRR",
        "=IRR(Data!$B$3:$D$3,-0.1)",
        -0.444,
        0.0005,
        "Microsoft: -44.4% after two years, with a guess of -10%",
    ),
    Case(
        "IRR",
        '=IRR(Data!$B$3:$G$3,(SUMIF(Data!$B$3:$G$3,">0")/-SUMIF(Data!$B$3:$G$3,"<0"))'
        "^(1/(COUNT(Data!$B$3:$G$3)-1))-1)",
        0.087,
        0.0005,
        "the irr metric's form: a guess of (92,000 / 70,000)^(1/5) - 1 = 5.6%; one root, 8.7%",
    ),
    # -- IFERROR: Microsoft's quotas; an IRR of flows with no outlay --------------------------
    Case(
        "IFERROR",
        '=IFERROR(Data!B22/Data!C22,"Error in calculation")',
        6,
        why="Microsoft: 210 / 35 = 6",
    ),
    Case(
        "IFERROR",
        '=IFERROR(Data!D22/Data!E22,"Error in calculation")',
        "Error in calculation",
        why="Microsoft: 55 / 0 is an error",
    ),
    Case(
        "IFERROR",
        '=IFERROR(IRR(Data!$B$21:$D$21),"n/a")',
        "n/a",
        why="flows of 100, 50, 25 have no IRR",
    ),
    # -- SUMIF and COUNT: the irr metric's guess; Microsoft's property values and COUNT ------
    Case("SUMIF", '=SUMIF(Data!$B$3:$G$3,">0")', 92_000, why="12,000+15,000+...+26,000"),
    Case("SUMIF", '=SUMIF(Data!$B$3:$G$3,"<0")', -70_000, why="the one outlay"),
    Case(
        "SUMIF",
        '=SUMIF(Data!B23:E23,">160000")',
        900_000,
        why="Microsoft: property values over 160,000 sum to 900,000",
    ),
    Case("COUNT", "=COUNT(Data!$B$3:$G$3)", 6, why="six flows"),
    Case("COUNT", "=COUNT(Data!B7:F7)", 2, why="empty cells are not counted"),
    Case(
        "COUNT",
        "=COUNT(Data!B24:G24)",
        3,
        why="Microsoft: a date, 19 and 22.24 are numbers; a blank and #DIV/0! are not",
    ),
    # -- MIRR: Microsoft's figures (13%, -5%, 13%; 12.61%, -4.80%, 13.48% to two decimals) ---
    Case(
        "MIRR",
        "=MIRR(Data!$B$4:$G$4,Data!A4,Data!H4)",
        0.1261,
        0.00005,
        "Microsoft: 12.61% after five years; by hand (217,297.50 / 120,000)^(1/5) - 1",
    ),
    Case(
        "MIRR",
        "=MIRR(Data!$B$4:$E$4,Data!A4,Data!H4)",
        -0.0480,
        0.00005,
        "Microsoft: -4.80% after three years",
    ),
    Case(
        "MIRR",
        "=MIRR(Data!$B$4:$G$4,Data!A4,0.14)",
        0.1348,
        0.00005,
        "Microsoft: 13.48% with profits reinvested at 14%",
    ),
    # -- SUMPRODUCT: the checks sheet's sum of absolute differences; Microsoft's arrays ------
    Case(
        "SUMPRODUCT",
        "=SUMPRODUCT(ABS(Data!$B$11:$F$11))",
        3.75,
        why="0.5 + 0.25 + 0 + 1 + 2",
    ),
    Case(
        "SUMPRODUCT",
        "=SUMPRODUCT(Data!B16:C18,Data!D16:E18)",
        156,
        why="Microsoft: 3x2 + 4x7 + 8x6 + 6x7 + 1x5 + 9x3 = 156",
    ),
    # -- COUNTIF: the master check counts statuses; Microsoft's apples -----------------------
    Case("COUNTIF", '=COUNTIF(Data!B12:D12,"ERROR")', 1, why="one check in error"),
    Case("COUNTIF", '=COUNTIF(Data!B12:D12,"ERROR")=0', False, why="so the master check fails"),
    Case("COUNTIF", '=COUNTIF(Data!B13:E13,"apples")', 2, why="Microsoft: two apples"),
]
FIRST_CASE_ROW = 2


def _same(a: Any, b: Any, tolerance: float) -> bool:
    """Equal text or logical values; numbers within ``tolerance``, or 1e-9 relative."""
    if isinstance(a, bool | str) or isinstance(b, bool | str):
        return type(a) is type(b) and a == b
    if not (isinstance(a, int | float) and isinstance(b, int | float)):
        return False
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= max(tolerance, 1e-9 * max(1.0, abs(a), abs(b)))


@pytest.fixture(scope="module")
def engines(soffice, excel_rules, tmp_path_factory) -> dict[str, dict[int, Any]]:
    """{engine: {case index: value}}, each engine recalculating the cases workbook once."""
    tmp = tmp_path_factory.mktemp("functions")
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Data"
    for ref, value in DATA.items():
        data[ref] = value
    cases = wb.create_sheet("Cases")
    for k, case in enumerate(CASES):
        cases.cell(row=FIRST_CASE_ROW + k, column=1, value=case.function)
        cases.cell(row=FIRST_CASE_ROW + k, column=2, value=case.formula)
    path = tmp / "functions.xlsx"
    wb.save(path)
    calc = openpyxl.load_workbook(recalculate(path, tmp / "lo"), data_only=True)["Cases"]
    second = second_engine.calculate(path)
    rows = {k: FIRST_CASE_ROW + k for k in range(len(CASES))}
    return {
        "LibreOffice": {k: calc.cell(row=r, column=2).value for k, r in rows.items()},
        "formulas": {k: second[("Cases", r, 2)] for k, r in rows.items()},
    }


def test_the_cases_use_only_listed_functions_and_cover_every_one():
    used = {fn for case in CASES for fn in functions_in(case.formula)}
    assert used <= set(WORKSHEET_FUNCTIONS), used - set(WORKSHEET_FUNCTIONS)
    assert {case.function for case in CASES} == set(WORKSHEET_FUNCTIONS)
    for case in CASES:
        assert case.function in functions_in(case.formula), case


@pytest.mark.libreoffice
@pytest.mark.parametrize("function", sorted(WORKSHEET_FUNCTIONS))
def test_function_behaves_identically_in_both_engines_and_as_microsoft_documents(function, engines):
    cases = [(k, c) for k, c in enumerate(CASES) if c.function == function]
    assert cases, f"{function} is in WORKSHEET_FUNCTIONS but has no case here"
    for k, case in cases:
        lo, fx = engines["LibreOffice"][k], engines["formulas"][k]
        where = f"{case.formula} ({case.why}): LibreOffice {lo!r}, formulas {fx!r}"
        assert _same(lo, case.expected, case.tolerance), where
        assert _same(fx, case.expected, case.tolerance), where
        assert _same(lo, fx, 0.0), where  # the engines agree to 1e-9


# -- why flags are numbers: logical values in a range are where the engines part -------------
LOGICAL_RANGE_CASES = [
    # (formula, Excel's value per Microsoft, what LibreOffice gives)
    ("=SUM(Data!B25:E25)", 2, 4),  # SUM: "logical values ... in the array or reference are ignored"
    ("=COUNT(Data!B25:E25)", 1, 4),  # COUNT: "logical values ... in a reference are not counted"
    ("=MAX(Data!B25:D25)", 0, 1),  # MAX: "logical values ... in the array or reference are ignored"
]


@pytest.mark.libreoffice
def test_logical_values_in_a_range_are_where_the_engines_part(soffice, excel_rules, tmp_path):
    """TRUE, FALSE, TRUE, 2 in a range: Excel's SUM, COUNT and MAX skip the logical values
    (Microsoft's references), as the formulas package does; LibreOffice counts them as 1 and 0.
    This is why the writer writes every flag as the number 1 or 0, and why the second engine
    runs: LibreOffice alone would never show the difference."""
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Data"
    for ref, value in DATA.items():
        data[ref] = value
    cases = wb.create_sheet("Cases")
    for k, (formula, _, _) in enumerate(LOGICAL_RANGE_CASES, start=1):
        cases.cell(row=k, column=1, value=formula)
    path = tmp_path / "logical.xlsx"
    wb.save(path)
    lo = openpyxl.load_workbook(recalculate(path, tmp_path / "lo"), data_only=True)["Cases"]
    second = second_engine.calculate(path)
    for k, (formula, excel, libreoffice) in enumerate(LOGICAL_RANGE_CASES, start=1):
        assert second[("Cases", k, 1)] == excel, formula
        assert lo.cell(row=k, column=1).value == libreoffice, formula


# -- the writer refuses any other function ---------------------------------------------------
class Rounded(Expr):
    """A user-made node that writes ROUND, a function not on the list."""

    def __init__(self, a: Expr):
        self.a = a

    def children(self):
        return (self.a,)

    def evaluate(self, ctx):
        return np.round(ctx.ev(self.a), 2)

    def render(self, rc):
        return f"ROUND({self.a.render(rc)[0]},2)", P_ATOM


def test_writer_refuses_a_function_not_on_the_list(tmp_path):
    tl = mf.Timeline(2025, years=2)
    value = mf.Input("contract.value", 1234.567)
    model = mf.Model(tl, [mf.Line("rounded_income", Rounded(value))])
    ev = model.evaluate()
    with pytest.raises(WorkbookError) as info:
        mf.excel.write_workbook(ev, tmp_path / "rounded.xlsx")
    message = str(info.value)
    assert "line 'rounded_income'" in message
    assert "worksheet function ROUND" in message
    assert "WORKSHEET_FUNCTIONS" in message
    assert not (tmp_path / "rounded.xlsx").exists()


@pytest.mark.parametrize(
    "formula",
    [
        '=IF(A1>0,"never(ever)","ok")',  # a bracket inside text is not a call
        "='Plan (2)'!A1+SUM(B1:B3)",  # nor one in a quoted sheet name
        "=contract_annual_value*(1+contract_indexation)^F$5",  # defined names, no call
    ],
)
def test_check_functions_reads_calls_not_text(formula):
    assert check_functions(formula, "test") == formula


@pytest.mark.parametrize("formula", ["=round(A1,2)", "=SUM(A1:A3)+VLOOKUP(A1,B1:C3,2)"])
def test_check_functions_refuses_unlisted_calls(formula):
    with pytest.raises(WorkbookError, match="uses the worksheet function (ROUND|VLOOKUP)"):
        check_functions(formula, "line 'x'")
