"""``editions check``: validate built editions, every finding as ``file: error[CODE]: message``.

- EPUB: EPUBCheck; its own message ids (``RSC-005``, ``NAV-010`` …) are kept as the codes and
  its locations (``book.epub/EPUB/nav.xhtml:12:3``) as the file.
- PDF (pikepdf): qpdf's syntax check, bookmarks present and pointing at pages (and listing the
  book's entries in order when the source is known), title/author/language metadata, tagging
  (``/MarkInfo /Marked`` and a structure tree), every font embedded.
- DOCX (python-docx): headings in Word's ``Heading n`` styles (the book's entries as
  ``Heading 1`` in order when the source is known), a TOC field, core properties.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.errors import EditionsError, display_path
from .finding import Finding, outline_page
from .overflow import check_overflow

EDITION_SUFFIXES = (".epub", ".pdf", ".docx", ".xml")  # .xml: an ONIX target's feed


@dataclass(frozen=True)
class Expected:
    """What the source says an edition must contain (optional: check works without it)."""

    labels: tuple[str, ...] = ()  # entry labels, in reading order
    title: str | None = None
    author: str | None = None
    margins: tuple[float, float] | None = None  # the PDF's inner and outer margins, in mm
    depth: int = 1  # 2 when parts hold entries: their headings are one level down

    @classmethod
    def from_source(cls, source_dir: Path) -> Expected:
        from ..source.loader import load_book

        book = load_book(source_dir)
        authors = book.authors
        return cls(tuple(e.heading_text for e in book.entries), book.title,
                   authors[0].name if authors else None,
                   (book.print.inner_mm, book.print.outer_mm),
                   2 if any(e.parent for e in book.entries) else 1)


@dataclass(frozen=True)
class CheckResult:
    path: Path
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def as_dict(self) -> dict:
        return {"ok": self.errors == 0, "errors": self.errors, "warnings": self.warnings,
                "findings": [asdict(f) for f in self.findings]}


def editions_in(dist: Path) -> list[Path]:
    """The edition files in an output folder (hidden state and temp files excluded)."""
    return sorted(p for p in dist.iterdir()
                  if p.suffix in EDITION_SUFFIXES and p.is_file() and not p.name.startswith(".")
                  and (p.suffix != ".xml" or p.stem.endswith("-onix")))


def check_edition(path: Path, expected: Expected | None = None) -> CheckResult:
    expected = expected or Expected()
    from .preflight import is_cover, target_of

    rules = target_of(path) if path.suffix == ".pdf" else None
    if rules is not None and is_cover(path):  # a cover is artwork: preflight only
        return CheckResult(path, tuple(_preflight(path, rules, cover=True)))
    checker = {".epub": _check_epub, ".pdf": _check_pdf, ".docx": _check_docx,
               ".xml": _check_onix}[path.suffix]
    return CheckResult(path, tuple(checker(path, expected)))


# -- EPUB ---------------------------------------------------------------------------------------

_EPUBCHECK_SEVERITY = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}


def _check_epub(path: Path, expected: Expected) -> list[Finding]:
    from .epubcheck import run_epubcheck

    try:
        _version, messages = run_epubcheck(path, usage=False)
    except EditionsError as exc:  # no Java, or EPUBCheck could not start
        return [Finding(display_path(path), "error", "EPUBCHECK", str(exc))]
    prefix = str(Path(display_path(path)).parent)
    findings = []
    for m in messages:
        severity = _EPUBCHECK_SEVERITY.get(m.severity.upper())
        if severity:  # USAGE and INFO are advice, not findings
            where = m.where if prefix == "." else f"{prefix}/{m.where}"
            findings.append(Finding(where, severity, m.code, m.message, m.line, m.column))
    return findings


# -- PDF ----------------------------------------------------------------------------------------

def _check_pdf(path: Path, expected: Expected) -> list[Finding]:
    import pikepdf

    from .preflight import target_of

    name = display_path(path)
    findings: list[Finding] = []

    def error(code: str, message: str, severity: str = "error") -> None:
        findings.append(Finding(name, severity, code, message))

    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        error("PDF-OPEN", f"not a readable PDF: {exc}")
        return findings
    with pdf:
        for problem in pdf.check_pdf_syntax():
            error("PDF-SYNTAX", str(problem))
        rules = target_of(path)
        if rules is None or rules.bookmarks:  # KDP Print forbids them; preflight says so
            _pdf_outline(pdf, expected, error)
        _pdf_metadata(pdf, expected, error)
        root = pdf.Root
        marked = root.get("/MarkInfo", {}).get("/Marked", False) if "/MarkInfo" in root else False
        if not bool(marked):
            error("PDF-TAGGED", "not a tagged PDF: /MarkInfo /Marked is not true")
        if "/StructTreeRoot" not in root:
            error("PDF-STRUCTURE", "no structure tree (/StructTreeRoot): assistive technology "
                  "cannot read the document's structure")
        _pdf_fonts(pdf, error)
        findings += check_overflow(path, pdf, expected.margins, name)
    if rules is not None:
        findings += _preflight(path, rules)
    return findings


def _preflight(path: Path, rules, cover: bool = False) -> list[Finding]:
    """The print target's rules (check/preflight.py), each finding at its page."""
    import pikepdf

    from .preflight import preflight

    name = display_path(path)
    findings: list[Finding] = []

    def report(code: str, message: str, page: int | None) -> None:
        where = f"{name}#page={page}" if page else name
        findings.append(Finding(where, "error", code, message))

    try:
        with pikepdf.open(path) as pdf:
            preflight(pdf, rules, report, cover=cover)
    except (pikepdf.PdfError, OSError) as exc:
        report("PDF-OPEN", f"not a readable PDF: {exc}", None)
    return findings


