"""The command line, run in-process through main(argv)."""

from __future__ import annotations

import pytest

from converters import __version__
from converters.cli import main
from tests.conftest import copy_sample


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"editions {__version__}"


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
    assert [p.name for p in out.iterdir()] == ["the-precarious-truce.epub"]
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
    assert len(lines) == 2 and all(line.startswith(str(src.name)) or "book.yaml:" in line
                                   for line in lines)
    assert "Traceback" not in err
    assert (out / "the-precarious-truce.epub").read_bytes() == b"previous"
    assert sorted(p.name for p in out.iterdir()) == ["the-precarious-truce.epub"]


@pytest.mark.parametrize("argv", [["build", "/nonexistent/book"]])
def test_missing_source_folder(argv, capsys):
    assert main(argv) == 1
    assert "source folder does not exist" in capsys.readouterr().err
