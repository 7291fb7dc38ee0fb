"""The command line, run in-process through main(argv)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from converters import __version__
from converters.cli.main import main
from tests.conftest import copy_sample


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"editions {__version__}"


def test_help_lists_build(capsys):
    assert main(["--help"]) == 0
    assert "build" in capsys.readouterr().out


def test_usage_error_exits_2(capsys):
    assert main(["build", "--format", "mobi"]) == 2
    assert "unknown format mobi" in capsys.readouterr().err


def test_build_one_format(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(copy_sample(tmp_path / "src")), "--out", str(out),
                 "--format", "epub"]) == 0
    # Beside the edition only the (hidden, git-ignored) incremental-build state and cache.
    assert sorted(p.name for p in out.iterdir()) == [".editions-cache", ".editions-state.json",
                                                     "the-precarious-truce.epub"]
    line = capsys.readouterr().out.strip()
    assert line.endswith(" s") and "the-precarious-truce.epub" in line and "KiB" in line


def test_bad_source_reports_every_problem_and_keeps_dist(tmp_path, capsys):
    src = copy_sample(tmp_path / "src")
    out = tmp_path / "out"
    out.mkdir()
    (out / "the-precarious-truce.epub").write_bytes(b"previous")
    text = (src / "book.yaml").read_text(encoding="utf-8")
    (src / "book.yaml").write_text(text.replace("language: en-GB", "language: en_GB!")
                                   .replace("date: 1977", "date: 1977-02-30"), encoding="utf-8")
    assert main(["build", str(src), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert sorted(line.rsplit(" ", 1)[-1] for line in lines) == ["[date]", "[language]"]
    assert [re.search(r"book\.yaml:(\d+):\d+: error: ", line)[1] for line in sorted(lines)] \
        == ["10", "11"]  # 'date:' and 'language:' in source/book.yaml
    assert "Traceback" not in err
    assert (out / "the-precarious-truce.epub").read_bytes() == b"previous"
    assert sorted(p.name for p in out.iterdir()) == ["the-precarious-truce.epub"]


@pytest.mark.parametrize("argv", [["build", "/nonexistent/book"]])
def test_missing_source_folder(argv, capsys):
    assert main(argv) == 1
    assert "source folder does not exist" in capsys.readouterr().err


# -- issue 6: CI-facing behaviour ---------------------------------------------------------------


def test_usage_errors_exit_2(capsys):
    assert main(["build", "--jobs", "0"]) == 2
    assert "--jobs needs a whole number" in capsys.readouterr().err
    assert main(["check", "--bogus"]) == 2
    assert main([]) == 2


def test_report_json_and_skips(tmp_path, capsys):
    import json

    src = copy_sample(tmp_path / "src")
    out, report = tmp_path / "out", tmp_path / "report.json"
    argv = ["build", str(src), "--out", str(out), "--format", "pdf,docx", "--report", str(report)]
    assert main(argv) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] is True and data["exit_code"] == 0 and data["command"] == "build"
    editions = {e["format"]: e for e in data["editions"]}
    assert set(editions) == {"pdf", "docx"}
    pdf = editions["pdf"]
    assert pdf["status"] == "built" and pdf["path"].endswith("the-precarious-truce.pdf")
    assert pdf["size"] == (out / "the-precarious-truce.pdf").stat().st_size
    assert re.fullmatch(r"[0-9a-f]{64}", pdf["sha256"]) and pdf["seconds"] > 0
    from pypdf import PdfReader

    assert pdf["pages"] == len(PdfReader(out / "the-precarious-truce.pdf").pages)
    assert editions["docx"]["pages"] is None and pdf["warnings"] == [] and pdf["check"] is None
    capsys.readouterr()
    assert main(argv) == 0
    again = json.loads(report.read_text(encoding="utf-8"))
    assert [e["status"] for e in again["editions"]] == ["skipped", "skipped"]
    assert [e["sha256"] for e in again["editions"]] == [e["sha256"] for e in data["editions"]]
    assert capsys.readouterr().out.count("unchanged") == 2


def test_build_check_report_includes_check_results(tmp_path, capsys):
    import json

    src = copy_sample(tmp_path / "src")
    report = tmp_path / "r.json"
    assert main(["build", str(src), "--out", str(tmp_path / "out"), "--format", "pdf,docx",
                 "--check", "--report", str(report)]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [e["check"] for e in data["editions"]] == [
        {"ok": True, "errors": 0, "warnings": 0, "findings": []}] * 2
    assert "checked 2 editions: 0 errors, 0 warnings" in capsys.readouterr().err


def test_failed_edition_exits_1_and_keeps_the_others(minimal_source, tmp_path, capsys,
                                                     monkeypatch):
    from functools import partial

    import converters.docx.parts as docx_parts

    # pandoc in the DOCX writer only, with a time ceiling no run can meet: a real failure.
    monkeypatch.setattr(docx_parts, "run", partial(docx_parts.run, timeout=0.001))
    src = minimal_source()
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--format", "epub,docx"]) == 1
    captured = capsys.readouterr()
    assert "the DOCX edition failed" in captured.err and "Traceback" not in captured.err
    assert "a-small-book.epub" in captured.out and (out / "a-small-book.epub").is_file()
    assert not (out / "a-small-book.docx").exists()


def test_strict_turns_a_pandoc_warning_into_exit_1(minimal_source, tmp_path, capsys):
    src = minimal_source({"one.md": "See [a].\n\n[a]: https://a.example\n[a]: https://b.example\n"})
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--format", "epub"]) == 0
    warning = next(line for line in capsys.readouterr().err.splitlines() if "pandoc" in line)
    # pandoc's own words, located in the Markdown file they are about.
    assert re.search(r"warning: epub: pandoc: \S*one\.md:4:1: Duplicate link reference '\[a\]'$",
                     warning), warning
    assert main(["build", str(src), "--out", str(tmp_path / "strict"), "--format", "epub",
                 "--strict"]) == 1
    assert "--strict" in capsys.readouterr().err
    assert not (tmp_path / "strict" / "a-small-book.epub").exists()


def test_progress_plain_in_ci_live_on_a_terminal(monkeypatch):
    import io

    from converters.build.orchestrate import EditionResult
    from converters.cli.progress import Progress, wants_live

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    done = EditionResult("pdf", Path("x.pdf"), 10, 1.5)
    monkeypatch.delenv("CI", raising=False)
    tty = Terminal()
    assert wants_live(tty) and not wants_live(io.StringIO())
    live = Progress(tty, ["pdf", "epub"])
    live("start", "pdf", None)
    live("built", "pdf", done)
    live.close()
    assert tty.getvalue().count("\r\033[K") == 2 and tty.getvalue().endswith("\n")
    assert "pdf ✓ 1.50 s · epub waiting" in tty.getvalue()
    monkeypatch.setenv("CI", "true")
    assert not wants_live(Terminal())
    log = io.StringIO()
    plain = Progress(log, ["pdf"])
    plain("start", "pdf", None)
    plain("built", "pdf", done)
    assert log.getvalue() == "editions: pdf: building\neditions: pdf: built in 1.50 s\n"


def test_ci_workflow_installs_builds_checks_and_uploads():
    import yaml

    from tests.conftest import ROOT

    workflow = yaml.safe_load((ROOT / ".github/workflows/editions.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and "pull_request" in triggers
    steps = workflow["jobs"]["editions"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert ".ci/sysdeps test" in runs and "pip install -e ." in runs
    assert "SOURCE_DATE_EPOCH" in runs
    assert re.search(r"editions build source --out dist --check .*--report dist/report\.json",
                     runs)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()" and "dist/*.epub" in upload["with"]["path"]


def test_yaml_and_markdown_problems_are_reported_in_one_run(minimal_source, tmp_path, capsys):
    src = minimal_source({"one.md": "Text.\n\n![A figure](images/missing.png)\n"})
    yaml = (src / "book.yaml").read_text(encoding="utf-8")
    (src / "book.yaml").write_text(yaml.replace("language: en", "language: en_GB!"),
                                   encoding="utf-8")
    assert main(["build", str(src), "--out", str(tmp_path / "out")]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert any("book.yaml:4:11: error:" in line and "[language]" in line for line in errors)
    assert any("one.md:3:13: error:" in line and "[missing-image]" in line for line in errors)
    assert len(errors) == 2


def test_links_are_not_judged_while_an_entry_is_unreadable(minimal_source, tmp_path, capsys):
    # Entry two's file is missing, so a link to its heading cannot be judged: one problem only.
    src = minimal_source({"one.md": "See [two](#part-two).\n"})
    yaml = (src / "book.yaml").read_text(encoding="utf-8")
    (src / "book.yaml").write_text(yaml + "  - title: Two\n    kind: chapter\n    number: 2\n"
                                   "    file: two.md\n", encoding="utf-8")
    assert main(["build", str(src), "--out", str(tmp_path / "out")]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "[missing-file]" in errors[0]
