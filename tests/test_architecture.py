"""The package's shape: layers held by a contract, no import cycle, the public API kept, and a
case's parameter store reaching every calculator it uses."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import mutualfin as mf

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mutualfin"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    if not LINT_IMPORTS.exists():  # pragma: no cover - the test extra installs it
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_layer_contract_holds():
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "KEPT" in proc.stdout


def test_layer_contract_fails_on_a_new_upward_import(tmp_path):
    # the same package with one upward import added: core (the bottom) importing the workbook
    shutil.copytree(PACKAGE, tmp_path / "mutualfin", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    checks = tmp_path / "mutualfin" / "core" / "checks.py"
    checks.write_text(checks.read_text() + "\nimport mutualfin.workbook.writer  # noqa\n")
    proc = _lint(tmp_path)
    assert proc.returncode != 0
    assert "mutualfin.core is not allowed to import mutualfin.workbook" in proc.stdout


# --------------------------------------------------------------------------------------------
def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of the package that ``path`` imports, anywhere but under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        else:
            continue
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t and t != me:
                out.add(t)
    return out


def test_no_import_cycle():
    """The package's import graph (module-level and function-level imports, apart from the
    upward imports the layer contract allows) has no cycle."""
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(f) for f in files}
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    allowed = {
        tuple(s.split(" -> "))
        for contract in config["contracts"]
        for s in contract.get("ignore_imports", [])
    }
    graph = {
        _module_name(f): {t for t in _imports(f, modules) if (_module_name(f), t) not in allowed}
        for f in files
    }
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if not state.get(nxt):
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if not state.get(start):
            visit(start, [start])


def test_public_api_of_the_first_release_is_kept():
    """Every name the first release offered is still there (names may only be added)."""
    import importlib

    snapshot = json.loads((ROOT / "tests" / "data" / "public_api_0.1.json").read_text())
    lost = []
    for module_name, names in snapshot.items():
        module = importlib.import_module(module_name)
        exported = set(getattr(module, "__all__", names))
        lost += [f"{module_name}.{n}" for n in names if not hasattr(module, n)]
        lost += [f"{module_name}.__all__ lacks {n}" for n in names if n not in exported]
    assert not lost, lost


# --------------------------------------------------------------------------------------------
def _store_with(tmp_path: Path, name: str, edit) -> mf.params.ParameterStore:
    """A copy of the shipped parameters with one file edited."""
    data = tmp_path / "params"
    shutil.copytree(mf.params.DATA_DIR, data)
    path = data / f"{name}.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return mf.params.ParameterStore(data)


def test_a_case_built_with_its_own_store_reaches_the_calculators(tmp_path):
    """Build-time calculators (statutory redundancy in the transfer costs) and model
    parameters (employer NI) both read the case's store, not a global one."""
    shipped_case = mf.BusinessCase.from_file(ROOT / "models" / "youth_service.toml")
    roster = shipped_case.components["staff"].roster
    young = [i for i, age in zip(roster.ids, roster.age, strict=True) if age < 50][:3]
    transfer = mf.workforce.TransferCosts(roster, redundant=young)
    parts = [c for k, c in shipped_case.components.items() if k != "transfer"] + [transfer]
    base = mf.BusinessCase(shipped_case.timeline, parts, entities=shipped_case.entities)
    store = _store_with(  # every year's cap set to £1 a week
        tmp_path,
        "redundancy.weekly_pay_cap",
        lambda text: re.sub(r"(?m)^value = \d+$", "value = 1", text),
    )
    assert float(store.value("redundancy.weekly_pay_cap", on="2026-04-01").value) == 1.0
    mine = mf.BusinessCase(
        base.timeline, list(base.components.values()), entities=base.entities, params=store
    )
    statutory = mine.run()["statutory_redundancy"].sum()
    shipped = base.run()["statutory_redundancy"].sum()
    assert shipped > 0
    # a week's pay capped at £1: the payment is the number of statutory weeks, in pounds
    weeks = base.components["transfer"].schedule(store)["statutory"].sum()
    assert statutory == pytest.approx(weeks) and statutory < shipped / 100


def test_a_case_store_reaches_model_parameters(tmp_path):
    case_file = ROOT / "models" / "youth_service.toml"
    base = mf.BusinessCase.from_file(case_file)
    store = _store_with(tmp_path, "ni.employer_rate", lambda text: text.replace("0.15", "0.30"))
    mine = mf.BusinessCase(
        base.timeline, list(base.components.values()), entities=base.entities, params=store
    )
    assert mine.run()["employer_ni"].iloc[0] > 1.9 * base.run()["employer_ni"].iloc[0]


def test_params_must_be_a_store():
    with pytest.raises(mf.errors.InputError, match="params must be a mutualfin.params"):
        mf.BusinessCase(mf.Timeline(2026, years=1), [], params="uk")
