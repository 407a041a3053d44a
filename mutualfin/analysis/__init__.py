"""Analysis of a business case: the commissioner's options appraisal and risk.

- :mod:`~mutualfin.analysis.appraisal`: options appraisal following the Green Book;
- :mod:`~mutualfin.analysis.diff`: what changed between two versions of a case, and the
  bridge of its figures (Shapley values over the changed inputs);
- :mod:`~mutualfin.analysis.risk`: risk, gathering
  :mod:`~mutualfin.analysis.scenarios` (named sets of overrides),
  :mod:`~mutualfin.analysis.sensitivity` (tornado, two-way) and
  :mod:`~mutualfin.analysis.montecarlo` (simulate, SimulationResult, Iman-Conover).

The analysis layer imports only the layers below it (errors, core, params, engine, uk,
components, case) and draws no figure: charts are in :mod:`mutualfin.plots`.
"""
