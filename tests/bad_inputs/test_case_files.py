"""Bad case files: each refused with a CaseFileError naming the file, the key and the fix, and
nothing written. The good file is the template ``mutualfin new`` writes (GOOD_CASE); each case
edits one thing in it."""

from __future__ import annotations

import openpyxl
import pytest

from mutualfin.case import BusinessCase
from mutualfin.errors import CaseFileError
from mutualfin.io import MAX_CASE_BYTES, load_case

from .conftest import GOOD_CASE, GOOD_ROSTER, refused


def edit(old: str, new: str) -> str:
    assert old in GOOD_CASE, old
    return GOOD_CASE.replace(old, new, 1)


# (id, case-file text, words the message must contain)
CASES = [
    # syntax: the line and column of the mistake
    (
        "syntax_error_line",
        edit("years = 5", "years = = 5"),
        ["case.toml", "TOML syntax", "line 15"],
    ),
    (
        "duplicate_key",
        edit("hr = 40_000", "hr = 40_000\nhr = 1"),
        ["TOML syntax", "Cannot overwrite", "line"],
    ),
    ("unclosed_table", edit("[overheads]", "[overheads"), ["TOML syntax", "line"]),
    ("unclosed_string", edit('name = "Test mutual"', 'name = "Test mutual'), ["TOML syntax"]),
    # unknown names, with a suggestion
    (
        "unknown_section",
        edit("[overheads]", "[overhead]"),
        ["[overhead]", "did you mean '[overheads]'"],
    ),
    ("unknown_input", edit("hr = 40_000", "hrr = 40_000"), ["overheads.hrr", "did you mean 'hr'"]),
    (
        "unknown_case_key",
        edit('name = "Test mutual"', 'nmae = "Test mutual"'),
        ["case.nmae", "did you mean 'case.name'"],
    ),
    ("unknown_timeline_key", edit("years = 5", "yeras = 5"), ["timeline.yeras", "did you mean"]),
    (
        "unknown_meta_key",
        edit('source = "draft contract (illustrative)"', 'sauce = "x"'),
        ["contract.annual_value", "unknown key 'sauce'", "source"],
    ),
    (
        "unknown_distribution",
        edit("triangular = [0.0, 0.02, 0.03]", "triangulr = [0.0, 0.02, 0.03]"),
        ["contract.indexation", "did you mean 'triangular'"],
    ),
    ("top_level_value", "opening_cash = 1\n" + GOOD_CASE, ["[opening_cash]", "unknown section"]),
    # wrong types
    ("text_for_money", edit("hr = 40_000", 'hr = "forty thousand"'), ["overheads.hr", "number"]),
    ("list_for_money", edit("hr = 40_000", "hr = [1, 2]"), ["overheads.hr", "[1, 2]", "number"]),
    ("true_for_money", edit("hr = 40_000", "hr = true"), ["overheads.hr", "True", "number"]),
    ("date_for_money", edit("hr = 40_000", "hr = 2026-04-01"), ["overheads.hr", "number"]),
    ("text_for_years", edit("years = 5", 'years = "five"'), ["[timeline]", "whole number"]),
    ("fraction_of_a_year", edit("years = 5", "years = 2.5"), ["[timeline]", "2.5", "whole number"]),
    ("number_for_status", edit('status = "DRAFT"', "status = 3"), ["case.status", "text"]),
    (
        "value_missing_from_table",
        edit("value = 2_000_000, ", ""),
        ["contract.annual_value", "must have 'value'"],
    ),
    (
        "text_in_a_series",
        edit("amounts = [120_000, 20_000, 0, 0, 0]", 'amounts = ["a", 2, 3, 4, 5]'),
        ["setup.amounts", "'a'", "number"],
    ),
    (
        "nested_list_in_a_series",
        edit("amounts = [120_000, 20_000, 0, 0, 0]", "amounts = [1, [2], 3, 4, 5]"),
        ["setup.amounts", "number"],
    ),
    (
        "uncertainty_of_text",
        edit("triangular = [0.0, 0.02, 0.03]", 'triangular = ["low", 0.02, 0.03]'),
        ["contract.indexation", "'low'", "number"],
    ),
    (
        "uncertainty_too_few",
        edit("triangular = [0.0, 0.02, 0.03]", "triangular = [0.0, 0.03]"),
        ["contract.indexation", "needs 3 numbers"],
    ),
    # missing sections and keys
    (
        "missing_timeline",
        GOOD_CASE.replace("[timeline]", "[timelines]"),
        ["[timelines]", "did you mean"],
    ),
    ("no_timeline_at_all", "", ["[timeline]: missing", 'start = "2026/27"']),
    ("missing_start", edit('start = "2026/27"', ""), ["timeline.start: missing"]),
    ("missing_years", edit("years = 5", ""), ["timeline.years: missing"]),
    (
        "no_income",
        GOOD_CASE.split("[contract]")[0] + "[finance]\nopening_cash = 1\n",
        ["no income", "contract"],
    ),
    (
        "staff_without_roster",
        edit("[finance]", "[staff]\n\n[finance]"),
        ["[staff]", "needs the staff roster", "[roster]"],
    ),
    (
        "roster_without_file",
        edit("[finance]", '[roster]\nbase_date = "2026-04-01"\n\n[finance]'),
        ["roster.file: missing"],
    ),
    (
        "roster_file_not_found",
        edit("[finance]", '[roster]\nfile = "nobody.csv"\n\n[finance]'),
        ["roster.file", "nobody.csv", "not found"],
    ),
    # timeline
    ("zero_years", edit("years = 5", "years = 0"), ["[timeline]", "years 0", "at least 1"]),
    ("negative_years", edit("years = 5", "years = -3"), ["[timeline]", "-3"]),
    ("absurd_horizon", edit("years = 5", "years = 100000"), ["[timeline]", "over 200"]),
    ("inconsistent_year", edit('start = "2026/27"', 'start = "2026/28"'), ["2026/28", "2026/27"]),
    ("weekly_timeline", edit("years = 5", 'years = 5\nfreq = "weekly"'), ["'weekly'", "monthly"]),
    # contradictory dates
    (
        "contract_wholly_after_the_timeline",
        edit('start_date = "2026-04-01"', 'start_date = "2040-04-01"'),
        ["contract", "2040-04-01", "outside the timeline", "start_date"],
    ),
    (
        "contract_ends_before_it_starts",
        edit("term_years = 5\n", "term_years = 0\n"),
        ["contract.term_years", "before the start date"],
    ),
    (
        "contract_starts_mid_year",
        edit('start_date = "2026-04-01"', 'start_date = "2026-10-01"'),
        ["contract", "2026-10-01", "inside the period 2026/27"],
    ),
    (
        "impossible_date",
        edit('start_date = "2026-04-01"', 'start_date = "2026-02-31"'),
        ["contract.start_date", "2026-02-31", "date"],
    ),
    # percentages typed as whole numbers
    (
        "indexation_as_percent",
        edit("indexation = { value = 0.02,", "indexation = { value = 2,"),
        ["contract.indexation", "give 0.02 for 2%"],
    ),
    (
        "discount_rate_as_percent",
        edit("discount_rate = 0.035", "discount_rate = 3.5"),
        ["finance.discount_rate", "3.5", "less than or equal to 1"],
    ),
    (
        "efficiency_as_percent",
        edit("efficiency_target = 0.01", "efficiency_target = 5"),
        ["contract.efficiency_target", "5"],
    ),
    (
        "optimism_bias_of_the_first_release",
        edit("contract_management = 30_000", "contract_management = 30_000\noptimism_bias = 0.41"),
        ["appraisal.optimism_bias", "cost by cost", "mitigations"],
    ),
    (
        "mitigation_as_percent",
        edit(
            "contract_management = 30_000",
            'contract_management = 30_000\nmitigations = [{ cost = "in_house_service", '
            'share = 50, reason = "outturn" }]',
        ),
        ["appraisal.mitigations", "50", "less than or equal to 1"],
    ),
    (
        "mitigation_without_reason",
        edit(
            "contract_management = 30_000",
            'contract_management = 30_000\nmitigations = [{ cost = "in_house_service", '
            'share = 0.5, reason = " " }]',
        ),
        ["appraisal.mitigations[0]", "reason", "evidence"],
    ),
    (
        "step_in_probability_as_percent",
        edit(
            "contract_management = 30_000", "contract_management = 30_000\nstep_in_probability = 2"
        ),
        ["appraisal.step_in_probability", "2"],
    ),
    (
        "debtor_days_as_fraction",
        edit("debtor_days = 30", "debtor_days = 400"),
        ["finance.debtor_days", "400 is above 365", "give days"],
    ),
    # negative money where impossible, and non-finite numbers
    ("negative_overhead", edit("hr = 40_000", "hr = -40_000"), ["overheads.hr", "-40000"]),
    (
        "negative_contract",
        edit("value = 2_000_000", "value = -2_000_000"),
        ["contract.annual_value", "greater than or equal to 0"],
    ),
    (
        "negative_opening_cash",
        edit("opening_cash = 150_000", "opening_cash = -1"),
        ["finance.opening_cash"],
    ),
    ("nan_money", edit("hr = 40_000", "hr = nan"), ["overheads.hr", "finite"]),
    ("infinite_money", edit("hr = 40_000", "hr = inf"), ["overheads.hr", "finite"]),
    (
        "negative_payment_lag",
        edit("payment_lag_months = 1", "payment_lag_months = -1"),
        ["payment_lag_months"],
    ),
    (
        "series_of_the_wrong_length",
        edit("amounts = [120_000, 20_000, 0, 0, 0]", "amounts = [120_000, 20_000]"),
        ["setup.amounts", "has 2 values", "5 periods"],
    ),
    (
        "reversed_uncertainty",
        edit("triangular = [0.0, 0.02, 0.03]", "triangular = [0.03, 0.02, 0.0]"),
        ["contract.indexation", "low <= mode <= high"],
    ),
    # uncertainty: what it can draw must be a value the input allows (issue 20, item 3)
    (
        "uncertainty_draws_negative_money",
        edit("hr = 40_000", "hr = { value = 40_000, uncertainty = { uniform = [-50000, 60000] } }"),
        ["overheads.hr", "can draw -50000", "negative", "narrow the uncertainty"],
    ),
    (
        "value_outside_its_own_uncertainty",
        edit("hr = 40_000", "hr = { value = 40_000, uncertainty = { uniform = [50000, 60000] } }"),
        ["overheads.hr", "value 40000 is outside its own uncertainty", "include the value"],
    ),
    (
        "unbounded_uncertainty_on_bounded_input",
        edit("hr = 40_000", "hr = { value = 40_000, uncertainty = { normal = [40000, 100] } }"),
        ["overheads.hr", "can draw any number", "from 0 to", "bounded distribution"],
    ),
    (
        "fractional_draws_of_whole_months",
        edit(
            "payment_lag_months = 1 ",
            "payment_lag_months = { value = 1, uncertainty = { uniform = [0, 2] } } ",
        ),
        ["contract.payment_lag_months", "draws fractions", "whole numbers"],
    ),
    (
        "uncertainty_on_a_date",
        edit(
            'start_date = "2026-04-01"',
            'start_date = { value = "2026-04-01", uncertainty = { uniform = [0, 1] } }',
        ),
        ["contract.start_date.uncertainty", "only a number can be uncertain", "Remove it"],
    ),
    # non-finite and absurd numbers (issue 20, item 10)
    (
        "nan_indexation",
        edit(
            "indexation = { value = 0.02, uncertainty = { triangular = [0.0, 0.02, 0.03] } }",
            "indexation = nan",
        ),
        ["contract.indexation", "nan", "finite number"],
    ),
    (
        "absurd_contract_value",
        edit("value = 2_000_000", "value = 1e300"),
        ["contract.annual_value", "1e+300 is above 10,000,000,000", "pence", "zeros"],
    ),
    (
        "payment_lag_in_part_months",
        edit("payment_lag_months = 1 ", "payment_lag_months = 0.5 "),
        ["contract.payment_lag_months", "0.5 is not a whole number", "whole months"],
    ),
    (
        "loan_without_term",
        GOOD_CASE + "\n[loan]\namount = 100_000\nterm_years = 0\n",
        ["loan.term_years", "above 0"],
    ),
]


