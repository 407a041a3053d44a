"""An explorer for Jupyter: move an uncertain input, see the case answer.

``case.explore()`` shows a slider for every input of the case that declares an uncertainty
(over the range it declares), and beside them the headline metrics, the cash and reserves
chart and the commissioner's appraisal ranking, all recomputed as a slider moves. Each move
is one evaluation of the case's vectorised model (a run of ``case.run({...})`` with the
sliders' values), so the figures shown are exactly those ``case.run`` gives for the same
values.

Needs ipywidgets (``pip install mutualfin[explore]``), in Jupyter, JupyterLab or VS Code::

    case = mf.BusinessCase.from_file("models/youth_service.toml")
    case.explore()

A per-period input (one rate per year) moves as the Monte Carlo moves it: by the slider's
change from the centre of its uncertainty (:meth:`mutualfin.engine.Input.apply_draw`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from mutualfin.case.formatting import format_value, style_table
from mutualfin.core.distributions import Normal
from mutualfin.errors import InputError
from mutualfin.plots import cash_and_reserves

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.case.business_case import BusinessCase, Results

__all__ = ["Explorer", "explore"]

#: slider positions across an input's range
STEPS = 100


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise ModuleNotFoundError(
            "case.explore() needs ipywidgets: pip install 'mutualfin[explore]' (or "
            "pip install ipywidgets), then restart the kernel"
        ) from None
    return ipywidgets


def slider_range(inp: Any) -> tuple[float, float, float]:
    """(low, high, start) of an uncertain input's slider: its declared range (a normal's
    mean +/- 3 standard deviations: a normal is allowed only on an input without bounds) and
    where it starts: a single value's value, or the centre of a per-period input's
    uncertainty."""
    dist = inp.uncertainty
    if isinstance(dist, Normal):
        low, high = dist.mean - 3 * dist.sd, dist.mean + 3 * dist.sd
    else:
        low, high = float(dist.low), float(dist.high)
    start = float(inp.value) if inp.kind == "scalar" else float(dist.central)
    return low, high, min(max(start, low), high)


class Explorer:
    """The widget :meth:`mutualfin.BusinessCase.explore` returns (shown by Jupyter as it is).

    Attributes
    ----------
    sliders : dict of str to ipywidgets.FloatSlider
        One per uncertain input, by input name (``"contract.indexation"``); setting a
        slider's ``value`` recomputes what is shown, as moving it does.
    metrics, ranking : ipywidgets.HTML
        The headline metrics (:meth:`mutualfin.Results.metrics_table`) and the appraisal's
        options by net present cost (when the case has an ``[appraisal]``).
    chart : ipywidgets.Image
        Closing cash and reserves against the reserves target
        (:func:`mutualfin.plots.cash_and_reserves`), as a PNG.
    results : Results
        The run now shown.
    widget : ipywidgets.VBox
        All of it, laid out.
    """

    def __init__(self, case: BusinessCase):
        w = _widgets()
        self.case = case
        uncertain = {n: i for n, i in case.model.inputs.items() if i.uncertainty is not None}
        if not uncertain:
            raise InputError(
                "explore: no input of the case declares an uncertainty, so there is nothing to "
                "move; give inputs one, e.g. indexation = { value = 0.02, uncertainty = { "
                "triangular = [0.0, 0.02, 0.04] } }"
            )
        self.sliders: dict[str, Any] = {}
        for name, inp in uncertain.items():
            low, high, start = slider_range(inp)
            step = (high - low) / STEPS if high > low else 1.0
            if inp.unit == "GBP":
                step = max(1.0, 10 ** math.floor(math.log10(step))) if step > 0 else 1.0
            slider = w.FloatSlider(
                value=start,
                min=low,
                max=high if high > low else low + step,
                step=step,
                description=name,
                readout=False,
                continuous_update=False,
                style={"description_width": "initial"},
                layout=w.Layout(width="420px"),
                disabled=high <= low,
            )
            slider.observe(self._moved, names="value")
            self.sliders[name] = slider
        self._readouts = {n: w.HTML() for n in self.sliders}
        self.metrics = w.HTML()
        self.ranking = w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(width="640px"))
        rows = [
            w.HBox([self.sliders[n], self._readouts[n]], layout=w.Layout(align_items="center"))
            for n in self.sliders
        ]
        controls = w.VBox(
            [w.HTML("<b>Inputs with a declared uncertainty</b>"), *rows],
            layout=w.Layout(margin="0 24px 0 0"),
        )
        self.widget = w.VBox(
            [
                w.HTML(f"<h3>{_escape(case.name)}</h3>"),
                w.HBox([controls, w.VBox([self.metrics, self.ranking])]),
                self.chart,
            ]
        )
        self.results: Results = case.run()
        self.update()

    # -- what a move does --------------------------------------------------------------------
    def values(self) -> dict[str, float]:
        """The sliders' values, by input name."""
        return {name: float(s.value) for name, s in self.sliders.items()}

    def overrides(self) -> dict[str, np.ndarray]:
        """The sliders' values as ``case.run`` overrides (one scenario): a single value as it
        is, a per-period input moved by the slider as the Monte Carlo moves it."""
        inputs = self.case.model.inputs
        return {n: inputs[n].apply_draw(np.array([v])) for n, v in self.values().items()}

    def _moved(self, _change: Any = None) -> None:
        self.update()

    def update(self) -> None:
        """Run the case with the sliders' values and show the metrics, chart and ranking."""
        inputs = self.case.model.inputs
        for name, value in self.values().items():
            self._readouts[name].value = _escape(format_value(value, inputs[name].unit))
        self.results = self.case.run(self.overrides())
        self.metrics.value = self.results.metrics_table().to_html()
        self.chart.value = cash_and_reserves(self.results)._repr_png_()
        appraisal = self.case.appraise(self.results)
        if appraisal is None:
            self.ranking.value = "<p><i>No [appraisal] in the case: no options ranking.</i></p>"
        else:
            cols = ["rank", "net present cost", "difference from the cheapest"]
            table = appraisal.table[cols]
            self.ranking.value = style_table(
                table,
                {"rank": "count"},
                axis="columns",
                caption="Options appraisal: net present cost to the council (real terms)",
            ).to_html()

    # -- display -----------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"Explorer({self.case.name!r}, sliders for {', '.join(self.sliders)})"


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def explore(case: BusinessCase) -> Explorer:
    """An :class:`Explorer` of ``case``: sliders for its uncertain inputs, and its metrics,
    cash chart and appraisal ranking updating as they move (needs ipywidgets)."""
    if not hasattr(case, "model") or not hasattr(case, "run"):
        raise InputError(
            f"explore: give a BusinessCase (mf.BusinessCase.from_file(path)), got "
            f"{type(case).__name__}"
        )
    return Explorer(case)
