"""Depth-first fuzzing: nested structures and long runs of one character.

The random property tests (test_properties.py) spread wide; these go deep: Markdown and YAML
nested tens to thousands of levels by every construct that nests, and runs of up to 100,000
copies of one character.  Every input must either build or fail with located SourceError
problems, within a time bound, never with a traceback, a hang or unbounded memory.

``EDITIONS_FUZZ_EXAMPLES`` raises the number of examples per test (default 30); each run
prints its counts and its slowest example (``pytest -s``).
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from converters.build.orchestrate import build
from converters.core import limits
from converters.core.errors import SourceError
from tests.conftest import MINIMAL_YAML

pytestmark = pytest.mark.slow  # about 50 s at the default count
EXAMPLES = int(os.environ.get("EDITIONS_FUZZ_EXAMPLES", "30"))
TIME_BOUND_S = 30.0  # per example: pandoc's own ceiling is lowered to 10 s below
DEPTH = st.integers(min_value=1, max_value=3000)
RUN = st.integers(min_value=1, max_value=100_000)

# (opening, closing) of every Markdown construct that nests.
MD_NESTERS = [("> ", ""), ("- ", ""), ("1. ", ""), ("  ", ""), ("* ", ""), ("*", "*"),
              ("_", "_"), ("**", "**"), ("[", "](#x)"), ("[", "]"), ("![", "](a.png)"),
              ("^[", "]"), ("[", "]{.c}"), ("~~", "~~"), ("^", "^"), ("~", "~"), ("`", "`"),
              ("::: {.d}\n", "\n:::\n"), ("<div>", "</div>"), ("(", ")"), ("{", "}"),
              ("\"", "\""), ("> - ", ""), ("| ", " |")]
MD_CHARS = [*list("[]()*_`>-#|\\{}<!&:~^=+. \n\t\"'$%"), "\xa0", "\u202e", "é", "😀"]
# (opening, closing, indent-based?) for YAML.
YAML_NESTERS = ["flow-list", "flow-map", "block-list", "block-map", "mixed"]

_stats = {"built": 0, "refused": 0, "slowest": (0.0, ""), "codes": {}}


def nest_markdown(opening: str, closing: str, depth: int, line_per_level: bool) -> str:
    if line_per_level and not closing:
        return "\n".join(opening * level + "x" for level in range(1, depth + 1)) + "\n"
    return opening * depth + "x" + closing * depth + "\n"


def nest_yaml(kind: str, depth: int) -> str:
    if kind == "flow-list":
        return "subjects: " + "[" * depth + "x" + "]" * depth + "\n"
    if kind == "flow-map":
        return "subjects: [" + "{a: " * depth + "x" + "}" * depth + "]\n"
    if kind == "block-list":
        return "subjects:\n" + "".join("  " * i + "- \n" for i in range(1, depth)) + \
            "  " * depth + "- x\n"
    if kind == "block-map":
        return "series:\n" + "".join("  " * i + "a:\n" for i in range(1, depth)) + \
            "  " * depth + "a: x\n"
    return "subjects: [" + "".join("[{a: " if i % 2 else "[" for i in range(depth)) + "x" + \
        "".join("}]" if i % 2 else "]" for i in reversed(range(depth))) + "]\n"


def attempt(files: dict[str, str], label: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="editions-fuzz-"))
    src = tmp / "src"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.perf_counter()
    try:
        build(src, tmp / "out", ["epub"], jobs=1)
        outcome = "built"
    except SourceError as exc:
        assert exc.problems and all(p.location.line >= 1 and p.code for p in exc.problems)
        outcome = "refused"
        for problem in exc.problems:
            _stats["codes"][problem.code] = _stats["codes"].get(problem.code, 0) + 1
    finally:
        shutil.rmtree(tmp)
    seconds = time.perf_counter() - started
    _stats[outcome] += 1
    if seconds > _stats["slowest"][0]:
        _stats["slowest"] = (seconds, label)
    event(outcome)
    assert seconds < TIME_BOUND_S, f"{label} took {seconds:.1f} s"


@pytest.fixture(autouse=True)
def _bounded_pandoc(monkeypatch):
    monkeypatch.setattr(limits, "PANDOC_TIMEOUT_S", 10.0)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >> 10
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"\ndepth fuzz: {_stats['built']} built, {_stats['refused']} refused "
          f"{dict(sorted(_stats['codes'].items()))}; slowest {_stats['slowest'][0]:.1f} s "
          f"({_stats['slowest'][1]}); peak RSS: pandoc {peak} MiB, this process {own} MiB")


DEEP = settings(deadline=None, max_examples=EXAMPLES, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@DEEP
@given(nester=st.sampled_from(MD_NESTERS), depth=DEPTH, per_line=st.booleans())
def test_nested_markdown_builds_or_is_refused(nester, depth, per_line):
    text = nest_markdown(*nester, depth, per_line)
    attempt({"book.yaml": MINIMAL_YAML.lstrip("\n"), "one.md": text},
            f"markdown {nester!r} x{depth}{' per line' if per_line else ''}")


@DEEP
@given(char=st.sampled_from(MD_CHARS), length=RUN, prefix=st.sampled_from(["", "a ", "# ", "> "]))
def test_long_runs_of_one_character_build_or_are_refused(char, length, prefix):
    attempt({"book.yaml": MINIMAL_YAML.lstrip("\n"), "one.md": prefix + char * length + "\n"},
            f"markdown {prefix!r} + {char!r} x{length}")


@DEEP
@given(kind=st.sampled_from(YAML_NESTERS), depth=DEPTH)
def test_nested_yaml_builds_or_is_refused(kind, depth):
    attempt({"book.yaml": MINIMAL_YAML.lstrip("\n") + nest_yaml(kind, depth),
             "one.md": "Text.\n"}, f"yaml {kind} x{depth}")


@DEEP
@given(char=st.sampled_from([*list("[{\"'-:#&*!|>? \\x"), "é"]), length=RUN,
       key=st.sampled_from(["title", "description", "publisher"]))
def test_long_yaml_values_build_or_are_refused(char, length, key):
    value = (char * length).replace("\\", "\\\\")
    yaml = MINIMAL_YAML.lstrip("\n").replace("title: A Small Book\n", "")
    attempt({"book.yaml": yaml + f"{key}: {value}\n" + ("title: T\n" if key != "title" else ""),
             "one.md": "Text.\n"}, f"yaml {key}: {char!r} x{length}")
