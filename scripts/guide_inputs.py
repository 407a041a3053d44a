"""Write the guide's "Every model's inputs" tables from the components' schemas.

    .venv/bin/python scripts/guide_inputs.py            # rewrite docs/guide.md in place
    .venv/bin/python scripts/guide_inputs.py --check    # exit 1 if the guide is out of date

Each component's section in docs/guide.md has a generated block between
``<!-- inputs:KEY -->`` and ``<!-- /inputs:KEY -->``: the first paragraph of the class
docstring and a table of every input (unit, default, meaning; the choices of a choice; the
fields of a list of tables). Text outside the blocks is the guide's own and is kept. A test
(tests/test_docs.py) fails when a block no longer matches the schemas.
"""

from __future__ import annotations

import re
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide.md"
_BLOCK = re.compile(r"<!-- inputs:(\w+) -->\n.*?<!-- /inputs:\1 -->", re.S)


def _first_paragraph(cls: type) -> str:
    doc = (cls.__doc__ or "").strip()
    para = doc.split("\n\n", 1)[0]
    return " ".join(para.split())


def _unit(cls: Any, name: str, info: Any) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if extra.get("choices"):  # text checked against a list (the legal forms)
        return "choice: " + ", ".join(f"`{c}`" for c in extra["choices"])
    ann = info.annotation
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    literal = [
        a
        for a in (args if origin is not None else (ann,))
        if typing.get_origin(a) is typing.Literal
    ]
    if typing.get_origin(ann) is typing.Literal or literal:
        choices = typing.get_args(ann if typing.get_origin(ann) is typing.Literal else literal[0])
        return "choice: " + ", ".join(f"`{c}`" for c in choices)
    text = str(ann)
    if "list[" in text and "BaseModel" not in text:
        item = _list_item(ann)
        if item is not None and hasattr(item, "model_fields"):
            return "list of tables: " + ", ".join(f"`{f}`" for f in item.model_fields)
        if item is str:
            return "list of text"
    try:
        return cls.unit_of(name)
    except Exception:
        pass
    if ann is bool or "bool" in text:
        return "flag"
    if "date" in text:
        return "date"
    if ann is str or "str" in text:
        return "text"
    return "value"


def _list_item(ann: Any) -> Any:
    for arg in (ann, *typing.get_args(ann)):
        if typing.get_origin(arg) is list:
            (item,) = typing.get_args(arg) or (None,)
            return item
    return None


def _default(cls: Any, name: str, info: Any) -> str:
    default = info.default
    if default is PydanticUndefined:
        return "**required**"
    if default is None:
        source = getattr(cls, "default_sources", {}).get(name)
        return f"none ({source})" if source else "none"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, str):
        return f'"{default}"'
    if isinstance(default, float) and default.is_integer() and abs(default) >= 1000:
        return f"{default:,.0f}"
    return str(default)


def section(key: str, cls: Any) -> str:
    """The generated block of one component: its first paragraph and its inputs' table."""
    rows = ["| input | unit | default | meaning |", "|---|---|---|---|"]
    for name, info in cls.Inputs.model_fields.items():
        meaning = " ".join((info.description or "").split()).replace("|", "/")
        rows.append(
            f"| `{name}` | {_unit(cls, name, info)} | {_default(cls, name, info)} | {meaning} |"
        )
    body = _first_paragraph(cls) + "\n\n" + "\n".join(rows)
    return f"<!-- inputs:{key} -->\n{body}\n<!-- /inputs:{key} -->"


def render(text: str) -> str:
    """The guide with every generated block rewritten from the schemas."""
    from mutualfin.case.loader import component_registry

    registry = component_registry()
    return _BLOCK.sub(lambda m: section(m.group(1), registry[m.group(1)]), text)


def main(argv: list[str]) -> int:
    text = GUIDE.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("docs/guide.md is out of date: run scripts/guide_inputs.py", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
