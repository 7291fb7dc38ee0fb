"""issue 17: 'editions new' — each template builds and checks clean at once, nothing is
overwritten."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
import yaml
from lxml import html as lhtml

from converters import load_book
from converters.cli.main import main
from converters.cli.scaffold import TEMPLATES, scaffold


@pytest.mark.slow
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_each_template_builds_and_checks_clean(template, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "mybook", "--template", template, "--title", "A Book: Its Title",
                 "--author", "Ann O'Hara, Jr."]) == 0
    err = capsys.readouterr().err
    assert f"created mybook from the {template} template" in err and "editions serve mybook" in err
    report = tmp_path / "report.json"
    # 'editions build' inside the folder, as the README says; --strict: not even a warning.
    monkeypatch.chdir(tmp_path / "mybook")
    assert main(["build", "--out", str(tmp_path / "dist"), "--check", "--strict",
                 "--report", str(report)]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] and data["problems"] == []
    assert [e["check"]["findings"] for e in data["editions"]] == [[], [], []]
    assert all(e["warnings"] == [] for e in data["editions"])
    book = load_book(tmp_path / "mybook")
    assert book.title == "A Book: Its Title" and book.creators[0].name == "Ann O'Hara, Jr."
    chapters = [e for e in book.entries if e.kind == "chapter"]
    assert len(chapters) == 2 and all(len(e.body_text.split()) > 80 for e in chapters)
    assert any(e.kind == "front" for e in book.entries)
    assert any(e.kind == "back" and e.body_text for e in book.entries)
    # A footnote, a figure with its description and a table reach the EPUB.
    epub = tmp_path / "dist" / "a-book-its-title.epub"
    with zipfile.ZipFile(epub) as z:
        pages = [lhtml.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")]
    notes = [el for p in pages for el in p.iter("aside") if el.get("role") == "doc-footnote"]
    assert len(notes) >= 2
    images = [img for p in pages for img in p.iter("img") if "figure" in img.get("src", "")]
    assert len(images) == 1 and len(images[0].get("alt", "")) > 20
    assert sum(1 for p in pages for _ in p.iter("table")) == 1


def test_book_yaml_points_editors_at_the_schema_and_comments_the_keys(tmp_path):
    for template in TEMPLATES:
        folder = tmp_path / template
        files = scaffold(folder, template)
        text = (folder / "book.yaml").read_text(encoding="utf-8")
        assert text.splitlines()[0] == "# yaml-language-server: $schema=book.schema.json"
        data = yaml.safe_load(text)
        assert {"title", "creators", "date", "language", "identifiers", "contents"} <= set(data)
        commented = set(re.findall(r"^# ?([a-z-]+):", text, re.M))
        assert {"series", "edition", "print", "docx"} <= commented | set(data), commented
        assert (folder / "images" / "figure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert all(p.is_file() for p in files)
    assert (tmp_path / "nonfiction" / "references.bib").read_text().count("@book{") == 3


def test_refuses_to_overwrite_anything(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(taken)]) == 1
    assert "never overwrites anything" in capsys.readouterr().err
    assert sorted(p.name for p in taken.iterdir()) == ["notes.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError):
        scaffold(a_file, "novel")
    assert a_file.read_text(encoding="utf-8") == "x"
    # An empty folder holds nothing to overwrite; no temporary folder is left beside it.
    empty = tmp_path / "empty"
    empty.mkdir()
    scaffold(empty, "report")
    assert (empty / "book.yaml").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".editions-new-")]


def test_unknown_template_is_a_usage_error(tmp_path, capsys):
    assert main(["new", str(tmp_path / "x"), "--template", "poetry"]) == 2
    assert "invalid choice: 'poetry'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_every_template_file_is_package_data():
    import fnmatch
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["converters.cli"]
    cli = root / "converters" / "cli"
    files = [p.relative_to(cli).as_posix() for p in (cli / "templates").rglob("*")
             if p.is_file()]
    assert len(files) >= 15
    assert [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []


def test_new_writes_the_schema_its_book_yaml_names(tmp_path):
    from converters.cli.scaffold import SCHEMA_FILE, schema_text

    if schema_text() is None:
        pytest.skip("this version of editions has no book.yaml schema (editions schema) yet")
    jsonschema = pytest.importorskip("jsonschema")
    for template in TEMPLATES:
        folder = tmp_path / template
        scaffold(folder, template)
        schema = json.loads((folder / SCHEMA_FILE).read_text(encoding="utf-8"))
        data = yaml.safe_load((folder / "book.yaml").read_text(encoding="utf-8"))
        data["date"] = str(data["date"])  # YAML reads an unquoted date as a date
        jsonschema.validate(data, schema)
