"""The commissioner's question: is the spin-out value for money against keeping the youth
service in-house? Green Book appraisal in real 2026/27 prices, from the council's side.

    python examples/appraisal.py [OUTPUT_DIR]

Uses models/youth_service.toml for the contract payments; the in-house cost (£4.6m, the
published 2013/14 budget) is published, the rest are illustrative assumptions.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import mutualfin as mf
from mutualfin import plots

# a case warns once about the parameters it holds flat beyond their data (case.assumptions)
warnings.simplefilter("ignore", mf.errors.AssumptionWarning)

MODELS = Path(__file__).resolve().parents[1] / "models"


def main(out: Path) -> None:
    case = mf.BusinessCase.from_file(MODELS / "youth_service.toml")
    results = case.run()
    years = case.timeline.n
    contract = results["council_income"].to_numpy()  # what the council pays the mutual (nominal)
    in_house = mf.Option(
        "Retain in-house",
        # published £4.6m budget, growing with pay awards (illustrative 2.5% a year)
        {"in-house service": [4_600_000 * 1.025**t for t in range(years)]},
    )
    mutual = mf.Option(
        "Spin out to a mutual",
        {
            "contract payments": contract,
            "stranded overheads": [120_000 * 1.025**t for t in range(years)],  # illustrative
            "set-up support": [150_000] + [0] * (years - 1),  # the transition grant
        },
        optimism_bias=0.41,  # Green Book: outsourcing operating costs, upper bound
        mitigation=0.8,
        mitigation_reason="fixed-price contract signed for 5 years; price risk sits with the "
        "mutual",
        bias_applies_to=["contract payments"],
    )
    appraisal = mf.appraise([in_house, mutual], first_year="2026/27", years=years)
    print(appraisal.table.round(0).to_string())
    print(f"preferred: {appraisal.preferred}")
    print(appraisal.switching_values().round(3).to_string())
    for note in appraisal.notes:
        print("-", note)
    plots.appraisal_bars(appraisal).savefig(out / "appraisal.png", dpi=100)
    steps = {
        "Contract price below the in-house budget": contract[0] - 4_600_000,
        "Stranded overheads kept by the council": 120_000,
        "Set-up support (transition grant)": 150_000,
    }
    plots.savings_waterfall(
        4_600_000, steps, end_label="Council's cost with a mutual", period="2026/27"
    ).savefig(out / "council_waterfall.png", dpi=100)
    print(f"charts: {out}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        main(target)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
