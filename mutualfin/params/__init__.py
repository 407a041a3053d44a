"""Dated UK parameters with their references.

>>> import mutualfin as mf
>>> v = mf.params.value("ni.employer_rate", on="2025-06-01")
>>> v.value
0.15
"""

from __future__ import annotations

from mutualfin.params.store import (
    DATA_DIR,
    UNITS,
    Parameter,
    ParameterStore,
    ParamValue,
    Reference,
    held_parameter,
    held_text,
    load_file,
    warn_held,
)

__all__ = [
    "DATA_DIR",
    "UNITS",
    "ParamValue",
    "Parameter",
    "ParameterStore",
    "Reference",
    "default_store",
    "get",
    "held_parameter",
    "held_text",
    "load_all",
    "load_file",
    "names",
    "resolve_store",
    "table",
    "value",
    "warn_held",
]

default_store = ParameterStore()


def resolve_store(params: ParameterStore | None = None) -> ParameterStore:
    """``params`` if given, else the shipped UK parameters: how every calculator finds its
    figures, so a case built with its own store (``BusinessCase(params=...)``) reaches them."""
    if params is None:
        return default_store
    if not isinstance(params, ParameterStore):
        from mutualfin.errors import InputError

        raise InputError(
            f"params must be a mutualfin.params.ParameterStore, got {type(params).__name__}; "
            "build one with ParameterStore(directory)"
        )
    return params


def load_all() -> dict[str, Parameter]:
    """Load and validate every shipped parameter file (raises on the first bad file)."""
    return default_store.load_all()


def names() -> list[str]:
    """Names of all shipped parameters."""
    return default_store.names()


def get(name: str) -> Parameter:
    """A parameter with all its dated values."""
    return default_store.get(name)


def value(name, on=None, *, tax_year=None, financial_year=None) -> ParamValue:
    """The value of a parameter in force on a date (or at the start of a tax or financial
    year), with its reference in ``.source``; past its data, the last value held flat (its
    ``.assumption`` says so)."""
    return default_store.value(name, on, tax_year=tax_year, financial_year=financial_year)


def table(prefix: str = ""):
    """A tidy DataFrame of a parameter family (values by date with sources)."""
    return default_store.table(prefix)
