"""Hostile sources: refused with a located error, or built with nothing dangerous left in them.

No test here may touch the network: the refused cases point at a counting HTTP server on
127.0.0.1, and the one hostile source that builds runs with outgoing sockets disabled in this
process while pandoc and WeasyPrint are watched through that server's request count.
"""

from __future__ import annotations

import http.server
import socket
import threading
import tracemalloc
import zipfile
from pathlib import Path
from typing import ClassVar

import pikepdf
import pytest
from lxml import etree
from lxml import html as lhtml
from PIL import Image, PngImagePlugin

from converters.core.errors import SourceError
from converters.source.loader import MAX_MARKDOWN_BYTES, load_book
from tests.conftest import MINIMAL_YAML
from tests.test_bad_sources import PREVIOUS, assert_refused

BASE = MINIMAL_YAML.lstrip("\n")


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    """A local HTTP server that counts requests: any hit means a build went to the network."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def no_network(monkeypatch):
    """Outgoing connections from this process raise (pandoc's and WeasyPrint's own are separate
    processes or libraries: the counting server catches those)."""

    def refuse(*args, **kwargs):
        raise AssertionError("a build tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def entry(line: str) -> str:
    return BASE.replace("    file: one.md\n", f"    file: one.md\n{line}\n")


# name -> (files, [(file:line:col, code, fragment)]); "{url}" is the counting server.
REFUSED = {
    "file-parent": ({"book.yaml": BASE.replace("file: one.md", "file: ../../etc/passwd")},
                    [("book.yaml:12:11", "path", "points outside the source folder")]),
    "summary-parent": ({"book.yaml": entry("    summary: ../../etc/passwd"), "one.md": "x\n"},
                       [("book.yaml:13:14", "path", "points outside the source folder")]),
    "cover-parent": ({"book.yaml": BASE + "cover: ../../etc/passwd\n", "one.md": "x\n"},
                     [("book.yaml:13:8", "path", "points outside the source folder")]),
    "image-parent": ({"book.yaml": BASE, "one.md": "![p](../../etc/passwd)\n"},
                     [("one.md:1:6", "image-path", "points outside the source folder")]),
    "file-absolute": ({"book.yaml": BASE.replace("file: one.md", "file: /etc/passwd")},
                      [("book.yaml:12:11", "path", "is an absolute path")]),
    "image-absolute": ({"book.yaml": BASE, "one.md": "Text.\n\n![h](/etc/hostname)\n"},
                       [("one.md:3:6", "image-path", "is an absolute path")]),
    "docx-reference-parent": ({"book.yaml": BASE + "docx:\n  reference: ../x.docx\n",
                               "one.md": "x\n"},
                              [("book.yaml:14:14", "path", "points outside the source folder")]),
    "file-symlink": ({"book.yaml": BASE, "one.md": ("symlink", "/etc/passwd")},
                     [("book.yaml:12:11", "path", "points outside the source folder")]),
    "image-symlink-dir": ({"book.yaml": BASE, "one.md": "![h](etc/hostname)\n",
                           "etc": ("symlink", "/etc")},
                          [("one.md:1:6", "image-path", "points outside the source folder")]),
    "book-yaml-symlink": ({"book.yaml": ("symlink", "/etc/passwd")},
                          [("book.yaml:1:1", "path", "outside the source folder")]),
    "image-remote": ({"book.yaml": BASE, "one.md": "![r]({url}/x.png)\n"},
                     [("one.md:1:6", "image-path", "is a URL; builds never use the network")]),
    "image-protocol-relative": ({"book.yaml": BASE, "one.md": "![r](//127.0.0.1/x.png)\n"},
                                [("one.md:1:6", "image-path", "is a URL")]),
    "image-data": ({"book.yaml": BASE, "one.md": "![d](data:image/png;base64,iVBORw0KGgo=)\n"},
                   [("one.md:1:6", "image-path", "is a URL")]),
    "cover-remote": ({"book.yaml": BASE + "cover: {url}/cover.png\n", "one.md": "x\n"},
                     [("book.yaml:13:8", "path", "is a URL")]),
    "file-remote": ({"book.yaml": BASE.replace("file: one.md", "file: {url}/one.md")},
                    [("book.yaml:12:11", "path", "is a URL")]),
    "link-javascript": ({"book.yaml": BASE, "one.md": "[click](javascript:alert(1))\n"},
                        [("one.md:1:9", "unsafe-link", "uses a scheme a book cannot carry")]),
    "link-javascript-autolink": ({"book.yaml": BASE, "one.md": "<javascript:alert(1)>\n"},
                                 [("one.md:1:2", "unsafe-link", "a book cannot carry")]),
    "link-data": ({"book.yaml": BASE, "one.md": "[x](data:text/html,<b>x</b>)\n"},
                  [("one.md:1:5", "unsafe-link", "a book cannot carry")]),
    "link-file-url": ({"book.yaml": BASE, "one.md": "[x](file:///etc/passwd)\n"},
                      [("one.md:1:5", "unsafe-link", "a book cannot carry")]),
    "event-handler": ({"book.yaml": BASE, "one.md": "[x](#chapter-1){onclick=\"alert(1)\"}\n"},
                      [("one.md:1:17", "unsafe-attribute", "'onclick' is not allowed")]),
    "event-handler-heading": ({"book.yaml": BASE, "one.md": "# H {onload=steal()}\n"},
                              [("one.md:1:6", "unsafe-attribute", "'onload' is not allowed")]),
}


def make(src: Path, files: dict, url: str) -> None:
    src.mkdir()
    for name, content in files.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            path.symlink_to(content[1])
        else:
            path.write_text(content.replace("{url}", url), encoding="utf-8")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_source_is_refused(name, tmp_path, monkeypatch, capsys, server, no_network):
    files, expected = REFUSED[name]
    src, out = tmp_path / "src", tmp_path / "out"
    make(src, files, server)
    out.mkdir()
    for fname, data in PREVIOUS.items():
        (out / fname).write_bytes(data)
    monkeypatch.chdir(src)
    before = len(_Counter.hits)
    err = assert_refused(["build", ".", "--out", str(out)], out, expected, capsys)
    assert len(_Counter.hits) == before
    assert "root:" not in err  # nothing of /etc/passwd is echoed back


def test_alias_bomb_is_refused_at_once_in_bounded_memory(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    (tmp_path / "book.yaml").write_text(BASE + "\n".join(lines) + "\n", encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as caught:
            load_book(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Expanded, this is 9**9 strings (gigabytes); refused at the first alias it costs kilobytes.
    assert peak < 5 << 20, f"peak {peak / 1e6:.1f} MB"
    assert [(p.code, p.location.line, p.location.col) for p in caught.value.problems] == \
        [("yaml-alias", 14, 10)]


def test_markdown_over_the_limit_is_refused(tmp_path):
    (tmp_path / "book.yaml").write_text(BASE, encoding="utf-8")
    with open(tmp_path / "one.md", "wb") as big:  # sparse: costs no disk or time
        big.truncate(MAX_MARKDOWN_BYTES + 1)
    with pytest.raises(SourceError) as caught:
        load_book(tmp_path)
    [problem] = caught.value.problems
    assert (problem.code, problem.location.line, problem.location.col) == ("too-large", 12, 11)
    assert f"the limit is {MAX_MARKDOWN_BYTES >> 20} MiB" in problem.message


HARMLESS_MD = """\
# Scripts {#scripts}

