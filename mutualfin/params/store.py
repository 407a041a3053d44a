"""Dated UK parameters: one TOML file per parameter, each value with its date and reference.

File format (exactly this; anything else is refused with the file, the key and the fix)::

    name = "ni.employer_rate"          # equals the file name without .toml
    description = "..."
    unit = "fraction"                  # see UNITS
    period = "tax_year"                # "tax_year" | "financial_year" | "date"
    valid_until = 2027-04-05           # last date the data is known to cover
    columns = { upto = "GBP", rate = "fraction" }   # only for tabular values

    [[values]]
    from = 2014-04-06                  # date of effect, ascending
    value = 0.138                      # a number, or a list of tables with the columns' keys
    reference = { title = "...", href = "https://..." }
    note = "..."                       # optional
    confirmed = true                   # optional; false = not confirmed against the source

A value applies from its date until the next value's date; the last until ``valid_until``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.core.calendar import parse_financial_year
from mutualfin.errors import (
    ParameterFileError,
    ParameterRangeError,
    UnknownParameterError,
    warn_assumption,
)

__all__ = [
    "DATA_DIR",
    "UNITS",
    "ParamValue",
    "Parameter",
    "ParameterStore",
    "Reference",
]

DATA_DIR = Path(__file__).with_name("data")
UNITS = ("GBP", "GBP/week", "GBP/year", "fraction", "ratio", "count", "years", "weeks", "index")
PERIODS = ("tax_year", "financial_year", "date")
_TOP_KEYS = {"name", "description", "unit", "period", "valid_until", "columns", "values"}
_TOP_REQUIRED = {"name", "description", "unit", "period", "valid_until", "values"}
_ENTRY_KEYS = {"from", "value", "reference", "note", "confirmed"}
_ENTRY_REQUIRED = {"from", "value", "reference"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
MAX_FILE_BYTES = 1_000_000


def held_text(name: str, held_from: dt.date) -> str:
    """The one wording of a parameter held flat beyond its data."""
    return f"{name} held flat from {held_from.isoformat()}: an assumption"


_HELD = re.compile(r"^(?P<name>\S+) held flat from (?P<date>\d{4}-\d{2}-\d{2}): an assumption$")


def held_parameter(text: str) -> tuple[str, dt.date] | None:
    """The parameter and date of an assumption worded by :func:`held_text`, else None (an
    assumption of another kind)."""
    m = _HELD.match(text)
    return (m["name"], dt.date.fromisoformat(m["date"])) if m else None


def warn_held(value: ParamValue) -> ParamValue:
    """Warn (:class:`~mutualfin.errors.AssumptionWarning`) when ``value`` is held flat beyond
    its parameter's data; return it."""
    if value.held_from is not None:
        warn_assumption(str(value.assumption))
    return value


@dataclass(frozen=True)
class Reference:
    title: str
    href: str

    def __str__(self) -> str:
        return f"{self.title} <{self.href}>"


@dataclass(frozen=True)
class ParamValue:
    """One dated value of a parameter, with where it comes from.

    Behaves as a float where the value is a number (``float(v)``, arithmetic through
    ``v.value``); ``v.source`` is the reference as text.
    """

    name: str
    value: Any
    start: dt.date
    end: dt.date
    unit: str
    reference: Reference
    note: str = ""
    confirmed: bool = True
    #: the first day this value is carried beyond the parameter's data (an assumption), or None
    held_from: dt.date | None = None

    @property
    def source(self) -> str:
        return str(self.reference)

    @property
    def assumption(self) -> str | None:
        """ "<name> held flat from <date>: an assumption" for a value carried beyond the data."""
        if self.held_from is None:
            return None
        return held_text(self.name, self.held_from)

    def __float__(self) -> float:
        if not isinstance(self.value, float):
            raise TypeError(f"parameter {self.name!r} is a table, not a number")
        return self.value

    def __repr__(self) -> str:
        flag = "" if self.confirmed else ", unconfirmed"
        if self.held_from is not None:
            flag += f", held flat from {self.held_from}"
        return (
            f"ParamValue({self.name!r}, {self.value!r} {self.unit}, from {self.start}, "
            f"until {self.end}{flag}; {self.reference.title})"
        )


