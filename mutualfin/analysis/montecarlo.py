"""Monte Carlo: every input with an uncertainty drawn from it, optionally rank-correlated
(Iman-Conover), and the case evaluated for all draws in chunks of scenarios.

Conventions: :mod:`mutualfin.analysis.risk`.

References
----------
Iman, R. L. and Conover, W. J. (1982). A distribution-free approach to inducing rank
correlation among input variables. *Communications in Statistics - Simulation and
Computation*, 11(3), 311-334.
"""

from __future__ import annotations

import difflib
import os
import statistics
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mutualfin.analysis._common import (
    COMPUTED_BY,
    PERCENTILES,
    _apply_draw,
    _check_case,
    _input,
    _metric_names,
)
from mutualfin.analysis.progress import progress_bar
from mutualfin.case.statements import HEADLINE_NPV, STATEMENTS, below_floor
from mutualfin.core.checks import is_finite_number
from mutualfin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.case.business_case import BusinessCase

__all__ = ["BLOCK_SIZE", "SimulationResult", "iman_conover", "simulate"]


def _correlation_matrix(case: BusinessCase, correlation: Any, names: list[str]):
    """(names in the matrix, matrix) from a DataFrame or {(a, b): rho}, validated."""
    if isinstance(correlation, pd.DataFrame):
        rows, cols = [str(x) for x in correlation.index], [str(x) for x in correlation.columns]
        if rows != cols:
            raise InputError(
                "correlation matrix: rows and columns must name the same inputs in the same "
                f"order; rows {rows}, columns {cols}"
            )
        try:
            matrix = correlation.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise InputError("correlation matrix: entries must be numbers") from None
        labels = rows
    elif isinstance(correlation, Mapping):
        labels = []
        for pair in correlation:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InputError(
                    f"correlation: key {pair!r} must be a pair of input names, e.g. "
                    "{('contract.indexation', 'staff.pay_award'): 0.6}"
                )
            labels += [p for p in pair if p not in labels]
        matrix = np.eye(len(labels))
        given: dict[frozenset, float] = {}
        for (a, b), rho in correlation.items():
            i, j = labels.index(a), labels.index(b)
            if i == j:
                raise InputError(f"correlation: pair ({a!r}, {b!r}) is one input twice")
            key = frozenset((a, b))
            if key in given and given[key] != rho:
                raise InputError(
                    f"correlation: ({a!r}, {b!r}) is given twice, as {given[key]!r} and "
                    f"{rho!r}; give each pair once"
                )
            given[key] = rho
            try:
                matrix[i, j] = matrix[j, i] = float(rho)
            except (TypeError, ValueError):
                raise InputError(f"correlation: ({a!r}, {b!r}) = {rho!r} is not a number") from None
    else:
        raise InputError(
            "correlation must be a DataFrame (input names as index and columns) or a mapping "
            f"{{(input_a, input_b): rho}}, got {type(correlation).__name__}"
        )
    if len(set(labels)) != len(labels):
        raise InputError(f"correlation matrix: an input is named twice in {labels}")
    for name in labels:
        inp = _input(case, name, "correlation: input")
        if inp.uncertainty is None:
            raise InputError(
                f"correlation: input {name!r} declares no uncertainty, so it is not drawn and "
                "cannot be correlated; give it one (uncertainty = {triangular = [...]}) or "
                "leave it out of the matrix"
            )
    k = len(labels)
    if matrix.shape != (k, k) or not np.all(np.isfinite(matrix)):
        raise InputError(f"correlation matrix must be {k} x {k} finite numbers")
    if not np.allclose(matrix, matrix.T, rtol=0, atol=1e-12):
        i, j = np.argwhere(~np.isclose(matrix, matrix.T, rtol=0, atol=1e-12))[0]
        raise InputError(
            f"correlation matrix is not symmetric: ({labels[i]}, {labels[j]}) = {matrix[i, j]} "
            f"but ({labels[j]}, {labels[i]}) = {matrix[j, i]}"
        )
    if not np.allclose(np.diag(matrix), 1.0, rtol=0, atol=1e-12):
        i = int(np.argmax(np.abs(np.diag(matrix) - 1)))
        raise InputError(
            f"correlation matrix: the diagonal must be 1; {labels[i]} has {matrix[i, i]}"
        )
    if np.any(np.abs(matrix) > 1):
        raise InputError("correlation matrix: every entry must be between -1 and 1")
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        smallest = float(np.linalg.eigvalsh(matrix)[0])
        raise InputError(
            f"correlation matrix of {labels} is not positive definite (smallest eigenvalue "
            f"{smallest:.3g}): the correlations contradict each other (e.g. a with b and b "
            "with c strongly positive but a with c strongly negative); make them consistent"
        ) from None
    return labels, matrix


