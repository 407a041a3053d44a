"""The cabinet paper's financial implications PDF stays inside its margins, in words.

Text used to be wrapped at a count of characters, so lines of wide characters (a checksum's
digits) ran past the right margin, and the chart's tick labels reached within a few points
of the paper's edge, where printers clip.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

import mutualfin as mf
from mutualfin import report

from .casefiles import MODELS, edited_case

YOUTH = MODELS / "youth_service.toml"
TOLERANCE = 1.0  # points: Agg's hinted glyphs against the font's own metrics


@pytest.mark.parametrize("width", [60.0, 200.0, 480.0])
def test_wrap_keeps_every_word_and_no_line_is_wider_than_asked(width):
    digest = "ebf3032647068e7c509a54f3d311122376e0d155248c893b0b51897ae7953d75"
    text = (
        f"a_case_file_with_a_long_name.toml: SHA-256 {digest}. Computed by mutualfin on "
        "30 November 2026; the workbook written from the same case shows every figure."
    )
    lines = report._wrap(text, width)
    assert all(report._text_width(line, 9) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())
    if width >= 480:
        assert digest in " ".join(lines)  # a line's width holds the digest unbroken


def test_wrap_counts_width_not_characters():
    # 40 digits are wider than 40 narrow letters: a count of characters cannot tell
    assert report._text_width("8" * 40, 9) > 1.5 * report._text_width("l" * 40, 9)
    assert len(report._wrap("8" * 40 + " " + "l" * 40, report._text_width("8" * 40, 9))) == 2


def test_report_text_and_chart_inside_the_margins_and_no_code_names(tmp_path, monkeypatch):
    long_name = tmp_path / "youth_service_mutual_business_case_for_cabinet_2026_27_v3.toml"
    shutil.copy(YOUTH, long_name)
    shutil.copy(YOUTH.with_name("youth_service_staff.csv"), tmp_path)
    case = mf.BusinessCase.from_file(long_name)
    results = case.run()
    figures = pages_inside_margins(monkeypatch, case, results, tmp_path / "summary.pdf")
    words = " ".join(" ".join(t.get_text() for t in fig.texts) for fig in figures)
    words = " ".join(words.split())  # (lines joined)
    digest = case.checksums[long_name.name]
    assert f"{long_name.name}: SHA-256 {digest}." in words  # whole, on a line of its own
    # the cabinet paper names inputs and parameters in words, not by their code names
    for code in ("contract.annual_value", "apprenticeship_levy.", "held flat from 20"):
        assert code not in words, code
    assert "23 rates and thresholds have no published figure for some of the case's years" in words
    assert "corporation tax (6)" in words
    assert 'most is "Contract value in the first financial year' in words.replace("\u201c", '"')


def pages_inside_margins(monkeypatch, case, results, path, n=200):
    """Write the report and check every text and chart on its pages lies within the margins
    (Agg's extents, which are a little wider than the PDF's); return the pages' figures."""
    figures = []
    save = report._Page.save

    def keep(page):
        figures.append(page.fig)
        save(page)

    monkeypatch.setattr(report._Page, "save", keep)
    report.write_report(
        results,
        path,
        appraisal=case.appraise(results),
        simulation=case.simulate(n, seed=1),
        created=dt.datetime(2026, 11, 30),
    )
    assert len(figures) == 2
    for number, fig in enumerate(figures, 1):
        fig.draw_without_rendering()
        left = report._LEFT * fig.bbox.width
        right = (report._LEFT + report._WIDTH) * fig.bbox.width
        tol = TOLERANCE * fig.dpi / 72.0
        for text in fig.texts:
            box = text.get_window_extent()
            assert box.x0 >= left - tol, (number, text.get_text()[:60])
            assert box.x1 <= right + tol, (number, text.get_text()[:60], box.x1 - right)
        for ax in fig.axes:
            box = ax.get_tightbbox()
            assert box.x0 >= left - tol and box.x1 <= right + tol, (number, box, left, right)
    return figures


