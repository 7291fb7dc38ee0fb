"""The join (pdf/join.py, pdf/pdfout.py) on small parts made by WeasyPrint as the workers make
them: each part's last page holds stand-in anchors for links into other parts and is dropped.
The joined file is read back with pikepdf, pypdf and qpdf: one page tree, one structure tree
whose parent tree finds every marked element and link, the outline, the destinations, and
post.Finishing's page labels, bleed box and metadata, written in the same pass."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from pypdf import PdfReader

from converters.core.cache import Cache
from converters.core.errors import BuildError
from converters.pdf import pdfout, post
from converters.pdf.join import PartFile, join
from converters.source.loader import load_book
from tests.books.long import write_long_book

STYLE = """@page { size: 120mm 160mm; margin: 20mm; @bottom-center { content: counter(page) } }
h1 { break-before: right } .end { break-before: page }"""


# Text that reads like a reference to another object, in a string: never renumbered.
ALT = "Plate (2) \\ 3 0 R"
SVG = ("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='20' height='10'>"
       "<rect width='20' height='10'/></svg>").replace("'", "%27").replace("<", "%3C").replace(
           ">", "%3E")


def _part(folder: Path, name: str, body: str, stand_ins: list[str]) -> PartFile:
    anchors = "".join(f'<span id="{anchor}"></span>' for anchor in stand_ins)
    html = (f'<html lang="en"><head><title>{name}</title><style>{STYLE}</style></head><body>'
            f'{body}<div class="end">{anchors}</div></body></html>')
    document = weasyprint.HTML(string=html).render(pdf_tags=True, pdf_variant="pdf/ua-1")
    path = folder / f"{name}.pdf"
    document.write_pdf(path, pdf_tags=True, pdf_variant="pdf/ua-1")
    return PartFile(path, len(document.pages) - 1)


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> list[PartFile]:
    folder = tmp_path_factory.mktemp("parts")
    words = " ".join(["water"] * 400)
    return [
        _part(folder, "front", "<h1 id='contents'>Contents</h1><p><a href='#two'>Two</a></p>",
              ["two"]),
        _part(folder, "one", f"<h1 id='one'>One</h1><p>{words}</p><p><a href='#two'>on</a> "
              "and <a href='https://example.org/'>out</a></p>"
              f"<p><img src='{SVG}' alt='{ALT}'></p>", ["two"]),
        _part(folder, "two", f"<h1 id='two'>Two</h1><h2 id='two-a'>A part of two</h2>"
              f"<p>{words}</p><p><a href='#one'>back</a></p>", ["one"]),
    ]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return load_book(write_long_book(tmp_path_factory.mktemp("src")))


def test_joined_structure(tmp_path, parts, book) -> None:
    target = tmp_path / "book.pdf"
    join(parts, target, post.Finishing(book, front_pages=parts[0].keep, bleed_mm=3.0))
    total = sum(p.keep for p in parts)
    starts = [sum(p.keep for p in parts[:k]) for k in range(len(parts))]
    reader = PdfReader(target)
    assert len(reader.pages) == total
    assert list(reader.page_labels) == ["i", *map(str, range(1, total))][:total]
    outline = [(item.title, reader.get_destination_page_number(item))
               for item in reader.outline if not isinstance(item, list)]
    assert outline == [("Contents", starts[0]), ("One", starts[1]), ("Two", starts[2])]
    assert reader.outline[3][0].title == "A part of two"  # nested under its chapter
    with pikepdf.open(target) as pdf:
        page_of = {page.objgen: n for n, page in enumerate(pdf.pages)}
        dests = list(pdf.Root.Names.Dests.Names)
        named = {str(dests[i]): page_of[dests[i + 1][0].objgen] for i in range(0, len(dests), 2)}
        # The stand-ins on the dropped pages are gone: each name leads into its own part.
        assert named["one"] == starts[1] and named["two"] == starts[2]
        assert named["contents"] == 0
        objects = list(pdf.objects)
        assert sum(1 for o in objects if isinstance(o, pikepdf.Dictionary)
                   and o.get("/Type") == "/Page") == total  # no dropped page came along
        tree = pdf.Root.StructTreeRoot
        documents = [o for o in objects if isinstance(o, pikepdf.Dictionary)
                     and o.get("/S") == "/Document"]
        assert len(documents) == 1 and documents[0].objgen == tree.K[0].objgen
        document = tree.K[0]
        nums = list(tree.ParentTree.Nums)
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys))
        entries = dict(zip(keys, nums[1::2], strict=True))
        links = 0
        # Each part takes its keys from its own range (pdfout.BUCKET), unique over the book.
        assert len({int(page.obj.StructParents) for page in pdf.pages}) == total
        for page in pdf.pages:
            for element in entries[int(page.obj.StructParents)]:
                up = element
                while up.objgen != document.objgen:  # every marked element leads to the one
                    up = up.P                        # Document, the folios' elements too
                    assert up.get("/Type") == "/StructElem"
            for annot in page.obj.get("/Annots", []):
                element = entries[int(annot.StructParent)]
                assert element.S == "/Link"
                assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Obj") is not None
                           and k.Obj.objgen == annot.objgen for k in element.K)
                links += 1
            left, bottom, right, top = (float(v) for v in page.obj.TrimBox)
            assert [round(float(v), 2) for v in page.obj.BleedBox] == [
                round(v, 2) for v in (left - 3 * post.PT_PER_MM, bottom - 3 * post.PT_PER_MM,
                                      right + 3 * post.PT_PER_MM, top + 3 * post.PT_PER_MM)]
        assert links == 4 and len(keys) == total + links
        assert int(tree.ParentTreeNextKey) == keys[-1] + 1
        figures = [o for o in objects if isinstance(o, pikepdf.Dictionary)
                   and o.get("/S") == "/Figure"]
        assert [str(f.Alt) for f in figures] == [ALT]
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == book.full_title
            assert "pdfuaid:part" in str(meta) or meta.get("pdfuaid:part") == "1"
        assert str(pdf.Root.Lang) == book.language
        assert str(pdf.docinfo.Title) == book.full_title
    if shutil.which("qpdf"):
        done = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_join_is_deterministic(tmp_path, parts, book) -> None:
    finishing = post.Finishing(book, front_pages=1, bleed_mm=0.0)
    join(parts, tmp_path / "a.pdf", finishing)
    join(parts, tmp_path / "b.pdf", finishing)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_refused_join_leaves_no_file(tmp_path, parts, book, monkeypatch) -> None:
    monkeypatch.setattr(post, "fonts", lambda pdf: [("Missing-Sans", False, 1)])
    with pytest.raises(BuildError, match="Missing-Sans"):
        join(parts, tmp_path / "x.pdf", post.Finishing(book, front_pages=1, bleed_mm=0.0))
    assert not (tmp_path / "x.pdf").exists()


def _keyed(parts: list[PartFile]) -> list[PartFile]:
    """The parts with keys made from their bytes, as parallel.py's are from what made them."""
    return [PartFile(p.path, p.keep, p.bookmarks,
                     hashlib.sha256(p.path.read_bytes()).hexdigest()) for p in parts]


