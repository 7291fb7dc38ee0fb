"""Delivery targets (issue 16): every target from the sample book and the rich book, checked
by opening the files: PDF/X identification, output intent, no RGB left, boxes, parity,
bookmarks, the cover wrap's width and barcode, ONIX validity and the EPUB's page list."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from barcode import EAN13
from conftest import RICH, SAMPLE
from lxml import etree

from converters import build
from converters.cli.main import main
from converters.core.errors import BuildError
from converters.core.targets import INCH_MM, TARGETS
from converters.pdf.cmyk import is_rgb, rgb_to_cmyk
from converters.pdf.pdfx import pad_pages

PT = 72 / 25.4
ALL = ["ebook", "screen", "print", "ingramspark", "kdp-print", "docx", "onix"]
PRINT = ["print", "ingramspark", "kdp-print"]
PRINT_ISBN = "9780000000002"  # valid check digit; only ever in a temporary copy
pytestmark = pytest.mark.slow


def sample_with_print_isbn(dest: Path) -> Path:
    """The sample book with a print ISBN and cream paper, and without its one pages: range
    (so the EPUB's page list comes from our own print edition)."""
    shutil.copytree(SAMPLE, dest)
    text = (dest / "book.yaml").read_text(encoding="utf-8")
    text = text.replace("    value: 7b0e3c1a-5d2f-5c61-9a4e-3f1c2b8d6e90\n",
                        "    value: 7b0e3c1a-5d2f-5c61-9a4e-3f1c2b8d6e90\n  - scheme: isbn\n"
                        f"    value: {PRINT_ISBN}\n    edition: print\n")
    text = text.replace("    pages: 257-266\n", "")
    text = text.replace("rights:", "print:\n  paper: cream\nrights:")
    (dest / "book.yaml").write_text(text, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Every target of both books: {"sample"|"rich": {target: path}}."""
    root = tmp_path_factory.mktemp("targets")
    books = {"sample": sample_with_print_isbn(root / "sample-src"), "rich": RICH}
    out = {}
    for name, src in books.items():
        results = build(src, root / f"{name}-out", [], targets=ALL, jobs=2)
        out[name] = {r.format: r.path for r in results}
        for r in results:
            for extra in r.extras:
                out[name][extra.stem] = extra
    return out


# --- names ----------------------------------------------------------------------------------

def test_every_target_writes_its_own_file(built):
    for book, files in built.items():
        slug = "the-precarious-truce" if book == "sample" else "harbours-of-the-white-sea"
        assert {t: p.name for t, p in files.items() if not t.startswith("cover-")} == {
            t: f"{slug}-{t}{TARGETS[t].suffix}" for t in ALL}
        assert sorted(t for t in files if t.startswith("cover-")) == sorted(
            f"cover-{t}" for t in PRINT)
        assert all(p.is_file() and p.stat().st_size for p in files.values())


def test_a_print_target_without_print_isbn_is_a_located_error(tmp_path, capsys):
    code = main(["build", str(SAMPLE), "--out", str(tmp_path / "out"), "--target", "print"])
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(
        (SAMPLE / "book.yaml").read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith("identifiers:"))
    assert code == 1
    assert re.search(rf"book\.yaml:{line}:1: error: the target\(s\) print need the print "
                     r"edition's ISBN.*\[print-isbn\]", err), err
    assert not (tmp_path / "out" / "the-precarious-truce-print.pdf").exists()


# --- PDF/X, output intent, colour -----------------------------------------------------------

def _colour_problems(pdf: pikepdf.Pdf) -> tuple[list[str], int]:
    """Every RGB use in the file, walking content streams, forms, patterns, images and
    shadings; and how many CMYK operators were seen (so an empty walk cannot pass)."""
    problems: list[str] = []
    cmyk_ops = 0
    seen: set[tuple[int, int]] = set()

    def resources(res, where: str) -> None:
        nonlocal cmyk_ops
        if res is None:
            return
        for name, space in (res.get("/ColorSpace") or {}).items():
            if is_rgb(space):
                problems.append(f"{where}: colour space {name} is RGB")
        for shading in (res.get("/Shading") or {}).values():
            if is_rgb(shading.get("/ColorSpace")):
                problems.append(f"{where}: RGB shading")
        for pattern in (res.get("/Pattern") or {}).values():
            if "/Shading" in pattern and is_rgb(pattern.Shading.get("/ColorSpace")):
                problems.append(f"{where}: RGB shading pattern")
            elif int(pattern.get("/PatternType", 0)) == 1:
                stream(pattern, f"{where} pattern")
        for xobject in (res.get("/XObject") or {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == "/Image" and is_rgb(xobject.get("/ColorSpace")):
                problems.append(f"{where}: RGB image")
            elif xobject.get("/Subtype") == "/Form":
                stream(xobject, f"{where} form")

    def stream(holder, where: str) -> None:
        nonlocal cmyk_ops
        group = holder.get("/Group")
        if group is not None and is_rgb(group.get("/CS")):
            problems.append(f"{where}: RGB group")
        for operands, operator in pikepdf.parse_content_stream(holder):
            op = str(operator)
            if op in ("rg", "RG") or (op in ("cs", "CS") and str(operands[0]) == "/DeviceRGB"):
                problems.append(f"{where}: {op}")
            cmyk_ops += op in ("k", "K")
        resources(holder.get("/Resources"), where)

    for number, page in enumerate(pdf.pages, 1):
        stream(page.obj, f"page {number}")
    return problems, cmyk_ops


@pytest.mark.parametrize("book", ["sample", "rich"])
@pytest.mark.parametrize("target", PRINT)
def test_print_pdfs_are_pdfx4_cmyk_with_output_intent(built, book, target):
    for key in (target, f"cover-{target}"):
        with pikepdf.open(built[book][key]) as pdf:
            assert pdf.open_metadata().get("pdfxid:GTS_PDFXVersion") == "PDF/X-4", key
            assert pdf.trailer.Info.get("/Trapped") == "/False"
            [intent] = pdf.Root.OutputIntents
            assert intent.S == "/GTS_PDFX"
            profile = intent.DestOutputProfile
            assert int(profile.N) == 4 and profile.read_bytes()[16:20] == b"CMYK"
            problems, cmyk_ops = _colour_problems(pdf)
            assert problems == [], key
            assert cmyk_ops > 0
            assert pdf.open_metadata()["dc:identifier"] == (
                f"urn:isbn:{PRINT_ISBN}" if book == "sample" else "urn:isbn:9780952831303")


def test_the_screen_pdf_stays_rgb_and_tagged_for_reading(built):
    with pikepdf.open(built["sample"]["screen"]) as pdf:
        assert "/OutputIntents" not in pdf.Root
        assert b"pdfuaid:part" in pdf.Root.Metadata.read_bytes()
        assert _colour_problems(pdf)[0]  # CSS colours are RGB on screen


def test_rgb_to_cmyk_keeps_grey_on_the_black_plate_and_within_the_ink_limit():
    assert rgb_to_cmyk(0, 0, 0) == [0, 0, 0, 1]
    assert rgb_to_cmyk(0.5, 0.5, 0.5) == [0, 0, 0, 0.5]
    assert sum(rgb_to_cmyk(0.5, 0, 0, ink_limit=240)) <= 2.4001
    assert sum(rgb_to_cmyk(0.5, 0, 0, ink_limit=300)) == pytest.approx(2.5)


# --- boxes, parity, bookmarks ---------------------------------------------------------------

@pytest.mark.parametrize("book, trim", [("sample", (156, 234)), ("rich", (138, 216))])
@pytest.mark.parametrize("target", PRINT)
def test_page_boxes_follow_trim_and_bleed(built, book, trim, target):
    rules = TARGETS[target]
    bleed = (rules.bleed_mm if rules.bleed_mm is not None else 3.0) * PT
    with pikepdf.open(built[book][target]) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            t = [float(v) for v in page.obj.TrimBox]
            b = [float(v) for v in page.obj.BleedBox]
            m = [float(v) for v in page.obj.MediaBox]
            assert (t[2] - t[0], t[3] - t[1]) == pytest.approx((trim[0] * PT, trim[1] * PT),
                                                               abs=0.05)
            want = [bleed] * 4
            if not rules.gutter_bleed:  # no bleed at the spine: left of a recto
                want[0 if number % 2 else 2] = 0.0
            got = [t[0] - b[0], t[1] - b[1], b[2] - t[2], b[3] - t[3]]
            assert got == pytest.approx(want, abs=0.05), number
            if rules.crop_marks:  # room for the marks beyond the bleed
                assert m[0] < b[0] - 10 and m[2] > b[2] + 10
            else:
                assert m == pytest.approx(b, abs=0.05)


@pytest.mark.parametrize("book", ["sample", "rich"])
def test_print_page_counts_are_even_and_kdp_has_no_bookmarks_or_links(built, book):
    for target in PRINT:
        with pikepdf.open(built[book][target]) as pdf:
            assert len(pdf.pages) % 2 == 0, target
            assert not any(page.obj.get("/Annots") for page in pdf.pages), target
            assert ("/Outlines" in pdf.Root) == (target != "kdp-print"), target
    with pikepdf.open(built[book]["screen"]) as pdf:
        assert any(page.obj.get("/Annots") for page in pdf.pages)  # the screen PDF links


def test_pad_pages_adds_blank_pages_with_the_same_boxes():
    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page(page_size=(400, 600))
    pdf.pages[-1].obj.TrimBox = pikepdf.Array([9, 9, 391, 591])
    assert pad_pages(pdf, 2) == 1 and len(pdf.pages) == 4
    assert [float(v) for v in pdf.pages[3].obj.TrimBox] == [9, 9, 391, 591]
    assert pad_pages(pdf, 16) == 12 and len(pdf.pages) == 16


# --- cover wrap -----------------------------------------------------------------------------

@pytest.mark.parametrize("book, trim_w, paper", [("sample", 156, "cream"),
                                                 ("rich", 138, "white")])
@pytest.mark.parametrize("target", PRINT)
def test_cover_width_is_two_panels_plus_spine_plus_bleed(built, book, trim_w, paper, target):
    rules = TARGETS[target]
    with pikepdf.open(built[book][target]) as interior:
        pages = len(interior.pages)
    caliper_in = {"cream": 0.0025, "white": 0.002252}[paper]
    bleed = rules.bleed_mm if rules.bleed_mm is not None else 3.0
    width_mm = 2 * bleed + 2 * trim_w + pages * caliper_in * INCH_MM
    with pikepdf.open(built[book][f"cover-{target}"]) as cover:
        [page] = cover.pages
        media = [float(v) for v in page.obj.MediaBox]
        trim = [float(v) for v in page.obj.TrimBox]
    assert media[2] - media[0] == pytest.approx(width_mm * PT, abs=0.1)
    assert trim[2] - trim[0] == pytest.approx((width_mm - 2 * bleed) * PT, abs=0.1)


def _bars(cover: Path, tmp: Path, trim_w: float, trim_h: float, bleed: float) -> str:
    """The barcode's modules read back from a 1200 dpi rendering of the back panel: '1' dark."""
    dpi = 1200
    px = dpi / 25.4
    # Inside the white box of the barcode (cover_wrap.py: 48 mm wide, 12 mm from the trim).
    x, y = int((bleed + trim_w - 59.5) * px), int((bleed + trim_h - 40) * px)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-x", str(x), "-y", str(y),
                    "-W", str(int(47 * px)), "-H", str(int(20 * px)), "-singlefile",
                    str(cover), str(tmp / "bars")], check=True)
    from PIL import Image

    image = Image.open(tmp / "bars.pgm")
    row = [image.getpixel((i, image.height // 2)) < 128 for i in range(image.width)]
    first, last = row.index(True), len(row) - 1 - row[::-1].index(True)
    module = (last - first + 1) / 95  # EAN-13: 95 modules from guard bar to guard bar
    return "".join("1" if row[int(first + (i + 0.5) * module)] else "0" for i in range(95))


@pytest.mark.parametrize("book, isbn, trim", [("sample", PRINT_ISBN, (156, 234)),
                                              ("rich", "9780952831303", (138, 216))])
def test_cover_barcode_encodes_the_print_isbn(built, tmp_path, book, isbn, trim):
    bars = _bars(built[book]["cover-print"], tmp_path, *trim, 3.0)
    assert bars == EAN13(isbn).build()[0]
    assert bars != EAN13("9781861978769").build()[0]  # not the ebook's


# --- ONIX -----------------------------------------------------------------------------------

@pytest.mark.parametrize("book", ["sample", "rich"])
def test_onix_validates_and_gives_real_extents(built, book):
    from onixcheck import validate

    path = built[book]["onix"]
    assert validate(str(path)) == []
    ns = {"o": "http://ns.editeur.org/onix/3.0/reference"}
    root = etree.parse(str(path)).getroot()
    products = root.findall("o:Product", ns)
    assert [p.findtext("o:DescriptiveDetail/o:ProductForm", namespaces=ns)
            for p in products] == ["ED", "BC"]
    with pikepdf.open(built[book]["print"]) as pdf:
        pages = str(len(pdf.pages))
    assert [p.findtext("o:DescriptiveDetail/o:Extent/o:ExtentValue", namespaces=ns)
            for p in products] == [pages, pages]
    codes = [f.findtext("o:ProductFormFeatureValue", namespaces=ns) for f in
             products[0].findall("o:DescriptiveDetail/o:ProductFormFeature", ns)]
    assert {"04", "81", "85", "11", "13", "19", "41", "00"} <= set(codes)
    hazards = [f.findtext("o:ProductFormFeatureValue", namespaces=ns) for f in
               products[0].findall("o:DescriptiveDetail/o:ProductFormFeature", ns)
               if f.findtext("o:ProductFormFeatureType", namespaces=ns) == "12"]
    assert hazards == ["14", "16", "18"]  # no flashing, sound or motion hazard
    assert products[1].findall("o:DescriptiveDetail/o:ProductFormFeature", ns) == []
    if book == "rich":
        assert "14" in codes  # every image described
        roles = [c.findtext("o:ContributorRole", namespaces=ns) for c in
                 products[0].findall("o:DescriptiveDetail/o:Contributor", ns)]
        assert roles == ["A01", "A01", "B01", "B06"]


# --- EPUB page list from our own print edition ----------------------------------------------

def _norm(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def test_epub_page_list_points_where_the_print_pages_begin(built):
    from pypdf import PdfReader

    epub = built["sample"]["ebook"]
    x = "{http://www.w3.org/1999/xhtml}"
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/content.opf").decode()
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        page_list = nav.xpath("//*[@*[local-name()='type']='page-list']//*[local-name()='a']")
        docs = {}
        listed = []
        for a in page_list:
            file, anchor = a.get("href").split("#")
            if file not in docs:
                docs[file] = etree.fromstring(z.read("EPUB/" + file))
            marker = docs[file].xpath("//*[@id=$id]", id=anchor)[0]
            following = " ".join(marker.xpath("following::text()")[:12])
            listed.append((a.text, _norm(following)[:14]))
    assert f"<meta property=\"pageBreakSource\">urn:isbn:{PRINT_ISBN}</meta>" in opf
    assert ">pageNavigation<" in opf
    reader = PdfReader(built["sample"]["print"])
    labels = list(reader.page_labels)
    assert len(listed) >= 10
    assert [label for label, _ in listed] == [lab for lab in labels
                                              if lab in {x for x, _ in listed}]
    for label, words in listed:
        text = _norm(reader.pages[labels.index(label)].extract_text())
        # The print title pages add a half-title line, so there only the first word must
        # match; in the body, the words the page begins with.
        assert words.split()[0] in text if not label.isdigit() else words in text, (
            label, words, text[:80])
    del x


def test_a_single_pages_range_no_longer_claims_page_navigation(tmp_path):
    [result] = build(SAMPLE, tmp_path, ["epub"])
    with zipfile.ZipFile(result.path) as z:
        opf = z.read("EPUB/content.opf").decode()
    assert ">pageBreakMarkers<" in opf and ">pageNavigation<" not in opf


# --- preflight ---------------------------------------------------------------------------

def _check(path: Path, capsys) -> tuple[int, list[str]]:
    code = main(["check", str(path)])
    return code, [line for line in capsys.readouterr().out.splitlines() if line]


def test_preflight_passes_the_sample_print_targets(built, capsys):
    for target in PRINT:
        for key in (target, f"cover-{target}"):
            assert _check(built["sample"][key], capsys) == (0, []), key


def test_print_target_and_cover_are_reproducible(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    src = sample_with_print_isbn(tmp_path / "src")
    runs = []
    for n in (1, 2):
        [result] = build(src, tmp_path / f"out{n}", [], targets=["kdp-print"], jobs=1)
        runs.append([result.path.read_bytes(), *(p.read_bytes() for p in result.extras)])
    assert len(runs[0]) == 2 and runs[0] == runs[1]


def test_a_missing_cover_wrap_rebuilds_its_target(tmp_path):
    src = sample_with_print_isbn(tmp_path / "src")
    [first] = build(src, tmp_path / "out", [], targets=["kdp-print"], jobs=1)
    [again] = build(src, tmp_path / "out", [], targets=["kdp-print"], jobs=1)
    assert (first.status, again.status) == ("built", "skipped")
    first.extras[0].unlink()
    [third] = build(src, tmp_path / "out", [], targets=["kdp-print"], jobs=1)
    assert third.status == "built" and first.extras[0].is_file()


def test_ace_and_epubcheck_pass_the_print_paged_epub(built):
    from converters.check.ace import ace_command, chromium, run_ace
    from converters.check.epubcheck import run_epubcheck

    epub = built["sample"]["ebook"]
    _version, messages = run_epubcheck(epub, usage=False)
    assert [str(m) for m in messages] == []
    try:
        ace_command(), chromium()
    except BuildError as exc:
        pytest.skip(f"Ace cannot run here: {exc}")
    report = run_ace(epub)  # installed: an Ace that crashes fails the test
    assert [str(v) for v in report.violations] == [] and report.outcome == "pass"
