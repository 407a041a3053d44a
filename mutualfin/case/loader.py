"""Case files: a business case declared in TOML, validated with errors naming file, key, fix.

A case file has a ``[case]`` table (name and description), a ``[timeline]`` table, an optional
``[roster]`` table (a CSV or Excel file of staff, relative to the case file), and one table per
component, named by the component's key (``[contract]``, ``[staff]``, ``[finance]``,
``[loan]``...). Each input is a plain value or a table ``{ value = ..., source = "...",
uncertainty = { triangular = [low, mode, high] } }``::

    [case]
    name = "Youth service mutual"

    [timeline]
    start = "2026/27"
    years = 5
    freq = "monthly"        # optional: plan by month ("annual" by default)
    monthly_years = 2       # optional: the first 2 years by month, the rest by year

    [contract]
    annual_value = { value = 4_200_000, source = "Epic CIC contract, 5 years worth £21m" }
    indexation = 0.02

    [finance]
    opening_cash = 150_000

Files are read as data only: nothing in a case file is ever run or evaluated, and a file over
2 MB is refused. A byte-order mark at the start (as Windows Notepad writes) is accepted.

The roster file must be inside the case file's folder (or a folder below it), after following
symbolic links: a case file cannot make mutualfin read, and quote in its messages, a file from
elsewhere. ``allow_outside_folder = true`` in ``[roster]`` lifts this on purpose, and the
workbook's Cover then says where the roster was read from.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutualfin.components.base import Component, component_registry, register_component
from mutualfin.core.checks import check_text
from mutualfin.engine.timeline import Timeline
from mutualfin.errors import CaseFileError, MutualfinError

__all__ = [
    "MAX_CASE_BYTES",
    "CaseFile",
    "component_registry",
    "file_checksum",
    "read_case",
    "read_toml",
    "register_component",
]

MAX_CASE_BYTES = 2_000_000
_SECTIONS = {"case", "timeline", "roster"}
_CASE_KEYS = {"name", "organisation", "description", "author", "version", "status"}
_TIMELINE_KEYS = {"start", "years", "freq", "monthly_years"}


def file_checksum(path: str | os.PathLike) -> str:
    """SHA-256 of a file, so a workbook can say exactly which inputs made it."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _case_path(path: Any) -> Path:
    """``path`` as a Path, refusing what is not a file path (with the right call named)."""
    if not isinstance(path, str | os.PathLike):
        hint = ""
        if type(path).__name__ == "BusinessCase":
            hint = "; it is a BusinessCase already, so use it as it is"
        raise CaseFileError(
            f"a case file path (str or pathlib.Path) is needed, got {type(path).__name__}{hint}"
        )
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if "\x00" in text:
        raise CaseFileError(f"{text!r}: a file name cannot contain NUL; check the path")
    return Path(text)


def read_toml(path: str | os.PathLike, *, text: str | None = None) -> dict[str, Any]:
    """Read a TOML file as data, with errors naming the file and line. With ``text``, that
    text is read as if it were the file's content (nothing is read from disk)."""
    p = _case_path(path)
    if text is None:
        if not p.is_file():
            raise CaseFileError(f"{p}: file not found; give the path of a .toml case file")
        size = p.stat().st_size
    else:
        if not isinstance(text, str):
            raise CaseFileError(f"{p.name}: text must be str, got {type(text).__name__}")
        size = len(text.encode("utf-8"))
    if size > MAX_CASE_BYTES:
        raise CaseFileError(
            f"{p.name}: the file is {size:,} bytes, over the {MAX_CASE_BYTES:,}-byte limit for "
            "a case file; a case file holds inputs, not data (put staff in a roster file)"
        )
    if text is None:
        try:
            text = p.read_text(encoding="utf-8-sig")  # a byte-order mark is not TOML
        except UnicodeDecodeError:
            raise CaseFileError(f"{p.name}: not UTF-8 text; save it as UTF-8") from None
    text = text.removeprefix("\ufeff")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{p.name}: TOML syntax error: {exc}; correct it") from None
    except RecursionError:
        raise CaseFileError(
            f"{p.name}: arrays or tables nested too deeply to read; a case file's values are "
            "numbers, text, dates and flat lists"
        ) from None


