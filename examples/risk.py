"""What if we are wrong? Scenarios, a tornado and Monte Carlo on the learning-disability
co-operative, from the uncertainties declared in its case file.

    python examples/risk.py [OUTPUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import mutualfin as mf
from mutualfin import plots, risk

# a case warns once about the parameters it holds flat beyond their data (case.assumptions)
warnings.simplefilter("ignore", mf.errors.AssumptionWarning)

MODELS = Path(__file__).resolve().parents[1] / "models"


def main(out: Path) -> None:
    case = mf.BusinessCase.from_file(MODELS / "learning_disability_coop.toml")
    scenarios = [
        *risk.standard_scenarios(case),
        risk.Scenario(
            "Contract cut 5% a year from year 3",
            {"contract.efficiency_target": 0.05},
            "The council asks for 5% a year instead of 1%",
        ),
    ]
    table = risk.run_scenarios(case, scenarios)
    print(table[["npv_net_cash_flow", "minimum_cash", "closing_reserves"]].round(0).to_string())

    sensitivity = risk.tornado(case, "minimum_cash", swing="uncertainty")
    print(sensitivity[["label", "metric_at_low", "metric_at_high"]].round(0).to_string())
    plots.tornado(sensitivity).savefig(out / "tornado.png", dpi=100)

    sim = risk.simulate(case, 2_000, seed=2026, progress=False)
    print(sim.percentiles().loc[["npv_net_cash_flow", "minimum_cash"]].round(0).to_string())
    print(f"probability cash goes below £0 in some year: {sim.probability_below(0):.1%}")
    plots.fan_chart(sim).savefig(out / "fan_chart.png", dpi=100)
    print(f"charts: {out}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        main(target)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
