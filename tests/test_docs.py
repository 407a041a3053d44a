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
