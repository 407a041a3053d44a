"""Change input values in a case file's text, keeping everything else as it was written.

A case file is a document people write: comments saying where figures come from, each input's
``source``, the order of the tables, numbers written ``4_200_000``. :func:`set_inputs`
replaces only the values it is given, through `tomlkit <https://tomlkit.readthedocs.io/>`_,
which keeps comments, whitespace and the rest of each line as they are (a ``{ value = ...,
source = "..." }`` table keeps its source and uncertainty; only ``value`` changes). The edited
text is checked by loading it as a case (:func:`check_edit`) before anyone writes it, so a
value the case file would refuse is refused here, naming the input and why.

Where an input lives in the case file
-------------------------------------
``contract.annual_value`` is the key ``annual_value`` of the table ``[contract]`` (added to
the table if the case file leaves it to its default). An input named after an item of a list,
such as ``pipeline.holiday_activities_programme_annual_value``, is the ``annual_value`` of the
item of ``[pipeline] opportunities`` whose ``name`` gives ``holiday_activities_programme``
(the names label the inputs in the workbook: see :mod:`mutualfin.components.income`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import tomlkit
from tomlkit.exceptions import TOMLKitError

from mutualfin.errors import CaseFileError, MutualfinError

__all__ = ["Location", "check_edit", "locate", "set_inputs"]


@dataclass(frozen=True)
class Location:
    """Where an input's value is written in a case file: table, key, and for an item of a
    list, the list's key and the item's index."""

    table: str
    key: str
    list_key: str | None = None
    index: int | None = None

    def __str__(self) -> str:
        if self.list_key is None:
            return f"{self.table}.{self.key}"
        return f"{self.table}.{self.list_key}[{self.index}].{self.key}"


def _slug(name: str) -> str:
    from mutualfin.components.income import _slug as slug

    return slug(name, "case file")


def locate(data: Mapping[str, Any], name: str, fields: Mapping[str, Any] | None = None) -> Location:
    """Where the input ``name`` (``table.key``) is written in a case file's parsed ``data``.

    ``fields``, the component's input fields, lets a key the case file leaves to its default
    be located too (it is then added to the table). Raises CaseFileError when the input is not
    written in the case file (a figure mutualfin works out, such as a roster's totals).
    """
    table, _, key = name.partition(".")
    section = data.get(table)
    if isinstance(section, Mapping):
        if key in section or (fields is not None and key in fields):
            return Location(table, key)
        for list_key, items in section.items():
            value = items.get("value") if isinstance(items, Mapping) else items
            if not isinstance(value, list):
                continue
            for i, item in enumerate(value):
                if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                    continue
                try:
                    prefix = f"{_slug(item['name'])}_"
                except MutualfinError:
                    continue
                attr = key.removeprefix(prefix)
                if key.startswith(prefix) and attr in item:
                    return Location(table, attr, list_key, i)
    elif fields is not None and key in fields:
        return Location(table, key)  # a table the case leaves to its defaults ([finance])
    raise CaseFileError(
        f"{name}: not written in the case file (mutualfin works it out from other inputs, "
        "such as the roster), so it cannot be set there; change the inputs it comes from"
    )


def _number_text(value: float, like: Any) -> str:
    """``value`` as TOML, an integer where the case file wrote one (keeping 4_200_000's
    underscores), else the shortest float that reads back the same."""
    if isinstance(like, tomlkit.items.Bool):
        like = bool(like)
    if isinstance(like, bool):
        return "true" if value else "false"
    if isinstance(like, int) and float(value).is_integer():
        raw = getattr(like, "as_string", lambda: str(like))()
        whole = int(value)
        return f"{whole:_}" if "_" in raw else str(whole)
    return repr(float(value))


def _value_item(value: Any, like: Any):
    """A tomlkit item for ``value`` (a number or a list of numbers), in the style of
    ``like``, the value it replaces (None for a new key)."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        return tomlkit.value(_number_text(float(arr), like))
    items = list(like) if isinstance(like, list) else []
    parts = [
        _number_text(float(v), items[k] if k < len(items) else (items[-1] if items else None))
        for k, v in enumerate(arr.reshape(-1))
    ]
    return tomlkit.value("[" + ", ".join(parts) + "]")


def set_inputs(
    text: str,
    values: Mapping[str, Any],
    *,
    fields: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """``text`` (a case file) with each input in ``values`` (``table.key`` -> a number, a
    bool for a yes/no, or a list with one number a period) set, and nothing else changed.

    ``fields`` maps a table to its component's input fields, so an input the case file leaves
    to its default can be added to its table.

    >>> text = '[contract]  # the council\\nannual_value = { value = 4_200_000, source = "x" }\\n'
    >>> print(set_inputs(text, {"contract.annual_value": 4_410_000.0}), end="")
    [contract]  # the council
    annual_value = { value = 4_410_000, source = "x" }
    """
    try:
        doc = tomlkit.parse(text.removeprefix("\ufeff"))
    except TOMLKitError as exc:
        raise CaseFileError(f"the case file is not valid TOML: {exc}") from None
    data = doc.unwrap()
    for name, value in values.items():
        table = name.partition(".")[0]
        where = locate(data, name, (fields or {}).get(table))
        if where.table not in doc:
            doc.add(where.table, tomlkit.table())
        container = doc[where.table]
        if where.list_key is not None:
            holder = container[where.list_key]
            if isinstance(holder, Mapping) and "value" in holder:
                holder = holder["value"]
            container = holder[where.index]
        old = container.get(where.key)
        if isinstance(old, Mapping) and "value" in old:
            old["value"] = _value_item(value, old["value"])
        else:
            container[where.key] = _value_item(value, old)
    return tomlkit.dumps(doc)


def check_edit(path: str | os.PathLike, text: str):
    """Load ``text`` as the case file at ``path`` (its roster read from beside ``path``) and
    run it: the case it makes, or the CaseFileError the case file would raise."""
    import warnings

    from mutualfin.case.business_case import BusinessCase
    from mutualfin.errors import AssumptionWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        try:
            case = BusinessCase.from_file(path, text=text)
            case.run()
        except CaseFileError:
            raise
        except MutualfinError as exc:
            raise CaseFileError(str(exc)) from None
    return case