@dataclass
class Parameter:
    name: str
    description: str
    unit: str
    period: str
    valid_until: dt.date
    entries: list[ParamValue]
    columns: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def first_date(self) -> dt.date:
        return self.entries[0].start

    @property
    def is_table(self) -> bool:
        return bool(self.columns)

    @property
    def held_from(self) -> dt.date:
        """The first day past the data: from it, the last value is held flat."""
        return self.valid_until + dt.timedelta(days=1)

    def at(self, on: dt.date | str, *, beyond: str = "hold") -> ParamValue:
        """The value in force on a date.

        Past the data (``valid_until``) the last value is held flat, and the value says so
        (``held_from``, ``assumption``); ``beyond="error"`` refuses instead. A date before the
        data is refused, naming the range.
        """
        d = _as_date(on, f"date for parameter {self.name!r}")
        if d < self.first_date or (d > self.valid_until and beyond != "hold"):
            raise ParameterRangeError(
                f"parameter {self.name!r} has data from {self.first_date.isoformat()} to "
                f"{self.valid_until.isoformat()}; {d.isoformat()} is outside that range. Use a "
                "date inside it, or add the value in force to "
                f"mutualfin/params/data/{self.name}.toml with its reference"
            )
        if d > self.valid_until:
            return replace(self.entries[-1], held_from=self.held_from)
        for entry in reversed(self.entries):
            if entry.start <= d:
                return entry
        raise AssertionError("unreachable")  # pragma: no cover

    def period_series(
        self,
        starts: Iterable[dt.date],
        ends: Iterable[dt.date],
        *,
        how: str = "weighted",
        beyond: str = "hold",
    ) -> tuple[np.ndarray, list[bool]]:
        """One value per period, and for each period whether a value was carried forward
        beyond ``valid_until``.

        ``weighted``: the day-weighted average over the part of the period the data covers;
        ``start``/``end``: the value in force on the period's first/last day.
        """
        if self.is_table:
            raise ParameterRangeError(
                f"parameter {self.name!r} is a table ({', '.join(self.columns)}); it cannot be "
                "used as one value per period"
            )
        out, held = [], []
        for s, e in zip(starts, ends, strict=True):
            if e < self.first_date:
                raise ParameterRangeError(
                    f"parameter {self.name!r} has no data before {self.first_date.isoformat()};"
                    f" the period {s.isoformat()} to {e.isoformat()} is before it"
                )
            if beyond == "error" and e > self.valid_until:
                raise ParameterRangeError(
                    f"parameter {self.name!r} has data to {self.valid_until.isoformat()}; the "
                    f"period {s.isoformat()} to {e.isoformat()} goes beyond it. Use "
                    "beyond='hold' to carry the last value forward as an assumption"
                )
            held.append(e > self.valid_until)
            if how == "start":
                out.append(self.at(max(s, self.first_date), beyond="hold").value)
                continue
            if how == "end":
                out.append(self.at(e, beyond="hold").value)
                continue
            lo = max(s, self.first_date)
            total = 0.0
            days = 0
            for i, entry in enumerate(self.entries):
                seg_start = max(lo, entry.start)
                nxt = self.entries[i + 1].start if i + 1 < len(self.entries) else dt.date.max
                seg_end = min(e, nxt - dt.timedelta(days=1) if nxt != dt.date.max else e)
                if seg_end >= seg_start:
                    n = (seg_end - seg_start).days + 1
                    total += entry.value * n
                    days += n
            out.append(total / days)
        return np.array(out, dtype=float), held

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "name": self.name,
                    "from": e.start,
                    "until": e.end,
                    "value": e.value,
                    "unit": self.unit,
                    "confirmed": e.confirmed,
                    "reference": e.reference.title,
                    "href": e.reference.href,
                    "note": e.note,
                }
                for e in self.entries
            ]
        )


