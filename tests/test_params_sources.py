"""Where the parameters' figures come from: a primary source (legislation, HMRC and GOV.UK
pages, the pension schemes' own regulations and administrators) wherever one was read; a
secondary source (a practitioner's table, a fund or council page reproducing the primary one)
only with a note saying ``secondary:`` and why; every parameter in SOURCES.md with the primary
source that sets or publishes it; and no citation of a file users do not have."""

from __future__ import annotations

import subprocess
import tomllib
import urllib.parse
from pathlib import Path

import mutualfin as mf

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(mf.params.DATA_DIR)

#: publishers of the figures themselves: legislation, government, the schemes' own bodies
PRIMARY_DOMAINS = {
    "gov.uk",
    "legislation.gov.uk",
    "hmrc.gov.uk",
    "webarchive.nationalarchives.gov.uk",  # GOV.UK pages as archived
    "thepensionsregulator.gov.uk",
    "bankofengland.co.uk",
    "nhsbsa.nhs.uk",  # NHS Pension Scheme administrator
    "teacherspensions.co.uk",  # Teachers' Pension Scheme administrator
    "lgpsboard.org",  # LGPS Scheme Advisory Board
    "lgpsregs.org",  # LGPS regulations and guidance
    "lgpsmember.org",  # the LGPS's national member website
}

#: known secondary sources: accountants' and payroll tables, law firms, news, blogs, mirrors,
#: third-party packages, funds and councils restating figures set elsewhere
SECONDARY_DOMAINS = {
    "accountingweb.co.uk", "avonpensionfund.org.uk", "babergh.gov.uk", "backhouse-solicitors.co.uk",
    "barnesroffe.com", "berkshirepensions.org.uk", "blog.anthonycollins.com", "bma.org.uk",
    "bso.bradford.gov.uk", "budget.taxbriefs.co.uk", "carbonaccountancy.co.uk",
    "charltonbaker.co.uk", "cipp.org.uk", "davidriceassociates.co.uk", "dorsetpensionfund.org",
    "fleettaxguide.companycartoday.co.uk", "gb-kb.sage.com", "github.com", "gmtaccounting.co.uk",
    "govdiff.njk.onl", "govwire.co.uk", "hedgeslaw.co.uk", "help-iris.co.uk", "heta.co.uk",
    "hrreview.co.uk", "isio.com", "janusconsultancy.com", "legalize.dev",
    "legislationtracker.co.uk", "lgps.buckinghamshire.gov.uk", "mendip.gov.uk", "mondaq.com",
    "mpfmembers.org.uk", "myersaccountants.co.uk", "naht.org.uk", "napthens.co.uk",
    "newemploymentlaw.co.uk", "nhsemployers.org", "online.flippingbook.com",
    "parallelparliament.co.uk", "patelcoaccountants.com", "ppponline.affinitext.com",
    "rkca.igloo1.com", "shropshirecountypensionfund.co.uk", "southwestmag.co.uk",
    "swanseapensionfund.org.uk", "taxave.co.uk", "trowers.com", "twpf.info",
    "wendysfinanceblog.blogspot.com", "welhat.gov.uk", "xperthr.co.uk",
    "yourpensionservice.org.uk",
}  # fmt: skip


def domain(href: str) -> str:
    return urllib.parse.urlparse(href).netloc.removeprefix("www.").split(":")[0]


def entries(folder: Path = DATA):
    """(parameter, date of effect, href, note) of every value of every parameter file."""
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for e in data["values"]:
            yield data["name"], str(e["from"]), e["reference"]["href"], e.get("note", "")


def unmarked_secondary(folder: Path = DATA) -> list[str]:
    """Entries read in a known secondary source whose note does not say why (``secondary:``
    followed by the reason: which primary source publishes the figure and why it was not
    used)."""
    out = []
    for name, start, href, note in entries(folder):
        if domain(href) not in SECONDARY_DOMAINS:
            continue
        why = note.split("secondary:", 1)[1].strip() if "secondary:" in note else ""
        if len(why) < 40:
            out.append(f"{name} from {start}: {domain(href)} without a 'secondary: why' note")
    return out


def test_every_source_is_classified_primary_or_secondary():
    unknown = sorted({domain(h) for *_, h, _ in entries()} - PRIMARY_DOMAINS - SECONDARY_DOMAINS)
    assert not unknown, (
        f"classify these sources in tests/test_params_sources.py (primary only if the "
        f"publisher sets or first publishes the figure): {unknown}"
    )


def test_every_secondary_source_says_why():
    assert unmarked_secondary() == []


def test_a_secondary_source_without_a_note_fails(tmp_path):
    """The check above can fail: the same data with one note's reason taken out."""
    folder = tmp_path / "data"
    folder.mkdir()
    for path in DATA.glob("*.toml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    ct = folder / "ct.main_rate.toml"
    text = ct.read_text(encoding="utf-8")
    start = text.index("secondary:")
    end = text.index('"', start)
    ct.write_text(text[:start] + text[end:], encoding="utf-8")
    assert unmarked_secondary(folder) == [
        "ct.main_rate from 2014-04-01: help-iris.co.uk without a 'secondary: why' note"
    ]


def test_primary_sources_carry_no_secondary_mark():
    """A note says 'secondary:' only of a reference that is one, so the mark means something."""
    marked = [
        f"{name} from {start}: {domain(href)}"
        for name, start, href, note in entries()
        if "secondary:" in note and domain(href) in PRIMARY_DOMAINS
    ]
    assert marked == []


def _sources_rows() -> dict[str, list[str]]:
    text = (ROOT / "mutualfin" / "params" / "SOURCES.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            for name in cells[0].replace("`", "").split(","):
                rows[name.strip()] = cells
    return rows


def test_sources_md_names_each_parameters_primary_source():
    rows = _sources_rows()
    header = "| parameter | coverage | primary source (where the figure is set or published) |"
    assert header in (ROOT / "mutualfin" / "params" / "SOURCES.md").read_text(encoding="utf-8")
    names = {p.stem for p in DATA.glob("*.toml")}
    assert sorted(names - set(rows)) == []
    for name in names:
        primary = rows[name][2]
        assert len(primary) > 20, name


def test_no_file_cites_a_document_users_do_not_have():
    """The project's working notes are not shipped: a figure cites its published source."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found = [
        f
        for f in files
        if f.endswith((".py", ".md", ".toml", ".ipynb", ".csv", ".txt"))
        and "DOMAIN" + ".md" in (ROOT / f).read_text(encoding="utf-8", errors="replace")
    ]
    assert found == []
