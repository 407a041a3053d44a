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
# Both solve  sum_t v_t (1 + r) ** -tau_t = 0  for r in (-1, inf), with tau_t >= 0 shared by
# all rows (tau_t = t for irr, days / 365 for xirr). We work in s = log(1 + r), which maps
# (-1, inf) onto the whole line, and scale the function by a positive factor so that no
# power can overflow:
#     s >= 0:  F(s) = sum_t v_t exp(-s tau_t)                  (= NPV itself)
#     s <  0:  F(s) = sum_t v_t exp(s (tau_max - tau_t))        (= NPV * (1 + r) ** tau_max)
# F has the same zeros as NPV and is continuous at s = 0. All roots are bracketed on a fixed
# grid in s, pairs of roots closer than a grid step are looked for around local minima of
# |F|, and each bracket is refined by Newton's method safeguarded by bisection.

_S_GRID = np.unique(
    np.concatenate(
        [
            np.linspace(-40.0, -3.0, 20),  # 1 + r from 4e-18 to 0.05
            np.linspace(-3.0, 3.0, 121),  # 1 + r from 0.05 to 20, steps of 5%
            np.linspace(3.0, 40.0, 20),  # 1 + r from 20 to 2e17
        ]
    )
)

_MAX_ITER = 60
_STEP_RTOL = 1e-12  # Newton converges quadratically: the next error is ~1e-24
_DOUBLE_ROOT_RTOL = 1e-11
_PROBE_FRACTION = 0.75