def _as_date(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ParameterRangeError(f"{what}: {value!r} is not a date; give an ISO date '2025-06-01'")


def _fail(path: Path, key: str, problem: str, fix: str) -> ParameterFileError:
    return ParameterFileError(f"{path.name}: {key}: {problem}. Fix: {fix}")


def _check_number(path: Path, key: str, v: object, unit: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _fail(path, key, f"{v!r} is not a number", "write a plain number such as 0.138")
    f = float(v)
    if math.isnan(f):
        raise _fail(path, key, "value is nan", "write the number")
    if unit == "fraction" and not (-1 <= f <= 1):
        raise _fail(
            path, key, f"{v!r} is not a fraction", f"write {f / 100:g} for {f:g}% (unit fraction)"
        )
    if math.isinf(f) and f < 0:
        raise _fail(path, key, "value is -inf", "write a finite number or inf")
    return f


def load_file(path: Path) -> Parameter:
    """Read and validate one parameter file."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _fail(path, "(file)", "file is over 1 MB", "split it; one parameter per file")
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, "(syntax)", str(exc), "correct the TOML syntax") from None

    unknown = set(raw) - _TOP_KEYS
    if unknown:
        k = sorted(unknown)[0]
        close = difflib.get_close_matches(k, _TOP_KEYS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed: {sorted(_TOP_KEYS)}"
        raise _fail(path, k, "unknown key", f"remove it; {hint}")
    missing = _TOP_REQUIRED - set(raw)
    if missing:
        raise _fail(path, sorted(missing)[0], "required key missing", "add it")
    name = raw["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(path, "name", f"{name!r} is not a dotted lowercase name", "e.g. 'ni.rate'")
    if path.stem != name:
        raise _fail(path, "name", f"{name!r} differs from the file name", f"rename to {name}.toml")
    for key in ("description",):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise _fail(path, key, "must be non-empty text", "describe the parameter")
    unit = raw["unit"]
    if unit not in UNITS:
        raise _fail(path, "unit", f"unknown unit {unit!r}", f"use one of {', '.join(UNITS)}")
    if raw["period"] not in PERIODS:
        raise _fail(
            path, "period", f"{raw['period']!r} is not known", f"use one of {', '.join(PERIODS)}"
        )
    valid_until = raw["valid_until"]
    if type(valid_until) is not dt.date:
        raise _fail(path, "valid_until", f"{valid_until!r} is not a date", "write e.g. 2027-04-05")
    columns = raw.get("columns", {})
    if not isinstance(columns, dict):
        raise _fail(path, "columns", "must be a table", "columns = { upto = 'GBP', rate = ... }")
    for col, col_unit in columns.items():
        if col_unit not in UNITS:
            raise _fail(path, f"columns.{col}", f"unknown unit {col_unit!r}", f"use {UNITS}")

    values = raw["values"]
    if not isinstance(values, list) or not values:
        raise _fail(path, "values", "no values", "add at least one [[values]] entry")
    entries: list[dict[str, Any]] = []
    for i, entry in enumerate(values):
        where = f"values[{i}]"
        if not isinstance(entry, dict):
            raise _fail(path, where, "is not a table", "use [[values]] entries")
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            k = sorted(unknown)[0]
            close = difflib.get_close_matches(k, _ENTRY_KEYS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {sorted(_ENTRY_KEYS)}"
            raise _fail(path, f"{where}.{k}", "unknown key", f"remove it; {hint}")
        missing = _ENTRY_REQUIRED - set(entry)
        if missing:
            raise _fail(path, f"{where}.{sorted(missing)[0]}", "required key missing", "add it")
        start = entry["from"]
        if type(start) is not dt.date:
            raise _fail(
                path, f"{where}.from", f"{start!r} is not a date", "write an ISO date 2025-04-06"
            )
        if entries and start <= entries[-1]["from"]:
            raise _fail(
                path,
                f"{where}.from",
                f"{start} is not after the previous entry's {entries[-1]['from']}",
                "list values in ascending date order, one per date",
            )
        ref = entry["reference"]
        if not isinstance(ref, dict) or set(ref) != {"title", "href"}:
            raise _fail(
                path,
                f"{where}.reference",
                f"{ref!r} is not of the one allowed shape",
                "write reference = { title = '...', href = 'https://...' }",
            )
        if not all(isinstance(ref[k], str) and ref[k].strip() for k in ("title", "href")):
            raise _fail(path, f"{where}.reference", "title and href must be text", "fill both")
        if not ref["href"].startswith(("https://", "http://")):
            raise _fail(
                path,
                f"{where}.reference.href",
                f"{ref['href']!r} is not a web address",
                "give the https:// address of the source",
            )
        value = entry["value"]
        if columns:
            if not isinstance(value, list) or not value:
                raise _fail(path, f"{where}.value", "must be a list of rows", "see columns")
            rows = []
            for j, row in enumerate(value):
                if not isinstance(row, dict) or set(row) != set(columns):
                    raise _fail(
                        path,
                        f"{where}.value[{j}]",
                        f"row {row!r} does not have exactly the columns {sorted(columns)}",
                        "give every column, and no other key",
                    )
                rows.append(
                    {
                        c: _check_number(path, f"{where}.value[{j}].{c}", row[c], columns[c])
                        for c in columns
                    }
                )
            value = tuple(rows)
        else:
            value = _check_number(path, f"{where}.value", value, unit)
        note = entry.get("note", "")
        if not isinstance(note, str):
            raise _fail(path, f"{where}.note", "must be text", "quote it")
        confirmed = entry.get("confirmed", True)
        if not isinstance(confirmed, bool):
            raise _fail(path, f"{where}.confirmed", "must be true or false", "write true/false")
        entries.append(
            {
                "from": start,
                "value": value,
                "reference": Reference(ref["title"].strip(), ref["href"].strip()),
                "note": note,
                "confirmed": confirmed,
            }
        )
    if valid_until < entries[-1]["from"]:
        raise _fail(
            path,
            "valid_until",
            f"{valid_until} is before the last value's date {entries[-1]['from']}",
            "set it to the last date the data covers",
        )
    out = []
    for i, e in enumerate(entries):
        end = entries[i + 1]["from"] - dt.timedelta(days=1) if i + 1 < len(entries) else valid_until
        out.append(
            ParamValue(
                name, e["value"], e["from"], end, unit, e["reference"], e["note"], e["confirmed"]
            )
        )
    return Parameter(
        name, raw["description"].strip(), unit, raw["period"], valid_until, out, columns, path
    )


class ParameterStore:
    """All parameter files of a directory, loaded and validated on first use."""

    def __init__(self, directory: Path | str = DATA_DIR):
        self.directory = Path(directory)
        self._params: dict[str, Parameter] | None = None

    def load_all(self) -> dict[str, Parameter]:
        if self._params is None:
            params: dict[str, Parameter] = {}
            for path in sorted(self.directory.glob("*.toml")):
                p = load_file(path)
                params[p.name] = p
            self._params = params
        return self._params

    def names(self) -> list[str]:
        return sorted(self.load_all())

    def get(self, name: str) -> Parameter:
        params = self.load_all()
        if name not in params:
            close = difflib.get_close_matches(str(name), list(params), n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise UnknownParameterError(
                f"no parameter named {name!r}{hint} (list them with mutualfin.params.names())"
            )
        return params[name]

    def value(
        self,
        name: str,
        on: dt.date | str | None = None,
        *,
        tax_year: int | str | None = None,
        financial_year: int | str | None = None,
    ) -> ParamValue:
        """The value in force on a date, or at the start of a tax or financial year."""
        given = [x is not None for x in (on, tax_year, financial_year)]
        if sum(given) != 1:
            raise ParameterRangeError(
                f"value({name!r}): give exactly one of on=date, tax_year= or financial_year="
            )
        if tax_year is not None:
            on = dt.date(parse_financial_year(tax_year), 4, 6)
        elif financial_year is not None:
            on = dt.date(parse_financial_year(financial_year), 4, 1)
        return self.get(name).at(on)  # type: ignore[arg-type]

    def table(self, prefix: str = "") -> pd.DataFrame:
        """A tidy DataFrame of every value of the parameters whose name starts with prefix."""
        names = [n for n in self.names() if n.startswith(prefix)]
        if not names:
            families = sorted({n.split(".")[0] for n in self.names()})
            raise UnknownParameterError(
                f"no parameter name starts with {prefix!r}; families are: {', '.join(families)}"
            )
        return pd.concat([self.get(n).frame() for n in names], ignore_index=True)
