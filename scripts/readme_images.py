"""Regenerate the README's images from the shipped youth-service case, and record the figures
they show in docs/images/figures.json.

    .venv/bin/python scripts/readme_images.py          # needs LibreOffice and pdftoppm

- docs/images/workbook_summary.png: the publication pack's Summary page, as LibreOffice
  prints it;
- docs/images/cash_and_reserves.png: ``mutualfin.plots.cash_and_reserves``.

``tests/test_readme_images.py`` runs the case afresh and compares its figures with the JSON,
so the images cannot silently fall behind the case: when the case, the model or the Summary
changes a figure, that test fails and says to run this script.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "models" / "youth_service.toml"
IMAGES = ROOT / "docs" / "images"
FIGURES = IMAGES / "figures.json"
#: the Monte Carlo run the Summary shows (small, so the script is quick; seeded, so repeatable)
SCENARIOS, SEED = 2_000, 1


def run_case():
    """The shipped case, its appraisal and its Monte Carlo run, as the images show them."""
    import warnings

    import mutualfin as mf
    from mutualfin.errors import AssumptionWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        case = mf.BusinessCase.from_file(CASE)
        results = case.run()
        appraisal = case.appraise(results)
        sim = case.simulate(SCENARIOS, seed=SEED, progress=False)
    return case, results, appraisal, sim


def figures(results, appraisal, sim) -> dict:
    """The figures the images draw, rounded to the pound (or to 0.1%): what the test compares."""
    from mutualfin.workbook.publication import case_cohorts

    # by financial year, as the Summary's statement and the chart show them (a case planned
    # by month: its lines by year), and the lowest cash in the month it happens
    labels = list(results.case.model.annual_timeline.labels)
    out: dict = {"years": labels}
    for name in ("closing_cash", "reserves", "total_income", "net_operating_costs"):
        out[name] = [round(float(v)) for v in results.annual(name).tolist()]
    for name in ("npv_before_financing", "minimum_cash", "closing_reserves"):
        out[name] = round(float(results.metrics[name]))
    out["minimum_cash_period"] = str(results.metrics["minimum_cash_period"])
    out["surplus_margin"] = round(float(results.metrics["surplus_margin"]), 3)
    if appraisal is not None:
        out["ranking"] = list(appraisal.table.index)
    out["probability_below_floor"] = round(float(sim.probability_below(0.0)), 3)
    cohorts = case_cohorts(results)
    out["staff_cohorts"] = list(cohorts.labels) if cohorts is not None else []
    return out


def _summary_png(results, appraisal, sim, target: Path) -> None:
    soffice = shutil.which("soffice")
    pdftoppm = shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        sys.exit("needs LibreOffice (soffice) and poppler-utils (pdftoppm) to render the Summary")
    with tempfile.TemporaryDirectory() as tmp:
        book = results.to_excel(Path(tmp) / "youth_service.xlsx", appraisal=appraisal, risk=sim)
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--convert-to", "pdf", "--outdir", tmp, str(book)],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
        pdf = Path(tmp) / "youth_service.pdf"
        page = _page_of(pdf, ": summary")
        subprocess.run(
            [pdftoppm, "-r", "110", "-png", "-f", str(page), "-l", str(page), "-singlefile",
             str(pdf), str(Path(tmp) / "summary")],
            check=True, timeout=120,
        )  # fmt: skip
        shutil.copyfile(Path(tmp) / "summary.png", target)


def _page_of(pdf: Path, text: str) -> int:
    """The first page of ``pdf`` whose text holds ``text`` (pdftotext, from poppler-utils)."""
    for page in range(1, 40):
        proc = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            break
        if text in proc.stdout:
            return page
    sys.exit(f"no page of {pdf.name} holds {text!r}")


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from mutualfin import plots

    _case, results, appraisal, sim = run_case()
    IMAGES.mkdir(parents=True, exist_ok=True)
    _summary_png(results, appraisal, sim, IMAGES / "workbook_summary.png")
    fig = plots.cash_and_reserves(results)
    fig.savefig(IMAGES / "cash_and_reserves.png", dpi=110, bbox_inches="tight")
    drawn = figures(results, appraisal, sim)
    FIGURES.write_text(json.dumps(drawn, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {IMAGES.relative_to(ROOT)}: workbook_summary.png, cash_and_reserves.png, "
          f"{FIGURES.name}")  # fmt: skip


if __name__ == "__main__":
    main()
