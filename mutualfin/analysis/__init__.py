"""Analysis of a business case: the commissioner's options appraisal and risk.

- :mod:`~mutualfin.analysis.appraisal`: options appraisal following the Green Book;
- :mod:`~mutualfin.analysis.risk`: scenarios, sensitivity (tornado, two-way) and Monte Carlo.
"""