def _ranks(x: np.ndarray) -> np.ndarray:
    """0-based ranks along axis 0 (ties broken by position)."""
    order = np.argsort(x, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(x.shape[0])[:, None], axis=0)
    return ranks


def iman_conover(draws: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder independent draws so that their rank correlation follows ``target``.

    Parameters
    ----------
    draws : ndarray, shape (n, k)
        Independent draws, one column per input. Each column's values are kept, only their
        order changes, so every marginal distribution is exactly as drawn.
    target : ndarray, shape (k, k)
        Target rank correlation matrix (symmetric, unit diagonal, positive definite).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, k)

    Notes
    -----
    Iman and Conover (1982): take van der Waerden scores
    :math:`a_i = \\Phi^{-1}(i/(n+1))`, permute them at random into a score matrix
    :math:`R` (n x k), remove its chance correlation :math:`T = QQ^\\top` and impose the
    target :math:`C = PP^\\top` (Cholesky factors): :math:`R^* = R (P Q^{-1})^\\top`. Each
    column of draws is then sorted and arranged in the rank order of the same column of
    :math:`R^*`. Since normal scores with correlation :math:`r` have rank correlation
    :math:`(6/\\pi)\\arcsin(r/2)`, the scores are aimed at :math:`2\\sin(\\pi C/6)` so that
    the *rank* correlation of the result is close to :math:`C` (sampling error about
    :math:`1/\\sqrt{n}`).
    """
    n, k = draws.shape
    if k < 2 or n < 3:
        return draws
    nd = statistics.NormalDist()
    scores = np.array([nd.inv_cdf(i / (n + 1)) for i in range(1, n + 1)])
    R = np.column_stack([rng.permutation(scores) for _ in range(k)])
    T = np.corrcoef(R, rowvar=False)
    # normal scores with Pearson correlation r have rank correlation (6/pi) asin(r/2):
    # aim the scores at 2 sin(pi rho / 6) so the ranks come out at rho
    adjusted = 2 * np.sin(np.pi * np.asarray(target, dtype=float) / 6)
    np.fill_diagonal(adjusted, 1.0)
    try:
        P = np.linalg.cholesky(adjusted)
    except np.linalg.LinAlgError:  # pragma: no cover - extreme matrices only
        P = np.linalg.cholesky(target)
    Q = np.linalg.cholesky(T)
    R_star = R @ (P @ np.linalg.inv(Q)).T
    ranks = _ranks(R_star)
    ordered = np.sort(draws, axis=0)
    return np.take_along_axis(ordered, ranks, axis=0)


#: Scenarios per block: the unit of seeding, of rank correlation and of work handed to an
#: executor (see :func:`simulate`).
BLOCK_SIZE = 10_000


def _available_memory() -> int | None:
    """Bytes of memory this process may still use: the system's available memory (Linux
    MemAvailable, else free pages), within a container's limit; None if unknown."""
    found: list[int] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for row in fh:
                if row.startswith("MemAvailable:"):
                    found.append(int(row.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, OSError, ValueError):
            pass
    try:  # cgroup v2: a container's limit less what it uses
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit.isdigit() and used.isdigit():
            found.append(int(limit) - int(used))
    except OSError:
        pass
    return max(min(found), 0) if found else None


def _check_memory(case: BusinessCase, n: int, uncertain: int, lines: int) -> None:
    """Refuse a simulation whose draws and kept results will not fit in memory, before any
    is drawn: 8 bytes a number for the draws, the metrics and the kept lines by period of
    every scenario, twice (the blocks' results, then joined); the chunks evaluated are
    bounded apart."""
    metrics = len(_metric_names(case))
    per_scenario = 16 * (uncertain + metrics + lines * case.timeline.n)
    need = n * per_scenario
    available = _available_memory()
    if available is None or need <= 0.8 * available:
        return
    most = int(0.8 * available // per_scenario)
    raise InputError(
        f"simulate: {n:,} scenarios need about {need / 2**30:,.1f} GiB of memory for their "
        f"draws and results ({per_scenario:,} bytes a scenario), but about "
        f"{available / 2**30:,.1f} GiB is available; run at most {most:,} scenarios here "
        "(10,000 give percentiles to well within a percent), or keep fewer lines (lines=[])"
    )


def _default_chunk(case: BusinessCase, uncertain: Sequence[str] | None = None) -> int:
    """Scenarios per evaluation: about 2 million numbers (16 MB) per array that the engine
    must expand to (scenarios, employees, periods), at least 200 and at most 20,000 scenarios.

    Most per-employee lines are totalled without expanding (the engine's factored
    evaluation), so a probe of two scenarios (the inputs in ``uncertain`` varied) finds how
    many numbers per scenario the largest expanded array holds, if any. 16 MB arrays stay
    under glibc's 32 MB limit for reusing freed memory: measured on the 500-employee,
    10-year benchmark before employer NI was factored, larger chunks paid page faults and
    smaller ones the engine's cost per call (about 8 ms for that case's 85 lines).
    """
    m = case.model
    if uncertain is None:
        uncertain = [x for x, i in m.inputs.items() if i.uncertainty is not None]
    probe = {
        x: _apply_draw(m.inputs[x], np.full(2, float(m.inputs[x].uncertainty.central)))  # type: ignore[union-attr]
        for x in uncertain
    }
    cells = m.evaluate(probe, keep=_metric_names(case), check_finite=False).expanded
    if cells == 0:
        return 20_000
    return int(min(20_000, max(200, 2_000_000 // cells)))


@dataclass(frozen=True)
class _Plan:
    """What every block of a simulation needs (sent to the executor's workers with the case)."""

    uncertain: tuple[str, ...]
    entropy: int
    correlated: tuple[str, ...]
    matrix: np.ndarray | None
    metrics: tuple[str, ...]
    lines: tuple[str, ...]
    chunk_size: int


def _block_draws(case: BusinessCase, plan: _Plan, index: int, size: int) -> np.ndarray:
    """The draws of block ``index``: its own generator, seeded by the run's seed and the
    block's index alone (``SeedSequence(seed, spawn_key=(index,))``, what
    ``SeedSequence(seed).spawn(k)[index]`` gives), so whoever evaluates a block, in whatever
    order, draws the same numbers."""
    rng = np.random.default_rng(np.random.SeedSequence(plan.entropy, spawn_key=(index,)))
    inputs = case.model.inputs
    draws = np.column_stack(
        [np.asarray(inputs[x].uncertainty.sample(rng, size), dtype=float) for x in plan.uncertain]  # type: ignore[union-attr]
    )
    if plan.matrix is not None:
        cols = [plan.uncertain.index(x) for x in plan.correlated]
        draws[:, cols] = iman_conover(draws[:, cols], plan.matrix, rng)
    for j, name in enumerate(plan.uncertain):  # fractions in range etc.
        inp = inputs[name]
        try:
            inp.check_values(_apply_draw(inp, draws[:, j]), "drawn value")
        except InputError as exc:
            raise InputError(
                f"simulate: draws for {name!r} from {inp.uncertainty!r} are not valid values of "
                f"the input ({exc}); narrow its uncertainty"
            ) from None
    return draws


def _run_block(
    case: BusinessCase, plan: _Plan, index: int, size: int, report: Any = None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Draw and evaluate one block: (draws, metrics, kept lines), in chunks of
    ``plan.chunk_size`` scenarios; ``report(done)`` after each chunk when given."""
    draws = _block_draws(case, plan, index, size)
    inputs = case.model.inputs
    keep = [*plan.metrics, *[x for x in plan.lines if x not in plan.metrics]]
    metric_out = np.empty((size, len(plan.metrics)))
    line_out = {x: np.empty((size, case.timeline.n)) for x in plan.lines}
    for start in range(0, size, plan.chunk_size):
        stop = min(start + plan.chunk_size, size)
        overrides = {
            name: _apply_draw(inputs[name], draws[start:stop, j])
            for j, name in enumerate(plan.uncertain)
        }
        ev = case.model.evaluate(overrides, keep=keep)
        for j, name in enumerate(plan.metrics):
            metric_out[start:stop, j] = ev.array(name)
        for name in plan.lines:
            line_out[name][start:stop] = ev.array(name)
        del ev
        if report is not None:
            report(stop)
    return draws, metric_out, line_out


def simulate(
    case: BusinessCase,
    n: int = 10_000,
    *,
    seed: int | np.random.Generator | None = None,
    correlation: Any = None,
    chunk_size: int | None = None,
    floor: float | None = None,
    lines: Sequence[str] = ("closing_cash", "reserves"),
    progress: Any = None,
    executor: Executor | None = None,
    block_size: int = BLOCK_SIZE,
) -> SimulationResult:
    """Monte Carlo: draw every uncertain input, evaluate the case for all draws.

    Parameters
    ----------
    case : BusinessCase
    n : int, default 10,000
        Number of scenarios (at least 1).
    seed : int or numpy.random.Generator, optional
        Seed of the run; the same seed gives the same numbers. Without one, a seed is drawn
        from the operating system and recorded in the result (``.seed``) so the run can be
        repeated. A Generator gives the seed as its next draw.
    correlation : DataFrame or mapping, optional
        Rank correlation between inputs: a square DataFrame with input names as index and
        columns, or ``{(input_a, input_b): rho}`` (other pairs 0). Every input named must
        declare an uncertainty; the matrix must be symmetric with a unit diagonal and
        positive definite. Induced by the Iman-Conover method (:func:`iman_conover`) within
        each block of scenarios.
    chunk_size : int, optional
        Scenarios per evaluation (memory is bounded by the chunk plus the kept results). By
        default 20,000, or fewer where the engine must expand per-employee lines to
        (scenarios, employees, periods) arrays: about 2 million numbers per such array. The
        numbers do not depend on it beyond rounding in the last digits.
    floor : float, optional
        Cash floor for :meth:`SimulationResult.shortfall` (GBP); by default the case's own
        (``[finance] cash_floor``), the floor its Summary and findings test against.
    lines : sequence of str, default ("closing_cash", "reserves")
        Lines by period kept for every scenario (percentiles by period, fan charts).
    progress : bool, callable or None
        Progress bar (tqdm: text in a terminal, a widget in Jupyter): None shows it on runs
        over about a second in a terminal or Jupyter; True always; False never; a callable
        gets ``(done, total)`` per chunk (per block with an executor) instead.
    executor : concurrent.futures.Executor, optional
        Evaluates the blocks: a ``ProcessPoolExecutor`` to use every core of this machine, or
        a Dask cluster's ``Client.get_executor()`` for many machines. Without one, the blocks
        run one after another in this process. The numbers are the same either way.
    block_size : int, default 10,000
        Scenarios per block: the unit of seeding, of rank correlation and of work handed to
        the executor. Part of what fixes the numbers, with ``seed`` and ``n``.

    Returns
    -------
    SimulationResult

    Notes
    -----
    The scenarios are split into blocks of ``block_size`` (the last one shorter). Block ``i``
    draws from its own generator, ``default_rng(SeedSequence(seed, spawn_key=(i,)))``: each
    input in the order of their names, ``dist.sample(rng, size)``, then the correlated ones
    reordered by Iman and Conover (1982) within the block, so the block is the unit of
    correlation (its sampling error is about ``1/sqrt(block_size)``). A block's draws and
    figures therefore depend only on the seed, its index, its size and the case: not on
    ``chunk_size``, on the executor, or on which worker evaluates it and when. The first
    ``k x block_size`` scenarios of a run are the same whatever ``n`` beyond them.

    How a draw applies to a per-period input is in :mod:`mutualfin.analysis.risk`'s notes.
    Each chunk is evaluated with ``keep=`` the metrics and ``lines`` only, so intermediate
    lines are freed as soon as they are used. An executor is sent the case and a plan with
    each block and returns the block's draws, metrics and kept lines.

    Examples
    --------
    On a cluster (``pip install mutualfin[dask]``)::

        from dask.distributed import Client
        client = Client("tcp://scheduler:8786")
        sim = case.simulate(1_000_000, seed=1, executor=client.get_executor())
    """
    _check_case(case, "simulate")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(f"simulate: n = {n!r} must be a whole number of scenarios, at least 1")
    n = int(n)
    if floor is None:
        floor = float(case.finance.inputs.cash_floor)
    if not is_finite_number(floor):
        raise InputError(f"simulate: floor {floor!r} must be a finite number of pounds")
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
    ):
        raise InputError(f"simulate: chunk_size {chunk_size!r} must be a whole number, at least 1")
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
        raise InputError(f"simulate: block_size {block_size!r} must be a whole number, at least 1")
    if executor is not None and not isinstance(executor, Executor):
        raise InputError(
            "simulate: executor must be a concurrent.futures.Executor (a ProcessPoolExecutor, "
            f"or a Dask client's get_executor()), got {type(executor).__name__}"
        )
    if isinstance(lines, str):
        lines = [lines]
    if not isinstance(lines, Sequence) or not all(isinstance(x, str) for x in lines):
        raise InputError(
            f"simulate: lines must be a list of line names such as ['closing_cash'], got "
            f"{type(lines).__name__}"
        )
    lines = list(lines)
    for name in lines:
        if name not in case.model.lines or not case.model.shapes[name].period:
            raise InputError(f"simulate: {name!r} is not a line by period of the case")
        if case.model.shapes[name].entity is not None:
            raise InputError(f"simulate: {name!r} is per employee; keep a total line instead")
    uncertain = sorted(n_ for n_, i in case.model.inputs.items() if i.uncertainty is not None)
    if not uncertain:
        raise InputError(
            "simulate: no input of the case declares an uncertainty, so there is nothing to "
            "draw; give inputs one, e.g. {value = 0.02, uncertainty = {triangular = "
            "[0.01, 0.02, 0.04]}}"
        )
    _check_memory(case, n, len(uncertain), len(lines))
    if seed is None:  # draw a seed and record it, so that any run can be repeated
        seed = int(np.random.SeedSequence().entropy) % 2**63
    elif not isinstance(seed, np.random.Generator) and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise InputError(f"simulate: seed {seed!r} must be a whole number, at least 0")
    entropy = int(seed.integers(2**63)) if isinstance(seed, np.random.Generator) else int(seed)
    corr_labels: list[str] = []
    corr_matrix = None
    if correlation is not None:
        corr_labels, corr_matrix = _correlation_matrix(case, correlation, uncertain)
    metrics = _metric_names(case)
    if chunk_size is None:
        chunk_size = _default_chunk(case, uncertain)
    plan = _Plan(
        uncertain=tuple(uncertain),
        entropy=entropy,
        correlated=tuple(corr_labels),
        matrix=corr_matrix,
        metrics=tuple(metrics),
        lines=tuple(lines),
        chunk_size=min(chunk_size, block_size),
    )
    blocks = [(i, min(block_size, n - start)) for i, start in enumerate(range(0, n, block_size))]
    bar = progress_bar(progress, n, desc="mutualfin simulate", unit="scenario")
    try:
        parts: list[Any] = [None] * len(blocks)
        if executor is None:
            done = 0
            for i, size in blocks:
                parts[i] = _run_block(case, plan, i, size, lambda k, d=done: bar.update(d + k))
                done += size
        else:
            futures = {executor.submit(_run_block, case, plan, i, size): i for i, size in blocks}
            done = 0
            for future in as_completed(futures):
                i = futures[future]
                parts[i] = future.result()
                done += blocks[i][1]
                bar.update(done)
    finally:
        bar.close()
    draws = np.concatenate([p[0] for p in parts])
    metric_out = np.concatenate([p[1] for p in parts])
    line_out = {x: np.concatenate([p[2][x] for p in parts]) for x in lines}
    return SimulationResult(
        case=case,
        n=n,
        seed=seed if not isinstance(seed, np.random.Generator) else "a numpy Generator",
        floor=float(floor),
        draws=pd.DataFrame(draws, columns=pd.Index(uncertain, name="input")),
        metrics=pd.DataFrame(metric_out, columns=pd.Index(metrics, name="metric")),
        lines=line_out,
        correlation=(
            None
            if corr_matrix is None
            else pd.DataFrame(corr_matrix, index=corr_labels, columns=corr_labels)
        ),
    )


def metric_words(metric: str, model) -> str:
    """A metric's or line's name in words (a table's title, a row's label): the statement's
    short label, else the model line's label, else the name."""
    shorts = {s.name: s.short for s in STATEMENTS}
    line = model.lines.get(metric)
    return shorts.get(metric) or (line.label if line is not None else "") or metric


def _spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of each column of x with y (average ranks for ties; NaN
    where either is constant)."""
    rx = np.array(pd.DataFrame(x).rank(method="average").to_numpy(float))
    ry = np.array(pd.Series(y).rank(method="average").to_numpy(float))
    rx -= rx.mean(axis=0)
    ry -= ry.mean()
    num = rx.T @ ry
    den = np.sqrt((rx**2).sum(axis=0) * (ry**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _percentiles(arr: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Percentiles down axis 0, numpy's linear method, with NaN ranked as +inf ("never").

    Returns shape (len(q), columns). A percentile falling strictly between a value and
    ``inf`` is ``inf``; one falling on a value is that value.
    """
    qs = np.asarray(q, dtype=float)
    if np.any((qs < 0) | (qs > 100)):
        raise InputError(f"percentiles {list(q)} must be between 0 and 100")
    data = np.sort(np.where(np.isnan(arr), np.inf, arr), axis=0)
    n = data.shape[0]
    h = (n - 1) * qs / 100
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    t = (h - lo)[:, None]
    a, b = data[lo], data[hi]
    with np.errstate(invalid="ignore"):
        lerp = a + (b - a) * t
    return np.where(t == 0, a, np.where(np.isinf(b) | np.isinf(a), np.maximum(a, b), lerp))


@dataclass
class SimulationResult:
    """What :func:`simulate` gives: the draws, every metric and kept line per scenario.

    Attributes
    ----------
    draws : DataFrame (n x uncertain inputs)
        The value drawn for each input (for per-period inputs, the draw before it is applied
        to the profile).
    metrics : DataFrame (n x metric lines)
    lines : dict of line name to ndarray (n, periods)
    floor : float
        The cash floor given to :func:`simulate`.
    """

    case: BusinessCase
    n: int
    seed: Any
    floor: float
    draws: pd.DataFrame
    metrics: pd.DataFrame
    lines: dict[str, np.ndarray]
    correlation: pd.DataFrame | None = None

    # -- percentiles ---------------------------------------------------------------------------
    def percentiles(self, q: Sequence[float] = PERCENTILES) -> pd.DataFrame:
        """Percentiles, mean and share "never" of every metric: one row per metric.

        Columns ``p5``, ``p10``... (linear interpolation between order statistics, numpy's
        default), ``mean`` and ``share_never``. A metric with no value in a scenario (NaN:
        payback never reached) counts as later than any value, so its high percentiles are
        ``inf`` ("never") once more scenarios than that never pay back; ``mean`` is over the
        scenarios with a value and ``share_never`` is the share without one.
        """
        arr = self.metrics.to_numpy(float)
        out = pd.DataFrame(
            _percentiles(arr, q).T, index=self.metrics.columns, columns=[f"p{x:g}" for x in q]
        )
        missing = np.isnan(arr)
        with np.errstate(invalid="ignore"):
            sums = np.where(missing, 0.0, arr).sum(axis=0)
            counts = (~missing).sum(axis=0)
            out["mean"] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        out["share_never"] = missing.mean(axis=0)
        out.attrs["note"] = COMPUTED_BY
        return out

    def line_percentiles(self, line: str = "closing_cash", q=PERCENTILES) -> pd.DataFrame:
        """Percentiles of a kept line by period: one row per percentile, periods as columns."""
        out = pd.DataFrame(
            _percentiles(self._line(line), q),
            index=pd.Index([f"p{x:g}" for x in q], name="percentile"),
            columns=pd.Index(self.case.timeline.labels, name="period"),
        )
        out.attrs["note"] = COMPUTED_BY
        return out

    def _line(self, line: str) -> np.ndarray:
        if line not in self.lines:
            raise InputError(
                f"{line!r} was not kept in this simulation (kept: {sorted(self.lines)}); run "
                f"simulate(..., lines=[..., {line!r}])"
            )
        return self.lines[line]

    # -- shortfall -----------------------------------------------------------------------------
    def shortfall(self, floor: float | None = None, line: str = "closing_cash") -> pd.Series:
        """Probability that ``line`` falls below ``floor`` in each period, and in any period.

        Returns
        -------
        pandas.Series
            Indexed by period label, plus ``"any period"``: the share of scenarios in which the
            line is below the floor in that period (by half a penny or more), or in at least one
            period.
        """
        floor = self.floor if floor is None else float(floor)
        below = below_floor(self._line(line), floor)  # (by half a penny or more)
        out = pd.Series(
            [*below.mean(axis=0), below.any(axis=1).mean()],
            index=[*self.case.timeline.labels, "any period"],
            name=f"P({line} < {floor:,.0f})",
        )
        return out

    def probability_below(self, floor: float | None = None, line: str = "closing_cash") -> float:
        """Probability that ``line`` is below ``floor`` in at least one period."""
        return float(self.shortfall(floor, line)["any period"])

    # -- drivers -------------------------------------------------------------------------------
    def drivers(self, metric: str = HEADLINE_NPV) -> pd.DataFrame:
        """Inputs that drive the risk: Spearman rank correlation of each input's draws with a
        metric, strongest (in absolute value) first.

        Returns
        -------
        pandas.DataFrame
            Columns ``input``, ``label``, ``spearman`` (in [-1, 1]; NaN where the input or the
            metric did not vary) and ``share`` (squared correlation over the sum of squares, a
            rough share of the metric's rank variance).
        """
        if metric not in self.metrics.columns:
            close = difflib.get_close_matches(metric, list(self.metrics.columns), n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise InputError(f"drivers: {metric!r} is not a metric of the simulation{hint}")
        rho = _spearman(self.draws.to_numpy(), self.metrics[metric].to_numpy())
        sq = np.where(np.isnan(rho), 0.0, rho**2)
        total = sq.sum()
        labels = [self.case.model.inputs[c].label for c in self.draws.columns]
        out = pd.DataFrame(
            {
                "input": list(self.draws.columns),
                "label": labels,
                "spearman": rho,
                "share": sq / total if total > 0 else np.full_like(sq, np.nan),
            }
        )
        order = np.argsort(-np.nan_to_num(np.abs(rho), nan=-1.0), kind="stable")
        out = out.iloc[order].reset_index(drop=True)
        out.attrs["metric"] = metric
        out.attrs["note"] = COMPUTED_BY
        return out

    # -- charts --------------------------------------------------------------------------------
    def fan_chart(self, lines: Sequence[str] | None = None, *, title: str | None = None):
        """Fan chart of kept lines by period: median with 5-95, 10-90 and 25-75 bands.

        Drawn by :func:`mutualfin.plots.fan_chart` (charts live outside the analysis layer).

        Returns
        -------
        matplotlib.figure.Figure
            One axes per line (closing cash and reserves by default), each with three shaded
            bands, the median line and a dashed line at the floor; titled by line.
        """
        from mutualfin.plots import fan_chart  # a convenience method: an allowed upward import

        return fan_chart(self, lines, title=title)

    # -- workbook ------------------------------------------------------------------------------
    def tables(self, metric: str = HEADLINE_NPV) -> dict[str, pd.DataFrame]:
        """DataFrames for the workbook's risk sheet, each labelled as computed by mutualfin.

        Keys: ``summary`` (what was run), ``inputs`` (each uncertain input's distribution),
        ``metric_percentiles``, one ``<line>_percentiles`` per kept line, ``shortfall`` and
        ``drivers`` (for ``metric``); plus ``correlation`` when one was given. Each has
        ``attrs["title"]`` and ``attrs["note"]`` saying these are values, not live formulas,
        and ``attrs["units"]``: each value column's unit, or a list of one unit per row where
        the rows differ (the percentiles of each metric in the metric's unit).
        """
        from mutualfin._version import __version__

        note = (
            f"Values computed by mutualfin {__version__} by Monte Carlo simulation "
            f"({self.n:,} scenarios, seed {self.seed}); not live formulas"
        )
        summary = pd.DataFrame(
            {
                "value": [
                    self.case.name,
                    self.n,
                    str(self.seed),
                    len(self.draws.columns),
                    "Iman-Conover rank correlation" if self.correlation is not None else "none",
                    self.floor,
                    self.probability_below(),
                    note,
                ]
            },
            index=pd.Index(
                [
                    "case",
                    "scenarios",
                    "seed",
                    "uncertain inputs",
                    "correlation",
                    "cash floor",
                    "probability cash below floor in any period",
                    "computed by",
                ],
                name="item",
            ),
        )
        rows = []
        for name in self.draws.columns:
            inp = self.case.model.inputs[name]
            dist = inp.uncertainty
            rows.append(
                {
                    "input": name,
                    "label": inp.label,
                    "unit": inp.unit,
                    "base": inp.value.tolist() if inp.value.ndim else float(inp.value),
                    "distribution": repr(dist),
                    "drawn_mean": float(self.draws[name].mean()),
                }
            )
        out = {
            "summary": (summary, "Monte Carlo summary"),
            "inputs": (pd.DataFrame(rows).set_index("input"), "Uncertain inputs"),
            "metric_percentiles": (self.percentiles(), "Percentiles of the metrics"),
        }
        for name in self.lines:
            out[f"{name}_percentiles"] = (
                self.line_percentiles(name),
                f"Percentiles of {self.case.model.lines[name].label} by period",
            )
        out["shortfall"] = (
            self.shortfall().to_frame("probability"),
            f"Probability closing cash is below {self.floor:,.0f}",
        )
        out["drivers"] = (
            self.drivers(metric).set_index("input"),
            f"Drivers of {metric_words(metric, self.case.model)}",
        )
        if self.correlation is not None:
            out["correlation"] = (self.correlation.copy(), "Rank correlation imposed")
        lines = self.case.model.lines
        inputs = self.case.model.inputs
        percentiles = out["metric_percentiles"][0]
        metric_units = [lines[m].unit if m in lines else "" for m in percentiles.index]
        units: dict[str, dict] = {
            "summary": {
                "value": ["text", "count", "text", "count", "text", "GBP", "fraction", "text"]
            },
            "inputs": {
                c: [inputs[n].unit for n in self.draws.columns] for c in ("base", "drawn_mean")
            },
            "metric_percentiles": {
                **{c: metric_units for c in percentiles.columns},
                "share_never": "fraction",
            },
            "shortfall": {"probability": "fraction"},
            "drivers": {"spearman": "ratio", "share": "fraction"},
        }
        for name in self.lines:
            frame = out[f"{name}_percentiles"][0]
            units[f"{name}_percentiles"] = {str(c): lines[name].unit for c in frame.columns}
        if self.correlation is not None:
            units["correlation"] = {str(c): "ratio" for c in self.correlation.columns}
        result = {}
        for key, (frame, title) in out.items():
            frame.attrs["title"] = title
            frame.attrs["note"] = note
            frame.attrs["units"] = units.get(key, {})
            result[key] = frame
        return result

    def __repr__(self) -> str:
        return (
            f"SimulationResult({self.case.name!r}, n={self.n:,}, seed={self.seed}, "
            f"{len(self.draws.columns)} uncertain inputs)"
        )
