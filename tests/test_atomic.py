"""Nothing half-written: builds SIGKILLed at random moments leave every edition whole.

Version A of a book is built, then version B is built over it again and again, each run killed
(with its worker processes) after a random delay spread over a build's duration.  After every
kill each edition in the output folder must be byte-for-byte the complete A or the complete B
(SOURCE_DATE_EPOCH makes both reproducible), and no temporary folder may pass for an edition.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_YAML, ROOT

RUNS = 20
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1600000000", "PYTHONPATH": str(ROOT)}
EDITIONS = ("a-small-book.epub", "a-small-book.pdf", "a-small-book.docx")
STATE = ".editions-state.json"


def write_version(src: Path, text: str) -> Path:
    src.mkdir()
    (src / "book.yaml").write_text(MINIMAL_YAML.lstrip("\n"), encoding="utf-8")
    (src / "one.md").write_text(text, encoding="utf-8")
    return src


def command(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "converters", "build", str(src), "--out", str(out)]


def digests(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in EDITIONS}


@pytest.mark.slow
def test_sigkill_never_leaves_a_half_written_edition(tmp_path):
    src_a = write_version(tmp_path / "a", "Version A.\n")
    src_b = write_version(tmp_path / "b", "# Version B\n\nLonger, with a [link](#version-b).\n")
    snapshot_a, built_b = tmp_path / "dist-a", tmp_path / "dist-b"
    subprocess.run(command(src_a, snapshot_a), env=ENV, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(command(src_b, built_b), env=ENV, check=True, capture_output=True)
    duration = time.perf_counter() - started
    a, b = digests(snapshot_a), digests(built_b)
    assert all(a[n] != b[n] for n in EDITIONS)

    rng = random.Random(7)
    out = tmp_path / "dist"
    outcomes = {"A": 0, "B": 0, "mixed": 0}
    leftovers = 0
    for _ in range(RUNS):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(snapshot_a, out)
        # The whole process group, so the edition workers die with the build, as in a CI cancel.
        proc = subprocess.Popen(command(src_b, out), env=ENV, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Up to twice a build's measured time, so some kills land after it finished even when
        # the machine is busier than during the measurement.
        time.sleep(rng.uniform(0, duration * 2))
        with contextlib.suppress(ProcessLookupError):  # it may have finished already
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        now = digests(out)
        for name in EDITIONS:
            assert now[name] in (a[name], b[name]), f"{name} is neither version A nor B"
        kinds = {"A" if now[n] == a[n] else "B" for n in EDITIONS}
        outcomes[kinds.pop() if len(kinds) == 1 else "mixed"] += 1
        visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
        assert visible == sorted(EDITIONS)
        hidden = [p for p in out.iterdir() if p.name.startswith(".") and p.name != STATE]
        assert all(p.is_dir() and p.name.startswith(".editions-") for p in hidden), hidden
        leftovers += bool(hidden)
        json.loads((out / STATE).read_text(encoding="utf-8"))  # replaced whole, never torn
    print(f"kill outcomes {outcomes}, runs leaving a temporary folder: {leftovers}")
    # The kills really landed across the build: before any edition, part-way, and after.
    assert outcomes["A"] and outcomes["B"], outcomes
    # A later build clears what killed builds left behind and completes.
    if not leftovers:
        (out / ".editions-999999999-x").mkdir()  # as a killed build would leave it
    subprocess.run(command(src_b, out), env=ENV, check=True, capture_output=True)
    assert digests(out) == b
    # No work folder is left; the build cache stays (it is the build's own, and bounded).
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".editions-cache", STATE]