<script>alert("body")</script>

<iframe src="{url}/frame"></iframe> <object data="{url}/obj"></object>

<link rel="stylesheet" href="{url}/style.css">

<style>@import url("{url}/import.css"); body {{ background: url({url}/bg.png) }}</style>

<img src="{url}/raw.png" onerror="alert(1)"> <a href="javascript:alert(2)">raw link</a>

<svg onload="alert(3)"><image href="{url}/svg.png"/></svg>

A [web link]({url}/page) stays a link and is never fetched, [mail](mailto:a@example.org).

[styled]{{style="background: url({url}/span.png)" src="{url}/src.png" lang="fr"}}

<!-- a comment with <script>alert(4)</script> -->
"""
OUTSIDE_TOKEN = "editions-outside-token-5f3a9c1e7b"
HARMLESS_YAML = BASE.replace(
    "title: A Small Book",
    'title: "A Small Book ![t]({url}/title.png) ![h](/etc/hostname) ![o](../outside.png) '
    '![a]({outside}) <script>x</script>"',
).replace("date: 2020", 'date: 2020\ndescription: "<img src=\\"{url}/d.png\\"> [x](javascript:y)"'
          '\nsubjects: ["![s]({url}/subject.png)"]')


@pytest.fixture(scope="module")
def harmless_dist(tmp_path_factory, server):
    """All three editions of a source full of inert hostile text, built without network."""
    from converters.build.orchestrate import build

    root = tmp_path_factory.mktemp("harmless")
    src = root / "src"
    # A real PNG outside the source folder, carrying a token no edition may ever contain.
    secret = PngImagePlugin.PngInfo()
    secret.add_text("secret", OUTSIDE_TOKEN)
    Image.new("RGB", (4, 4)).save(root / "outside.png", pnginfo=secret)
    make(src, {"book.yaml": HARMLESS_YAML.replace("{outside}", str(root / "outside.png")),
               "one.md": HARMLESS_MD.replace("{{", "{").replace("}}", "}")}, server)
    before = len(_Counter.hits)
    mp = pytest.MonkeyPatch()
    try:
        def refuse(*args, **kwargs):
            raise AssertionError("a build tried to open a network connection")

        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket, "getaddrinfo", refuse)
        results = {r.format: r.path for r in build(src, root / "out")}
    finally:
        mp.undo()
    return results, _Counter.hits[before:]


def test_hostile_text_builds_without_any_request(harmless_dist):
    results, hits = harmless_dist
    assert sorted(results) == ["docx", "epub", "pdf"]
    assert hits == []


DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "image", "form", "base",
                  "meta", "link"}


def _check_markup(root: etree._Element, where: str) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in ("meta", "link") and where.endswith((".opf", ".ncx")):
            continue  # package metadata: <meta property=…> and <link> are the format's own
        if local in ("meta", "link") and where.endswith(".xhtml"):
            # our own <meta charset> and stylesheet link are the only ones allowed
            assert element.get("charset") or element.get("href", "").endswith("book.css"), where
        else:
            assert local not in DANGEROUS_TAGS, f"<{local}> in {where}"
        for attr, value in element.attrib.items():
            name = etree.QName(attr).localname.lower()
            assert not name.startswith("on"), f"{name} in {where}"
            assert name != "style", f"{name} in {where}"
            if name == "src":  # only images (and the NCX's <content src>) name a file
                assert local in ("img", "content") and ":" not in value, f"{value} in {where}"
            if name in ("href", "src"):
                assert not value.lower().startswith(("javascript:", "data:", "file:")), where
                assert "etc/" not in value, where


def test_no_script_reaches_the_epub(harmless_dist):
    results, _ = harmless_dist
    with zipfile.ZipFile(results["epub"]) as z:
        names = z.namelist()
        # only the cover the EPUB writer draws itself; nothing from the hostile URLs or paths
        assert not [n for n in names if n.lower().endswith((".js", ".svg", ".css"))
                    and not n.endswith("book.css")]
        assert not [n for n in names if n.lower().endswith((".png", ".jpg", ".gif"))
                    and "cover" not in n.rsplit("/", 1)[-1]], names
        for name in names:
            if name.endswith((".xhtml", ".opf", ".ncx")):
                data = z.read(name)
                root = etree.fromstring(data)
                _check_markup(root, name)
                if name.endswith(".opf"):
                    # the metadata is carried as text, escaped, never as markup
                    assert b"&lt;script&gt;x&lt;/script&gt;" in data


def test_no_script_or_fetch_reaches_the_docx(harmless_dist):
    results, _ = harmless_dist
    with zipfile.ZipFile(results["docx"]) as z:
        names = z.namelist()
        # the title's '![t](…)' and '![h](/etc/hostname)' were once fetched and embedded here
        assert not [n for n in names if n.startswith("word/media/")], names
        external = []
        for name in names:
            data = z.read(name)
            if name.endswith(".rels"):
                external += [rel.get("Target") for rel in etree.fromstring(data)
                             if rel.get("TargetMode") == "External"]
            # the outside PNG, named by a '../' and by an absolute path, was never read
            assert OUTSIDE_TOKEN.encode() not in data, name
        # the web link and the mailto are there, and nothing else leads outside
        assert external and all(t.startswith(("http://127.0.0.1", "mailto:")) for t in external)
        document = z.read("word/document.xml").decode("utf-8")
        # the raw HTML is there as visible text at most, never as a field or object
        assert "<w:object" not in document and "w:fldSimple" not in document


def test_no_javascript_or_actions_in_the_pdf(harmless_dist):
    results, _ = harmless_dist
    forbidden = {"/JS", "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/EmbeddedFile",
                 "/GoToR", "/RichMedia"}
    with pikepdf.open(results["pdf"]) as pdf:
        found: set[str] = set()
        uris: list[str] = []
        seen: set[tuple[int, int]] = set()

        def visit(obj: object) -> None:
            # Actions are usually direct objects inside annotations: walk everything.
            if isinstance(obj, pikepdf.Object) and obj.is_indirect:
                if obj.objgen in seen:
                    return
                seen.add(obj.objgen)
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                keys = set(obj.keys())
                found.update(forbidden & keys)
                if obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
                    found.add(str(obj.get("/S")))
                if "/URI" in keys:
                    uris.append(str(obj.URI))
                for key in keys:
                    if key not in ("/Parent", "/P"):
                        visit(obj.get(key))
            elif isinstance(obj, pikepdf.Array):
                for item in obj:
                    visit(item)

        visit(pdf.trailer)
        assert not found
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert uris and all(u.startswith(("http://127.0.0.1", "mailto:")) for u in uris), uris


def test_pdf_html_has_no_active_content(harmless_dist):
    # The shared HTML all three come from: one parse, every element checked.
    from converters.render.book import render
    from converters.source.loader import load_book as load

    results, _ = harmless_dist
    src = results["pdf"].parent.parent / "src"
    for rendered in render(load(src)).entries:
        _check_markup(lhtml.fragment_fromstring(rendered.html), f"{rendered.id}.html")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.png", "https://example.org/x.css",
                                 "ftp://example.org/x", "file:///etc/passwd",
                                 "file:///editions-source/../../etc/passwd"])
def test_weasyprint_fetcher_refuses_network_and_outside_files(url, tmp_path, no_network):
    from converters.pdf.fetch import ConfinedFetcher

    (tmp_path / "inside.png").write_bytes(b"x")
    fetcher = ConfinedFetcher(tmp_path)
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert fetcher.fetch((tmp_path / "inside.png").as_uri())  # its own folder still works
