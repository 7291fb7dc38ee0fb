"""Preflight of a print target's PDF against that target's rules (core/targets.py).

Run by ``editions check`` on ``<slug>-<target>.pdf`` and ``cover-<target>.pdf`` when the target
is a print one.  Every finding names the page, as ``file.pdf#page=N`` (the PDF open parameter
viewers understand).  What is checked, with pikepdf alone:

- PDF/X: the version in the XMP (``pdfxid:GTS_PDFXVersion``), a ``/GTS_PDFX`` output intent
  whose profile is CMYK;
- colour: any RGB left in a content stream's operators, an image, a shading or a group;
- fonts not embedded;
- image resolution under the target's minimum at its placed size (the CTM at ``Do``);
- total ink (C+M+Y+K) above the target's limit, in flat colours and in CMYK image pixels;
- page size against trim plus bleed; crop marks (a media box beyond the bleed) where the target
  forbids them; bookmarks and annotations where it forbids them;
- page count parity (the target's page multiple) and the printer's minimum page count.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf

from ..core.targets import TARGETS, Target
from ..pdf.cmyk import is_rgb

PT_PER_MM = 72 / 25.4
TOLERANCE_PT = 0.5
Report = Callable[[str, str, int | None], None]  # (code, message, page or None)


def target_of(path: Path) -> Target | None:
    """The print target a file name says it was built for: ``<slug>-<target>.pdf`` or
    ``cover-<target>.pdf``."""
    stem = path.stem
    for name in sorted(TARGETS, key=len, reverse=True):
        rules = TARGETS[name]
        if rules.print_ready and (stem.endswith("-" + name) or stem == f"cover-{name}"):
            return rules
    return None


def is_cover(path: Path) -> bool:
    return path.stem.startswith("cover-")


def preflight(pdf: pikepdf.Pdf, rules: Target, report: Report, *, cover: bool = False) -> None:
    _pdfx(pdf, report)
    _boxes(pdf, rules, report, cover)
    if not cover:
        if len(pdf.pages) < rules.min_pages:
            report("PF-PAGES", f"{len(pdf.pages)} pages: {rules.name} prints at least "
                   f"{rules.min_pages}", None)
        if len(pdf.pages) % rules.page_multiple:
            report("PF-PARITY", f"{len(pdf.pages)} pages: {rules.name} needs a multiple of "
                   f"{rules.page_multiple}; pad with blank pages at the end", None)
        if not rules.bookmarks and "/Outlines" in pdf.Root:
            report("PF-BOOKMARKS", f"{rules.name} forbids bookmarks (an /Outlines tree)", None)
    from ..pdf.post import fonts

    for name, embedded, page in fonts(pdf):
        if not embedded:
            report("PF-FONT", f"font '{name}' is not embedded", page)
    for number, page in enumerate(pdf.pages, 1):
        if not rules.annotations and page.obj.get("/Annots"):
            report("PF-ANNOT", f"{len(page.obj.Annots)} annotation(s); {rules.name} forbids "
                   "annotations (links) in a print file", number)
        _Walker(pdf, rules, report, number).page(page.obj)


def _pdfx(pdf: pikepdf.Pdf, report: Report) -> None:
    version = pdf.open_metadata().get("pdfxid:GTS_PDFXVersion")
    if not version:
        report("PF-PDFX", "not a PDF/X file: no pdfxid:GTS_PDFXVersion in the XMP", None)
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if not intents:
        report("PF-INTENT", "no PDF/X output intent (/OutputIntents with /S /GTS_PDFX)", None)
    elif int(intents[0].get("/DestOutputProfile", {}).get("/N", 0)) != 4:
        report("PF-INTENT", "the output intent's profile is not a CMYK (N 4) profile", None)


def _size(box: list[float]) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


def _boxes(pdf: pikepdf.Pdf, rules: Target, report: Report, cover: bool) -> None:
    bleed = (rules.bleed_mm or 0) * PT_PER_MM
    for number, page in enumerate(pdf.pages, 1):
        obj = page.obj
        media = [float(v) for v in obj.MediaBox]
        if "/TrimBox" not in obj:
            report("PF-TRIM", "no /TrimBox: the printer cannot tell the trim size", number)
            continue
        trim = [float(v) for v in obj.TrimBox]
        bleed_box = [float(v) for v in obj.get("/BleedBox", obj.MediaBox)]
        margins = [trim[0] - bleed_box[0], trim[1] - bleed_box[1], bleed_box[2] - trim[2],
                   bleed_box[3] - trim[3]]
        if rules.bleed_mm is not None:
            gutter = (0 if number % 2 else 2) if not rules.gutter_bleed and not cover else None
            for side, got in enumerate(margins):
                want = 0.0 if side == gutter else bleed
                if abs(got - want) > TOLERANCE_PT:
                    report("PF-BLEED", f"bleed of {got / PT_PER_MM:.2f} mm on the "
                           f"{('left', 'bottom', 'right', 'top')[side]}; {rules.name} wants "
                           f"{want / PT_PER_MM:.2f} mm", number)
                    break
        beyond = any(abs(a - b) > TOLERANCE_PT for a, b in zip(media, bleed_box, strict=True))
        if beyond and not rules.crop_marks:
            report("PF-MARKS", "the page is larger than trim plus bleed (printer's marks?); "
                   f"{rules.name} wants the page size to be trim plus bleed", number)
        if number > 1 and not cover:
            first = [float(v) for v in pdf.pages[0].obj.TrimBox]
            pairs = zip(_size(trim), _size(first), strict=True)
            if any(abs(a - b) > TOLERANCE_PT for a, b in pairs):
                report("PF-SIZE", "trim size differs from page 1's", number)


class _Walker:
    """Walks one page's content, forms and resources with the current transformation matrix."""

    def __init__(self, pdf: pikepdf.Pdf, rules: Target, report: Report, number: int) -> None:
        self.rules, self.report, self.number = rules, report, number
        self.reported: set[str] = set()

    def once(self, code: str, message: str) -> None:
        if (code, message) not in self.reported:  # one finding per kind and page
            self.reported.add((code, message))  # type: ignore[arg-type]
            self.report(code, message, self.number)

    def page(self, obj: pikepdf.Object) -> None:
        self._group(obj)
        self._stream(obj, obj.get("/Resources"), pikepdf.Matrix())

    def _group(self, obj: pikepdf.Object) -> None:
        group = obj.get("/Group")
        if group is not None and is_rgb(group.get("/CS")):
            self.once("PF-RGB", "a transparency group blends in RGB")

    def _stream(self, holder: pikepdf.Object, resources: pikepdf.Object | None,
                ctm: pikepdf.Matrix, depth: int = 0) -> None:
        resources = resources or pikepdf.Dictionary()
        spaces = resources.get("/ColorSpace") or {}
        stack: list[pikepdf.Matrix] = []
        for operands, operator in pikepdf.parse_content_stream(holder):
            op = str(operator)
            if op == "q":
                stack.append(ctm)
            elif op == "Q" and stack:
                ctm = stack.pop()
            elif op == "cm":
                ctm = pikepdf.Matrix(*[float(v) for v in operands]) @ ctm
            elif op in ("rg", "RG"):
                self.once("PF-RGB", f"RGB colour operator '{op}' in the page content")
            elif op in ("cs", "CS"):
                name = str(operands[0])
                if name in ("/DeviceRGB", "/CalRGB") or (name in spaces and is_rgb(spaces[name])):
                    self.once("PF-RGB", f"RGB colour space {name} set in the page content")
            elif op in ("k", "K"):
                self._ink([float(v) for v in operands], "a flat colour")
            elif op == "Do":
                self._xobject(resources, str(operands[0]), ctm, depth)
            elif op == "sh":
                shading = (resources.get("/Shading") or {}).get(str(operands[0]))
                if shading is not None and is_rgb(shading.get("/ColorSpace")):
                    self.once("PF-RGB", "an RGB shading (gradient)")
        for pattern in (resources.get("/Pattern") or {}).values():
            shading = pattern.get("/Shading")
            if shading is not None and is_rgb(shading.get("/ColorSpace")):
                self.once("PF-RGB", "an RGB shading pattern (gradient)")

    def _xobject(self, resources: pikepdf.Object, name: str, ctm: pikepdf.Matrix,
                 depth: int) -> None:
        xobject = (resources.get("/XObject") or {}).get(name)
        if xobject is None or depth > 8:
            return
        if xobject.get("/Subtype") == "/Form":
            self._group(xobject)
            matrix = pikepdf.Matrix(*[float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0,
                                                                               0])])
            self._stream(xobject, xobject.get("/Resources"), matrix @ ctm, depth + 1)
        elif xobject.get("/Subtype") == "/Image" and not xobject.get("/ImageMask"):
            self._image(xobject, ctm)

    def _image(self, image: pikepdf.Object, ctm: pikepdf.Matrix) -> None:
        width_pt = math.hypot(ctm.a, ctm.b)
        height_pt = math.hypot(ctm.c, ctm.d)
        if width_pt and height_pt:
            ppi = min(int(image.Width) / (width_pt / 72), int(image.Height) / (height_pt / 72))
            if ppi < self.rules.min_dpi - 0.5:
                self.once("PF-DPI", f"an image of {int(image.Width)}×{int(image.Height)} px "
                          f"placed at {width_pt / PT_PER_MM:.1f}×{height_pt / PT_PER_MM:.1f} mm"
                          f" is {ppi:.0f} ppi; {self.rules.name} wants at least "
                          f"{self.rules.min_dpi}")
        space = image.get("/ColorSpace")
        if is_rgb(space):
            self.once("PF-RGB", f"an RGB image ({int(image.Width)}×{int(image.Height)} px)")
        elif space == "/DeviceCMYK":
            self._image_ink(image)

    def _image_ink(self, image: pikepdf.Object) -> None:
        try:
            picture = pikepdf.PdfImage(image).as_pil_image()
        except Exception:  # an encoding Pillow cannot read: nothing to measure
            return
        if picture.mode != "CMYK":
            return
        worst = max(_sample(picture), key=sum)
        self._ink([v / 255 for v in worst], "an image")

    def _ink(self, cmyk: list[float], what: str) -> None:
        total = round(sum(cmyk) * 100)
        if len(cmyk) == 4 and total > self.rules.ink_limit:
            self.once("PF-INK", f"{what} with {total} % total ink; {self.rules.name}'s limit "
                      f"is {self.rules.ink_limit} %")


def _sample(picture) -> Iterator[tuple[int, ...]]:
    """Every pixel of a small image; a grid of about 250,000 of a large one (nearest
    neighbour, so no averaging hides a heavy pixel's neighbours)."""
    from PIL import Image

    step = max(1, int(math.sqrt(picture.width * picture.height / 250_000)))
    if step > 1:
        picture = picture.resize((max(1, picture.width // step), max(1, picture.height // step)),
                                 Image.Resampling.NEAREST)
    return iter(picture.get_flattened_data())
