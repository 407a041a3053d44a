"""The core: numpy and dates only.

- :mod:`~mutualfin.core.calendar`: the UK financial-year calendar ("2026/27");
- :mod:`~mutualfin.core.checks`: input checks the calculators share;
- :mod:`~mutualfin.core.cashflow`: cash-flow maths (npv, irr, mirr, payback, xnpv, xirr), a
  standalone module as numpy-financial's is (public as :mod:`mutualfin.finance`);
- :mod:`~mutualfin.core.distributions`: the uncertainty distributions inputs declare.

Nothing here imports the engine, the parameters or anything above them.
"""
