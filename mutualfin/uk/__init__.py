"""UK rules on numbers, arrays and model expressions, each citing its legislation or guidance.

- :mod:`~mutualfin.uk.tax`: corporation tax with marginal relief, employer National Insurance,
  the Employment Allowance, the apprenticeship levy;
- :mod:`~mutualfin.uk.redundancy`: statutory redundancy pay, LGPS early-retirement reductions;
- :mod:`~mutualfin.uk.pensions`: LGPS member contribution bands and CARE accrual;
- :mod:`~mutualfin.uk.greenbook`: Green Book discount factors, the GDP deflator, real and
  nominal prices.

Rules read dated figures from :mod:`mutualfin.params`; none knows about components, cases or
workbooks.
"""