def _unknown(path: Path, key: str, allowed: set[str] | list[str], what: str) -> CaseFileError:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(sorted(allowed))}"
    return CaseFileError(f"{path.name}: {key}: unknown {what}; {hint}")


@dataclass
class CaseFile:
    """What a case file declares, checked: the parts a business case is built from."""

    path: Path
    timeline: Timeline
    components: list[Component]
    name: str
    entities: Any
    metadata: dict[str, str]
    checksums: dict[str, str]
    #: lines for the workbook's Cover saying where inputs came from (a roster read from
    #: outside the case file's folder, as the case file allowed)
    provenance: dict[str, str] = field(default_factory=dict)
    #: how text in the file's own tables was read (the roster's UK-format base date)
    readings: dict[str, str] = field(default_factory=dict)
    #: the case file's content as parsed TOML (tables of inputs), as read
    data: dict[str, Any] = field(default_factory=dict)


def read_case(
    path: str | os.PathLike, *, text: str | None = None, data: dict[str, Any] | None = None
) -> CaseFile:
    """Read and check a TOML case file (sections, keys, the roster, every component's
    inputs); :meth:`mutualfin.BusinessCase.from_file` builds the case from it.

    ``text`` (the file's content) or ``data`` (that content as parsed TOML, a mapping of
    tables) is read instead of what is on disk, as if saved at ``path``: the roster is still
    found beside ``path``. So an edit is checked before it is written (``mutualfin pull``),
    and a case between two versions can be built (``mutualfin diff``).
    """
    p = _case_path(path)
    if data is not None:
        if text is not None:
            raise CaseFileError(f"{p.name}: give text or data, not both")
        if not isinstance(data, dict):
            raise CaseFileError(f"{p.name}: data must be a mapping of tables, as TOML gives")
        raw = data
    else:
        raw = read_toml(p, text=text)
    registry = component_registry()
    if "inputs" in raw and "case" not in raw and set(raw) <= {"inputs", "timeline"}:
        raise CaseFileError(
            f"{p.name}: this is a demonstration-model file (a [timeline] and [inputs]), not a "
            f"business case; run it with: mutualfin demo {p}"
        )
    for key in raw:
        if key not in _SECTIONS and key not in registry:
            raise _unknown(p, f"[{key}]", {f"[{k}]" for k in _SECTIONS | set(registry)}, "section")
        if not isinstance(raw[key], dict):
            raise CaseFileError(f"{p.name}: {key}: must be a table [{key}], got {raw[key]!r}")
    meta = raw.get("case", {})
    for key in meta:
        if key not in _CASE_KEYS:
            raise _unknown(p, f"case.{key}", {f"case.{k}" for k in _CASE_KEYS}, "key")
        if not isinstance(meta[key], str):
            raise CaseFileError(f"{p.name}: case.{key}: must be text, got {meta[key]!r}")
        try:
            check_text(meta[key], f"case.{key}", one_line=key != "description")
        except MutualfinError as exc:
            raise CaseFileError(f"{p.name}: {exc}") from None
    tl = raw.get("timeline")
    if tl is None:
        raise CaseFileError(
            f'{p.name}: [timeline]: missing; add [timeline] with start = "2026/27" and years = 5'
        )
    for key in tl:
        if key not in _TIMELINE_KEYS:
            raise _unknown(p, f"timeline.{key}", {f"timeline.{k}" for k in _TIMELINE_KEYS}, "key")
    for key in ("start", "years"):
        if key not in tl:
            raise CaseFileError(f"{p.name}: timeline.{key}: missing; add it")
    try:
        timeline = Timeline(
            tl["start"],
            tl["years"],
            tl.get("freq", "annual"),
            monthly_years=tl.get("monthly_years"),
        )
    except MutualfinError as exc:
        raise CaseFileError(f"{p.name}: [timeline]: {exc}") from None

    roster = None
    if data is not None:
        checksums = {}  # no file's bytes to fingerprint
    elif text is not None:
        checksums = {p.name: hashlib.sha256(text.encode("utf-8")).hexdigest()}
    else:
        checksums = {p.name: file_checksum(p)}
    provenance: dict[str, str] = {}
    readings: dict[str, str] = {}
    if "roster" in raw and isinstance(raw["roster"].get("base_date"), str):
        import datetime as dt

        from mutualfin.components.base import friendly_value

        try:
            raw["roster"]["base_date"] = friendly_value(
                raw["roster"]["base_date"], dt.date, "roster.base_date", readings
            )
        except MutualfinError as exc:
            raise CaseFileError(f"{p.name}: {exc}") from None
    if "roster" in raw:
        roster, roster_path, outside = _load_roster(p, raw["roster"], timeline)
        checksums[roster_path.name] = file_checksum(roster_path)
        if outside:
            provenance["Roster read from outside the case file's folder"] = (
                f"{roster_path} (allowed by roster.allow_outside_folder = true)"
            )
    components = []
    for key, table in raw.items():
        if key in _SECTIONS:
            continue
        cls = registry[key]
        if cls.needs_roster and roster is None:
            raise CaseFileError(
                f"{p.name}: [{key}]: needs the staff roster; add [roster] with file = "
                '"staff.csv" (and base_date = "2026-04-01")'
            )
        try:
            if cls.needs_roster:
                components.append(cls.from_dict(table, roster=roster))  # type: ignore[call-arg]
            else:
                components.append(cls.from_dict(table))
        except MutualfinError as exc:
            raise CaseFileError(f"{p.name}: [{key}]: {exc}") from None
    return CaseFile(
        path=p,
        timeline=timeline,
        components=components,
        name=meta.get("name", p.stem.replace("_", " ").capitalize()),
        entities=getattr(roster, "entities", None),
        metadata={k: meta[k] for k in meta},
        checksums=checksums,
        provenance=provenance,
        readings=readings,
        data=raw,
    )


