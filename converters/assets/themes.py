"""House themes a book chooses by name (``style: theme:``), laid over the house style.

Each theme is CSS for the EPUB and for the PDF, added after the house stylesheet and before
the book's own CSS, and the font families it prefers where the book names none. "classic" is
the house style itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Theme:
    epub_css: str = ""
    pdf_css: str = ""
    fonts: dict[str, str] = field(default_factory=dict)  # slot -> installed family


_LITERARY_COMMON = """
h1 { text-align: center; font-weight: normal; }
h1 .number { text-align: center; }
h2 { text-align: center; font-weight: normal; font-style: italic; }
hr { border: 0; text-align: center; margin: 1em 0; }
hr::after { content: "⁂"; }
"""

_TECHNICAL_COMMON = """
h1, h2, h3, h4 { font-weight: bold; font-style: normal; text-align: left; }
p { text-indent: 0; }
p + p { margin-top: 0.5em; }
pre { font-size: 0.85em; line-height: 1.35; padding: 0.5em 0.8em; border-left: 2px solid #888;
      white-space: pre-wrap; }
code { font-size: 0.9em; }
"""

THEMES: dict[str, Theme] = {
    "classic": Theme(),
    "literary": Theme(
        epub_css=_LITERARY_COMMON + "body { line-height: 1.55; }\n",
        pdf_css=_LITERARY_COMMON + """
html { font-size: 11pt; line-height: 1.45; }
h1 { margin-top: 36mm; font-size: 17pt; letter-spacing: 0.03em; }
h1 + p::first-line { font-variant: small-caps; letter-spacing: 0.04em; }
""",
    ),
    "technical": Theme(
        epub_css=_TECHNICAL_COMMON,
        pdf_css=_TECHNICAL_COMMON + """
html { font-size: 10pt; line-height: 1.35; }
p { text-align: left; hyphens: manual; }
h1 { margin-top: 12mm; font-size: 16pt; }
""",
        fonts={"headings": "Noto Sans", "code": "DejaVu Sans Mono"},
    ),
}
