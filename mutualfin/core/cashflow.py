"""Discounting and rate-of-return measures for business cases, vectorised over scenarios.

Every function takes cash flows as a 1-D series (one scenario) or a 2-D array whose rows
are scenarios and whose columns are periods, and computes all rows at once with numpy:
there is no Python loop over rows. A 1-D input gives a numpy scalar, a 2-D input an array
with one entry per row.

Sign convention
    Money out of the mutual (investment, costs) is negative; money in is positive.

Timing convention
    ``values[..., t]`` is the net flow at the *start* of period ``t``, i.e. at time ``t``
    (numpy-financial's convention), so the first flow is not discounted. Excel's ``NPV``
    instead treats the first flow as arriving one period in; :func:`npv` offers both
    through ``when=``.

Functions
    :func:`npv`, :func:`irr`, :func:`mirr`, :func:`payback_period`,
    :func:`discounted_payback_period`, :func:`xnpv`, :func:`xirr`.

Bad input (NaN or infinite flows, text, ragged rows, a rate of -100% or less, shapes that
do not broadcast, empty series, unsorted dates) raises :class:`mutualfin.errors.InputError`
naming the argument, the value or position, and the fix.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mutualfin.errors import InputError, SolverError

__all__ = [
    "IrrResult",
    "PaybackResult",
    "discounted_payback_period",
    "irr",
    "mirr",
    "npv",
    "payback_period",
    "xirr",
    "xnpv",
]


# --------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------


def _where(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def _as_values(values: Any, name: str = "values") -> np.ndarray:
    """Return ``values`` as a finite float array of shape (n,) or (rows, n)."""
    if values is None:
        raise InputError(f"{name} is None; pass the cash flows as a list or numpy array.")
    if isinstance(values, str | bytes):
        raise InputError(
            f"{name} is the text {values!r}; pass numbers, e.g. [-1000, 300, 400, 500]."
        )
    try:
        raw = np.asarray(values)
    except ValueError as exc:  # ragged nested lists
        lengths = []
        try:
            lengths = [len(row) for row in values]
        except TypeError:
            pass
        detail = f" (row lengths {lengths})" if lengths else ""
        raise InputError(
            f"{name} is ragged{detail}: every scenario needs the same number of periods. "
            "Pad shorter rows with 0 for periods without cash flow."
        ) from exc
    if raw.dtype.kind in "USO":
        items = np.asarray(values, dtype=object)  # the original items, not numpy's strings
        for index in np.ndindex(items.shape):
            item = items[index]
            if isinstance(item, str | bytes) or not _is_number(item):
                raise InputError(
                    f"{name}{_where(index)} is {item!r}, which is not a number; "
                    "convert text such as '1,200' to 1200 before calling."
                )
    if raw.dtype.kind == "b":
        raise InputError(
            f"{name} holds booleans; pass cash amounts as numbers (True is not a cash flow)."
        )
    if raw.dtype.kind in "mM":
        raise InputError(f"{name} holds dates or durations; pass cash amounts as numbers.")
    arr = np.asarray(raw, dtype=float)
    if arr.ndim == 0:
        raise InputError(
            f"{name} is the single number {arr.item()!r}; pass a series of flows, "
            "e.g. [-1000, 300, 400, 500], or a 2-D array with one scenario per row."
        )
    if arr.ndim > 2:
        raise InputError(
            f"{name} has shape {arr.shape}; pass a 1-D series or a 2-D array "
            "(scenarios, periods). Reshape with values.reshape(-1, values.shape[-1])."
        )
    if arr.size == 0 or arr.shape[-1] == 0:
        raise InputError(
            f"{name} is empty (shape {arr.shape}); pass at least one period of cash flow."
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"row {index[0]}, column {index[1]}" if arr.ndim == 2 else f"position {index[0]}"
        raise InputError(
            f"{name}{_where(index)} ({where}) is {float(arr[index])!r}; every cash flow must be a "
            "finite number. Replace missing flows with 0."
        )
    return arr


def _is_number(item: Any) -> bool:
    if isinstance(item, bool | np.bool_):
        return False
    try:
        float(item)
    except (TypeError, ValueError):
        return False
    return True


def _as_rate(rate: Any, name: str) -> np.ndarray:
    """Return ``rate`` as a float array of finite values above -1."""
    if isinstance(rate, str | bytes):
        raise InputError(f"{name} is the text {rate!r}; pass a fraction such as 0.035 for 3.5%.")
    try:
        arr = np.asarray(rate, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{name}={rate!r} is not a number or an array of numbers; pass e.g. 0.035."
        ) from exc
    if arr.size == 0:
        raise InputError(f"{name} is empty; pass a rate such as 0.035.")
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
        raise InputError(
            f"{name}{_where(index) if index else ''} is {float(arr[index])!r}; "
            "rates must be finite."
        )
    low = arr <= -1
    if low.any():
        index = tuple(int(i) for i in np.argwhere(low)[0]) if arr.ndim else ()
        raise InputError(
            f"{name}{_where(index) if index else ''} is {float(arr[index])!r}, at or below -1 "
            "(-100%), where discounting is undefined. Rates are fractions: pass 0.035 "
            "for 3.5%."
        )
    return arr


def _check_when(when: str) -> str:
    if when not in ("start", "end"):
        raise InputError(
            f"when={when!r} is not recognised; use 'start' (first flow at t=0, "
            "numpy-financial) or 'end' (first flow discounted one period, Excel's NPV)."
        )
    return when


def _discount_factors(rate: np.ndarray, n: int, when: str, name: str = "rate") -> np.ndarray:
    """Discount factors with last axis of length ``n`` for a validated ``rate``."""
    offset = 0 if when == "start" else 1
    if rate.ndim == 0:
        return (1.0 + rate) ** -(np.arange(n) + offset)
    if rate.shape[-1] not in (1, n):
        raise InputError(
            f"{name} has shape {rate.shape} but the flows have {n} periods; give one rate "
            f"per period (shape ({n},)), or one per scenario as a column (shape (rows, 1))."
        )
    if rate.shape[-1] == 1:
        return (1.0 + rate) ** -(np.arange(n) + offset)
    growth = 1.0 / (1.0 + rate)
    if when == "start":
        growth = growth.copy()
        growth[..., 0] = 1.0  # the first flow is at t=0: nothing to discount
    return np.cumprod(growth, axis=-1)


def _scalar_or_array(result: np.ndarray) -> Any:
    return result[()] if result.ndim == 0 else result


# --------------------------------------------------------------------------------------
# NPV
# --------------------------------------------------------------------------------------


def npv(
    rate: Any = None,
    values: Any = None,
    when: str = "start",
    *,
    discount_factors: Any = None,
) -> Any:
    """Net present value of periodic cash flows, one or many scenarios at once.

    Parameters
    ----------
    rate : float or array_like, optional
        Discount rate per period as a fraction (0.035 for 3.5%). A scalar applies to every
        period. A 1-D array of length ``n`` gives one rate per period, compounded period by
        period (HM Treasury Green Book style declining schedules). A 2-D array broadcasts
        against ``values``: shape (rows, 1) gives one rate per scenario, (rows, n) one per
        scenario and period. Every rate must be above -1. Omit it when passing
        ``discount_factors``.
    values : array_like, shape (n,) or (rows, n)
        Net cash flows; rows are scenarios, columns periods.
    when : {"start", "end"}, default "start"
        ``"start"``: flow ``t`` arrives at time ``t``, so the first flow is not discounted
        (numpy-financial's ``npv``). ``"end"``: flow ``t`` arrives at time ``t + 1``, so
        the first flow is discounted one period (Excel's ``NPV``).
    discount_factors : array_like, optional
        Multipliers to use instead of ``rate``, broadcastable to ``values`` (e.g. a
        published table of Green Book factors). Must be finite and positive.

    Returns
    -------
    numpy.float64 or numpy.ndarray
        A scalar for a 1-D ``values`` (and scalar or 1-D ``rate``), else one NPV per row.

    Raises
    ------
    InputError
        Bad flows, a rate at or below -1, both or neither of ``rate`` and
        ``discount_factors``, or shapes that do not broadcast.

    Notes
    -----
    With ``when="start"`` and a constant rate :math:`r`,

    .. math:: \\mathrm{NPV} = \\sum_{t=0}^{n-1} \\frac{v_t}{(1+r)^{t}},

    and with ``when="end"`` every exponent is one larger, :math:`(1+r)^{t+1}`, so
    ``npv(r, v, when="end") == npv(r, v) / (1 + r)``. Excel users often write
    ``=NPV(r, B2:F2) + A2`` to keep an initial outlay undiscounted; that is ``when="start"``.

    For a per-period schedule :math:`r_0, \\dots, r_{n-1}`, :math:`r_t` is the rate for
    the period that ends when flow :math:`t` arrives. The discount factors are
    :math:`D_t = D_{t-1} / (1 + r_t)` with :math:`D_0 = 1` for ``"start"`` (so
    :math:`r_0` is unused: nothing is discounted back from time 0) and
    :math:`D_0 = 1/(1+r_0)` for ``"end"``. A constant schedule equals the scalar rate.

    References
    ----------
    .. [1] L. J. Gitman, *Principles of Managerial Finance, Brief*, 3rd ed.,
       Addison-Wesley, 2003, p. 346 (the formula numpy-financial cites).
    .. [2] HM Treasury, *The Green Book: appraisal and evaluation in central
       government*, 2022, section A6 (discount rate schedule and discount factors).
    .. [3] Microsoft, "NPV function", Excel support (flows at the end of each period).

    Examples
    --------
    numpy-financial's convention: the first flow is at t = 0 and is not discounted.

    >>> from mutualfin.finance import npv
    >>> round(float(npv(0.05, [-15000, 1500, 2500, 3500, 4500, 6000])), 6)
    122.894855

    Excel's ``=NPV(10%, 500, 1500, 4000, 10000)``: every flow discounted, the first by
    one period.

    >>> round(float(npv(0.10, [500, 1500, 4000, 10000], when="end")), 4)
    11529.6086

    Many scenarios at once, one per row, and a declining rate schedule:

    >>> npv(0.035, [[-100, 60, 60], [-100, 50, 50]]).round(4)
    array([13.9817, -5.0153])
    >>> float(npv([0.035, 0.035, 0.03], [-100, 60, 60]).round(4))
    14.2536
    """
    when = _check_when(when)
    v = _as_values(values)
    n = v.shape[-1]
    if (rate is None) == (discount_factors is None):
        raise InputError(
            "npv needs exactly one of rate and discount_factors; got "
            + ("neither." if rate is None else "both. Drop one of them.")
        )
    if discount_factors is not None:
        df = _as_values(discount_factors, name="discount_factors")
        if (df <= 0).any():
            index = tuple(int(i) for i in np.argwhere(df <= 0)[0])
            raise InputError(
                f"discount_factors{_where(index)} is {float(df[index])!r}; discount factors must "
                "be positive (1 at t=0, falling with time)."
            )
        if df.shape[-1] != n:
            raise InputError(
                f"discount_factors has {df.shape[-1]} periods but values has {n}; "
                "give one factor per period."
            )
    else:
        df = _discount_factors(_as_rate(rate, "rate"), n, when)
    try:
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            result = np.sum(v * df, axis=-1)
    except ValueError as exc:
        what = "discount_factors" if discount_factors is not None else "rate"
        raise InputError(
            f"{what} with shape {np.shape(df)} does not broadcast against values with shape "
            f"{v.shape}; for one rate per scenario pass a column of shape ({v.shape[0]}, 1)."
        ) from exc
    return _scalar_or_array(np.asarray(result))


# --------------------------------------------------------------------------------------
# Root finding shared by irr and xirr
# --------------------------------------------------------------------------------------
#
# Both solve NPV(r) = sum_t v_t (1 + r) ** -tau_t = 0 for r in (-1, inf), with tau_t >= 0
# shared by all rows (t for irr, days / 365 for xirr). Each row is split at r = 0 into two
# halves, and each half is an exponential sum in u >= 0:
#     rates r >= 0, u = log(1 + r):    G(u) = sum_k v[f + k] exp(-u (tau[f + k] - tau[f]))
#     rates r <= 0, u = -log(1 + r):   G(u) = sum_k v[l - k] exp(-u (tau[l] - tau[l - k]))
# where f and l are the row's first and last non-zero flows. G is NPV times the positive
# factor (1 + r) ** tau[f] or (1 + r) ** tau[l], so it has the same roots; no weight exceeds
# 1, so nothing overflows; and zeros before f or after l drop out. In both halves
#     G(u) = sum_k c_k exp(-u kappa_k),   0 = kappa_0 < kappa_1 < ...,   c_0 != 0,
# a polynomial in x = exp(-u) on (0, 1] when the kappa are 0, 1, 2, ... (irr).
#
# Roots are counted before they are looked for, so none is missed:
# 1. Laguerre's rule bounds the number of roots with u > 0 by the sign changes of the partial
#    sums c_0, c_0 + c_1, ... (in finance, Norstrom's criterion), with the same parity. For
#    whole exponents the bound is sharpened by counting the partial sums of the coefficients
#    of (1 + x) ** N G(x) instead (Polya's multiplier adds no root in (0, 1)).
# 2. G is evaluated on a grid; when it shows as many sign changes as the bound allows roots,
#    every root is bracketed, one to a cell.
# 3. Otherwise, for whole exponents and up to 32 terms, the roots are counted cell by cell by
#    Descartes' rule in Bernstein form, and a cell that may hold several is halved (a few
#    times at most): when every cell holds none or one, every root is bracketed.
# 4. Otherwise (a close pair of roots, or a dip of NPV towards zero) the half is subdivided
#    until each cell provably holds no root or exactly one: every term of G and of its first
#    two derivatives is monotone in u, so their positive and negative parts at a cell's ends
#    bound them over the cell (interval arithmetic). A cell is settled when G cannot vanish on
#    it; when G' cannot (G monotone: a root iff the ends differ in sign); or when G'' cannot
#    (G convex or concave, so the tangents at the ends bound it; a dip that may cross zero is
#    split where the tangents meet, which homes in on its extremum like Newton's method).
# 5. Each bracket is refined by a Newton-type step safeguarded by bisection, and a rate is
#    returned only after NPV is checked at the returned double.

_EPS = float(np.finfo(float).eps)

# Grid in u (1 + r = e^u above zero, e^-u below), finest near r = 0 where most rates are,
# out to 1 + r = e^36 either way.
_GRID = np.array([0.0, 0.1, 0.2, 0.3, 0.45, 0.65, 0.9, 1.3, 2.0, 3.5, 7.0, 15.0, 36.0])
_GRID_X = np.exp(-_GRID[1:])  # x = exp(-u) at the grid points after the first
# Polya's multipliers (1 + x)^N tried in turn; rows short enough to be counted in Bernstein
# form (see _BERNSTEIN_MAX_TERMS) use the first only.
_POLYA_POWERS = (4, 16, 64, 256)
# Largest u searched: r up to e^700 (about 1e304), and 1 + r down to 2^-53, the spacing of
# doubles just above -1 (a rate closer to -100% cannot be told apart from -100%).
_U_LIMIT_UP = 700.0
_U_LIMIT_DOWN = 53.0 * math.log(2.0)
_MAX_ITER = 100
_MAX_LEVELS = 200
_MAX_CELLS = 1_000_000
# Roots closer than this (relative, in log(1 + r)) cannot be told apart in double precision,
# as NPV between them is below rounding: they are reported once.
_MERGE_RTOL = 1e-7
# Where NPV is zero to rounding over a stretch of rates (a repeated root, blurred by
# rounding), cells between two such points are not split below this width (relative, in
# log(1 + r)): the stretch is one cluster of roots, reported at its middle.
_CLUSTER_RTOL = 1e-4
# A returned rate must make |NPV| at most this fraction of sum |v_t| (1 + r) ** -tau_t, or
# NPV must change sign between the neighbouring doubles.
_VERIFY_RTOL = 1e-10


@dataclass
class _Half:
    """Halves of rows (r >= 0 or r <= 0) sharing exponents: G(u) per column of ``coef``."""

    coef: np.ndarray  # (m, p): one column per problem, coef[0] != 0
    kappa: np.ndarray  # (m,) exponents, kappa[0] = 0, increasing
    row: np.ndarray  # (p,) the input row each column belongs to
    side: Any  # +1: r = e^u - 1 >= 0;  -1: r = e^-u - 1 <= 0 (or one per column)
    g0: np.ndarray  # (p,) NPV at r = 0, one value for both halves of a row
    count: np.ndarray | None = None  # (p,) Laguerre's bound, if already known
    # (p,) terms from a column's first to its last non-zero coefficient, for whole exponents:
    # what a row alone would have, however long the rows solved beside it (columns are padded
    # with zeros to one length m)
    terms: np.ndarray | None = None

    @functools.cached_property
    def abs_sum(self) -> np.ndarray:
        """sum_k |c_k| per column."""
        return np.abs(self.coef).sum(axis=0)

    def __post_init__(self) -> None:
        m = self.kappa.size
        # whole exponents 0, 1, ..., m - 1: Horner's rule and Polya's multiplier apply
        self.dense = bool(np.array_equal(self.kappa, np.arange(m, dtype=float)))
        self.limit = np.where(np.asarray(self.side) > 0, _U_LIMIT_UP, _U_LIMIT_DOWN)
        if self.dense and self.terms is None:
            self.terms = m - np.argmax(self.coef[::-1] != 0, axis=0)


def _count_sign_changes(vt: np.ndarray) -> np.ndarray:
    """Sign changes down each column of ``vt`` (periods, rows), ignoring zeros (Descartes'
    rule of signs)."""
    negative = vt < 0
    if vt.all():
        return _count_down(negative[1:] != negative[:-1])
    sgn = np.sign(vt)
    # carry the last non-zero sign forward over zeros
    idx = np.where(sgn != 0, np.arange(sgn.shape[0])[:, None], 0)
    np.maximum.accumulate(idx, axis=0, out=idx)
    filled = np.take_along_axis(sgn, idx, axis=0)
    return np.count_nonzero((filled[1:] * filled[:-1]) < 0, axis=0)


def _count_down(mask: np.ndarray) -> np.ndarray:
    """True values down each column of a 2-D ``mask`` (np.count_nonzero along the first axis
    is 7x slower than adding its rows as bytes, which cannot overflow below 128 rows)."""
    if mask.shape[0] >= 128:
        return np.count_nonzero(mask, axis=0)
    return _down(mask.view(np.int8)).astype(np.intp)


def _down(a: np.ndarray) -> np.ndarray:
    """Sums down the columns of ``a``, row after row: the same order of additions for a
    column whatever the number of columns (numpy's ``sum`` adds one column of a contiguous
    array pairwise, several row by row), so that a row's rate does not move in its last
    digit with the rows solved beside it."""
    out = a[0].copy()
    for row in a[1:]:
        out += row
    return out


def _halves(vt: np.ndarray, tau: np.ndarray, rows: np.ndarray) -> list[_Half]:
    """Split the columns of ``vt`` (periods, rows; each with a sign change) into their
    r >= 0 and r <= 0 halves.

    With whole-period times (irr) every row is shifted to start at its first (or last)
    non-zero flow, giving one batch per half; otherwise rows are grouped by that flow.
    """
    n = vt.shape[0]
    padded = not vt[0].all() or not vt[-1].all()
    dense = np.array_equal(tau, np.arange(n, dtype=float))
    if dense and not padded:
        # Laguerre's bounds for both halves from one running sum S_j of the flows: the upper
        # half's partial sums are S_0, ..., S_(n-1) = NPV(0), the lower half's NPV(0) - S_j.
        # Each is certain when it exceeds its rounding bound (3 (2n + 8) eps sum|v|).
        abs_sum = np.abs(vt[0])
        for j in range(1, n):
            abs_sum += np.abs(vt[j])
        size = abs_sum * ((2 * n + 8) * _EPS)
        g0 = _down(vt)
        running = vt[0].copy()
        sure = np.abs(g0) > size
        up = np.zeros(rows.size, dtype=int)
        down = np.zeros(rows.size, dtype=int)
        neg_up = running < 0
        neg_down = g0 < 0
        big = 3.0 * size
        for j in range(n - 1):
            if j:
                running += vt[j]
            rest = g0 - running
            sure &= np.abs(running) > size
            sure &= np.abs(rest) > big
            now = running < 0
            up += now != neg_up
            neg_up = now
            now = rest < 0
            down += now != neg_down
            neg_down = now
        up += neg_up != (g0 < 0)
        # a sign hidden by rounding leaves the count unknown (-1), checked the slow way
        up[~sure] = -1
        down[~sure] = -1
        kappa = tau.copy()
        halves = [
            _Half(vt, kappa, rows, 1, g0, up, np.full(rows.size, n)),
            _Half(vt[::-1], kappa, rows, -1, g0, down, np.full(rows.size, n)),  # (a view)
        ]
        for half in halves:
            half.abs_sum = abs_sum  # (sets the cached property)
        return halves
    g0 = _down(vt)
    nonzero = vt != 0
    first = np.argmax(nonzero, axis=0)
    last = n - 1 - np.argmax(nonzero[::-1], axis=0)
    if dense:
        width = int((last - first).max()) + 1
        k = np.arange(width)[:, None]
        out = []
        for side, idx in ((1, first + k), (-1, last - k)):
            ok = (idx >= 0) & (idx < n)
            coef = np.where(ok, np.take_along_axis(vt, np.clip(idx, 0, n - 1), axis=0), 0.0)
            kappa = np.arange(width, dtype=float)
            out.append(_Half(coef, kappa, rows, side, g0, terms=last - first + 1))
        return out
    out = []
    for side, start in ((1, first), (-1, last)):
        for s in np.unique(start):
            sel = np.flatnonzero(start == s)
            if side > 0:
                coef, kappa = _take(vt[s:], sel), tau[s:] - tau[s]
            else:
                coef, kappa = _take(vt[s::-1], sel), tau[s] - tau[s::-1]
            used = int(np.flatnonzero((coef != 0).any(axis=1))[-1]) + 1
            out.append(_Half(coef[:used], kappa[:used], rows[sel], side, g0[sel]))
    return out


# ---- evaluation ------------------------------------------------------------------------


def _side(half: _Half, cols: np.ndarray):
    """The half's side (+1 or -1) for columns ``cols``: one number, or one per column for a
    batch of several halves' columns (see :func:`_solve`)."""
    return half.side if np.isscalar(half.side) else half.side[cols]


def _take(a: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Columns ``cols`` of ``a`` as a C-ordered array (a[:, cols] comes out Fortran-ordered),
    or as rows in reverse for a view with its rows in reverse (the r <= 0 half of whole-period
    rows): taken from that view, np.take would first copy all of it."""
    if a.ndim > 1 and a.strides[0] < 0:
        return np.take(a[::-1], cols, axis=-1)[::-1]
    return np.take(a, cols, axis=-1)


def _product(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """a @ b into ``out``, in blocks of columns small enough (about 1e5 multiply-adds) that
    BLAS does each on one thread: for these shapes starting threads costs far more than the
    product, and many times more again on a busy machine (measured: 0.05 ms in blocks,
    10-20 ms in one call with another process running)."""
    step = max(1, 100_000 // max(a.shape[0] * a.shape[1], 1))
    for i in range(0, b.shape[1], step):
        np.matmul(a, b[:, i : i + step], out=out[:, i : i + step])
    return out


def _weights(kappa: np.ndarray, u: np.ndarray) -> np.ndarray:
    """exp(-u kappa), shape (m, k) for points u of shape (k,)."""
    return np.exp(-kappa[:, None] * u[None, :])


def _horner(stack: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_j stack[j] x^j for a (m, s, k) stack of coefficient sets, by Horner's rule."""
    acc = stack[-1].copy()
    for j in range(stack.shape[0] - 2, -1, -1):
        acc *= x
        acc += stack[j]
    return acc


def _moments(coef: np.ndarray, kappa: np.ndarray, orders: tuple[int, ...]) -> np.ndarray:
    """(m, len(orders), k): coef * kappa**q for each order q, stacked for :func:`_sums`."""
    return np.stack([coef * kappa[:, None] ** q if q else coef for q in orders], axis=1)


def _sums(stack: np.ndarray, kappa: np.ndarray, dense: bool, u: np.ndarray) -> np.ndarray:
    """sum_k stack[k] exp(-u kappa_k) for each set in the (m, s, k) stack: shape (s, k)."""
    if dense:
        return _horner(stack, np.exp(-u))
    return np.einsum("msk,mk->sk", stack, _weights(kappa, u))


# ---- counting: Laguerre's rule with Polya's multiplier ---------------------------------


@functools.lru_cache(maxsize=64)
def _polya_sums_matrix(m: int, power: int) -> np.ndarray:
    """(m + power, m): the partial sums of the coefficients of (1 + x)**power G(x)."""
    out = np.zeros((m + power, m))
    partial = [0]
    for j in range(power + 1):
        partial.append(partial[-1] + math.comb(power, j))  # exact integers, rounded once
    for k in range(m):
        out[k : k + power + 1, k] = partial[1:]
        out[k + power + 1 :, k] = partial[-1]
    out.setflags(write=False)
    return out


def _laguerre_count(coef: np.ndarray, power: int = 0) -> np.ndarray:
    """Upper bound on the roots with u > 0 per column, or -1 where rounding hides a sign.

    The sign changes of the partial sums of the coefficients of (1 + x)**power G(x), in order
    of exponent (for ``power`` > 0 the exponents must be 0, 1, ..., m - 1). A partial sum
    within its rounding bound of zero makes the count unknown.
    """
    m, p = coef.shape
    gamma = (2 * (m + power) + 8) * _EPS
    mat = _polya_sums_matrix(m, power)
    sums = _product(mat, coef, np.empty((m + power, p)))
    if power > 16:  # the partial sums grow from 1 to 2**power: bound each one
        bound = _product(mat, np.abs(coef), np.empty((m + power, p)))
        bound *= gamma
    else:
        bound = np.abs(coef).sum(axis=0)  # times 2**power bounds every partial sum of |.|
        bound *= gamma * 2.0**power
    certain = (np.abs(sums) > bound).all(axis=0)
    neg = sums < 0
    count = _count_down(neg[1:] != neg[:-1])
    return np.where(certain, count, -1)


# ---- counting in a cell: Descartes' rule for the Bernstein form ----------------------------
#
# With whole exponents G is a polynomial P(x) = sum_j c_j x^j in x = exp(-u) (0 < x <= 1).
# Written on a cell x_lo <= x <= x_hi in the Bernstein basis C(n, i) t^i (1 - t)^(n - i),
# x = x_lo + (x_hi - x_lo) t, n = m - 1, the sign changes V of its coefficients bound the
# roots inside the cell, with their parity (Descartes' rule of signs for the Bernstein form):
# V = 0, no root; V = 1, exactly one, simple. Halving a cell separates close roots, V falling
# to the number of roots once the cell is small beside the distance to the nearest complex
# roots (Mourrain, Rouillier and Roy, irr's reference [8]). The map from c to the Bernstein
# coefficients has no negative entry (x_lo >= 0), so each computed coefficient is within a
# few (m + 2) eps of that map applied to |c|, and one larger than that has a certain sign.

_BERNSTEIN_LEVELS = 6  # halvings of a grid cell before it is left to the interval subdivision
# Longest rows (periods from the first non-zero flow to the last) counted in Bernstein form:
# its cost grows as their cube, and for 120 periods it was three times that of the Polya
# counts and interval subdivision it replaces.
_BERNSTEIN_MAX_TERMS = 32


@functools.lru_cache(maxsize=64)
def _to_bernstein(m: int) -> tuple[np.ndarray, ...]:
    """For degree n = m - 1: (m, m) binomials C(j, s) and powers j - s (0 for s > j), row s,
    column j; and (m, m) C(i, s) / C(n, s), which takes the coefficients of a polynomial in t
    to its Bernstein coefficients."""
    n = m - 1
    binom = np.array([[math.comb(j, s) for j in range(m)] for s in range(m)], dtype=float)
    shift = np.array([[max(j - s, 0) for j in range(m)] for s in range(m)])
    basis = np.array([[math.comb(i, s) / math.comb(n, s) for s in range(m)] for i in range(m)])
    for a in (binom, shift, basis):
        a.setflags(write=False)
    return binom, shift, basis


def _bernstein_maps(m: int, x_lo: np.ndarray, x_hi: np.ndarray) -> np.ndarray:
    """(k, m, m): for each cell [x_lo, x_hi] in [0, 1], the map from the power coefficients
    c_j of P to its Bernstein coefficients on the cell. Every entry is in [0, 1] (those of
    x^j lie between x_lo^j and x_hi^j), each to a few (m + 2) ulps (sums of products of
    positive numbers)."""
    binom, shift, basis = _to_bernstein(m)
    e = np.arange(m)
    lo_pow = x_lo[:, None] ** e  # (k, m)
    h_pow = (x_hi - x_lo)[:, None] ** e
    # (x_lo + h t)^j = sum_s C(j, s) x_lo^(j - s) h^s t^s: row s, column j
    taylor = binom * lo_pow[:, shift] * h_pow[:, :, None]
    return np.matmul(basis, taylor)


@functools.lru_cache(maxsize=64)
def _grid_bernstein_maps(m: int) -> np.ndarray:
    """(K m, m): the maps of :func:`_bernstein_maps` for the grid's K cells in u, the last one
    the tail beyond the grid's end (0 < x <= exp(-u) there), stacked for one product."""
    x = np.concatenate([[1.0], _GRID_X])  # x at the grid points, as the grid evaluates them
    maps = _bernstein_maps(m, np.append(x[1:], 0.0), x).reshape(-1, m)
    maps.setflags(write=False)
    return maps


def _variations(b: np.ndarray, bound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sign changes down axis 1 of the Bernstein coefficients ``b``, and whether every sign is
    certain (|b| above ``bound``, its rounding bound: the map's entries are at most 1, so each
    coefficient is within a few (m + 2) eps times sum_j |c_j| of the true one)."""
    certain = np.abs(b).min(axis=1) > bound
    neg = b < 0
    return (neg[:, 1:] != neg[:, :-1]).view(np.int8).sum(axis=1), certain


def _bernstein_roots(half: _Half, cols: np.ndarray, change: np.ndarray, m: int):
    """Count the roots of a dense half's columns ``cols`` cell by cell, halving the grid's
    cells that may hold several, for columns whose count the grid did not meet.

    ``change`` (K, q) marks the grid's sign changes, cell by cell. A column is settled when
    every cell provably holds no root or one: where the grid's bracket (or its absence) then
    stands, and each halved cell with one root is a new bracket. Returns which columns are
    settled, which of their grid cells stand (K, q), and the new brackets (position in
    ``cols``, a, b, G(a), G(b)); the rest are left to :func:`_isolate`, which also finds
    roots where NPV only touches zero (V stays 2 however small the cell). The columns have
    ``m`` terms (any after are padding zeros).
    """
    coef = _take(half.coef, cols)[:m]
    q = coef.shape[1]
    # rounding in the map, the product and Horner's rule at the cell's ends (see below)
    bound = np.abs(coef).sum(axis=0)
    bound *= 16.0 * (m + 2) * _EPS
    maps = _grid_bernstein_maps(m)
    bern = _product(maps, coef, np.empty((maps.shape[0], q))).reshape(-1, m, q)
    var, certain = _variations(bern, bound)
    one_or_none = var <= 1
    # a cell with one root or none agrees with the grid (for the tail, a root beyond the
    # half's limit does not: it is left to _isolate, which names it)
    settled = (certain & np.where(one_or_none, var == change, True)).all(axis=0)
    settled &= one_or_none[-1]
    cell, col = np.nonzero(~one_or_none[:-1] & settled)
    a, b = _GRID[cell], _GRID[cell + 1]
    new_col, new_a, new_b = [col[:0]], [a[:0]], [b[:0]]
    for _level in range(_BERNSTEIN_LEVELS):
        if not col.size:
            break
        mid = 0.5 * (a + b)
        a, b, col = np.concatenate([a, mid]), np.concatenate([mid, b]), np.concatenate([col, col])
        maps = _bernstein_maps(m, np.exp(-b), np.exp(-a))
        var, certain = _variations(np.matmul(maps, coef.T[col][:, :, None])[..., 0], bound[col])
        settled[col[~certain]] = False
        one = certain & (var == 1)
        new_col.append(col[one])
        new_a.append(a[one])
        new_b.append(b[one])
        more = certain & (var >= 2)
        more &= settled[col]
        a, b, col = a[more], b[more], col[more]
    settled[col] = False  # cells still holding several roots: left to _isolate
    # brackets of the settled columns, with G at their ends as the refinement evaluates it
    new_col, new_a, new_b = (np.concatenate(z) for z in (new_col, new_a, new_b))
    if new_col.size:
        mine = settled[new_col]
        new_col, new_a, new_b = new_col[mine], new_a[mine], new_b[mine]
    both = np.concatenate([new_col, new_col])
    g = _g_scale(_take(coef, both), half.kappa[:m], True, np.concatenate([new_a, new_b]))[0]
    ga, gb = g[: new_col.size], g[new_col.size :]
    # (certain signs of the Bernstein coefficients make the ends' signs certain too; a
    # disagreement would mean a bound too small, and the column goes the slow way)
    odd = (ga == 0) | (gb == 0) | ((ga > 0) == (gb > 0))
    settled[new_col[odd]] = False
    mine = settled[new_col]
    stands = np.ones(change.shape, dtype=bool)
    stands[:-1] = one_or_none[:-1]
    return settled, stands, (new_col[mine], new_a[mine], new_b[mine], ga[mine], gb[mine])


# ---- bracketing on the grid --------------------------------------------------------------


def _tail_bound(coef: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """A u beyond which |c_0| outweighs all other terms, so G has the sign of c_0 (per column)."""
    a0 = np.abs(coef[0])
    rest = np.abs(coef[1:])
    terms = np.maximum(np.count_nonzero(rest, axis=0), 1)
    with np.errstate(divide="ignore"):
        t = np.log(terms * rest / a0) / kappa[1:, None]
    return t.max(axis=0, initial=0.0) * (1.0 + 1e-9) + 1e-9


def _grid_brackets(half: _Half, idx: np.ndarray):
    """Sign changes of G along the grid, for columns ``idx``.

    Returns the number of sign changes per column (-1 where G is exactly zero at a grid
    point: left to :func:`_isolate`), where they are ((K, p): cell by cell, the last cell
    the tail), the cell of each bracket, and the brackets (position in ``idx``, a, b, G(a),
    G(b)). The last cell runs from the grid's end to where |c_0| outweighs the other terms
    (or to the half's limit), so every root with u > 0 below the limit is in some cell.
    """
    coef = _take(half.coef, idx)
    p = idx.size
    grid = _GRID
    vals = np.empty((grid.size + 1, p))
    vals[0] = half.g0[idx]
    # coefficient by coefficient, so that each column's sums are added in the same order
    # whatever the batch (a BLAS product's order depends on the number of columns, and a
    # row's rate would then move in its last digit with its neighbours)
    inner = vals[1:-1]
    if half.dense:  # Horner's rule in place: no temporaries (3x faster than the sums below)
        inner[...] = coef[-1]
        for j in range(coef.shape[0] - 2, -1, -1):
            inner *= _GRID_X[:, None]
            inner += coef[j]
    else:
        w = _weights(half.kappa, grid[1:])
        np.multiply(w[0][:, None], coef[0], out=inner)
        for j in range(1, coef.shape[0]):
            inner += w[j][:, None] * coef[j]
    vals[-1] = coef[0]  # the sign of G beyond the tail bound
    ends = np.full(p, grid[-1])
    a0 = np.abs(coef[0])
    # beyond the grid's end the first term outweighs the rest unless (crudely) it may not
    rest = (half.abs_sum[idx] - a0) * math.exp(-grid[-1] * half.kappa[1])
    far = np.flatnonzero(rest >= a0 * (1 - 1e-9))
    if far.size:  # |c_0| does not yet dominate at the grid's end: look further out
        ends[far] = np.maximum(
            np.minimum(_tail_bound(coef[:, far], half.kappa), half.limit), grid[-1]
        )
        vals[-1, far] = _sums(coef[:, None, far], half.kappa, False, ends[far])[0]
    neg = vals < 0
    change = neg[1:] != neg[:-1]
    found = change.sum(axis=0, dtype=np.int16)
    if not vals.all():
        found[(vals == 0).any(axis=0)] = -1
    # one sign change (the usual case): its cell is where it is, after the points with the
    # first point's sign (a sum down the columns: argmax down them is 10x slower); several:
    # all of them
    j = np.flatnonzero(found == 1)
    g = _down((neg == neg[0]).view(np.int8))[j].astype(np.intp) - 1
    multi = np.flatnonzero(found > 1)
    if multi.size:  # several: all of them
        g_m, j_m = np.nonzero(change[:, multi])
        g, j = np.concatenate([g, g_m]), np.concatenate([j, multi[j_m]])
    a = grid[g]
    b = np.where(g + 1 < grid.size, grid[np.minimum(g + 1, grid.size - 1)], ends[j])
    flat = vals.ravel()
    ga, gb = flat[g * p + j], flat[(g + 1) * p + j]
    return found, change, g, (j, a, b, ga, gb)


# ---- isolating roots by subdivision --------------------------------------------------------


def _isolate(half: _Half, idx: np.ndarray):
    """Every root of G with u >= 0 for columns ``idx``, by certified subdivision.

    Returns brackets (position in ``idx``, a, b, G(a), G(b)) each holding one root, roots
    found at points (position, u), and per column whether NPV changes sign beyond the
    half's limit and whether the search hit its work cap.
    """
    p = idx.size
    if not p:
        empty_i, empty_f = np.zeros(0, dtype=int), np.zeros(0)
        none = np.zeros(0, dtype=bool)
        return (empty_i, empty_f, empty_f, empty_f, empty_f), (empty_i, empty_f), none, none
    kappa = half.kappa
    m = kappa.size
    kmax = float(kappa[-1])
    coef = _take(half.coef, idx)
    pos = np.maximum(coef, 0.0)
    neg = np.maximum(-coef, 0.0)
    # positive and negative parts of G, -G' and G'': every term is monotone in u
    parts = np.concatenate([_moments(pos, kappa, (0, 1, 2)), _moments(neg, kappa, (0, 1, 2))], 1)
    parts = parts[:, [0, 3, 1, 4, 2, 5]]  # G+, G-, D+, D-, Q+, Q-

    def data_at(cols: np.ndarray, u: np.ndarray) -> np.ndarray:
        """(6, k): the six monotone sums at points u, one per column in ``cols``."""
        return _sums(_take(parts, cols), kappa, half.dense, u)

    grid = _GRID
    on_grid = np.einsum("mk,msp->ksp", _weights(kappa, grid), parts)  # (K, 6, p)
    # past the first grid point where |c_0| outweighs all other terms G keeps the sign of c_0
    a0 = np.abs(coef[0])
    rest = on_grid[:, 0] + on_grid[:, 1] - a0
    beaten = rest * (1.0 + 8.0 * _EPS * (m + 2 + grid[:, None] * kmax)) < a0
    u_end = np.where(beaten.any(axis=0), grid[np.argmax(beaten, axis=0)], np.inf)
    limit = half.limit if half.limit.ndim == 0 else half.limit[idx]
    u_end = np.minimum(u_end, np.minimum(_tail_bound(coef, kappa), limit))
    # starting cells: the grid points below each column's u_end, then u_end itself
    gp, gg = np.nonzero(grid[None, :] < u_end[:, None])  # grid[0] = 0 < u_end
    n_grid = gp.size
    pt_u = np.concatenate([grid[gg], u_end])
    pt_col = np.concatenate([gp, np.arange(p)])
    pt_data = np.concatenate([on_grid[gg, :, gp].T, data_at(np.arange(p), u_end)], axis=1)
    pt_g = pt_data[0] - pt_data[1]
    pt_g[:n_grid][gg == 0] = half.g0[idx][gp[gg == 0]]  # NPV at r = 0: one value per row
    left = np.arange(n_grid)
    right = np.where(np.append(gp[1:] != gp[:-1], True), n_grid + gp, left + 1)

    def is_zero(u: np.ndarray, g: np.ndarray, data: np.ndarray) -> np.ndarray:
        """|G| within twice the rounding allowance of the certificates: zero to rounding."""
        return np.abs(g) <= 16.0 * _EPS * (m + 2 + u * kmax) * (data[0] + data[1])

    pt_z = is_zero(pt_u, pt_g, pt_data)
    brackets: list[tuple] = [(pt_col[:0], pt_u[:0], pt_u[:0], pt_u[:0], pt_u[:0])]
    touch_col, touch_u = [], []
    incomplete = np.zeros(p, dtype=bool)
    cells = left.size
    h_floor = 1e-12 / max(kmax, 1.0)

    for _level in range(_MAX_LEVELS):
        if not left.size:
            break
        col = pt_col[left]
        a, b = pt_u[left], pt_u[right]
        ga, gb = pt_g[left], pt_g[right]
        za, zb = pt_z[left], pt_z[right]
        fpa, fna, dpa, dna, qpa, qna = pt_data[:, left]
        fpb, fnb, dpb, dnb, qpb, qnb = pt_data[:, right]
        h = b - a
        eta = 8.0 * _EPS * (m + 2 + b * kmax)  # rounding in the sums and the exponentials
        up = 1.0 + eta
        excl = (fpb > fna * up) | (fnb > fpa * up)  # G has one sign on the cell
        mono = (dpb > dna * up) | (dnb > dpa * up)  # G' has one sign
        convex = qpb > qna * up  # G'' > 0
        concave = qnb > qpa * up  # G'' < 0
        change = (ga >= 0) != (gb >= 0)
        sigma = np.where(ga >= 0, 1.0, -1.0)
        curved = ~change & ~excl & ~mono & (convex | concave)
        # bending towards zero between two ends of one sign: H = sigma G is then convex with
        # positive ends, so its tangents at the ends bound it from below
        toward = curved & (convex == (sigma > 0))
        hpa = sigma * (dna - dpa)
        hpb = sigma * (dnb - dpb)
        dip = toward & (hpa < 0) & (hpb > 0)
        ha, hb = sigma * ga, sigma * gb
        t = np.where(dip, (hb - ha + hpa * a - hpb * b) / (hpa - hpb), 0.5 * (a + b))
        t = np.clip(t, a, b)
        low = np.minimum(ha + hpa * (t - a), hb + hpb * (t - b))
        err = eta * (fpa + fna + fpb + fnb + h * (dpa + dna + dpb + dnb))
        # ends whose signs are known: the certificates decide. Also, G is within
        # h^2/8 max|G''| of the chord between the ends, and |G''| <= sum |c| kappa^2 e^(-a kappa)
        short = _MERGE_RTOL * (1.0 + b)
        sure = ~za & ~zb
        bracket = sure & change & (excl | mono | convex | concave | (h <= short))
        done = bracket | (sure & ~change & (excl | mono))
        done |= sure & ((curved & ~dip) | (dip & (low > err)))
        chord = np.minimum(sigma * ga, sigma * gb)
        done |= sure & ~change & (chord > 0.125 * h * h * (qpa + qna) + err)
        # too short to split, with no sign change and no certificate: G could not be told
        # from zero across the cell (|G| <= (h kappa_max + eta) sum|c|), so NPV touches zero
        touch = sure & ~change & ~done & (h <= np.maximum(h_floor, 16.0 * _EPS * (1.0 + b)))
        done |= touch
        # an end where G is zero to rounding stands for the roots near it (a cluster). Between
        # two such ends the cell is inside the cluster once it is short; next to a known sign,
        # the cell is done when G is monotone with the crossing within 1e-7 of the zero end
        # (|G'| is at least `slope` on the cell), or when the cell is that short
        both = za & zb
        done |= ~sure & excl
        done |= both & (h <= _CLUSTER_RTOL * (1.0 + b))
        slope = np.maximum(dpb - dna, dnb - dpa)
        err_z = np.where(za, np.abs(ga), np.abs(gb)) + err
        done |= (za ^ zb) & ((mono & (err_z <= slope * short)) | (h <= short))
        split = ~done
        cells += 2 * int(np.count_nonzero(split))
        if cells > _MAX_CELLS:  # pragma: no cover - a guard; no input seen comes near it
            incomplete[np.unique(col[split])] = True
            bracket |= split & change
            split[:] = False
        brackets.append((col[bracket], a[bracket], b[bracket], ga[bracket], gb[bracket]))
        touch_col.append(col[touch])
        touch_u.append(np.where(np.abs(ga) <= np.abs(gb), a, b)[touch])
        if not split.any():
            break
        # split a dip where the tangents meet (near the extremum), anything else halfway
        mid = np.where(dip, np.clip(t, a + h / 16, b - h / 16), 0.5 * (a + b))[split]
        scol = col[split]
        new_data = data_at(scol, mid)
        new_g = new_data[0] - new_data[1]
        new_idx = pt_u.size + np.arange(mid.size)
        pt_u = np.concatenate([pt_u, mid])
        pt_col = np.concatenate([pt_col, scol])
        pt_data = np.concatenate([pt_data, new_data], axis=1)
        pt_g = np.concatenate([pt_g, new_g])
        pt_z = np.concatenate([pt_z, is_zero(mid, new_g, new_data)])
        left, right = (
            np.concatenate([left[split], new_idx]),
            np.concatenate([new_idx, right[split]]),
        )
    else:  # pragma: no cover - the floor on cell width ends the subdivision first
        incomplete[np.unique(pt_col[left])] = True

    # a run of neighbouring points where G is zero to rounding is one cluster of roots (a
    # repeated root blurred by rounding, or a root on a grid point). If G has known and
    # opposite signs on either side, the run brackets a sign change, refined like any other;
    # otherwise NPV touches zero there: report the point of the run where |G| is least
    # (runs are taken generously, with |G| up to four times that, so a stretch whose NPV
    # hovers about the limit is not split into several)
    order = np.lexsort((pt_u, pt_col))
    zc, zu, zg = pt_col[order], pt_u[order], pt_g[order]
    z = is_zero(zu, zg / 4.0, pt_data[:, order])
    same = np.insert((zc[1:] == zc[:-1]) & z[1:] & z[:-1], 0, False)
    starts = np.flatnonzero(z & ~same)
    ends = np.flatnonzero(z & ~np.append(same[1:], False))
    before, after = np.maximum(starts - 1, 0), np.minimum(ends + 1, zc.size - 1)
    crossing = (starts > 0) & (ends < zc.size - 1)
    crossing &= (zc[before] == zc[starts]) & (zc[after] == zc[starts])
    crossing &= ~z[before] & ~z[after] & ((zg[before] >= 0) != (zg[after] >= 0))
    sb, sa = before[crossing], after[crossing]
    brackets.append((zc[sb], zu[sb], zu[sa], zg[sb], zg[sa]))
    in_z = np.flatnonzero(z)
    run = np.cumsum(np.isin(in_z, starts)) - 1
    by_size = np.lexsort((np.abs(zg[in_z]), run))
    best = in_z[by_size][np.diff(run[by_size], prepend=-1) != 0][~crossing]
    at_points = (
        np.concatenate([zc[best], *touch_col]),
        np.concatenate([zu[best], *touch_u]),
    )

    # an odd number of roots beyond the limit if G there differs in sign from c_0
    at_end = pt_g[n_grid : n_grid + p]
    beyond = (u_end >= limit) & ((at_end >= 0) != (coef[0] >= 0))
    cat = np.concatenate
    return (
        tuple(cat([br[i] for br in brackets]) for i in range(5)),
        at_points,
        beyond,
        incomplete,
    )


# ---- refining brackets -------------------------------------------------------------------
#
# Everything below runs under irr's and xirr's np.errstate (all floating-point warnings off):
# a step may divide by a vanishing slope or take the logarithm of a negative number, and its
# result is then rejected by the bracket or np.isfinite rather than trapped.


def _fitted_step(x, g, d1, d2):
    """Newton's step fitted to an exponential, from G = g, G' = -d1, G'' = d2 at x.

    It solves A + B exp(-lam (u - x)) = 0 for the model matching G, G' and G'' at x
    (lam = -G''/G'): exact for two-term sums c_0 + c_k exp(-kappa_k u), the shape of G far
    out; Newton's step as lam -> 0; and cubically convergent near a simple root.
    """
    step = g / d1  # Newton's step -G/G'
    lam = d2 / d1
    z = -lam * step
    move = np.log1p(z)
    move /= lam
    np.negative(move, out=move)
    near = ~(np.abs(z) > 1e-8)  # (and NaN) the series, without cancellation
    if near.any():
        move[near] = step[near] * (1.0 - 0.5 * z[near])
    move += x
    return move


def _verify(half: _Half, cols: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Whether each rate ``r`` (a double) is a root of its column: |NPV| small against the
    discounted size of the flows, or NPV changing sign between the neighbouring doubles."""
    if not cols.size:
        return np.zeros(0, dtype=bool)
    coef = _take(half.coef, cols)
    side = _side(half, cols)
    g, scale = _g_scale(coef, half.kappa, half.dense, None, _x_of_rate(r, side))
    ok = np.abs(g) <= _VERIFY_RTOL * scale
    bad = np.flatnonzero(~ok & (r > -1))
    if bad.size:
        lo = np.nextafter(r[bad], -np.inf)
        hi = np.nextafter(r[bad], np.inf)
        twice = np.r_[bad, bad]
        twice_side = np.r_[side[bad], side[bad]] if np.ndim(side) else side
        u2 = twice_side * np.log1p(np.r_[lo, hi])
        g2 = _g_scale(_take(coef, twice), half.kappa, False, u2)[0]
        ok[bad] = (lo > -1) & (np.sign(g2[: bad.size]) * np.sign(g2[bad.size :]) <= 0)
    return ok & (r > -1)


def _g_slopes(coef: np.ndarray, kappa: np.ndarray, dense: bool, u: np.ndarray):
    """G, -G' and G'' at u (one point per column of ``coef``)."""
    if not dense:
        w = _weights(kappa, u) * coef
        kw = kappa[:, None] * w
        return _down(w), _down(kw), _down(kappa[:, None] * kw)
    # Horner's rule for p(x) = sum_j c_j x^j and its derivatives p1 = p', p2 = p''/2
    x = np.exp(-u)
    p = coef[-1].copy()
    p1 = np.zeros_like(p)
    p2 = np.zeros_like(p)
    for j in range(coef.shape[0] - 2, -1, -1):
        p2 *= x
        p2 += p1
        p1 *= x
        p1 += p
        p *= x
        p += coef[j]
    p1 *= x  # -G' = x p'(x)
    p2 *= 2.0 * x * x
    p2 += p1  # G'' = x p'(x) + x^2 p''(x)
    return p, p1, p2


def _x_of_rate(r: np.ndarray, side) -> np.ndarray:
    """x = exp(-u) for the double rate r itself: 1 / (1 + r) above zero, 1 + r below."""
    if np.isscalar(side):
        return 1.0 / (1.0 + r) if side > 0 else 1.0 + r
    return np.where(np.asarray(side) > 0, 1.0 / (1.0 + r), 1.0 + r)


def _g_scale(coef: np.ndarray, kappa: np.ndarray, dense: bool, u, x=None):
    """G and sum |c_k| exp(-u kappa_k) at u, or at x = exp(-u) (one point per column)."""
    if not dense:
        w = _weights(kappa, -np.log(x) if u is None else u)
        return _down(coef * w), _down(np.abs(coef) * w)
    x = np.exp(-u) if x is None else x
    g = coef[-1].copy()
    s = np.abs(g)
    for j in range(coef.shape[0] - 2, -1, -1):
        g *= x
        g += coef[j]
        s *= x
        s += np.abs(coef[j])
    return g, s


def _safe_step(x, g, d1, d2, a, b, before=None):
    """One safeguarded step from x, in the bracket [a, b] (already shrunk with the sign of G
    at x): the fitted Newton step, or Newton's if that leaves the bracket, or bisection.

    As in Numerical Recipes' ``rtsafe``, a step longer than half the step ``before`` the last
    one (if given) is replaced by bisection, so that steps that do not shrink (Newton's
    method crawling towards a root far away, where one term of G dwarfs the rest) cannot use
    up the iterations. (A step that rounds to nothing may land on an end of the bracket.)
    """
    x_new = _fitted_step(x, g, d1, d2)
    out = np.flatnonzero(~((x_new >= a) & (x_new <= b)))  # (and NaN)
    if out.size:
        newton = x[out] + g[out] / d1[out]
        inside = (newton >= a[out]) & (newton <= b[out])
        x_new[out] = np.where(inside, newton, 0.5 * (a[out] + b[out]))
    if before is not None:
        slow = np.flatnonzero(2.0 * np.abs(x_new - x) > before)
        x_new[slow] = 0.5 * (a[slow] + b[slow])
    zero = np.flatnonzero(g == 0)
    x_new[zero] = x[zero]
    return x_new


def _converged(g, scale, r, x_prev, x, x_new, tight, slope=None):
    """Whether the step to x_new ends the search (the error left is below 1e-15, or the step
    is within what rounding in G allows, and NPV at the double returned is within rounding
    of zero), and whether the step is at the rounding floor of x_new."""
    e1, e2 = np.abs(x - x_prev), np.abs(x_new - x)
    q = e2 / e1
    left = e2 * q * q * q
    small = (e2 == 0) | (left <= 1e-15 * np.maximum(1.0, np.abs(x_new)))
    if slope is not None:
        small |= e2 <= 4.0 * tight * scale / np.abs(slope)
    floor = e2 <= 4.0 * _EPS * np.maximum(1.0, np.abs(x_new))
    return small & (np.abs(g) <= tight * scale) & (r > -1), floor


def _refine(half: _Half, cols, a, b, ga, gb) -> tuple[np.ndarray, np.ndarray]:
    """The root in each bracket [a, b] (G(a) G(b) <= 0), one per entry of ``cols``, and
    whether it passed the check at the returned rate.

    Fitted Newton steps from the secant point, each safeguarded (:func:`_safe_step`): the
    bracket shrinks with the sign of G at every point evaluated, and a step leaving it falls
    back to Newton's, then to bisection (clipping a step to the bracket instead left a
    root near an end to many bisections). The method converges cubically, so after a step
    of size e2 that followed one of size e1 the error left is about e2 (e2 / e1)^3; a root is
    accepted when that is below 1e-15 (relative) and NPV at the returned double is within
    rounding of zero (a few units in the last place of the flows' discounted size). Almost
    every bracket needs two steps, most of the rest three; after ``_MAX_ITER`` steps the
    looser check of :func:`_verify` judges.
    """
    k = cols.size
    u = np.empty(k)
    good = np.zeros(k, dtype=bool)
    tight = 32.0 * (half.kappa.size + 4) * _EPS

    exact = (ga == 0) | (gb == 0)
    if exact.any():
        u[exact] = np.where(ga[exact] == 0, a[exact], b[exact])
        live = np.flatnonzero(~exact)
        a, b, ga, gb = a[live], b[live], ga[live], gb[live]
    else:
        live = np.arange(k)
    coef = _take(half.coef, cols[live])
    kappa, dense = half.kappa, half.dense
    side = _side(half, cols[live])
    # start from the secant in exp(-u), in which G is nearly linear far out, written as a
    # weighted mean of the ends (weights of one sign: no cancellation when |G(a)| is many
    # orders of magnitude above |G(b)|)
    wa, wb = gb / (gb - ga), ga / (ga - gb)
    x0 = -np.log(wa * np.exp(-a) + wb * np.exp(-b))
    x0 = np.where((x0 > a) & (x0 < b), x0, 0.5 * (a + b))
    # two steps for every bracket (no step before them to limit their length), then the check
    g, d1, d2 = _g_slopes(coef, kappa, dense, x0)
    right = (g >= 0) == (ga >= 0)  # G(x) has the sign of G(a): the root is to the right
    a, b = np.where(right, x0, a), np.where(right, b, x0)
    x1 = _safe_step(x0, g, d1, d2, a, b)
    g, d1, d2 = _g_slopes(coef, kappa, dense, x1)
    right = (g >= 0) == (ga >= 0)
    a, b = np.where(right, x1, a), np.where(right, b, x1)
    x2 = _safe_step(x1, g, d1, d2, a, b)
    r = np.expm1(side * x2)
    done = _converged(
        *_g_scale(coef, kappa, dense, None, _x_of_rate(r, side)), r, x0, x1, x2, tight
    )[0]
    u[live] = x2
    good[live[done]] = True
    keep = np.flatnonzero(~done)
    # the rest: from here each point is checked, and the slopes there give the next step
    live, coef = live[keep], _take(coef, keep)
    side = side if np.isscalar(side) else side[keep]
    a, b, ga, x_prev, x = a[keep], b[keep], ga[keep], x1[keep], x2[keep]
    before = np.abs(x1 - x0)[keep]  # the step before the last one
    g, d1, d2 = _g_slopes(coef, kappa, dense, x) if live.size else (x, x, x)
    for _ in range(_MAX_ITER):
        if not live.size:
            break
        right = (g >= 0) == (ga >= 0)
        a, b = np.where(right, x, a), np.where(right, b, x)
        x_new = _safe_step(x, g, d1, d2, a, b, before)
        before, slope = np.abs(x - x_prev), d1
        r = np.expm1(side * x_new)
        g_r, scale_r = _g_scale(coef, kappa, dense, None, _x_of_rate(r, side))
        done, floor = _converged(g_r, scale_r, r, x_prev, x, x_new, tight, slope)
        u[live] = x_new
        good[live[done]] = True
        # a bracket too narrow to split leaves the rest to the looser check
        floor |= b - a <= 4.0 * _EPS * np.maximum(1.0, np.abs(x_new))
        keep = np.flatnonzero(~done & ~floor)
        live, coef = live[keep], _take(coef, keep)
        side = side if np.isscalar(side) else side[keep]
        a, b, ga, x_prev, x = a[keep], b[keep], ga[keep], x[keep], x_new[keep]
        before = before[keep]
        if live.size:
            g, d1, d2 = _g_slopes(coef, kappa, dense, x)
    # roots at an end of their bracket, or left by the last step: the looser check
    loose = np.flatnonzero(~good)
    good[loose] = _verify(half, cols[loose], np.expm1(_side(half, cols[loose]) * u[loose]))
    return u, good


# ---- all roots of all rows -----------------------------------------------------------------


@dataclass
class _Solved:
    irr: np.ndarray  # (rows,) chosen rate or NaN
    converged: np.ndarray  # (rows,) the chosen rate passed the check of NPV there
    changes: np.ndarray  # (rows,) sign changes in the flows
    root_row: np.ndarray  # every root found (checked ones only for full output)
    root_r: np.ndarray
    beyond_up: np.ndarray  # (rows,) NPV changes sign at a rate above e^700 - 1
    beyond_down: np.ndarray  # (rows,) ... at 1 + r below 2^-53
    incomplete: np.ndarray  # (rows,) the subdivision hit its work cap


def _reach(spare: np.ndarray, side: int) -> np.ndarray:
    """How far (in u) a half's roots can matter, per column, when every root of the other
    half is farther from ``guess`` than r = 0, and the best is ``spare`` farther: a root r
    across r = 0 is |r| + |guess| from ``guess``, so only |r| <= spare counts. -1 where
    ``spare`` < 0 (no root of this half can count); the bound is widened by 1e-9 (relative)
    so that rounding cannot drop a root that ties."""
    u = np.full(spare.shape, np.inf)
    if side > 0:  # r = e^u - 1 <= spare
        ok = np.flatnonzero((spare >= 0) & (spare < np.inf))
        u[ok] = np.log1p(spare[ok])
    else:  # r = e^-u - 1 >= -spare (any r > -1 when spare >= 1)
        ok = np.flatnonzero((spare >= 0) & (spare < 1))
        u[ok] = -np.log1p(-spare[ok])
    u[ok] *= 1.0 + 1e-9
    u[ok] += 1e-12
    u[spare < 0] = -1.0
    return u


def _grid_roots(half: _Half, reach: np.ndarray | None = None):
    """The roots of the half's columns that the counts and the grid settle: (column, u,
    passed its check) per root, and the columns left for :func:`_subdivided_roots`.

    With ``reach`` (see :func:`_reach`) only roots with u <= reach are needed: a column whose
    count is exactly 1 is dropped when G has not changed sign by u = reach, its one root
    being beyond. (One that has is solved as it would be without ``reach``, so that the
    rate returned is the same double as with ``full_output``.)
    """
    count = _laguerre_count(half.coef) if half.count is None else half.count
    need = np.flatnonzero(count != 0)
    if reach is not None:
        need = need[reach[need] >= 0]
        one = np.flatnonzero((count[need] == 1) & (reach[need] < half.limit))
        if one.size:
            cols = need[one]
            g_end = _g_scale(_take(half.coef, cols), half.kappa, half.dense, reach[cols])[0]
            beyond = (g_end != 0) & ((g_end < 0) == (half.g0[cols] < 0))
            need = np.delete(need, one[beyond])
    # count the roots (an upper bound of the right parity), then look for them on the grid;
    # where the grid shows as many sign changes as the bound allows roots, all are found
    seen, change, cell, (bj, ba, bb, bga, bgb) = _grid_brackets(half, need)
    short = (seen != count[need]) | (seen < 0)
    ok = None
    if half.dense:
        # sharpen the count with Polya's multiplier (1 + x)^N: one product for each N, and
        # most columns with a dip of NPV between grid points are then settled. Rows of up
        # to _BERNSTEIN_MAX_TERMS terms (by their own length, not the padded one, so that a
        # row takes the same path whatever rows are solved beside it) take N = 4 only, then
        # are counted cell by cell (Descartes' rule in Bernstein form), halving cells with
        # several possible roots: the grid's brackets stand in cells with one root
        terms = half.terms[need]
        for power in _POLYA_POWERS:
            again = short & (seen >= 0)
            if power > _POLYA_POWERS[0]:
                again &= terms > _BERNSTEIN_MAX_TERMS
            again = np.flatnonzero(again)
            if again.size:
                counted = _laguerre_count(_take(half.coef, need[again]), power)
                short[again] = seen[again] != counted
        again = np.flatnonzero(short & (seen >= 0) & (terms <= _BERNSTEIN_MAX_TERMS))
        if again.size:
            cell_stands = np.ones(change.shape, dtype=bool)
            new = [(bj[:0], ba[:0], bb[:0], bga[:0], bgb[:0])]
            for length in np.unique(terms[again]):  # (one length unless rows are padded)
                group = again[terms[again] == length]
                settled, stands, (ej, *rest) = _bernstein_roots(
                    half, need[group], change[:, group], length
                )
                short[group[settled]] = False
                cell_stands[:, group] = stands
                new.append((group[ej], *rest))
            ok = ~short[bj] & cell_stands[cell, bj]
            parts = zip((bj, ba, bb, bga, bgb), *new, strict=True)
            bj, ba, bb, bga, bgb = (np.concatenate([o[ok], *e]) for o, *e in parts)
    if ok is None:
        ok = ~short[bj]
        if not ok.all():
            bj, ba, bb, bga, bgb = bj[ok], ba[ok], bb[ok], bga[ok], bgb[ok]
    cols = need[bj]
    u, good = _refine(half, cols, ba, bb, bga, bgb)
    return cols, u, good, need[short]


def _subdivided_roots(half: _Half, hard: np.ndarray):
    """Every root of the columns ``hard`` of the half, by :func:`_isolate`.

    Returns (column, u, passed its check, NPV only touches zero) per root, and the columns
    whose NPV changes sign beyond the half's limit or whose search hit its work cap.
    """
    (ic, ia, ib, iga, igb), (pc, pu), past, capped = _isolate(half, hard)
    cols, pcols = hard[ic], hard[pc]
    u, good = _refine(half, cols, ia, ib, iga, igb)
    good = np.concatenate([good, _verify(half, pcols, np.expm1(_side(half, pcols) * pu))])
    touch = np.arange(cols.size + pcols.size) >= cols.size
    cols, u = np.concatenate([cols, pcols]), np.concatenate([u, pu])
    return cols, u, good, touch, hard[past], hard[capped]


def _solve(v: np.ndarray, tau: np.ndarray, guess: float, full: bool) -> _Solved:
    """Every root of each row's NPV, and the one closest to ``guess``.

    Unless every root is wanted, the half of the rate line holding ``guess`` is solved
    first, and the other half only for rows without a root closer to ``guess`` than 0 is
    (any root across zero is farther away), and there only as far as a root could be nearer
    (see :func:`_reach`). The columns the grid cannot settle are subdivided last, those of
    both halves together when they share their exponents.
    """
    rows = v.shape[0]
    # a row whose largest flow is within 2^64 of overflow or of the subnormals is scaled by a
    # power of two (exactly) to bring that flow to [0.5, 1): sums of flows near the largest
    # double would overflow, and flows near the smallest have few significant bits, so
    # that NPV rounds to zero at rates that are not roots. (Transposed to (periods, rows)
    # first: every loop below runs over periods, each step on a contiguous row.)
    vt = np.ascontiguousarray(v.T)
    big = np.maximum(vt.max(axis=0), -vt.min(axis=0))  # (no temporary |vt|)
    extreme = (big > 2.0**960) | ((big < 2.0**-960) & (big > 0))
    if extreme.any():
        vt = vt.copy()  # (the transpose of one row is a view of the caller's array)
        vt[:, extreme] = np.ldexp(vt[:, extreme], -np.frexp(big[extreme])[1])
    changes = _count_sign_changes(vt)
    cand = np.flatnonzero(changes > 0)
    beyond_up = np.zeros(rows, dtype=bool)
    beyond_down = np.zeros(rows, dtype=bool)
    incomplete = np.zeros(rows, dtype=bool)
    found = []  # (row, s = log(1 + r), checked, touching, side) per root
    halves = _halves(vt if cand.size == rows else _take(vt, cand), tau, cand) if cand.size else []
    near = 1 if guess > 0 else -1
    lazy = not full and guess != 0
    halves.sort(key=lambda h: 0 if h.side == near else 1)
    nearest = np.full(rows, np.inf)  # distance from guess to the closest checked root so far
    left_over = []
    for half in halves:
        reach = None
        if lazy and half.side != near:
            reach = _reach(nearest[half.row] - abs(guess), half.side)
        cols, u, good, hard = _grid_roots(half, reach)
        row, s = half.row[cols], half.side * u
        found.append((row, s, good, np.zeros(row.size, dtype=bool), np.full(row.size, half.side)))
        if hard.size:
            left_over.append((half, hard))
        if lazy and half.side == near:
            dist = np.where(good, np.abs(np.expm1(s) - guess), np.inf)
            np.minimum.at(nearest, row, dist)
            nearest[half.row[hard]] = np.inf  # not settled yet: the other half is needed
    if (
        len(left_over) == 2
        and all(h.dense for h, _ in left_over)
        and (left_over[0][0].kappa.size == left_over[1][0].kappa.size)
    ):  # (whole periods) one batch for both halves' columns
        (h1, hard1), (h2, hard2) = left_over
        both = _Half(
            np.concatenate([_take(h1.coef, hard1), _take(h2.coef, hard2)], axis=1),
            h1.kappa,
            np.concatenate([h1.row[hard1], h2.row[hard2]]),
            np.where(np.arange(hard1.size + hard2.size) < hard1.size, h1.side, h2.side),
            np.concatenate([h1.g0[hard1], h2.g0[hard2]]),
        )
        left_over = [(both, np.arange(hard1.size + hard2.size))]
    for half, hard in left_over:
        cols, u, good, touch, past, capped = _subdivided_roots(half, hard)
        side = np.broadcast_to(half.side, half.row.shape)
        row = half.row[cols]
        found.append((row, side[cols] * u, good, touch, side[cols]))
        beyond_up[half.row[past[side[past] > 0]]] = True
        beyond_down[half.row[past[side[past] < 0]]] = True
        incomplete[half.row[capped]] = True
    if found:
        root_row, root_s, root_good, root_touch, root_side = (
            np.concatenate(z) for z in zip(*found, strict=True)
        )
    else:
        root_row, root_s = np.zeros(0, dtype=int), np.zeros(0)
        root_good, root_touch = np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
        root_side = np.zeros(0, dtype=int)

    # rows with several roots: sort them, and merge a root reached from both halves (r = 0)
    # or a cluster closer than rounding can separate. A point where NPV only touches zero
    # stands for its stretch of rates: it goes if a root of its half is within the cluster
    # width of it (its half only, so that the answer does not depend on whether the other
    # half was searched)
    per_row = np.bincount(root_row, minlength=rows)
    several = np.flatnonzero(per_row[root_row] > 1)
    keep = np.ones(root_row.size, dtype=bool)
    if several.size:
        # by row, then rate: one sort of row + (a number in [0, 1) increasing with s)
        key = root_row[several] + (0.5 + np.arctan(root_s[several]) / np.pi) * (1 - 1e-9)
        order = several[np.argsort(key, kind="stable")]
        rs, touch = root_s[order], root_touch[order]
        same_row = np.diff(root_row[order]) == 0
        gap = np.diff(rs)
        same = same_row & (gap <= _MERGE_RTOL * (1 + np.abs(rs[1:])))
        near = same_row & (gap <= _CLUSTER_RTOL * (1 + np.abs(rs[1:])))
        near &= np.diff(root_side[order]) == 0
        # of two roots within rounding of each other keep a sign change over a touching point
        first = same & touch[:-1] & ~touch[1:]
        drop = np.insert((same & ~first) | (near & touch[1:]), 0, False)  # after a near root
        drop |= np.append(first | (near & touch[:-1] & ~touch[1:]), False)  # before a sign change
        keep[order[drop]] = False
        root_good[order[:-1][same]] |= root_good[order[1:][same]]
        root_good[order[1:][same]] |= root_good[order[:-1][same]]
        several = order[~drop]
    root_r = np.expm1(root_s) + 0.0  # (no -0.0)

    # the root closest to guess, per row; NaN if it failed its check
    out_irr = np.full(rows, np.nan)
    out_conv = np.zeros(rows, dtype=bool)
    chosen = np.flatnonzero(keep & (per_row[root_row] == 1))
    if several.size:  # (sorted by row, then rate: of two as close, the lower rate)
        dist = np.abs(root_r[several] - guess)
        best = np.full(rows, np.inf)
        np.minimum.at(best, root_row[several], dist)
        pick = several[dist == best[root_row[several]]]
        chosen = np.concatenate([chosen, pick[np.diff(root_row[pick], prepend=-1) != 0]])
    out_conv[root_row[chosen]] = root_good[chosen]
    out_irr[root_row[chosen]] = np.where(root_good[chosen], root_r[chosen], np.nan)
    if full:
        listed = np.flatnonzero(keep & root_good)
        key = root_row[listed] + (0.5 + np.arctan(root_s[listed]) / np.pi) * (1 - 1e-9)
        listed = listed[np.argsort(key, kind="stable")]
    else:
        listed = np.flatnonzero(keep)
    return _Solved(
        out_irr,
        out_conv,
        changes,
        root_row[listed],
        root_r[listed],
        beyond_up,
        beyond_down,
        incomplete,
    )


def _reason(
    row: np.ndarray,
    changes: int,
    r_arr: np.ndarray,
    guess: float,
    conv: bool,
    beyond_up: bool = False,
    beyond_down: bool = False,
    incomplete: bool = False,
) -> str:
    if changes == 0:
        if not row.any():
            return "no sign change: all flows are zero"
        if (row >= 0).all():
            return "no sign change: all flows non-negative"
        return "no sign change: all flows non-positive"
    far = []
    if beyond_up:
        far.append(f"above {np.expm1(_U_LIMIT_UP):.3g}")
    if beyond_down:
        far.append(
            f"closer to -100% than double precision resolves (1 + rate below "
            f"{np.exp(-_U_LIMIT_DOWN):.3g})"
        )
    far_text = " and ".join(far)
    note = " (search incomplete: too many candidate intervals)" if incomplete else ""
    if r_arr.size == 0:
        if far:
            return (
                f"no root in range: NPV changes sign only at a rate {far_text}, "
                f"beyond the rates a double can represent{note}"
            )
        return (
            f"no root: flows change sign {changes} times but NPV does not reach zero "
            f"for any rate above -100%{note}"
        )
    if not conv:
        return (
            "not converged: NPV at the rate found is not zero to 1e-10 of the flows' "
            f"discounted size{note}"
        )
    if far:
        note += f"; NPV also changes sign at a rate {far_text}"
    if r_arr.size == 1:
        return ("unique root" if changes == 1 else f"one root ({changes} sign changes)") + note
    listed = ", ".join(f"{r:.6g}" for r in r_arr)
    return f"several roots ({listed}): returned the one closest to guess={guess:g}{note}"


def _finish(func, v, one_d, solved: _Solved, guess, full_output, raise_on_failure):
    """Turn :func:`_solve` output into what :func:`irr` and :func:`xirr` return."""
    irr_, conv, changes = solved.irr, solved.converged, solved.changes
    root_row, root_r = solved.root_row, solved.root_r
    rows = irr_.shape[0]

    def reason(i: int, roots: np.ndarray) -> str:
        if func == "xirr" and not v[i].any():
            return "no sign change: the flows on each date add up to zero"
        return _reason(
            v[i],
            int(changes[i]),
            roots,
            guess,
            bool(conv[i]),
            bool(solved.beyond_up[i]),
            bool(solved.beyond_down[i]),
            bool(solved.incomplete[i]),
        )

    if raise_on_failure and np.isnan(irr_).any():
        bad = np.flatnonzero(np.isnan(irr_))
        i = int(bad[0])
        why = reason(i, root_r[root_row == i])
        where = "the series" if one_d else f"row {i}"
        more = f" ({bad.size - 1} more rows also failed)" if bad.size > 1 else ""
        raise SolverError(
            f"{func}: {where} has no internal rate of return: {why}{more}. "
            "A rate of return needs both money out (negative) and money in (positive); "
            "check the signs, or use raise_on_failure=False to get NaN for such rows."
        )
    if not full_output:
        return np.float64(irr_[0]) if one_d else irr_
    counts = np.bincount(root_row, minlength=rows)
    roots = np.split(root_r, np.cumsum(counts)[:-1])
    reasons = [reason(i, roots[i]) for i in range(rows)]
    if one_d:
        return IrrResult(np.float64(irr_[0]), roots[0], int(changes[0]), bool(conv[0]), reasons[0])
    return IrrResult(irr_, roots, changes, conv, reasons)


@dataclass(frozen=True)
class IrrResult:
    """Everything :func:`irr` and :func:`xirr` learned about each row.

    Attributes mirror the input: scalars (and one array of roots) for a 1-D series,
    per-row arrays and lists for a 2-D array.

    Attributes
    ----------
    irr : numpy.float64 or numpy.ndarray
        The chosen rate per row (the root closest to ``guess``), NaN where there is none.
    roots : numpy.ndarray or list of numpy.ndarray
        Every rate at which NPV changes sign, ascending, each checked as ``irr`` is (see
        :func:`irr`, Notes, for what is promised), and any rate where NPV touches zero to
        within rounding.
    sign_changes : int or numpy.ndarray
        Sign changes in the flows, ignoring zeros: an upper bound on the number of roots
        (Descartes' rule of signs), with the same parity.
    converged : bool or numpy.ndarray
        Whether the chosen rate passed the check of NPV at it (always, when there is one).
    reason : str or list of str
        Why the row has the answer it has, e.g. ``"unique root"``,
        ``"no sign change: all flows non-negative"``.
    """

    irr: Any
    roots: Any
    sign_changes: Any
    converged: Any
    reason: Any


def _check_guess(guess: Any) -> float:
    g = _as_rate(guess, "guess")
    if g.ndim != 0:
        raise InputError(f"guess has shape {g.shape}; pass one number such as 0.1.")
    return float(g)


def irr(
    values: Any,
    *,
    full_output: bool = False,
    raise_on_failure: bool = False,
    guess: float = 0.1,
) -> Any:
    """Internal rate of return per row: the rate at which :func:`npv` is zero.

    Parameters
    ----------
    values : array_like, shape (n,) or (rows, n)
        Net cash flows per period, first flow at t = 0; rows are scenarios.
    full_output : bool, default False
        Return an :class:`IrrResult` with every root, the number of sign changes, a
        convergence flag and a reason per row, instead of the rates alone.
    raise_on_failure : bool, default False
        Raise :class:`~mutualfin.errors.SolverError` naming the first row without a rate
        instead of returning NaN for it.
    guess : float, default 0.1
        Where several rates solve the equation, the one closest to ``guess`` is returned
        (0.1 is Excel's default guess). ``guess=0`` reproduces numpy-financial's choice
        (the rate closest to zero).

    Returns
    -------
    numpy.float64, numpy.ndarray or IrrResult
        The rate per row, NaN where none exists; or an :class:`IrrResult`.

    Raises
    ------
    InputError
        Bad flows (see module docstring) or a bad ``guess``.
    SolverError
        Only with ``raise_on_failure=True``, for a row without a rate.

    Notes
    -----
    The IRR solves :math:`\\sum_{t=0}^{n-1} v_t (1+r)^{-t} = 0` for :math:`r > -1`. With
    :math:`x = 1/(1+r)` this is a polynomial, which by Descartes' rule of signs has at most
    as many positive roots as the flows have sign changes. One sign change (invest, then
    earn) gives exactly one rate; none gives no rate (NaN, reason ``"no sign change"``);
    several may give several rates, or none.

    What is promised. Every rate at which NPV changes sign is found, for
    :math:`1 + r` between :math:`2^{-53} \\approx 1.1\\cdot10^{-16}` (closer to -100% a
    double cannot tell a rate from -100%) and :math:`e^{700} \\approx 10^{304}`; a sign
    change beyond those limits is named in the reason (``"no root in range: ..."``). The
    rate returned is the root closest to ``guess``, and it is checked at the double
    returned: :math:`|\\mathrm{NPV}|` must be at most :math:`10^{-10}` of the flows'
    discounted size :math:`\\sum_t |v_t| (1+r)^{-t}`, or NPV must change sign between the
    neighbouring doubles; a rate failing the check is not returned (NaN, reason
    ``"not converged"``). Zeros before the first or after the last non-zero flow (padding
    rows to one length) do not change the answer.

    What is not. A rate at which NPV touches zero without changing sign (a root of even
    multiplicity, such as 10% for the flows 1, -2.2, 1.21) has no sign change to find: it
    is listed when NPV there is zero to rounding and the search passes close, but it is
    not promised. Where NPV stays within rounding of zero (a few units in the last place
    of :math:`\\sum_t |v_t| (1+r)^{-t}`) over a stretch of rates, as round a repeated root
    blurred by the rounding of the flows, or between roots so close that NPV never rises
    clear of rounding between them, double precision cannot place the roots within the
    stretch: it is listed as one root, refined to a sign change inside it if NPV has
    opposite signs on either side, else at the point of least :math:`|\\mathrm{NPV}|`.
    Roots closer than :math:`10^{-7}` in :math:`\\log(1+r)` are listed once.

    Method. Each row is split at :math:`r = 0`. With :math:`u = |\\log(1+r)|` each half is
    an exponential sum :math:`G(u) = \\sum_k c_k e^{-u\\kappa_k}`, :math:`0 = \\kappa_0 <
    \\kappa_1 < \\dots`, a positive multiple of NPV in which no weight exceeds 1 (the first
    non-zero flow on, for :math:`r \\ge 0`; the last one back, for :math:`r \\le 0`; so
    padding zeros drop out). The roots of each half are counted before they are sought:
    by Laguerre's rule [4]_ there are at most as many with :math:`u > 0` as the partial
    sums :math:`c_0, c_0 + c_1, \\dots` have sign changes (for :math:`r \\ge 0` these are the
    cumulative cash flows: Norstrøm's criterion [5]_), and as many modulo 2. Where the
    count is not met by the sign changes of :math:`G` on a fixed grid, it is sharpened by
    counting the partial sums of :math:`(1 + x)^m G` (Pólya's multiplier [6]_, which adds no
    root; m = 4, and up to 256 for rows of more than 32 periods), and for rows of up to 32
    periods then cell by cell: :math:`G` is a polynomial in :math:`x = e^{-u}`, and the sign
    changes of its coefficients in the Bernstein basis of a cell bound the roots in the
    cell, with their parity (Descartes' rule of signs in Bernstein form [8]_); a cell that
    may hold several is halved, a few times at most. Where some cell still may (roots close
    together, a root where NPV only touches zero, or NPV dipping towards zero between grid
    points) the half is subdivided until every cell provably holds no root or one: every
    term of :math:`G`, :math:`G'` and :math:`G''` is monotone in :math:`u`, so their
    positive and negative parts at a cell's ends bound them over the cell (interval
    arithmetic, [7]_), and a cell is settled when :math:`G`, :math:`G'` or :math:`G''`
    cannot vanish on it (for :math:`G''`, the tangents at the ends bound a convex :math:`G`
    from below, and a dip that may cross zero is split where they meet). Each root is then
    refined by Newton's method fitted to an exponential (exact for two-term sums, cubically
    convergent), safeguarded by bisection [3]_. All rows are
    solved together in arrays; the loops run over grid points, subdivision levels and
    iterations, not rows. Unless every root is asked for, the half holding ``guess`` is
    solved first and the other only for rows whose best root is no closer to ``guess``
    than 0 is, and there only as far from 0 as a root could still be nearer (a row whose
    one root there lies beyond is not searched).

    Multiple roots. The returned rate is the root closest to ``guess``. All roots are in
    ``IrrResult.roots``. numpy-financial returns the root closest to zero (pass
    ``guess=0`` to match it); Excel's IRR runs Newton's method from ``guess`` and returns
    whichever root it reaches, usually but not always the nearest one. A business case
    with several rates is better judged by :func:`npv` or :func:`mirr`.

    References
    ----------
    .. [1] L. J. Gitman, *Principles of Managerial Finance, Brief*, 3rd ed.,
       Addison-Wesley, 2003, p. 348.
    .. [2] Microsoft, "IRR function", Excel support.
    .. [3] R. P. Brent, *Algorithms for Minimization without Derivatives*, Prentice-Hall,
       1973 (safeguarded root finding).
    .. [4] E. Laguerre, "Sur la théorie des équations numériques", *Journal de
       Mathématiques Pures et Appliquées*, 3e série, 9, 1883, pp. 99-146; G. Pólya and
       G. Szegő, *Problems and Theorems in Analysis II*, Springer, 1976, Part Five,
       Chapter 1 (the rule of signs for exponential sums and for partial sums).
    .. [5] C. J. Norstrøm, "A sufficient condition for a unique nonnegative internal rate
       of return", *Journal of Financial and Quantitative Analysis* 7(3), 1972,
       pp. 1835-1839.
    .. [6] G. Pólya, "Über positive Darstellung von Polynomen", *Vierteljahrsschrift der
       Naturforschenden Gesellschaft in Zürich* 73, 1928, pp. 141-145.
    .. [7] R. E. Moore, R. B. Kearfott and M. J. Cloud, *Introduction to Interval
       Analysis*, SIAM, 2009.
    .. [8] B. Mourrain, F. Rouillier and M.-F. Roy, "The Bernstein basis and real root
       isolation", in *Combinatorial and Computational Geometry*, MSRI Publications 52,
       Cambridge University Press, 2005, pp. 459-478.

    Examples
    --------
    >>> from mutualfin.finance import irr
    >>> round(float(irr([-100, 39, 59, 55, 20])), 5)
    0.28095

    Excel's support page: ``=IRR(A2:A7)`` for an outlay of 70,000 and five years of income.

    >>> round(float(irr([-70000, 12000, 15000, 18000, 21000, 26000])), 3)
    0.087

    Several scenarios at once, with reasons:

    >>> res = irr([[-100, 110, 0], [100, 50, 0], [-100, 230, -132]], full_output=True)
    >>> res.irr.round(4)
    array([0.1, nan, 0.1])
    >>> res.reason[1]
    'no sign change: all flows non-negative'
    >>> res.roots[2].round(4)
    array([0.1, 0.2])
    """
    v = _as_values(values)
    one_d = v.ndim == 1
    g = _check_guess(guess)
    v2 = np.atleast_2d(v)
    tau = np.arange(v2.shape[1], dtype=float)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        solved = _solve(v2, tau, g, full_output)
    return _finish("irr", v2, one_d, solved, g, full_output, raise_on_failure)


# --------------------------------------------------------------------------------------
# MIRR
# --------------------------------------------------------------------------------------


def mirr(values: Any, finance_rate: float, reinvest_rate: float) -> Any:
    """Modified internal rate of return per row (Excel's ``MIRR``).

    Parameters
    ----------
    values : array_like, shape (n,) or (rows, n)
        Net cash flows per period, first flow at t = 0.
    finance_rate : float
        Rate paid on money borrowed to fund the negative flows (above -1).
    reinvest_rate : float
        Rate earned on reinvesting the positive flows (above -1).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The MIRR per row; NaN for a row without both a positive and a negative flow
        (where Excel shows ``#DIV/0!``).

    Notes
    -----
    Negative flows are discounted to t = 0 at the finance rate, positive flows
    compounded to t = n - 1 at the reinvestment rate, and MIRR is the rate that grows the
    one into the other over n - 1 periods:

    .. math:: \\mathrm{MIRR} = \\left(\\frac{\\mathrm{FV}_{rr}(v^+)}
              {-\\mathrm{PV}_{fr}(v^-)}\\right)^{1/(n-1)} - 1.

    Unlike IRR it is always unique.

    References
    ----------
    .. [1] Microsoft, "MIRR function", Excel support.

    Examples
    --------
    >>> from mutualfin.finance import mirr
    >>> round(float(mirr([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12)), 6)
    0.126094
    """
    v = _as_values(values)
    fr = _as_rate(finance_rate, "finance_rate")
    rr = _as_rate(reinvest_rate, "reinvest_rate")
    for name, r in (("finance_rate", fr), ("reinvest_rate", rr)):
        if r.ndim != 0:
            raise InputError(f"{name} has shape {r.shape}; pass one number such as 0.08.")
    n = v.shape[-1]
    pos = np.where(v > 0, v, 0.0)
    neg = np.where(v < 0, v, 0.0)
    t = np.arange(n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fv_pos = np.sum(pos * (1.0 + rr) ** (n - 1 - t), axis=-1)
        pv_neg = -np.sum(neg * (1.0 + fr) ** -t, axis=-1)
        ok = (v > 0).any(axis=-1) & (v < 0).any(axis=-1)
        result = np.where(
            ok, (fv_pos / np.where(ok, pv_neg, 1.0)) ** (1.0 / max(n - 1, 1)) - 1, np.nan
        )
    return _scalar_or_array(np.asarray(result))


# --------------------------------------------------------------------------------------
# Payback
# --------------------------------------------------------------------------------------

_NEVER = "never: cumulative cash stays negative over the horizon"


@dataclass(frozen=True)
class PaybackResult:
    """Payback period per row with the reason behind it.

    Attributes
    ----------
    period : numpy.float64 or numpy.ndarray
        Periods from t = 0 until cumulative cash first reaches zero; NaN if never.
    reason : str or list of str
        ``"paid back"``, ``"paid back at t=0: ..."`` or ``"never: ..."``.
    """

    period: Any
    reason: Any


def _payback(flows: np.ndarray, one_d: bool, full_output: bool) -> Any:
    cum = np.cumsum(flows, axis=-1)
    nonneg = cum >= 0
    hit = nonneg.any(axis=-1)
    k = np.argmax(nonneg, axis=-1)
    prev = np.take_along_axis(cum, np.maximum(k - 1, 0)[..., None], axis=-1)[..., 0]
    flow_k = np.take_along_axis(flows, k[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(k > 0, -prev / np.where(k > 0, flow_k, 1.0), 0.0)
    period = np.where(hit, np.where(k > 0, (k - 1) + frac, 0.0), np.nan)
    period = np.asarray(period)
    if not full_output:
        return _scalar_or_array(period)
    reasons = [
        _NEVER
        if not h
        else ("paid back at t=0: first flow is non-negative" if kk == 0 else "paid back")
        for h, kk in zip(np.atleast_1d(hit), np.atleast_1d(k), strict=True)
    ]
    return PaybackResult(_scalar_or_array(period), reasons[0] if one_d else reasons)


def payback_period(values: Any, *, full_output: bool = False) -> Any:
    """Periods until cumulative cash first turns non-negative, per row.

    Parameters
    ----------
    values : array_like, shape (n,) or (rows, n)
        Net cash flows per period; flow ``t`` arrives at time ``t`` (first at t = 0).
    full_output : bool, default False
        Return a :class:`PaybackResult` with a reason per row.

    Returns
    -------
    numpy.float64, numpy.ndarray or PaybackResult
        Payback in periods, between 0 and n - 1; NaN where cumulative cash never
        reaches zero (reason ``"never: cumulative cash stays negative over the horizon"``).

    Notes
    -----
    Let :math:`C_t = \\sum_{s \\le t} v_s` and :math:`k` the first period with
    :math:`C_k \\ge 0`. If :math:`k = 0` (the first flow is zero or positive) the payback
    is 0. Otherwise the period-:math:`k` flow is taken to arrive evenly over
    :math:`(k-1, k]`, and linear interpolation gives

    .. math:: \\mathrm{payback} = (k - 1) + \\frac{-C_{k-1}}{v_k} \\in (k-1, k].

    Only the first crossing counts: later negative flows that push the cumulative
    position back below zero do not change it. The test is exact (``C_k >= 0``), so
    cumulative cash that rounds to -1e-12 has not paid back.

    References
    ----------
    .. [1] HM Treasury, *The Green Book*, 2022 (payback as a supplementary measure).

    Examples
    --------
    >>> from mutualfin.finance import payback_period
    >>> float(payback_period([-1000, 400, 400, 400]))
    2.5
    >>> payback_period([[-1000, 400, 400, 400], [-1000, 100, 100, 100]]).round(2)
    array([2.5, nan])
    >>> payback_period([-1000, 100], full_output=True).reason
    'never: cumulative cash stays negative over the horizon'
    """
    v = _as_values(values)
    return _payback(v, v.ndim == 1, full_output)


def discounted_payback_period(values: Any, rate: Any, *, full_output: bool = False) -> Any:
    """Payback period of the discounted flows, per row.

    Parameters
    ----------
    values : array_like, shape (n,) or (rows, n)
        Net cash flows per period, first flow at t = 0 (not discounted).
    rate : float or array_like
        Discount rate, as for :func:`npv` with ``when="start"``: a scalar, one rate per
        period, or a column with one rate per scenario.
    full_output : bool, default False
        Return a :class:`PaybackResult` with a reason per row.

    Returns
    -------
    numpy.float64, numpy.ndarray or PaybackResult
        As :func:`payback_period`, applied to :math:`v_t D_t` where :math:`D_t` are the
        discount factors of :func:`npv`.

    Notes
    -----
    Cumulative discounted cash at the end of the horizon is the NPV, so the discounted
    payback is finite exactly when the NPV at some horizon is non-negative; it is never
    shorter than the undiscounted payback for an invest-then-earn profile.

    Examples
    --------
    >>> from mutualfin.finance import discounted_payback_period
    >>> round(float(discounted_payback_period([-1000, 400, 400, 400], 0.05)), 4)
    2.7416
    """
    v = _as_values(values)
    df = _discount_factors(_as_rate(rate, "rate"), v.shape[-1], "start")
    try:
        flows = v * df
    except ValueError as exc:
        raise InputError(
            f"rate with shape {np.shape(df)} does not broadcast against values with shape "
            f"{v.shape}; for one rate per scenario pass a column of shape ({v.shape[0]}, 1)."
        ) from exc
    return _payback(flows, flows.ndim == 1, full_output)


# --------------------------------------------------------------------------------------
# Dated flows: XNPV and XIRR
# --------------------------------------------------------------------------------------


def _year_fractions(dates: Any, n: int) -> np.ndarray:
    """Actual/365 year fractions from the first date, as Excel's XNPV and XIRR."""
    if isinstance(dates, str | bytes):
        raise InputError(
            f"dates is the text {dates!r}; pass a sequence of dates, e.g. "
            "[date(2024, 4, 1), date(2025, 4, 1)] or ['2024-04-01', '2025-04-01']."
        )
    try:
        items = list(dates)
    except TypeError as exc:
        raise InputError(f"dates={dates!r} is not a sequence of dates.") from exc
    if len(items) != n:
        raise InputError(
            f"dates has {len(items)} entries but values has {n} periods; give exactly one "
            "date per cash flow."
        )
    days = np.empty(n, dtype="datetime64[D]")
    for i, d in enumerate(items):
        try:
            if isinstance(d, _dt.datetime):
                d = d.date()  # Excel truncates times to whole days
            days[i] = np.datetime64(d, "D")
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"dates[{i}] is {d!r}, which is not a date; use datetime.date, "
                "numpy.datetime64 or an ISO string such as '2024-04-01'."
            ) from exc
    if np.isnat(days).any():
        i = int(np.flatnonzero(np.isnat(days))[0])
        raise InputError(f"dates[{i}] is NaT (not a time); give every cash flow a date.")
    step = np.diff(days).astype(np.int64)
    if (step < 0).any():
        i = int(np.flatnonzero(step < 0)[0]) + 1
        raise InputError(
            f"dates[{i}] ({days[i]}) is earlier than dates[{i - 1}] ({days[i - 1]}); "
            "dates must be in order. Sort values and dates together, e.g. "
            "order = np.argsort(dates)."
        )
    return (days - days[0]).astype(np.int64) / 365.0


def xnpv(rate: Any, values: Any, dates: Any) -> Any:
    """Net present value of dated cash flows (Excel's ``XNPV``), per row.

    Parameters
    ----------
    rate : float or array_like
        Annual discount rate above -1; a scalar, or one per row (shape (rows,)).
    values : array_like, shape (n,) or (rows, n)
        Cash flows; every row shares ``dates``.
    dates : sequence of date-like, length n
        ``datetime.date``, ``numpy.datetime64`` or ISO strings, in non-decreasing order.
        Times of day are dropped, as in Excel.

    Returns
    -------
    numpy.float64 or numpy.ndarray

    Notes
    -----
    .. math:: \\mathrm{XNPV} = \\sum_i \\frac{v_i}{(1+r)^{(d_i - d_0)/365}}

    The first flow is not discounted and years are 365 days (actual/365), exactly as
    Excel. Excel accepts later dates in any order as long as none precedes the first;
    mutualfin requires them sorted, because an out-of-order date in a business case is
    almost always a typing error.

    References
    ----------
    .. [1] Microsoft, "XNPV function", Excel support.

    Examples
    --------
    The example on Microsoft's XNPV page (result 2086.65):

    >>> from mutualfin.finance import xnpv
    >>> dates = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
    >>> round(float(xnpv(0.09, [-10000, 2750, 4250, 3250, 2750], dates)), 2)
    2086.65
    """
    v = _as_values(values)
    tau = _year_fractions(dates, v.shape[-1])
    r = _as_rate(rate, "rate")
    if r.ndim > 1 or (r.ndim == 1 and (v.ndim != 2 or r.shape[0] != v.shape[0])):
        raise InputError(
            f"rate has shape {r.shape} but values has shape {v.shape}; pass one rate, or "
            "one per row of values (shape (rows,))."
        )
    r = r[..., None] if r.ndim == 1 else r
    with np.errstate(over="ignore", under="ignore"):
        result = np.sum(v * (1.0 + r) ** -tau, axis=-1)
    return _scalar_or_array(np.asarray(result))


def xirr(
    values: Any,
    dates: Any,
    *,
    full_output: bool = False,
    raise_on_failure: bool = False,
    guess: float = 0.1,
) -> Any:
    """Internal rate of return of dated cash flows (Excel's ``XIRR``), per row.

    Parameters
    ----------
    values : array_like, shape (n,) or (rows, n)
        Cash flows; every row shares ``dates``.
    dates : sequence of date-like, length n
        As for :func:`xnpv`: sorted, first date is t = 0.
    full_output, raise_on_failure, guess
        As for :func:`irr`; the returned rate is the root closest to ``guess``.

    Returns
    -------
    numpy.float64, numpy.ndarray or IrrResult
        The annual rate at which :func:`xnpv` is zero; NaN where none exists.

    Notes
    -----
    Solves :math:`\\sum_i v_i (1+r)^{-(d_i-d_0)/365} = 0` by the method of :func:`irr`,
    with the same promises (every sign change of NPV found, the rate checked, padding
    zeros ignored). The exponents need not be whole numbers: Descartes' and Laguerre's
    rules of signs hold for such exponential sums too, and the subdivision bounds do not
    depend on them; only Pólya's multiplier and the count in Bernstein form need whole
    exponents (a polynomial) and are skipped. Flows on the same date are added first.
    Excel iterates from ``guess`` until the result is accurate to 0.000001%; this solver
    goes to full double precision, so results agree with Excel to the digits Excel shows.

    References
    ----------
    .. [1] Microsoft, "XIRR function", Excel support.

    Examples
    --------
    The example on Microsoft's XIRR page (result 0.373362535):

    >>> from mutualfin.finance import xirr
    >>> dates = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
    >>> round(float(xirr([-10000, 2750, 4250, 3250, 2750], dates)), 8)
    0.37336253
    """
    v = _as_values(values)
    one_d = v.ndim == 1
    g = _check_guess(guess)
    tau = _year_fractions(dates, v.shape[-1])
    v2 = np.atleast_2d(v)
    if (np.diff(tau) == 0).any():  # flows on one date are one flow
        starts = np.flatnonzero(np.r_[True, np.diff(tau) != 0])
        v2, tau = np.add.reduceat(v2, starts, axis=1), tau[starts]
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        solved = _solve(v2, tau, g, full_output)
    return _finish("xirr", v2, one_d, solved, g, full_output, raise_on_failure)
