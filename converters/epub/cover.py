"""A typographic cover for books whose source names no cover image.

Drawn with Pillow in the house serif at the size retailers ask for (1600 × 2560 px, 1:1.6), so
it is an ordinary raster ``cover-image`` every reading system and store accepts. The output is
deterministic: the same book gives the same bytes.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from ..assets.fonts import serif_faces
from ..source.model import Book

WIDTH, HEIGHT = 1600, 2560
MARGIN = 150
BACKGROUND = (28, 43, 64)  # deep blue-grey
INK = (244, 238, 224)  # warm off-white: 11.9:1 against the background
ACCENT = (196, 160, 92)  # muted gold for the rule and the series line


def typographic_cover(book: Book) -> bytes:
    """PNG bytes of a cover showing the title, subtitle, author(s) and publisher."""
    faces = serif_faces()
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, WIDTH - 61, HEIGHT - 61), outline=ACCENT, width=4)
    text_width = WIDTH - 2 * MARGIN

    y = 420
    if book.series:
        series = book.series.title + (f" · {book.series.position}" if book.series.position else "")
        y = _block(draw, series.upper(), _font(faces["regular"], 44), text_width, y, ACCENT, 1.3)
        y += 80
    title_font = _fit(faces["bold"], book.title, text_width, 150, 84, max_lines=4)
    y = _block(draw, book.title, title_font, text_width, y, INK, 1.15)
    y += 70
    draw.line((WIDTH / 2 - 160, y, WIDTH / 2 + 160, y), fill=ACCENT, width=5)
    y += 90
    if book.subtitle:
        _block(draw, book.subtitle, _font(faces["italic"], 72), text_width, y, INK, 1.25)

    bottom = HEIGHT - 260
    if book.publisher:
        _block(draw, book.publisher, _font(faces["regular"], 48), text_width, bottom, ACCENT, 1.2)
        bottom -= 170
    # One author per line, the last nearest the foot, so names never break across lines.
    author_font = _font(faces["regular"], 80)
    for name in reversed([c.name for c in book.authors]):
        lines = _wrap(draw, name, author_font, text_width)
        top = bottom - (len(lines) - 1) * int(80 * 1.25)
        _block(draw, name, author_font, text_width, top, INK, 1.25)
        bottom = top - int(80 * 1.35)

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _font(path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _fit(path, text: str, width: int, largest: int, smallest: int,
         max_lines: int) -> ImageFont.FreeTypeFont:
    """The largest size at which ``text`` wraps into ``max_lines`` lines or fewer."""
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    size = largest
    while size > smallest:
        font = _font(path, size)
        if len(_wrap(probe, text, font, width)) <= max_lines:
            return font
        size -= 6
    return _font(path, smallest)


# A cover shows a few lines; more text would only be drawn off the card.  Clipping first also
# keeps Pillow from rasterising one 60,000-character word (a canvas past its bomb limit).
MAX_COVER_CHARS = 300
MAX_LINES = 6


def _pieces(draw: ImageDraw.ImageDraw, word: str, font: ImageFont.FreeTypeFont,
            width: int) -> list[str]:
    """``word`` split where it must be to fit ``width`` (a long URL, a run of one letter)."""
    pieces = []
    while word and draw.textlength(word, font=font) > width:
        cut = 1
        while cut < len(word) and draw.textlength(word[: cut + 1], font=font) <= width:
            cut += 1
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word] if word else pieces


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
          width: int) -> list[str]:
    if len(text) > MAX_COVER_CHARS:
        text = text[: MAX_COVER_CHARS - 1] + "…"
    lines: list[str] = []
    words = [piece for word in text.split() for piece in _pieces(draw, word, font, width)]
    for word in words:
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1] + " …"]
    return lines or [""]


def _block(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int,
           top: float, fill: tuple[int, int, int], leading: float) -> float:
    """Draw ``text`` centred and wrapped from ``top``; return the y below its last line."""
    step = int(font.size * leading)
    y = top
    for line in _wrap(draw, text, font, width):
        draw.text((WIDTH / 2, y), line, font=font, fill=fill, anchor="ma")
        y += step
    return y - step + font.size