def _load_roster(case_path: Path, table: dict[str, Any], timeline: Timeline):
    """The roster a case file's [roster] table names, its path, and whether it lies outside
    the case file's folder (allowed only by ``allow_outside_folder = true``)."""
    allowed = {"file", "sheet", "base_date", "ignore_columns", "allow_outside_folder"}
    for key in table:
        if key not in allowed:
            raise _unknown(case_path, f"roster.{key}", {f"roster.{k}" for k in allowed}, "key")
    if "file" not in table:
        raise CaseFileError(f"{case_path.name}: roster.file: missing; give the CSV or .xlsx file")
    name = table["file"]
    where = f"{case_path.name}: roster.file"
    if not isinstance(name, str) or not name.strip():
        raise CaseFileError(f'{where}: give the roster\'s file name as text, e.g. "staff.csv"')
    try:
        check_text(name, "roster.file")
    except MutualfinError as exc:
        raise CaseFileError(f"{case_path.name}: {exc}") from None
    outside_ok = table.get("allow_outside_folder", False)
    if not isinstance(outside_ok, bool):
        raise CaseFileError(
            f"{case_path.name}: roster.allow_outside_folder: must be true or false, got "
            f"{outside_ok!r}"
        )
    ignore = table.get("ignore_columns", [])
    if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
        raise CaseFileError(
            f"{case_path.name}: roster.ignore_columns: give a list of column names, e.g. "
            f'["notes"], got {ignore!r}'
        )
    folder = case_path.parent.resolve()
    roster_path = (case_path.parent / name).resolve()  # symbolic links followed
    outside = not roster_path.is_relative_to(folder)
    if outside and not outside_ok:
        raise CaseFileError(
            f"{where}: {name!r} is outside the case file's folder ({folder}); put the roster "
            "in that folder (or one below it), or set roster.allow_outside_folder = true to "
            "read it from there (the workbook's Cover then records where it came from)"
        )
    from mutualfin.components import roster as roster_module

    base_date = table.get("base_date", timeline.start)  # ages and service at go-live
    if not roster_path.is_file():
        raise CaseFileError(f"{where}: {name!r} not found next to the case file")
    try:
        if roster_path.suffix.lower() in (".xlsx", ".xlsm"):
            r = roster_module.Roster.from_excel(
                roster_path, base_date, sheet=table.get("sheet"), ignore_columns=ignore
            )
        else:
            r = roster_module.Roster.from_csv(roster_path, base_date, ignore_columns=ignore)
    except MutualfinError as exc:
        raise CaseFileError(f"{where} ({roster_path.name}): {exc}") from None
    return r, roster_path, outside
