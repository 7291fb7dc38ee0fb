"""The print preflight of ``editions check`` (check/preflight.py) finds what was planted: a low
resolution image in a test book made for it (tests/books/preflight-images), an RGB image and an
odd page count planted in that book's print PDF, a screen PDF sent as a print file, and ink
over the limit in a synthetic file.  Each finding is located at its page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest

from converters import build
from converters.cli.main import main

PREFLIGHT = Path(__file__).parent / "books" / "preflight-images"
pytestmark = pytest.mark.slow


# --- preflight ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def preflight_dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("preflight")
    build(PREFLIGHT, out, [], targets=["print", "screen"], jobs=2)
    return out


def _check(path: Path, capsys) -> tuple[int, list[str]]:
    code = main(["check", str(path)])
    return code, [line for line in capsys.readouterr().out.splitlines() if line]


def _drawn_images(holder, depth: int = 0) -> list:
    """The images a page or form actually paints (``Do``), through nested forms: WeasyPrint
    shares one resource dictionary between pages, so resources alone do not say where."""
    found = []
    xobjects = (holder.get("/Resources") or {}).get("/XObject") or {}
    for operands, operator in pikepdf.parse_content_stream(holder):
        if str(operator) == "Do" and str(operands[0]) in xobjects and depth < 8:
            xobject = xobjects[str(operands[0])]
            if xobject.get("/Subtype") == "/Image":
                found.append(xobject)
            elif xobject.get("/Subtype") == "/Form":
                found += _drawn_images(xobject, depth + 1)
    return found


def _image_page(pdf_path: Path, width: int) -> int:
    with pikepdf.open(pdf_path) as pdf:
        pages = [n for n, page in enumerate(pdf.pages, 1)
                 if any(int(i.Width) == width for i in _drawn_images(page.obj))]
    assert len(pages) == 1, pages
    return pages[0]


def test_preflight_finds_the_low_resolution_image_on_its_page(preflight_dist, capsys):
    path = preflight_dist / "preflight-images-print.pdf"
    page = _image_page(path, 200)
    code, lines = _check(path, capsys)
    assert code == 1
    assert lines == [f"{path}#page={page}: error[PF-DPI]: an image of 200×120 px placed at "
                     "52.9×31.7 mm is 96 ppi; print wants at least 300"]


def test_preflight_finds_a_planted_rgb_image(preflight_dist, tmp_path, capsys):
    built_pdf = preflight_dist / "preflight-images-print.pdf"
    page = _image_page(built_pdf, 1600)
    planted = tmp_path / "planted-print.pdf"
    with pikepdf.open(built_pdf) as pdf:
        [image] = [i for i in _drawn_images(pdf.pages[page - 1].obj) if int(i.Width) == 1600]
        image.write(bytes(1600 * 1000 * 3))
        image.ColorSpace = pikepdf.Name.DeviceRGB
        pdf.save(planted)
    code, lines = _check(planted, capsys)
    assert code == 1
    assert f"{planted}#page={page}: error[PF-RGB]: an RGB image (1600×1000 px)" in lines


def test_preflight_finds_an_odd_page_count(preflight_dist, tmp_path, capsys):
    planted = tmp_path / "odd-print.pdf"
    with pikepdf.open(preflight_dist / "preflight-images-print.pdf") as pdf:
        del pdf.pages[-1]
        count = len(pdf.pages)
        pdf.save(planted)
    code, lines = _check(planted, capsys)
    assert code == 1 and count % 2
    assert (f"{planted}: error[PF-PARITY]: {count} pages: print needs a multiple of 2; pad "
            "with blank pages at the end") in lines


def test_preflight_rejects_a_screen_pdf_sent_as_print(preflight_dist, tmp_path, capsys):
    planted = tmp_path / "screen-as-print.pdf"
    shutil.copy(preflight_dist / "preflight-images-screen.pdf", planted)
    code, lines = _check(planted, capsys)
    codes = {re.search(r"error\[(\S+)\]", line).group(1) for line in lines}
    assert code == 1 and {"PF-PDFX", "PF-INTENT", "PF-RGB"} <= codes


def test_preflight_measures_total_ink_and_minimum_pages(tmp_path, capsys):
    # A synthetic KDP interior: one page of 400 % ink, far below KDP's 24 pages.
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(400, 600))
    page = pdf.pages[0].obj
    page.Contents = pdf.make_stream(b"0.2 0.2 0.2 0.2 k 0 0 10 10 re f 1 1 1 1 k 0 0 5 5 re f")
    page.TrimBox = pikepdf.Array([0, 0, 400, 600])
    path = tmp_path / "synthetic-kdp-print.pdf"
    pdf.save(path)
    code, lines = _check(path, capsys)
    assert code == 1
    assert (f"{path}#page=1: error[PF-INK]: a flat colour with 400 % total ink; kdp-print's "
            "limit is 300 %") in lines
    assert f"{path}: error[PF-PAGES]: 1 pages: kdp-print prints at least 24" in lines
    assert not any("80 %" in line for line in lines)  # the light colour is within the limit
