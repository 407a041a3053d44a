"""Sphinx configuration of the mutualfin documentation site.

Built by ``scripts/build_docs.py`` (which executes the notebooks and puts them beside these
pages) with warnings as errors and nitpicky references: a reference to a name that does not
exist fails the build. Not published from here: built and checked by the tests.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
if os.environ.get("MUTUALFIN_DOCS_ROOT"):  # a staged copy of docs/ (scripts/build_docs.py)
    ROOT = os.environ["MUTUALFIN_DOCS_ROOT"]
sys.path.insert(0, ROOT)

import mutualfin  # noqa: E402

project = "mutualfin"
author = "mutualfin contributors"
release = version = mutualfin.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
root_doc = "index"

# the notebooks arrive executed (scripts/build_docs.py): show their outputs, never re-run
nb_execution_mode = "off"
nb_output_stderr = "remove"
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

autodoc_typehints = "none"  # the numpydoc docstrings carry the types, in words
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": False}
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# every reference must resolve; only those to other projects' objects (numpy, pandas,
# matplotlib...) are let through, as the site links to no other project's documentation
nitpicky = True
nitpick_ignore_regex = [
    # what autodoc writes for a type alias's value (Money = Annotated[float, Unit("GBP"),
    # ...]) and private helpers it names: generated text, not references anyone wrote
    (
        r"py:class",
        r"(lambda|'dict\[str|mutualfin\.components\.base\.Unit|mutualfin(\.\w+)*\._\w+)",
    ),
    (
        r"py:.*",
        r"(numpy|np|pandas|pd|matplotlib|openpyxl|pydantic|ipywidgets|tqdm|"
        r"concurrent|datetime|dt|dask|collections|typing|os|pathlib)\b.*",
    ),
    (
        r"py:.*",
        r"(str|int|float|bool|bytes|dict|list|tuple|callable|None|object|Any|"
        r"Path|ndarray|DataFrame|Series|Figure|Styler|Generator|Executor|date|datetime)",
    ),
]

html_theme = "alabaster"
html_title = f"mutualfin {release}"
html_static_path: list[str] = []


def _find(target: str, module: str | None):
    """The object a dotted ``target`` names, tried as written and within ``module`` (a short
    name in a docstring refers to the module it is written in); None if nothing is."""
    tries = [target] + ([f"{module}.{target}"] if module else [])
    for name in tries:
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                break
            return obj
    return None


def _key(obj) -> int:
    """An object's identity; a method's is its function's (each access makes a new one)."""
    return id(getattr(obj, "__func__", obj))


def _documented(env) -> dict[int, str]:
    """Every documented Python object by identity -> the name it is documented under."""
    cache = getattr(env, "_mutualfin_documented", None)
    if cache is None:
        cache = {}
        for name in env.get_domain("py").objects:
            obj = _find(name, None)
            if obj is not None and not isinstance(obj, (int, float, str, tuple, dict)):
                cache.setdefault(_key(obj), name)
        env._mutualfin_documented = cache
    return cache


def _resolve_reexport(app, env, node, contnode):
    """A reference to an object under another name than the one it is documented under (a
    public facade's ``mutualfin.risk.tornado`` for ``mutualfin.analysis.sensitivity.tornado``,
    or a name a module imports) resolves to its documentation; one to a real object that is
    not documented (a method without a docstring) is shown as text; a name that is no object
    stays broken and fails the build."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    obj = _find(target, node.get("py:module"))
    if obj is None and node.get("py:class"):
        obj = _find(f"{node['py:class']}.{target}", node.get("py:module"))
    if obj is None:
        return None  # names nothing: a broken reference, which fails the build
    name = _documented(env).get(_key(obj))
    if name is None:
        return contnode  # names a real object the reference does not document: plain text
    if name == target:
        return None
    node["reftarget"] = name
    return env.get_domain("py").resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], name, node, contnode
    )


#: the sections numpydoc knows; a docstring's other sections (a component's "Lines (sheet
#: "Income")") are moved into its Notes as headed paragraphs, which numpydoc would drop
_NUMPYDOC = {
    "Parameters", "Returns", "Yields", "Receives", "Other Parameters", "Raises", "Warns",
    "Warnings", "See Also", "Notes", "References", "Examples", "Attributes", "Methods",
}  # fmt: skip


def _keep_own_sections(app, what, name, obj, options, lines):
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    k = 0
    while k < len(lines):
        head, rule = lines[k].strip(), lines[k + 1].strip() if k + 1 < len(lines) else ""
        if head and rule and set(rule) == {"-"} and len(rule) >= len(head) - 2:
            sections.append((head, []))
            k += 2
            continue
        sections[-1][1].append(lines[k])
        k += 1
    own = [(h, body) for h, body in sections if h is not None and h not in _NUMPYDOC]
    if not own:
        return
    notes: list[str] = []
    for head, body in own:
        notes += [f".. rubric:: {head}", "", *body, ""]
    kept = [(h, b) for h, b in sections if h is None or h in _NUMPYDOC]
    names = [h for h, _ in kept]
    if "Notes" in names:
        i = names.index("Notes")
        kept[i] = ("Notes", notes + kept[i][1])
    else:
        after = [i for i, h in enumerate(names) if h in ("References", "Examples")]
        kept.insert(after[0] if after else len(kept), ("Notes", notes))
    out: list[str] = []
    for head, body in kept:
        if head is not None:
            out += [head, "-" * len(head)]
        out += body
    lines[:] = out


# numpydoc also parses each class docstring for its signature and says so of the sections
# _keep_own_sections moves into Notes; the pages themselves carry them
warnings.filterwarnings("ignore", message="Unknown section", category=UserWarning)
warnings.filterwarnings("ignore", message="potentially wrong underline", category=UserWarning)


def setup(app):
    app.connect("autodoc-process-docstring", _keep_own_sections, priority=100)
    app.connect("missing-reference", _resolve_reexport)