BUCKET = pdfout.BUCKET


@pytest.mark.parametrize("bucket", [BUCKET, 8])
def test_cached_pieces_give_the_same_bytes(tmp_path, parts, book, monkeypatch,
                                           bucket) -> None:
    """Pieces from the cache (pdfout.Piece) make the file a join without a cache makes, after
    an edit in the middle part too; with small buckets the edit moves the parts after it, whose
    pieces then cannot be reused, and are not."""
    monkeypatch.setattr(pdfout, "BUCKET", bucket)
    finishing = post.Finishing(book, front_pages=parts[0].keep, bleed_mm=3.0)
    cache = Cache(tmp_path / "cache", "salt")
    last = parts[-1]
    tail = [_part(tmp_path, "three", "<h1 id='three'>Three</h1><p>water</p>", []),
            PartFile(last.path, last.keep)]
    keyed = _keyed([*parts[:2], *tail])
    join(keyed, tmp_path / "cold.pdf", finishing)
    join(keyed, tmp_path / "first.pdf", finishing, cache)
    assert cache.misses == 3 and cache.hits == 0  # the first part is never cached
    join(keyed, tmp_path / "again.pdf", finishing, cache)
    assert cache.hits == 3
    cold = (tmp_path / "cold.pdf").read_bytes()
    assert (tmp_path / "first.pdf").read_bytes() == cold
    assert (tmp_path / "again.pdf").read_bytes() == cold

    # The part before the last two edited: a longer one, with more objects.
    words = " ".join(["stone"] * 900)
    edited = _keyed([*parts[:1], _part(tmp_path, "one-b", f"<h1 id='one'>One</h1><p>{words}</p>"
                                       "<p><a href='#two'>on</a></p>", ["two"]), *tail])
    hits = cache.hits
    join(edited, tmp_path / "edited.pdf", finishing, cache)
    join(edited, tmp_path / "edited-cold.pdf", finishing)
    assert (tmp_path / "edited.pdf").read_bytes() == (tmp_path / "edited-cold.pdf").read_bytes()
    # The parts after the edit reused where their range stayed (a bucket of 1024 holds it).
    assert cache.hits - hits == (2 if bucket == BUCKET else 0)
    with pikepdf.open(tmp_path / "edited.pdf") as pdf:
        assert len(pdf.pages) == sum(p.keep for p in edited)
    if shutil.which("qpdf"):
        done = subprocess.run(["qpdf", "--check", str(tmp_path / "edited.pdf")],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_damaged_piece_is_a_miss(tmp_path, parts, book) -> None:
    cache = Cache(tmp_path / "cache", "salt")
    keyed = _keyed(parts)
    join(keyed, tmp_path / "a.pdf", None, cache)
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:40])
    join(keyed, tmp_path / "b.pdf", None, cache)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