@pytest.mark.parametrize(("text", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_case_file(tmp_path, write_case, text, words):
    path = write_case(text)
    out = tmp_path / "case.xlsx"

    def load_run_write():
        case = BusinessCase.from_file(path)
        results = case.run()
        results.to_excel(out, appraisal=case.appraise(results))

    refused(load_run_write, CaseFileError, "case.toml", *words, folder=tmp_path)


def test_loan_drawn_after_the_timeline(tmp_path, write_case):
    path = write_case(GOOD_CASE + "\n[loan]\namount = 100_000\ndrawdown_period = 50\n")
    refused(
        lambda: BusinessCase.from_file(path).run(),
        CaseFileError,
        "loan.drawdown_period",
        "50",
        folder=tmp_path,
    )


def test_empty_roster_in_a_case(tmp_path, write_case, write_roster):
    write_roster(GOOD_ROSTER.splitlines()[0] + "\n")
    path = write_case(
        edit("[finance]", '[roster]\nfile = "staff.csv"\n\n[staff]\n\n[lgps]\n\n[finance]')
    )
    refused(
        lambda: load_case(path), CaseFileError, "staff.csv", "row 2", "no rows", folder=tmp_path
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x00\x01\xff\xfe", ["not UTF-8", "save it as UTF-8"]),
        (GOOD_CASE.replace("Your council", "Caf\xe9").encode("latin-1"), ["not UTF-8"]),
        (b"# " + b"x" * MAX_CASE_BYTES, ["over the 2,000,000-byte limit", "roster file"]),
    ],
    ids=["binary", "latin1", "oversized"],
)
def test_unreadable_case_file(tmp_path, content, words):
    path = tmp_path / "case.toml"
    path.write_bytes(content)
    refused(lambda: load_case(path), CaseFileError, "case.toml", *words, folder=tmp_path)


def test_case_file_not_found(tmp_path):
    refused(
        lambda: load_case(tmp_path / "case.toml"),
        CaseFileError,
        "case.toml",
        "file not found",
        folder=tmp_path,
    )


def test_folder_given_as_case_file(tmp_path):
    (tmp_path / "case.toml").mkdir()
    refused(lambda: load_case(tmp_path / "case.toml"), CaseFileError, "not found", folder=tmp_path)


# -- the roster's path: inside the case file's folder unless allowed (issue 20, item 2) -------
ROSTER_TABLE = '[roster]\nfile = "{file}"\n{extra}\n[staff]\n\n[lgps]\n\n[finance]'


def with_roster(file: str, extra: str = "") -> str:
    return edit("[finance]", ROSTER_TABLE.format(file=file, extra=extra))


@pytest.fixture
def elsewhere(tmp_path):
    """A case folder, and a roster in a folder beside it (outside the case's folder)."""
    (tmp_path / "case").mkdir()
    (tmp_path / "other").mkdir()
    roster = tmp_path / "other" / "staff.csv"
    roster.write_text(GOOD_ROSTER, encoding="utf-8")
    return tmp_path / "case", roster


@pytest.mark.parametrize("how", ["absolute", "dot_dot", "symlink"])
def test_roster_outside_the_case_folder(tmp_path, elsewhere, how):
    folder, roster = elsewhere
    if how == "absolute":
        file = roster.as_posix()
    elif how == "dot_dot":
        file = "../other/staff.csv"
    else:
        (folder / "staff.csv").symlink_to(roster)
        file = "staff.csv"
    case = folder / "case.toml"
    case.write_text(with_roster(file), encoding="utf-8")
    refused(
        lambda: load_case(case),
        CaseFileError,
        "roster.file",
        "outside the case file's folder",
        "allow_outside_folder = true",
        folder=tmp_path,
    )


def test_roster_outside_allowed_is_recorded_on_the_cover(tmp_path, elsewhere):
    folder, roster = elsewhere
    case_file = folder / "case.toml"
    case_file.write_text(
        with_roster("../other/staff.csv", "allow_outside_folder = true"), encoding="utf-8"
    )
    case = load_case(case_file)
    assert len(case.components["staff"].roster) == 3
    book = case.run().to_excel(tmp_path / "case.xlsx")
    cover = openpyxl.load_workbook(book)["Cover"]
    texts = [str(c.value) for row in cover.iter_rows() for c in row if c.value is not None]
    assert "Roster read from outside the case file's folder" in texts
    assert any(str(roster) in t and "allow_outside_folder" in t for t in texts)


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("staff\\u0000.csv", ["roster.file", "control character", "\\x00"]),
        ("staff\\u001b[2J.csv", ["roster.file", "control character", "\\x1b"]),
    ],
    ids=["nul", "escape"],
)
def test_roster_file_name_with_control_characters(tmp_path, write_case, file, words):
    path = write_case(with_roster(file))
    refused(lambda: load_case(path), CaseFileError, *words, folder=tmp_path)


