"""Helpers for tests that edit the shipped case files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "models"
SHIPPED = ["youth_service", "learning_disability_coop", "schools_support"]


def shift_case(name: str, folder: Path, years: int) -> Path:
    """A copy of a shipped case with go-live and every date in it moved ``years`` on (the
    roster beside it is copied unchanged: its people are that much older at go-live)."""
    src = MODELS / f"{name}.toml"
    text = src.read_text(encoding="utf-8")
    text = re.sub(
        r"\b(20\d\d)-(\d\d)-(\d\d)\b",
        lambda m: f"{int(m.group(1)) + years}-{m.group(2)}-{m.group(3)}",
        text,
    )
    text = re.sub(
        r'start = "(\d{4})/(\d\d)"',
        lambda m: f'start = "{int(m.group(1)) + years}/{(int(m.group(2)) + years) % 100:02d}"',
        text,
    )
    folder.mkdir(parents=True, exist_ok=True)
    for csv in MODELS.glob("*.csv"):
        shutil.copy(csv, folder / csv.name)
    out = folder / src.name
    out.write_text(text, encoding="utf-8")
    return out


def edited_case(name: str, folder: Path, edit) -> Path:
    """A copy of a shipped case whose text is ``edit(text)``, with its roster beside it."""
    src = MODELS / f"{name}.toml"
    folder.mkdir(parents=True, exist_ok=True)
    for csv in MODELS.glob("*.csv"):
        shutil.copy(csv, folder / csv.name)
    out = folder / src.name
    out.write_text(edit(src.read_text(encoding="utf-8")), encoding="utf-8")
    return out