def _weights(s: np.ndarray, tau: np.ndarray, tau_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``w`` with F = sum v w, and ``dexp`` with dF/ds = sum v w dexp."""
    s = s[..., None]
    dexp = np.where(s >= 0, -tau, tau_max - tau)
    return np.exp(s * dexp), dexp


def _eval(v: np.ndarray, s: np.ndarray, tau: np.ndarray, tau_max: float):
    """F and dF/ds at points ``s``, one per row of ``v``."""
    w, dexp = _weights(s, tau, tau_max)
    vw = v * w
    return vw.sum(-1), (vw * dexp).sum(-1)


def _scale(v: np.ndarray, s: np.ndarray, tau: np.ndarray, tau_max: float) -> np.ndarray:
    """sum |v| w at points ``s``: the size F would have if no flows cancelled."""
    return (np.abs(v) * _weights(s, tau, tau_max)[0]).sum(-1)


def _refine(v, a, b, fa, fb, tau, tau_max):
    """Safeguarded Newton on brackets [a, b] with F(a) = fa, F(b) = fb of opposite signs,
    one per row of ``v``; returns s and a converged flag."""
    m = a.shape[0]
    s_out = np.empty(m)
    conv_out = np.zeros(m, dtype=bool)
    denom = np.where(fb != fa, fb - fa, 1.0)
    x = np.clip(a - fa * (b - a) / denom, a, b)  # secant start inside the bracket
    idx = np.arange(m)
    for _ in range(_MAX_ITER):
        f, df = _eval(v, x, tau, tau_max)
        same = np.sign(f) == np.sign(fa)
        a = np.where(same, x, a)
        fa = np.where(same, f, fa)
        b = np.where(same, b, x)
        newton = x - f / np.where(df != 0, df, 1.0)
        inside = (df != 0) & (newton >= a) & (newton <= b)
        x_new = np.where(inside, newton, 0.5 * (a + b))
        tol = _STEP_RTOL * np.maximum(1.0, np.abs(x))
        small = inside & (np.abs(x_new - x) <= tol)
        done = (f == 0) | small | ((b - a) <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(x)))
        x_new = np.where(f == 0, x, x_new)
        s_out[idx[done]] = x_new[done]
        conv_out[idx[done]] = True
        keep = ~done
        if not keep.any():
            break
        idx, v, a, b, fa, x = idx[keep], v[keep], a[keep], b[keep], fa[keep], x_new[keep]
    else:  # pragma: no cover - Newton with bisection converges well within _MAX_ITER
        s_out[idx] = x
    return s_out, conv_out


def _golden_min(v, lo, hi, sign, tau, tau_max, iters=30):
    """Minimise sign * F over [lo, hi] per row by golden-section search."""
    g = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = lo.copy(), hi.copy()
    c = b - g * (b - a)
    d = a + g * (b - a)
    fc = sign * _eval(v, c, tau, tau_max)[0]
    fd = sign * _eval(v, d, tau, tau_max)[0]
    for _ in range(iters):
        left = fc < fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new_c = b - g * (b - a)
        new_d = a + g * (b - a)
        c_next = np.where(left, new_c, d)
        d_next = np.where(left, c, new_d)
        f_probe = sign * _eval(v, np.where(left, new_c, new_d), tau, tau_max)[0]
        fc, fd = np.where(left, f_probe, fd), np.where(left, fc, f_probe)
        c, d = c_next, d_next
    x = 0.5 * (a + b)
    return x, _eval(v, x, tau, tau_max)[0], _scale(v, x, tau, tau_max)


def _count_sign_changes(v: np.ndarray) -> np.ndarray:
    """Sign changes along each row, ignoring zeros (Descartes' rule of signs)."""
    negative = v < 0
    if not (v == 0).any():
        return np.count_nonzero(negative[:, 1:] != negative[:, :-1], axis=1)
    sgn = np.sign(v)
    # carry the last non-zero sign forward over zeros
    idx = np.where(sgn != 0, np.arange(sgn.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    filled = np.take_along_axis(sgn, idx, axis=1)
    return np.sum((filled[:, 1:] * filled[:, :-1]) < 0, axis=1)


def _probe_pairs(f_grid_t, maybe_more):
    """Grid points where |F| dips towards zero without a sign change.

    ``f_grid_t`` is F on the grid, shape (G, rows); only rows flagged in ``maybe_more`` are
    considered. A parabola through each turning point of F and its two neighbours predicts
    how low the dip goes; points where it comes at least a quarter of the way to zero (or
    crosses) are returned as (row, grid index) for a closer look.
    """
    falling = f_grid_t[1:] < f_grid_t[:-1]
    g, r = np.divmod(np.flatnonzero(falling[1:] != falling[:-1]), f_grid_t.shape[1])
    keep = maybe_more[r]
    g, r = g[keep] + 1, r[keep]  # F turns at grid point g
    if not r.size:
        return r, g
    y0, y1, y2 = f_grid_t[g - 1, r], f_grid_t[g, r], f_grid_t[g + 1, r]
    towards_zero = (np.abs(y1) <= np.abs(y0)) & (np.abs(y1) < np.abs(y2))
    same_side = (np.sign(y0) == np.sign(y1)) & (np.sign(y1) == np.sign(y2)) & (y1 != 0)
    h0 = _S_GRID[g] - _S_GRID[g - 1]
    h1 = _S_GRID[g + 1] - _S_GRID[g]
    d1, d2 = (y1 - y0) / h0, (y2 - y1) / h1
    c = (d2 - d1) / (h0 + h1)
    slope = (d1 * h1 + d2 * h0) / (h0 + h1)
    vertex = y1 - slope**2 / (4 * np.where(c != 0, c, np.inf))
    dips = towards_zero & same_side & (np.sign(y1) * vertex < _PROBE_FRACTION * np.abs(y1))
    return r[dips], g[dips]


def _block_rows(n_periods: int) -> int:
    """Rows solved together: about 20,000 numbers a block, so temporaries stay in cache
    (measured: 2,048 rows suit 10-period flows, 256 suit 120-period ones)."""
    return int(min(2048, max(256, 20_000 // max(n_periods, 1))))


def _solve(v: np.ndarray, tau: np.ndarray, guess: float):
    """:func:`_solve_block` over blocks of rows, joined."""
    block = _block_rows(v.shape[1])
    if v.shape[0] <= block:
        return _solve_block(v, tau, guess)
    offsets = range(0, v.shape[0], block)
    parts = [_solve_block(v[i : i + block], tau, guess) for i in offsets]
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] + off for p, off in zip(parts, offsets, strict=True)]),
        np.concatenate([p[4] for p in parts]),
    )


def _solve_block(v: np.ndarray, tau: np.ndarray, guess: float):
    """Roots per row of sum v_t (1+r)^-tau_t = 0.

    Returns the chosen rate and its convergence flag per row, the sign changes per row,
    and every root as flat arrays (row, rate, converged) sorted by row then rate.
    """
    rows = v.shape[0]
    tau_max = float(tau[-1])
    changes = _count_sign_changes(v)
    b_rows, b_lo, b_hi, b_flo, b_fhi = [], [], [], [], []
    d_rows, d_s = [], []  # roots found directly, without refinement
    cand = np.flatnonzero(changes > 0)
    if cand.size:
        vc = v[cand]
        w_grid = _weights(_S_GRID, tau, tau_max)[0]  # (G, n)
        f_t = w_grid @ vc.T  # F on the grid, (G, rows): contiguous along the grid
        found = np.zeros(cand.size, dtype=int)
        zero = f_t == 0
        has_zero = zero.any()
        if has_zero:  # an exact root on the grid, or F underflowed to 0 at the far ends
            z_g, z_r = np.nonzero(zero)
            real = _scale(vc[z_r], _S_GRID[z_g], tau, tau_max) > 0
            d_rows.append(z_r[real])
            d_s.append(_S_GRID[z_g[real]])
            found += np.bincount(z_r[real], minlength=cand.size)
        negative = f_t < 0
        crossing = negative[1:] != negative[:-1]
        if has_zero:  # a zero is not a sign change; the root there is recorded above
            crossing &= ~zero[1:] & ~zero[:-1]
        g_idx, r_idx = np.divmod(np.flatnonzero(crossing), cand.size)
        b_rows.append(r_idx)
        b_lo.append(_S_GRID[g_idx])
        b_hi.append(_S_GRID[g_idx + 1])
        b_flo.append(f_t[g_idx, r_idx])
        b_fhi.append(f_t[g_idx + 1, r_idx])
        found += np.bincount(r_idx, minlength=cand.size)
        # Two roots inside one grid step give no sign change; look for them only where
        # Descartes' rule allows more roots than were bracketed.
        p_r, p_g = _probe_pairs(f_t, changes[cand] > found)
        if p_r.size:
            lo, hi = _S_GRID[p_g - 1], _S_GRID[p_g + 1]
            side = np.sign(f_t[p_g, p_r])
            x, f, scale = _golden_min(vc[p_r], lo, hi, side, tau, tau_max)
            flipped = side * f < 0
            touch = ~flipped & (np.abs(f) <= _DOUBLE_ROOT_RTOL * scale)
            b_rows += [p_r[flipped], p_r[flipped]]
            b_lo += [lo[flipped], x[flipped]]
            b_hi += [x[flipped], hi[flipped]]
            f_lo, f_hi = f_t[p_g - 1, p_r][flipped], f_t[p_g + 1, p_r][flipped]
            b_flo += [f_lo, f[flipped]]
            b_fhi += [f[flipped], f_hi]
            d_rows.append(p_r[touch])  # a double root: F touches zero
            d_s.append(x[touch])
        br = np.concatenate(b_rows)
        s_ref, c_ref = _refine(
            vc[br],
            np.concatenate(b_lo),
            np.concatenate(b_hi),
            np.concatenate(b_flo),
            np.concatenate(b_fhi),
            tau,
            tau_max,
        )
        dr = np.concatenate(d_rows) if d_rows else np.zeros(0, dtype=int)
        root_row = cand[np.concatenate([br, dr])]
        root_s = np.concatenate([s_ref, *d_s])
        root_conv = np.concatenate([c_ref, np.ones(dr.size, dtype=bool)])
    else:
        root_row = np.zeros(0, dtype=int)
        root_s = np.zeros(0)
        root_conv = np.zeros(0, dtype=bool)

    order = np.lexsort((root_s, root_row))
    root_row, root_conv = root_row[order], root_conv[order]
    root_r = np.expm1(root_s[order])
    if root_r.size > 1:  # a root found twice (grid zero that was also bracketed)
        new_row = np.diff(root_row) != 0
        apart = np.diff(root_r) > 1e-12 * (1 + np.abs(root_r[1:]))
        keep = np.concatenate([[True], new_row | apart])
        root_row, root_r, root_conv = root_row[keep], root_r[keep], root_conv[keep]

    out_irr = np.full(rows, np.nan)
    out_conv = np.zeros(rows, dtype=bool)
    if root_r.size:
        pick = np.lexsort((np.abs(root_r - guess), root_row))
        first = np.concatenate([[True], np.diff(root_row[pick]) != 0])
        chosen = pick[first]
        out_irr[root_row[chosen]] = root_r[chosen]
        out_conv[root_row[chosen]] = root_conv[chosen]
    return out_irr, out_conv, changes, root_row, root_r


def _reason(row: np.ndarray, changes: int, r_arr: np.ndarray, guess: float, conv: bool) -> str:
    if changes == 0:
        if not row.any():
            return "no sign change: all flows are zero"
        if (row >= 0).all():
            return "no sign change: all flows non-negative"
        return "no sign change: all flows non-positive"
    if r_arr.size == 0:
        return (
            f"no root: flows change sign {changes} times but NPV does not reach zero "
            "for any rate above -100%"
        )
    if not conv:
        return "not converged: Newton iteration stopped before reaching full precision"
    if r_arr.size == 1:
        return "unique root" if changes == 1 else f"one root ({changes} sign changes)"
    listed = ", ".join(f"{r:.6g}" for r in r_arr)
    return f"several roots ({listed}): returned the one closest to guess={guess:g}"


def _finish(func, v, one_d, solved, guess, full_output, raise_on_failure):
    """Turn :func:`_solve` output into what :func:`irr` and :func:`xirr` return."""
    irr_, conv, changes, root_row, root_r = solved
    rows = irr_.shape[0]
    if raise_on_failure and np.isnan(irr_).any():
        bad = np.flatnonzero(np.isnan(irr_))
        i = int(bad[0])
        reason = _reason(v[i], int(changes[i]), root_r[root_row == i], guess, bool(conv[i]))
        where = "the series" if one_d else f"row {i}"
        more = f" ({bad.size - 1} more rows also failed)" if bad.size > 1 else ""
        raise SolverError(
            f"{func}: {where} has no internal rate of return: {reason}{more}. "
            "A rate of return needs both money out (negative) and money in (positive); "
            "check the signs, or use raise_on_failure=False to get NaN for such rows."
        )
    if not full_output:
        return np.float64(irr_[0]) if one_d else irr_
    counts = np.bincount(root_row, minlength=rows)
    roots = np.split(root_r, np.cumsum(counts)[:-1])
    reasons = [_reason(v[i], int(changes[i]), roots[i], guess, bool(conv[i])) for i in range(rows)]
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
        Every rate in (-1, inf) found at which NPV is zero, ascending.
    sign_changes : int or numpy.ndarray
        Sign changes in the flows, ignoring zeros: an upper bound on the number of roots
        (Descartes' rule of signs), with the same parity.
    converged : bool or numpy.ndarray
        Whether the chosen root was refined to full double precision.
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

    Method. In :math:`s = \\log(1+r)` the NPV (scaled by a positive factor so nothing
    overflows) is evaluated for all rows on a fixed grid covering
    :math:`1+r \\in [4\\cdot10^{-18}, 2\\cdot10^{17}]`, 2.5% apart where
    :math:`1+r \\in [0.05, 20]`. Every sign change between grid points brackets a root;
    where the rule of signs allows more roots than were bracketed, local minima of
    :math:`|\\mathrm{NPV}|` are searched (golden section) for a pair of roots inside one
    grid step, or a double root. Each bracket is then refined by Newton's method, falling
    back to bisection whenever a step would leave the bracket, to full double precision.
    All of this is array arithmetic over rows; no Python loop runs per row except to pack
    the results.

    Multiple roots. The returned rate is the root closest to ``guess``. All roots are in
    ``IrrResult.roots``. numpy-financial returns the root closest to zero (pass
    ``guess=0`` to match it); Excel's IRR runs Newton's method from ``guess`` and returns
    whichever root it reaches, usually but not always the nearest one. A business case
    with several rates is better judged by :func:`npv` or :func:`mirr`.

    Where a root exists it is found, unless it lies outside the grid (a rate below
    -99.9999999999999996% or above 2e17) or two roots are so close that their NPV dip
    between them is smaller than rounding (then it is reported as one double root).

    References
    ----------
    .. [1] L. J. Gitman, *Principles of Managerial Finance, Brief*, 3rd ed.,
       Addison-Wesley, 2003, p. 348.
    .. [2] Microsoft, "IRR function", Excel support.
    .. [3] R. P. Brent, *Algorithms for Minimization without Derivatives*, Prentice-Hall,
       1973 (safeguarded root finding).

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
        solved = _solve(v2, tau, g)
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
    Solves :math:`\\sum_i v_i (1+r)^{-(d_i-d_0)/365} = 0` with the same vectorised grid
    and safeguarded Newton method as :func:`irr` (exponents need not be whole numbers, and
    Descartes' rule of signs still bounds the number of roots). Excel iterates from
    ``guess`` until the result is accurate to 0.000001%; this solver goes to full double
    precision, so results agree with Excel to the digits Excel shows.

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
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        solved = _solve(v2, tau, g)
    return _finish("xirr", v2, one_d, solved, g, full_output, raise_on_failure)
