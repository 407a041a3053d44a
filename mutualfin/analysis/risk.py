"""Risk: scenarios, sensitivity (tornado, two-way tables) and Monte Carlo on the case's own model.

"What if we are wrong?" is answered by the same model that gives the central figures, not a
copy: every function here builds input overrides with a leading scenario axis and evaluates
them in one vectorised call of :meth:`mutualfin.engine.Model.evaluate` (Monte Carlo in chunks
of scenarios, so memory stays bounded).

**Scenarios** (:class:`Scenario`, :func:`run_scenarios`): named sets of input overrides.
An override is a value or a function of the input's base value. A scalar input takes one
number (it applies to every period: a scalar input has no years); a per-period input takes one
number per period, so "contract cut 20% in year 3" is written on a per-period input such as
``contract.efficiency_target``. Scenarios override *inputs* only: scaling a calculated line
(say ``staff_costs``) is not possible, because the line is defined once in the model; override
the inputs it is calculated from. :func:`standard_scenarios` gives base, optimistic and
pessimistic from the inputs' declared uncertainty.

**Sensitivity** (:func:`tornado`, :func:`two_way`; the chart is
:func:`mutualfin.plots.tornado_chart`): one input at a time
swung by a percentage of its base value or to stated low and high values, ranked by the width
of the effect on one metric; and a grid of a metric over two inputs.

**Monte Carlo** (:func:`simulate`, :class:`SimulationResult`): every input with an
uncertainty is drawn from it (numpy ``Generator``, so a seed reproduces the run), optionally
rank-correlated by the Iman-Conover method, and the case is evaluated for all draws.

Conventions
-----------
* Metrics are the case's metric lines (``npv_net_cash_flow``, ``minimum_cash``,
  ``closing_reserves``, ``payback_years``...; see :mod:`mutualfin.case`), in GBP, years or
  fractions as the line says; ``irr_net_cash_flow`` is added by :func:`run_scenarios` (NaN
  where the flows have no rate). A metric may also be a line by period with ``period=`` (a
  label such as ``"2030/31"`` or an index, -1 the last), e.g. reserves in year 5.
* *Low and high ends of an uncertainty* (:func:`uncertainty_range`): by default the stated
  ends of a bounded distribution (Triangular, Uniform and PERT ``low`` and ``high``) and the
  10th and 90th percentiles of a Normal; with ``quantiles=(q_low, q_high)`` the quantiles of
  every distribution.
* *Draws for inputs that are not scalar*: a scalar input takes the drawn value. A per-period
  (or per-employee) input keeps its profile and moves with the draw relative to the
  distribution's central value: multiplied by ``draw / central`` for money and counts (GBP,
  count), shifted by ``draw - central`` for rates and other units (and for money whose central
  value is 0). A distribution collapsed to the base value therefore leaves every input as it is.
* *Blocks of a Monte Carlo run*: the scenarios are drawn in blocks of ``block_size``
  (10,000 by default), each from its own generator seeded by the run's seed and the block's
  index, and rank-correlated within the block (the block is the unit of correlation). Blocks
  are independent, so an ``executor`` (a process pool, a Dask cluster) may evaluate them in
  any order on any machine and the numbers are the same bit for bit.
* Results of Monte Carlo runs, tornado ranges and scenario tables are *values computed by
  mutualfin*, not live formulas: :meth:`SimulationResult.tables` labels them so for the
  workbook's risk sheet.

References
----------
Iman, R. L. and Conover, W. J. (1982). A distribution-free approach to inducing rank
correlation among input variables. *Communications in Statistics - Simulation and
Computation*, 11(3), 311-334.

HM Treasury (2022). *The Green Book*, chapter 5 and annex A5 (sensitivity, switching values,
Monte Carlo analysis of uncertainty).

This module gathers the three parts, each in its own module: :mod:`.scenarios`,
:mod:`.sensitivity` and :mod:`.montecarlo` (shared helpers in
``mutualfin.analysis._common``). The public facade :mod:`mutualfin.risk` re-exports them,
with the tornado chart from :mod:`mutualfin.plots`.
"""

from __future__ import annotations

from mutualfin.analysis._common import PERCENTILES, uncertainty_range
from mutualfin.analysis.montecarlo import SimulationResult, iman_conover, simulate
from mutualfin.analysis.scenarios import Scenario, run_scenarios, standard_scenarios
from mutualfin.analysis.sensitivity import tornado, two_way

__all__ = [
    "PERCENTILES",
    "Scenario",
    "SimulationResult",
    "iman_conover",
    "run_scenarios",
    "simulate",
    "standard_scenarios",
    "tornado",
    "two_way",
    "uncertainty_range",
]
