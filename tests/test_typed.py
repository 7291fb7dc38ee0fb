"""issue 17: the package ships py.typed and its public API passes ``mypy --strict``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

USER_CODE = """
from pathlib import Path

from converters import BuildOptions, build, load_book, render

results = build(Path("src"), Path("out"), ["pdf"], BuildOptions(pdf_layout="print"))
size: int = results[0].size
book = load_book("src")
title: str = book.title
first: str = render(book).entries[0].html
"""


def mypy(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy")
    # MYPYPATH: this checkout, not whatever an editable install points at.  The promise is about
    # the public API's signatures: the modules behind it are read for their types
    # (follow-imports=silent) but not held to --strict themselves.
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--follow-imports=silent",
                           "--cache-dir", str(cache), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "MYPYPATH": str(ROOT)})


def test_py_typed_is_package_data():
    tomllib = pytest.importorskip("tomllib")
    assert (ROOT / "converters" / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["converters"]


@pytest.mark.slow
def test_public_api_passes_mypy_strict(tmp_path):
    proc = mypy(["converters/__init__.py"], ROOT, tmp_path / "cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # A user's code sees the API's types: a correct use passes, a wrong one is caught.
    (tmp_path / "use.py").write_text(textwrap.dedent(USER_CODE), encoding="utf-8")
    (tmp_path / "wrong.py").write_text(textwrap.dedent(USER_CODE).replace(
        "size: int", "size: str"), encoding="utf-8")
    ok = mypy(["--follow-imports=silent", "use.py"], tmp_path, tmp_path / "cache")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wrong = mypy(["--follow-imports=silent", "wrong.py"], tmp_path, tmp_path / "cache")
    assert wrong.returncode == 1
    assert 'Incompatible types in assignment (expression has type "int", variable has ' \
        'type "str")' in wrong.stdout
