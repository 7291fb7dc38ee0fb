"""What schema.py tells people: the JSON Schema for editors and the README's key tables."""

from __future__ import annotations

import json
import re
from typing import Any

from .schema import BookSpec, EntrySpec
from .spec import Spec

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """book.yaml's JSON Schema (draft 2020-12), as written: keys with hyphens, lengths as text."""
    schema = _tidy(BookSpec.model_json_schema(by_alias=True, mode="validation"))
    return {"$schema": DIALECT, "title": "book.yaml",
            "description": "The source of a book for editions (EPUB 3, PDF, DOCX): its "
            "metadata and contents. See README: 'The source format'.", **schema}


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _tidy(node: Any, *, in_properties: bool = False) -> Any:
    """Drop what pydantic adds but an editor does not need: titles made from the Python names
    and ``default: null`` (an optional key is simply left out; null is refused as empty)."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    if in_properties:  # keys are the book's key names, not keywords
        return {key: _tidy(value) for key, value in node.items()}
    out = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue
        out[key] = _tidy(value, in_properties=key in ("properties", "$defs"))
    return out


def key_table(spec: type[Spec]) -> str:
    """The README's Markdown table of a model's keys: key, required, description."""
    rows = ["| key | required | value |", "| --- | --- | --- |"]
    for name, field in spec.model_fields.items():
        required = "yes " if field.is_required() else ""
        rows.append(f"| `{field.alias or name}` | {required}| {field.description} |")
    return "\n".join(rows) + "\n"


README_TABLES = {"### `book.yaml`": BookSpec, "### Contents entries": EntrySpec}
_TABLE = re.compile(r"^\| key \|.*?\n(?=[^|]|\Z)", re.S | re.M)


def readme_with_tables(readme: str) -> str:
    """``readme`` with the first key table under each of README_TABLES' headings regenerated."""
    for heading, spec in README_TABLES.items():
        start = readme.index(heading + "\n")
        table = _TABLE.search(readme, start)
        if table is None:
            raise ValueError(f"no key table under {heading}")
        readme = readme[:table.start()] + key_table(spec) + readme[table.end():]
    return readme


if __name__ == "__main__":  # python -m converters.source.docs README.md: rewrite its tables
    import sys
    from pathlib import Path

    path = Path(sys.argv[1])
    path.write_text(readme_with_tables(path.read_text(encoding="utf-8")), encoding="utf-8")
