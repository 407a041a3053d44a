"""Generate the illustrative staff rosters of the example case files, reproducibly.

No published spin-out releases its staff list, so every roster here is SYNTHETIC: the
headcounts are shaped on the cases the example files follow (Leading Lives spun out with over
300 staff, as its case study on Workers.coop says; the youth service's 155 and the schools
support service's 40 are illustrative), while roles, grades, salaries, hours, ages, service and
pension scheme are ILLUSTRATIVE ASSUMPTIONS drawn from a seeded random generator, so the same
command always writes the same files::

    python models/make_rosters.py            # rewrites models/*_staff.csv

Salaries are full-time annual salaries at 1 April 2026, placed within illustrative bands for
each role (roughly the NJC / JNC pay spines uprated to 2026/27; not a published pay scale).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
BASE_DATE = dt.date(2026, 4, 1)
SEED = 20260401


@dataclass(frozen=True)
class Role:
    """A block of posts: how many, their pay band, hours and contract."""

    title: str
    count: int
    salary: tuple[float, float]  # full-time salary band, GBP a year
    fte: tuple[float, ...]  # hours patterns to choose from
    contract: str = "permanent"
    lgps_share: float = 0.95  # share in the LGPS (the rest opted out: scheme none)
    age: tuple[int, int] = (22, 64)


YOUTH_SERVICE = [
    Role("Head of youth service", 1, (72_000, 76_000), (1.0,), age=(45, 60)),
    Role("Service manager", 4, (52_000, 58_000), (1.0,), age=(35, 62)),
    Role("Youth work team leader", 12, (38_000, 43_000), (1.0, 1.0, 0.8), age=(28, 62)),
    Role("Senior youth worker", 25, (31_000, 35_000), (1.0, 0.8, 0.6)),
    Role("Youth worker", 61, (25_500, 28_000), (0.8, 0.6, 0.5, 0.4)),
    Role(
        "Sessional youth worker",
        36,
        (24_500, 25_500),
        (0.1, 0.15, 0.2),
        contract="sessional",
        lgps_share=0.4,
        age=(18, 60),
    ),
    Role("Business support officer", 16, (25_000, 30_000), (0.8, 0.6, 0.5)),
]  # 155 staff

LEARNING_DISABILITY = [
    Role("Chief executive", 1, (78_000, 82_000), (1.0,), age=(45, 60)),
    Role("Operations manager", 4, (50_000, 56_000), (1.0,), age=(35, 62)),
    Role("Registered service manager", 12, (38_000, 44_000), (1.0,), age=(30, 62)),
    Role("Senior support worker", 45, (27_500, 30_500), (1.0, 1.0, 0.8)),
    Role("Support worker", 200, (24_000, 25_500), (1.0, 0.8, 0.8, 0.6, 0.5), age=(18, 66)),
    Role(
        "Relief support worker",
        25,
        (24_000, 24_500),
        (0.2, 0.3, 0.4),
        contract="casual",
        lgps_share=0.3,
        age=(18, 66),
    ),
    Role("Business support officer", 13, (25_000, 32_000), (1.0, 0.8)),
]  # 300 staff

SCHOOLS_SUPPORT = [
    Role("Managing director", 1, (70_000, 74_000), (1.0,), age=(40, 60)),
    Role("Service lead (HR, finance, payroll)", 3, (48_000, 54_000), (1.0,), age=(32, 62)),
    Role("HR adviser", 8, (34_000, 40_000), (1.0, 0.8)),
    Role("School finance officer", 10, (31_000, 37_000), (1.0, 0.8)),
    Role("Payroll officer", 10, (26_000, 30_000), (1.0, 0.8, 0.6)),
    Role("Business support officer", 8, (24_500, 28_000), (1.0, 0.8, 0.6)),
]  # 40 staff


def make_roster(prefix: str, roles: list[Role], rng: np.random.Generator) -> pd.DataFrame:
    """One row per post: id, role, fte, salary, date_of_birth, service_start, scheme,
    lgps_section, contract."""
    rows = []
    n = 0
    for role in roles:
        for _ in range(role.count):
            n += 1
            age = int(rng.integers(role.age[0], role.age[1] + 1))
            birth = BASE_DATE - dt.timedelta(days=int(age * 365.25 + rng.integers(0, 365)))
            # service from at least age 18, at most 30 years, typically 8
            most = max(0, min(age - 18, 30))
            years = int(min(most, rng.exponential(8.0)))
            start = BASE_DATE - dt.timedelta(days=int(years * 365.25 + rng.integers(1, 365)))
            earliest = birth + dt.timedelta(days=int(18 * 365.25) + 1)
            start = max(start, earliest)
            salary = round(float(rng.uniform(*role.salary)) / 10) * 10
            lgps = rng.random() < role.lgps_share
            section = "50/50" if lgps and rng.random() < 0.03 else ("main" if lgps else "")
            rows.append(
                {
                    "id": f"{prefix}{n:03d}",
                    "role": role.title,
                    "fte": float(rng.choice(role.fte)),
                    "salary": salary,
                    "date_of_birth": birth.isoformat(),
                    "service_start": start.isoformat(),
                    "scheme": "LGPS" if lgps else "none",
                    "lgps_section": section,
                    "contract": role.contract,
                }
            )
    return pd.DataFrame(rows)


ROSTERS = {
    "youth_service_staff.csv": ("YS", YOUTH_SERVICE),
    "learning_disability_staff.csv": ("LD", LEARNING_DISABILITY),
    "schools_support_staff.csv": ("SS", SCHOOLS_SUPPORT),
}


def main(out_dir: Path = HERE) -> None:
    for k, (name, (prefix, roles)) in enumerate(ROSTERS.items()):
        rng = np.random.default_rng([SEED, k])  # one stream per roster: each is stable alone
        frame = make_roster(prefix, roles, rng)
        frame.to_csv(out_dir / name, index=False, lineterminator="\n")
        pay = (frame["salary"] * frame["fte"]).sum()
        print(f"{name}: {len(frame)} staff, {frame['fte'].sum():.1f} FTE, paybill £{pay:,.0f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
