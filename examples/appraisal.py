"""The commissioner's question: is the spin-out value for money against keeping the youth
service in-house, and what does it do to the council's budget?

    python examples/appraisal.py [OUTPUT_DIR]

Uses models/youth_service.toml, whose [appraisal] table appraises five options the Green Book
way (real 2026/27 prices, 3.5% discounting, optimism bias cost by cost on every option, ten
years). The in-house cost (£4.6m, the published 2013/14 budget) is published; the rest are
illustrative assumptions, each with its source in the case file.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import mutualfin as mf
from mutualfin import plots
from mutualfin.appraisal import Cost, Option

# a case warns once about the parameters it holds flat beyond their data (case.assumptions)
warnings.simplefilter("ignore", mf.errors.AssumptionWarning)

MODELS = Path(__file__).resolve().parents[1] / "models"


def main(out: Path) -> None:
    case = mf.BusinessCase.from_file(MODELS / "youth_service.toml")
    results = case.run()
    appraisal = case.appraise(results)
    for finding in appraisal.findings:
        print(finding)
    cols = ["rank", "net present cost", "optimism bias", "rank before optimism bias"]
    print(appraisal.table[cols].round(0).to_string())
    # every cost of every option with its bias: category, mitigation and the evidence for it
    bias = appraisal.optimism_bias
    print(bias[["option", "cost", "uplift", "optimism bias", "reason"]].round(3).to_string())
    for words in appraisal.switching_values()["in words"]:
        print("-", words)
    # the council's budget by year (nominal): the same figures as the workbook's live sheet
    print(appraisal.council_budget.round(0).to_string())
    plots.appraisal_bars(appraisal).savefig(out / "appraisal.png", dpi=100)

    # an appraisal of your own options, cost by cost (nominal GBP by year, three years)
    own = mf.appraise(
        [
            Option(
                "In-house",
                [Cost("Service budget", 1_000_000, mitigation=0.5, reason="three years' outturn")],
            ),
            Option(
                "Mutual",
                [
                    Cost("Contract", 950_000, mitigation=1.0, reason="price fixed for 3 years"),
                    Cost("Client team", 30_000),  # 41% upper bound: no evidence yet
                    Cost("Set-up grant", [100_000, 0, 0], category=None, reason="a fixed grant"),
                ],
            ),
        ],
        first_year="2026/27",
        years=3,
        stage="outline",
    )
    print(own.table.round(0).to_string())
    print(f"charts: {out}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        main(target)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
