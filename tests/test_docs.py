"""The user guide lists every input of every component a case file can use."""

from __future__ import annotations

import os

from mutualfin.io import component_registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_guide_lists_every_component_input():
    with open(os.path.join(ROOT, "docs", "guide.md"), encoding="utf-8") as fh:
        guide = fh.read()
    missing = []
    for key, cls in component_registry().items():
        if cls.__module__.startswith("tests"):
            continue
        section = f"### `[{key}]`"
        if section not in guide:
            missing.append(section)
            continue
        body = guide.split(section, 1)[1].split("\n### ", 1)[0]
        missing += [
            f"[{key}] {name}" for name in cls.Inputs.model_fields if f"`{name}`" not in body
        ]
    assert not missing, f"docs/guide.md lacks: {missing}"


def test_guide_input_tables_are_generated_from_the_schemas():
    """Each component's table is the generator's output (scripts/guide_inputs.py), so the guide
    can never describe an input the code no longer has, or miss one."""
    import runpy

    generator = runpy.run_path(os.path.join(ROOT, "scripts", "guide_inputs.py"))
    with open(os.path.join(ROOT, "docs", "guide.md"), encoding="utf-8") as fh:
        guide = fh.read()
    assert generator["render"](guide) == guide, "run: .venv/bin/python scripts/guide_inputs.py"
    for key, cls in component_registry().items():
        if not cls.__module__.startswith("tests"):
            assert f"<!-- inputs:{key} -->" in guide, key


def test_guide_names_the_choices_of_every_choice_input():
    """An input that takes one of a list (a Literal, or text checked against a list such as
    the legal forms) shows every choice in the guide's table."""
    import typing

    with open(os.path.join(ROOT, "docs", "guide.md"), encoding="utf-8") as fh:
        guide = fh.read()
    missing = []
    for key, cls in component_registry().items():
        if cls.__module__.startswith("tests"):
            continue
        block = guide.split(f"<!-- inputs:{key} -->", 1)[1].split(f"<!-- /inputs:{key} -->")[0]
        for name, info in cls.Inputs.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            choices = list(extra.get("choices", []))
            for arg in (info.annotation, *typing.get_args(info.annotation)):
                if typing.get_origin(arg) is typing.Literal:
                    choices += list(typing.get_args(arg))
            row = next(r for r in block.splitlines() if r.startswith(f"| `{name}` |"))
            missing += [f"[{key}] {name}: {c}" for c in choices if f"`{c}`" not in row]
    assert not missing, missing
    assert "| `form` | choice: `cic_limited_by_shares`" in guide


def test_guide_first_case_shows_what_the_starter_gives(tmp_path):
    """The guide's "Your first case" shows the output of mutualfin new and run for the
    starter as written: each line it shows is a line the commands print (so the figures it
    quotes are the starter's own, and a change to the starter shows up here)."""
    import re
    import subprocess
    import sys

    with open(os.path.join(ROOT, "docs", "guide.md"), encoding="utf-8") as fh:
        guide = fh.read()
    first = guide.split("## Your first case", 1)[1].split("\n## ", 1)[0]
    assert guide.index("## Your first case") < guide.index("## The example cases")

    def run(*args):
        proc = subprocess.run(
            [sys.executable, "-m", "mutualfin.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": ROOT},
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()

    printed = run("new", "my_service.toml") + run("run", "my_service.toml", "--no-verify")
    blocks = re.findall(r"```(?:console|text)\n(.*?)```", first, flags=re.S)
    shown = [ln for b in blocks for ln in b.splitlines() if ln and not ln.startswith("$")]
    checked = [ln for ln in shown if not ln.startswith(("verify ", "!!!", "WARNING", "  - no"))]
    assert len(checked) >= 12
    assert [ln for ln in checked if ln not in printed] == []


def test_guide_describes_each_model_in_whole_sentences():
    """Each model's description in the guide is its docstring's whole first paragraph, never
    a first line cut mid-sentence ("e.g. schools buying", "a Mutuals Support")."""
    import re

    with open(os.path.join(ROOT, "docs", "guide.md"), encoding="utf-8") as fh:
        guide = fh.read()
    blocks = re.findall(r"<!-- inputs:(\w+) -->\n(.*?)<!-- /inputs:", guide, re.S)
    assert len(blocks) >= 15
    cut = [key for key, block in blocks if not block.split("\n\n")[0].strip().endswith(".")]
    assert cut == []
    assert "a Mutuals Support Programme award" in guide
