"""Monte Carlo beyond one process: blocks of scenarios, each seeded by its index, give the
same numbers whoever evaluates them (analysis/montecarlo.py, issue 19).

The case is the shipped youth service (models/youth_service.toml: 155 staff, five uncertain
inputs), with two of them rank-correlated so that the Iman-Conover step, which couples the
draws of a block, is part of what must repeat.
"""

from __future__ import annotations

import multiprocessing
import pathlib
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import mutualfin as mf
from mutualfin import risk
from mutualfin.errors import InputError

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASE = mf.BusinessCase.from_file(ROOT / "models" / "youth_service.toml")
CORRELATION = {("contract.indexation", "staff.vacancy_factor"): 0.6}
# 2,500 scenarios in blocks of 1,000: three blocks, the last one shorter
RUN = dict(seed=20260401, correlation=CORRELATION, block_size=1_000, progress=False)


def fingerprint(sim) -> bytes:
    """The bytes of every percentile, the draws and the kept lines: equal only if identical."""
    parts = [sim.percentiles().to_numpy(), sim.draws.to_numpy()]
    parts += [sim.lines[name] for name in sorted(sim.lines)]
    return b"".join(np.ascontiguousarray(p).tobytes() for p in parts)


@pytest.fixture(scope="module")
def in_process():
    return risk.simulate(CASE, 2_500, **RUN)


class Reversed(Executor):
    """Runs the blocks at once, in reverse order of submission (last block first)."""

    def __init__(self):
        self.pending = []

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        self.pending.append((future, fn, args, kwargs))
        if len(self.pending) == 3:
            for fut, f, a, k in reversed(self.pending):
                fut.set_result(f(*a, **k))
        return future


def test_blocks_run_in_any_order_give_the_same_numbers(in_process):
    sim = risk.simulate(CASE, 2_500, executor=Reversed(), **RUN)
    assert fingerprint(sim) == fingerprint(in_process)


@pytest.fixture(scope="module")
def pool():
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter per worker
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as executor:
        yield executor


def test_process_pool_gives_byte_identical_results(in_process, pool):
    sim = risk.simulate(CASE, 2_500, executor=pool, **RUN)
    assert fingerprint(sim) == fingerprint(in_process)
    assert sim.percentiles().equals(in_process.percentiles())


def test_dask_local_cluster_gives_byte_identical_results(in_process):
    import distributed  # dask[distributed] is in the test extra, so CI installs it

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        sim = risk.simulate(CASE, 2_500, executor=client.get_executor(), **RUN)
    assert fingerprint(sim) == fingerprint(in_process)


def test_blocks_are_seeded_by_index_not_by_the_run_length(in_process):
    """The first two blocks of a 2,500-scenario run are the 2,000 scenarios of a shorter run."""
    short = risk.simulate(CASE, 2_000, **RUN)
    np.testing.assert_array_equal(short.draws.to_numpy(), in_process.draws.to_numpy()[:2_000])
    np.testing.assert_array_equal(short.metrics.to_numpy(), in_process.metrics.to_numpy()[:2_000])
    # block 1 is not a copy of block 0: each has its own generator
    d = in_process.draws.to_numpy()
    assert not np.array_equal(d[:500], d[1_000:1_500])


def test_each_block_is_rank_correlated():
    sim = risk.simulate(CASE, 4_000, **RUN)
    for start in range(0, 4_000, 1_000):
        block = sim.draws.iloc[start : start + 1_000]
        rho = block["contract.indexation"].rank().corr(block["staff.vacancy_factor"].rank())
        assert rho == pytest.approx(0.6, abs=0.05)


def test_executor_must_be_an_executor():
    with pytest.raises(InputError, match="concurrent.futures.Executor"):
        risk.simulate(CASE, 10, seed=1, executor="processes")
    with pytest.raises(InputError, match="block_size 0"):
        risk.simulate(CASE, 10, seed=1, block_size=0)


# --------------------------------------------------------------------------------------------
# tornado and two-way grids
# --------------------------------------------------------------------------------------------
def test_tornado_with_a_process_pool_equals_in_process(pool):
    here = risk.tornado(CASE, swing=0.2)
    there = risk.tornado(CASE, swing=0.2, executor=pool)
    pd.testing.assert_frame_equal(here, there, check_exact=True)
    numbers = here.select_dtypes("number").to_numpy()
    assert numbers.tobytes() == there.select_dtypes("number").to_numpy().tobytes()
    assert len(here) > 10


def test_two_way_grid_in_pieces_equals_in_process():
    """A 40 x 30 grid is 1,200 cells: two pieces of up to 1,000, run by two threads."""
    a = np.linspace(0.0, 0.03, 40)
    b = np.linspace(0.0, 0.05, 30)
    args = ("contract.indexation", a, "staff.vacancy_factor", b)
    here = risk.two_way(CASE, *args)
    with ThreadPoolExecutor(2) as threads:
        there = risk.two_way(CASE, *args, executor=threads)
    assert here.to_numpy().tobytes() == there.to_numpy().tobytes()
    # each cell is the case run with the two inputs set: one corner by hand
    run = CASE.run({"contract.indexation": a[-1], "staff.vacancy_factor": b[0]})
    assert here.iloc[-1, 0] == pytest.approx(run.evaluation.array("npv_net_cash_flow")[0])
    with pytest.raises(InputError, match="two_way: executor must be"):
        risk.two_way(CASE, *args, executor=object())
