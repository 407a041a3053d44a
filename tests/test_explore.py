"""case.explore(): sliders for the inputs with a declared uncertainty, and the metrics, cash
chart and appraisal ranking updating as they move, driven here as a user would drive them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import ipywidgets  # noqa: F401  the test extra installs it: missing, these tests fail in CI
import numpy as np
import pytest

import mutualfin as mf
from mutualfin.errors import InputError
from mutualfin.explore import Explorer, slider_range

CASE = Path(__file__).resolve().parents[1] / "models" / "youth_service.toml"


@pytest.fixture(scope="module")
def case():
    return mf.BusinessCase.from_file(CASE)


def shown(html: str) -> dict[str, list[str]]:
    """Each row's label and its cells as an HTML table displays them."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        head = re.search(r'class="row_heading[^"]*" >(.*?)</th>', row)
        if head:
            out[head.group(1)] = re.findall(r'class="data[^"]*" >(.*?)</td>', row)
    return out


def test_a_slider_for_each_uncertain_input_over_its_declared_range(case):
    ex = case.explore()
    assert isinstance(ex, Explorer)
    uncertain = [n for n, i in case.model.inputs.items() if i.uncertainty is not None]
    assert list(ex.sliders) == uncertain
    index = ex.sliders["contract.indexation"]  # triangular [0.0, 0.015, 0.025], value 0.015
    assert (index.min, index.value, index.max) == (0.0, 0.015, 0.025)
    # and the display is the widget's own
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_moving_a_slider_shows_what_case_run_gives(case):
    ex = case.explore()
    before = shown(ex.metrics.value)
    chart_before = ex.chart.value
    ex.sliders["contract.indexation"].value = 0.025  # as a user would drag it
    after = shown(ex.metrics.value)
    expected = shown(case.run({"contract.indexation": 0.025}).metrics_table().to_html())
    assert after == expected
    assert after["Reserves at the end"] != before["Reserves at the end"]
    assert ex.chart.value[:8] == b"\x89PNG\r\n\x1a\n" and ex.chart.value != chart_before
    # the ranking follows too: each option's net present cost to the council, as
    # case.appraise gives it for the same run
    appraisal = case.appraise(case.run({"contract.indexation": 0.025}))
    for option, npc in appraisal.table["net present cost"].items():
        assert f"£{npc:,.0f}" in ex.ranking.value, option


def test_a_per_period_input_moves_as_the_monte_carlo_moves_it(case):
    ex = case.explore()
    name = "staff.vacancy_factor"
    inp = case.model.inputs[name]
    ex.sliders[name].value = 0.05
    np.testing.assert_allclose(ex.overrides()[name], inp.apply_draw(np.array([0.05])))
    expected = case.run({name: inp.apply_draw(np.array([0.05]))})
    assert ex.results.metrics["minimum_cash"] == pytest.approx(expected.metrics["minimum_cash"])


def test_slider_range_of_a_normal_is_three_standard_deviations_each_side():
    inp = mf.Input("other.income", 50_000, unit="GBP", uncertainty=mf.Normal(50_000, 10_000))
    assert slider_range(inp) == (20_000, 80_000, 50_000)


def test_explore_needs_an_uncertain_input(tmp_path):
    text = (Path(__file__).parent / "data" / "minimal_case.toml").read_text(encoding="utf-8")
    text = re.sub(r", uncertainty = \{ triangular = \[[^\]]*\] \}", "", text)
    path = tmp_path / "plain.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="no input of the case declares an uncertainty"):
        mf.BusinessCase.from_file(path).explore()


def test_explore_without_ipywidgets_says_how_to_install_it(case, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as if not installed
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'mutualfin\[explore\]'"):
        case.explore()