def _pdf_outline(pdf, expected: Expected, error) -> None:
    import pikepdf

    page_ids = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}
    named = {}
    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        named = pikepdf.NameTree(pdf.Root.Names.Dests)
    with pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        if expected.depth > 1:  # a part's entries are its bookmark's children
            top = [title for item in outline.root
                   for title in (item.title, *(child.title for child in item.children))]
        if not top:
            error("PDF-OUTLINE", "no bookmarks (outline): readers cannot navigate the PDF")
            return
        stack = [(item, item.title) for item in outline.root]
        while stack:
            item, trail = stack.pop()
            if outline_page(item, named, page_ids) is None:
                error("PDF-OUTLINE-TARGET", f"bookmark '{trail}' does not lead to a page")
            stack.extend((child, f"{trail} > {child.title}") for child in item.children)
    for label, why in _not_in_order(top, expected.labels):
        error("PDF-OUTLINE-MISMATCH", f"the bookmarks do not list the entry '{label}' ({why})")


def _not_in_order(found: Sequence[str], wanted: Sequence[str]) -> list[tuple[str, str]]:
    """Each wanted label must appear in ``found``, in order (extra items are allowed).

    Returns (label, "missing" or "out of order") for each one that does not.
    """
    position = 0
    normal = [" ".join(t.split()) for t in found]
    problems = []
    for label in wanted:
        key = " ".join(label.split())
        try:
            position = normal.index(key, position) + 1
        except ValueError:
            problems.append((label, "out of order" if key in normal else "missing"))
    return problems


def _pdf_metadata(pdf, expected: Expected, error) -> None:
    info = pdf.docinfo
    title = str(info.get("/Title", "")).strip()
    author = str(info.get("/Author", "")).strip()
    if not title:
        error("PDF-TITLE", "no document title (/Title)")
    elif expected.title and expected.title not in title:
        error("PDF-TITLE", f"document title '{title}' is not the book's '{expected.title}'")
    if not author:
        error("PDF-AUTHOR", "no document author (/Author)")
    elif expected.author and expected.author not in author:
        error("PDF-AUTHOR", f"document author '{author}' is not the book's '{expected.author}'")
    if not str(pdf.Root.get("/Lang", "")).strip():
        error("PDF-LANG", "no document language (/Lang)")
    if "/Metadata" not in pdf.Root:
        error("PDF-XMP", "no XMP metadata stream", "warning")