def test_long_names_and_a_negative_floor_fit_two_pages_inside_the_margins(tmp_path, monkeypatch):
    """A 95-character name and organisation ran off the paper; with a cash floor of
    -£50,000 the learning-disability case's page 1 ended 2e-17 past its limit and the report
    failed with "does not fit on A4"."""
    name = "Learning-disability support co-operative for the county's adults, a spin-out case v3"
    org = "Illustrative county council adult social care and health directorate, commissioning"

    def edit(text):
        text = text.replace(
            'name = "Learning-disability support co-operative (Leading Lives shaped)"',
            f'name = "{name}"',
        ).replace(
            'organisation = "Illustrative county council adult social care"',
            f'organisation = "{org}"',
        )
        return text.replace(
            'cash_floor = { value = 0, source = "Cash must not go below zero" }',
            'cash_floor = { value = -50_000, source = "test" }',
        )

    case = mf.BusinessCase.from_file(edited_case("learning_disability_coop", tmp_path, edit))
    assert case.name == name and float(case.finance.inputs.cash_floor) == -50_000
    figures = pages_inside_margins(monkeypatch, case, case.run(), tmp_path / "ld.pdf", n=100)
    words = " ".join(" ".join(t.get_text() for fig in figures for t in fig.texts).split())
    assert name in words and "1 months" not in words


@pytest.mark.parametrize(
    ("months", "words"), [(1, "1 month"), (1.0, "1 month"), (1.5, "1.5 months"), (3, "3 months")]
)
def test_months_in_words(months, words):
    from mutualfin.case.formatting import format_months

    assert format_months(months) == words


def test_a_reserves_target_of_one_month_is_not_said_in_the_plural():
    case = mf.BusinessCase.from_file(MODELS / "learning_disability_coop.toml")
    assert float(case.finance.inputs.reserves_target_months) == 1.0
    text = " ".join(report.findings(case.run()))
    assert "below the target of 1 month of operating cost in 3 of the 5 years" in text
    assert "1 months" not in text


@pytest.mark.parametrize(
    ("value", "text"),
    [(-7.3e-12, "£0"), (-0.4, "£0"), (-0.6, "-£1"), (0.0, "£0"), (-1234.4, "-£1,234")],
)
def test_money_rounding_to_zero_has_no_minus_sign(value, text):
    from mutualfin.case.formatting import format_money

    assert format_money(value) == text


def test_a_case_with_a_cash_floor_is_simulated_and_reported_against_it(tmp_path):
    """The Monte Carlo's floor is the case's own unless given: the Summary's Monte Carlo
    finding said "below the cash floor (£0)" for a case whose floor was £250,000."""
    path = edited_case(
        "youth_service",
        tmp_path,
        lambda t: t.replace(
            'cash_floor = { value = 0, source = "Cash must not go below zero" }',
            'cash_floor = { value = 250_000, source = "test" }',
        ),
    )
    case = mf.BusinessCase.from_file(path)
    assert float(case.finance.inputs.cash_floor) == 250_000
    sim = case.simulate(200, seed=1)
    assert sim.floor == 250_000
    assert sim.probability_below() == sim.probability_below(250_000) > 0
    assert case.simulate(200, seed=1, floor=0.0).probability_below() < sim.probability_below()
    lines = report.risk_headline(sim, 250_000)
    assert any("falls below £250,000 in some period" in line for line in lines)


def test_held_parameters_are_read_back_from_the_one_wording_that_writes_them():
    import datetime as _dt

    from mutualfin.params import held_parameter, held_text

    text = held_text("ni.employer_rate", _dt.date(2027, 4, 6))
    assert held_parameter(text) == ("ni.employer_rate", _dt.date(2027, 4, 6))
    assert held_parameter("no [legal_form] given: taxed as a body that is not a charity") is None
