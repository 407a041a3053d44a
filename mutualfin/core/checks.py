"""Input checks shared by the calculators (tax, workforce, pensions, discounting): amounts
as numpy arrays with clear errors, and years or dates as the calculators accept them.

This module knows nothing of model expressions: an object that declares itself one (the
engine's ``Expr`` sets ``is_model_expression = True``) is refused by name, so a calculator
given an expression where it wants numbers says so instead of failing inside numpy."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import numpy as np

from mutualfin.core.calendar import parse_financial_year
from mutualfin.errors import InputError, TimelineError


def is_expression(value: Any) -> bool:
    """True for a model expression (an engine node), whatever its class."""
    return bool(getattr(type(value), "is_model_expression", False))


def _amounts(value: Any, name: str, *, negative_ok: bool = False) -> tuple[np.ndarray, bool]:
    """``value`` as a float array, and whether it was a scalar. Refuses text, NaN, inf."""
    if is_expression(value):
        raise InputError(f"{name}: an expression is not accepted here; give a number or array")
    if isinstance(value, str | bytes) or isinstance(value, bool | np.bool_):
        raise InputError(
            f"{name} {value!r} is not a number; give an amount in pounds such as 30000"
        )
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} {value!r} is not a number or an array of numbers; give amounts in pounds"
        ) from None
    if arr.size == 0:
        raise InputError(f"{name} is empty; give at least one amount")
    if not np.isfinite(arr).all():
        bad = arr[~np.isfinite(arr)].flat[0]
        raise InputError(f"{name} contains {bad}; every amount must be a finite number")
    if not negative_ok and (arr < 0).any():
        raise InputError(
            f"{name} contains a negative amount ({arr[arr < 0].flat[0]:g}); amounts are "
            "positive pounds"
        )
    return arr, arr.ndim == 0


def _out(arr: np.ndarray, scalar: bool) -> float | np.ndarray:
    return float(arr) if scalar else arr


def _year_start(when: Any, name: str, month: int, day: int) -> dt.date:
    """The first day of the year ``when`` names, or ``when`` itself if it is a date."""
    d = _date_or_none(when)
    if d is not None:
        start = dt.date(d.year, month, day)
        return start if d >= start else dt.date(d.year - 1, month, day)
    try:
        return dt.date(parse_financial_year(when), month, day)
    except TimelineError as exc:
        raise InputError(
            f"{name}={when!r} is not a year or date: {exc}. Give 2025, '2025/26' or a date"
        ) from None


def _date_or_none(when: Any) -> dt.date | None:
    if isinstance(when, dt.datetime):
        return when.date()
    if isinstance(when, dt.date):
        return when
    if hasattr(when, "to_pydatetime"):  # pandas Timestamp
        return when.to_pydatetime().date()
    if isinstance(when, str) and len(when.strip()) == 10 and when.strip()[4] == "-":
        try:
            return dt.date.fromisoformat(when.strip())
        except ValueError:
            raise InputError(f"{when!r} is not a valid ISO date such as '2025-06-01'") from None
    return None


def _on_date(when: Any, name: str, month: int = 4, day: int = 6) -> dt.date:
    """A date as given, or for a year the day it starts (6 April by default)."""
    d = _date_or_none(when)
    return d if d is not None else _year_start(when, name, month, day)


def _require_year(when: Any, name: str, fn: str) -> None:
    if when is None:
        raise InputError(
            f"{fn}: give {name}= (a year such as 2025 or '2025/26', or a date); it is only "
            "left out when the amount is a model expression, whose timeline gives the year"
        )


def _no_year_with_expr(when: Any, name: str, fn: str) -> None:
    if when is not None:
        raise InputError(
            f"{fn}: {name}={when!r} was given with an expression; in a model the year comes "
            "from the timeline, so leave it out"
        )


#: longest one-line text (a case's name, organisation, author, status, protective marking; a
#: roster id or role): a workbook's page header holds the title and the marking in 255
MAX_LINE_CHARS = 100
#: longest free text (a description, a source, a label); an Excel cell holds 32,767
MAX_TEXT_CHARS = 2_000


def _bad_char(text: str, one_line: bool) -> tuple[int, str] | None:
    """The first character that cannot be shown or saved: a control character (NUL, ESC,
    backspace...; also line breaks in one-line text), a lone surrogate, or one of
    the two non-characters XML refuses."""
    allowed = "\t" if one_line else "\t\n\r"
    for k, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if (cat == "Cc" and ch not in allowed) or cat == "Cs" or ch in "\ufffe\uffff":
            return k, ch
    return None


def printable(text: str) -> str:
    r"""``text`` with every control character written as an escape (``\x1b``), so that a
    name printed to a terminal cannot move the cursor, recolour it or hide what follows.

    >>> printable("Youth\x1b[31m service")
    'Youth\\x1b[31m service'
    """
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if (cat == "Cc" and ch != "\n") or cat == "Cs":
            out.append(ascii(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def check_text(value: Any, where: str, *, one_line: bool = True) -> str:
    """``value`` if it is text that can be saved in a workbook and shown in a terminal.

    Refuses what is not text, control characters but tab (ESC, NUL, backspace...; line
    breaks too in one-line text), and text longer than :data:`MAX_LINE_CHARS` (one line) or
    :data:`MAX_TEXT_CHARS`, naming ``where``, the character and its position.
    """
    prefix = f"{where}: " if where else ""
    if not isinstance(value, str):
        raise InputError(f"{prefix}must be text, got {type(value).__name__} {value!r:.60}")
    found = _bad_char(value, one_line)
    if found is not None:
        k, ch = found
        what = "a line break" if ch in "\n\r" else "a control character"
        raise InputError(
            f"{prefix}character {k + 1} is {what} ({ch!a}), which a workbook cannot "
            "hold or a terminal would act on; remove it"
            + (" (a backslash in a file name? use /)" if ch in "\b\f\x0b" else "")
        )
    limit = MAX_LINE_CHARS if one_line else MAX_TEXT_CHARS
    if len(value) > limit:
        raise InputError(
            f"{prefix}{len(value):,} characters, over the {limit:,}-character limit; shorten it"
        )
    return value


def wrong_kind(
    fn: str, arg: str, want: str, got: Any, fixes: dict[str, str] | None = None
) -> InputError:
    """The error for ``fn`` given the wrong kind of object as ``arg``, naming the right call.

    ``fixes`` maps the class name of an object a user is likely to pass instead (``Results``
    for an ``Evaluation``, ``DataFrame`` for a ``Roster``; ``path`` for any file path) to the
    call that does what they meant.

    >>> print(wrong_kind("simulate", "case", "a BusinessCase", "case.toml",
    ...                  {"path": "load it first: BusinessCase.from_file(path)"}))
    simulate: case must be a BusinessCase, got str 'case.toml'; load it first: ...
    """
    import os

    kind = type(got).__name__
    key = "path" if isinstance(got, str | os.PathLike) else kind
    fix = (fixes or {}).get(key) or (fixes or {}).get(kind)
    shown = ""
    if isinstance(got, str | os.PathLike):
        shown = f" {os.fspath(got)!r:.60}"
    elif isinstance(got, int | float):
        shown = f" {got!r:.60}"
    return InputError(
        f"{fn}: {arg} must be {want}, got {kind}{shown}" + (f"; {fix}" if fix else "")
    )


def is_finite_number(value: Any) -> bool:
    """True for an int or float (numpy's too, or a Decimal) that is finite as a float; False
    for true/false, text, NaN, infinity and integers too large for a float."""
    import decimal
    import math

    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating | decimal.Decimal
    ):
        return False
    try:
        return math.isfinite(float(value))
    except (OverflowError, ValueError):
        return False
