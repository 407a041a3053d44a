"""Components: the parts of a business case (contract income, staff costs, pensions...).

A component is a typed, validated set of inputs and a ``build`` method that turns them into
lines on the case's timeline (see :mod:`mutualfin.components.base`). Defining a subclass of
:class:`Component` with a ``key`` registers it for case files: ``[contract]`` loads
:class:`~mutualfin.components.income.Contract`. The modules below are imported here so that
every shipped component is registered once ``mutualfin.components`` is imported.

- :mod:`~mutualfin.components.roster`: the staff roster (data, not a component);
- :mod:`~mutualfin.components.income`: the council contract, traded income, pipeline, grants;
- :mod:`~mutualfin.components.savings`: absence and turnover savings;
- :mod:`~mutualfin.components.costs`: overheads, set-up, premises and business rates, VAT;
- :mod:`~mutualfin.components.staff`: staff costs per employee, one-off transfer costs;
- :mod:`~mutualfin.components.pensions`: the LGPS admission agreement;
- :mod:`~mutualfin.components.legal_form`: the mutual's legal form;
- :mod:`~mutualfin.components.financing`: the case's financial settings, a loan and a
  working-capital facility;
- :mod:`~mutualfin.components.timing`: year to date and payment in arrears, for months;
- :mod:`~mutualfin.components.profit_share`: profit paid out to the council or a partner.
"""

from __future__ import annotations

from mutualfin.components import (  # noqa: F401 - imported to register their components
    costs,
    financing,
    income,
    legal_form,
    pensions,
    profit_share,
    roster,
    savings,
    staff,
)
from mutualfin.components.base import (
    BuildContext,
    Component,
    ComponentInputs,
    Count,
    Fraction,
    FractionSeries,
    Money,
    MoneySeries,
    Months,
    Ratio,
    Years,
    component_registry,
    field,
    parse_uncertainty,
    register_component,
)
from mutualfin.components.base import (
    Unit as Unit,
)

__all__ = [
    "BuildContext",
    "Component",
    "ComponentInputs",
    "Count",
    "Fraction",
    "FractionSeries",
    "Money",
    "MoneySeries",
    "Months",
    "Ratio",
    "Years",
    "component_registry",
    "field",
    "parse_uncertainty",
    "register_component",
]