def _pdf_fonts(pdf, error) -> None:
    from ..pdf.post import fonts

    for name, embedded, page in fonts(pdf):
        if not embedded:
            error("PDF-FONT", f"font '{name}' is not embedded (first used on page {page})")


# -- ONIX ---------------------------------------------------------------------------------------

def _check_onix(path: Path, expected: Expected) -> list[Finding]:
    """The ONIX 3.0 reference schema and its code lists, with onixcheck."""
    from onixcheck import validate

    prefix = str(Path(display_path(path)).parent)
    findings = []
    for message in validate(str(path)):
        where = message.location if prefix == "." else f"{prefix}/{message.location}"
        findings.append(Finding(where, "error", "ONIX", " ".join(message.message.split())))
    return findings


# -- DOCX ---------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _check_docx(path: Path, expected: Expected) -> list[Finding]:
    import docx
    from lxml import etree

    name = display_path(path)
    findings: list[Finding] = []

    def error(code: str, message: str, severity: str = "error", part: str = "") -> None:
        findings.append(Finding(f"{name}/{part}" if part else name, severity, code, message))

    try:
        document = docx.Document(str(path))
        with zipfile.ZipFile(path) as z:
            body = etree.fromstring(z.read("word/document.xml"))
    except Exception as exc:  # python-docx raises several types for a broken package
        error("DOCX-OPEN", f"not a readable DOCX: {exc}")
        return findings
    part = "word/document.xml"
    headings: list[tuple[int, str, int]] = []  # (level, text, paragraph number)
    styles_of: dict[str, str] = {}
    for n, para in enumerate(document.paragraphs, 1):
        style = para.style.name if para.style is not None else ""
        text = " ".join(para.text.split())
        if text not in styles_of or styles_of[text].lower().startswith("toc"):
            styles_of[text] = style  # the entry's own paragraph, not its line in the TOC
        if style.startswith("Heading ") and style[8:].isdigit():
            headings.append((int(style[8:]), text, n))
    if not headings:
        error("DOCX-HEADINGS", "no paragraph uses Word's Heading styles: the navigation pane "
              "and the TOC field will be empty", part=part)
    previous = 0
    for level, text, n in headings:
        if level > previous + 1:
            error("DOCX-HEADING-LEVEL", f"paragraph {n} '{text[:60]}' is Heading {level} after "
                  f"Heading {previous}", "warning", part)
        previous = level

    level_one = [t for level, t, _ in headings if level <= expected.depth]
    for label, why in _not_in_order(level_one, expected.labels):
        style = styles_of.get(" ".join(label.split()))
        wanted = "Heading 1" if expected.depth == 1 else "Heading 1 or 2"
        hint = f"; its paragraph has style '{style}', not '{wanted}'" if style else ""
        error("DOCX-HEADING-MISMATCH", f"the entry '{label}' is not a {wanted} paragraph "
              f"({why}){hint}", part=part)
    instructions = [t.text or "" for t in body.iter(f"{{{W}}}instrText")]
    instructions += [f.get(f"{{{W}}}instr", "") for f in body.iter(f"{{{W}}}fldSimple")]
    if not any(i.strip().upper().startswith("TOC") for i in instructions):
        error("DOCX-TOC", "no table-of-contents field (TOC)", part=part)
    props = document.core_properties
    for attr, label in (("title", "title"), ("author", "creator"), ("language", "language")):
        if not (getattr(props, attr) or "").strip():
            error("DOCX-PROPS", f"core property '{label}' is empty", part="docProps/core.xml")
    if expected.title and props.title and expected.title not in props.title:
        error("DOCX-PROPS", f"core title '{props.title}' is not the book's '{expected.title}'",
              part="docProps/core.xml")
    return findings
