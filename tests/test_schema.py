"""book.yaml's schema as data: the README's key tables, the JSON Schema and `editions schema`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from converters.cli.main import main
from converters.source.docs import README_TABLES, json_schema, readme_with_tables
from converters.source.schema import BookSpec

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "bad"
SHERLOCK = Path("/work/shared/books/sherlock")
EXAMPLES = [ROOT / "source", ROOT / "tests" / "books" / "rich", BAD / "ok-bom", BAD / "ok-crlf"]


class _Yaml12(yaml.SafeLoader):
    """Reads values the way YAML-aware editors do (YAML 1.2): 2024-03-15 stays text."""


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _book(folder: Path) -> object:
    return yaml.load((folder / "book.yaml").read_text(encoding="utf-8-sig"), Loader=_Yaml12)


def test_readme_key_tables_are_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"\n| `{f.alias or n}` |" in readme for spec in README_TABLES.values()
               for n, f in spec.model_fields.items())
    assert readme_with_tables(readme) == readme, (
        "README.md's key tables differ from converters/source/schema.py; run "
        "'python -m converters.source.docs README.md' to regenerate them")


def test_json_schema_is_draft_2020_12_with_every_key():
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == [f.alias or n for n, f in BookSpec.model_fields.items()]
    assert schema["required"] == ["title", "creators", "date", "language", "identifiers",
                                  "contents"]
    assert schema["additionalProperties"] is False
    entry = schema["$defs"]["EntrySpec"]
    assert entry["properties"]["kind"]["enum"] == ["front", "chapter", "back"]
    assert "crop-marks" in schema["$defs"]["PrintSpec"]["properties"]


@pytest.mark.parametrize("folder", [*EXAMPLES, SHERLOCK], ids=lambda p: p.name)
def test_every_example_book_validates(folder):
    if not folder.exists():
        pytest.skip(f"{folder} is not on this machine")
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(
        _book(folder))]
    assert errors == []


# A mistake of shape in each: the JSON Schema flags it where editions does.
SHAPE_MISTAKES = {
    "unknown-key": ([], "'subtittle' was unexpected"),
    "unknown-entry-key": (["contents", 0], "'fiel' was unexpected"),
    "unknown-kind": (["contents", 0, "kind"], "'chaptre' is not one of"),
    "identifier-scheme": (["identifiers", 0, "scheme"], "'isbm' is not one of"),
    "type-creators": (["creators"], "is not of type 'array'"),
    "type-title-list": (["title"], "is not of type 'string'"),
    "type-number": (["contents", 0, "number"], "is not of type 'integer'"),
    "type-entry-scalar": (["contents", 0], "is not of type 'object'"),
    "no-contents": (["contents"], "should be non-empty"),
    "missing-fields": ([], "'language' is a required property"),
    "date-format": (["date"], "'March 2020' is not valid"),
    "trim-unknown": (["print", "trim"], "'a55' is not valid"),
}


@pytest.mark.parametrize("case", sorted(SHAPE_MISTAKES))
def test_a_bad_book_fails_the_json_schema(case):
    path, fragment = SHAPE_MISTAKES[case]
    errors = list(_validator().iter_errors(_book(BAD / case)))
    assert any(list(e.absolute_path) == path and fragment in e.message for e in errors), \
        [(list(e.absolute_path), e.message) for e in errors]


def test_schema_command_prints_and_writes_it(tmp_path, capsys):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == json_schema()
    out = tmp_path / "book.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == printed
    assert capsys.readouterr().out == ""
    assert main(["schema", "--out", str(tmp_path / "no" / "such" / "dir.json")]) == 1
    assert "editions: error: cannot write" in capsys.readouterr().err