def test_roster_ignore_columns_in_the_case_file(tmp_path, write_case, write_roster):
    lines = GOOD_ROSTER.splitlines()
    write_roster("\n".join([lines[0] + ",notes", *(x + ",n/a" for x in lines[1:])]) + "\n")
    path = write_case(with_roster("staff.csv"))
    refused(lambda: load_case(path), CaseFileError, "column notes: unknown", folder=tmp_path)
    path = write_case(with_roster("staff.csv", 'ignore_columns = ["notes"]'))
    assert len(load_case(path).components["staff"].roster) == 3


# -- text a workbook cannot hold or a terminal would act on (issue 20, item 1) ----------------
@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('name = "Test mutual"', 'name = "Test\\u000bmutual"', ["case.name", "\\x0b"]),
        ('name = "Test mutual"', 'name = "Test\\u0001mutual"', ["case.name", "\\x01"]),
        ('name = "Test mutual"', 'name = "\\u001b[31mTest"', ["case.name", "\\x1b"]),
        ('name = "Test mutual"', 'name = "Test\\u0000"', ["case.name", "\\x00"]),
        ('organisation = "Your council"', 'organisation = "A\\bB"', ["case.organisation"]),
        ('author = ""', 'author = "\\u001b]0;x\\u0007"', ["case.author", "\\x1b"]),
        (
            'source = "draft contract (illustrative)"',
            'source = "draft\\u001b[8m contract"',
            ["contract.annual_value.source", "\\x1b"],
        ),
        ('name = "Test mutual"', 'name = "' + "x" * 101 + '"', ["case.name", "101 characters"]),
    ],
    ids=["vtab", "soh", "esc", "nul", "backspace", "osc_title", "source", "too_long"],
)
def test_control_characters_in_case_text(tmp_path, write_case, old, new, words):
    path = write_case(edit(old, new))
    refused(lambda: load_case(path), CaseFileError, "case.toml", *words, folder=tmp_path)


# -- crafted files (issue 20, items 9 and 10; issue 23, item 1) ------------------------------
def test_deeply_nested_arrays(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text("x = " + "[" * 5_000 + "]" * 5_000 + "\n", encoding="utf-8")
    refused(
        lambda: load_case(path), CaseFileError, "case.toml", "nested too deeply", folder=tmp_path
    )


def test_nul_in_the_case_path(tmp_path):
    refused(
        lambda: load_case(str(tmp_path / "case\x00.toml")), CaseFileError, "NUL", folder=tmp_path
    )


def test_byte_order_mark_is_accepted(tmp_path):
    """Notepad saves UTF-8 with a byte-order mark; the roster reader accepts one, so does
    the case file reader."""
    path = tmp_path / "case.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_CASE.encode("utf-8"))
    assert load_case(path).name == "Test mutual"


def test_a_demonstration_model_file_given_as_a_case(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(
        '[timeline]\nstart = "2026/27"\nyears = 5\n\n[inputs."cash.opening"]\nvalue = 1\n',
        encoding="utf-8",
    )
    refused(
        lambda: load_case(path),
        CaseFileError,
        "demonstration-model file",
        "not a business case",
        "mutualfin demo",
        folder=tmp_path,
    )
