"""Staff cohorts for the publication pack: per-employee figures summed by role (or grade), in
groups of at least five people, so no published figure is one person's.

A cabinet appendix is published; a role held by one person identifies them, and salary, age
and pension are personal data (UK GDPR article 4(1); the ICO's guidance on anonymisation
treats small cells as identifying and suppresses or merges them). The publication pack
therefore shows each per-employee line as one row per cohort: the employees of a role, roles
with fewer than :data:`MIN_COHORT` people merged into "Other roles", and that group merged
into the smallest cohort if it is still too small. The full per-employee workbook is a
separate file marked OFFICIAL-SENSITIVE.

A cohort row holds the sum over its members of a line whose unit adds up (money, FTE,
counts), or their average otherwise (a rate, a share in post). Every total the model takes
over employees is a sum (:class:`mutualfin.engine.nodes.Total`), so the sum of the cohort rows
of an additive line equals the model's total exactly; the workbook's totals stay formulas over
the cohort rows and verification proves them equal to the full model. An average cannot be
recombined that way: the pack records a SHA-256 checksum of the full model's per-employee
figures (:func:`per_employee_digest`), which verification recomputes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from mutualfin.errors import WorkbookError

__all__ = ["ADDITIVE_UNITS", "MIN_COHORT", "Cohorts", "per_employee_digest", "staff_cohorts"]

#: the fewest people a published staff figure may describe
MIN_COHORT = 5
#: units whose per-employee figures add up to a cohort's (others are averaged)
ADDITIVE_UNITS = frozenset({"GBP", "FTE", "count"})


@dataclass(frozen=True)
class Cohorts:
    """Which cohort each employee is in, and each cohort's label.

    ``index[i]`` is employee ``i``'s cohort; ``labels[c]`` names cohort ``c`` with its
    head count, e.g. "Youth worker (61 staff)"."""

    labels: tuple[str, ...]
    index: np.ndarray
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def sizes(self) -> np.ndarray:
        return np.bincount(self.index, minlength=len(self.labels))

    def aggregate(self, values: np.ndarray, unit: str) -> np.ndarray:
        """(cohorts, periods) from (employees, periods): sums for an additive unit, else
        averages."""
        values = np.asarray(values, dtype=float)
        out = np.zeros((len(self.labels), values.shape[-1]))
        np.add.at(out, self.index, values)
        if unit in ADDITIVE_UNITS:
            return out
        return out / self.sizes[:, None]

    @staticmethod
    def how(unit: str) -> str:
        return "sum" if unit in ADDITIVE_UNITS else "average"


def staff_cohorts(roles, minimum: int = MIN_COHORT) -> Cohorts:
    """Cohorts of at least ``minimum`` employees from each employee's role (or grade).

    Roles held by fewer than ``minimum`` people are merged into "Other roles"; if that group
    is still smaller than ``minimum``, it joins the smallest cohort. A roster of fewer than
    ``minimum`` people is one cohort ("All staff"): its figures are the totals the
    statements show anyway.

    >>> c = staff_cohorts(["A"] * 6 + ["B"] * 2 + ["C"] * 5)
    >>> c.labels
    ('A (6 staff)', 'C and other roles (7 staff)')
    >>> c.index.tolist()
    [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
    """
    roles = [str(r).strip() or "Role not given" for r in roles]
    n = len(roles)
    if n == 0:
        raise WorkbookError("the roster has no employees, so there are no staff cohorts")
    counts: dict[str, int] = {}
    for r in roles:
        counts[r] = counts.get(r, 0) + 1
    if n < minimum:
        groups = {"All staff": list(counts)}
    else:
        big = sorted((r for r, k in counts.items() if k >= minimum), key=lambda r: -counts[r])
        small = [r for r in counts if counts[r] < minimum]
        groups = {r: [r] for r in big}
        if small:
            if sum(counts[r] for r in small) >= minimum or not big:
                groups["Other roles"] = small
            else:
                smallest = min(big, key=lambda r: (counts[r], r))
                groups[f"{smallest} and other roles"] = groups.pop(smallest) + small
    names = tuple(groups)
    where = {role: c for c, members in enumerate(groups.values()) for role in members}
    index = np.array([where[r] for r in roles], dtype=int)
    sizes = np.bincount(index, minlength=len(names))
    labels = tuple(f"{name} ({k} staff)" for name, k in zip(names, sizes, strict=True))
    return Cohorts(labels=labels, index=index, names=names)


def per_employee_digest(evaluation, scenario: int = 0) -> str:
    """SHA-256 of every per-employee figure of ``evaluation`` (line by line in model order,
    each value rounded to a hundredth of a penny and written as text): the fingerprint that
    ties a publication pack to the full model it was summarised from."""
    model = evaluation.model
    h = hashlib.sha256()
    for name in model.lines:
        if model.shapes[name].entity is None:
            continue
        arr = np.asarray(evaluation.values[name], dtype=float)
        arr = arr[min(scenario, arr.shape[0] - 1)]
        h.update(name.encode())
        h.update(",".join(f"{v + 0.0:.4f}" for v in np.round(arr, 4).ravel()).encode())
    return h.hexdigest()
