"""Issue 15, the look of a book: subset fonts, front matter, typography, split EPUB files.

Each test opens the produced editions with real parsers (zipfile + lxml + fontTools, pypdf,
python-docx).
"""

from __future__ import annotations

import io
import zipfile

from fontTools.ttLib import TTFont

from converters.assets.fonts import serif_faces
from converters.epub.subset import ALWAYS, subset_font, text_of


def _epub_files(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_epub_fonts_are_subsets_covering_every_character_shown(sample_dist, rich_dist):
    for dist, limit in ((sample_dist, 300_000), (rich_dist, None)):
        files = _epub_files(dist["epub"])
        if limit:
            assert dist["epub"].stat().st_size < limit
        shown = text_of(data for name, data in files.items() if name.endswith(".xhtml"))
        fonts = {n: d for n, d in files.items() if n.endswith(".ttf")}
        assert len(fonts) == 4
        for name, data in fonts.items():
            full = serif_faces()[next(k for k, p in serif_faces().items() if name.endswith(p.name))]
            assert len(data) < full.stat().st_size / 10, name
            font = TTFont(io.BytesIO(data))
            cmap = font.getBestCmap()
            missing = {c for c in shown if ord(c) not in cmap and c.isprintable() and c != " "}
            # Only what Charis itself lacks may be missing from its subset.
            lacking = {c for c in missing if ord(c) in TTFont(full).getBestCmap()}
            assert not lacking, (name, sorted(lacking))
            assert font["name"].getDebugName(1) == "Charis SIL"
            assert "Open Font License" in font["name"].getDebugName(13)
            assert "GPOS" in font and "GSUB" in font  # kerning and ligatures kept


def test_subsets_are_deterministic_and_hold_only_what_is_asked():
    face = serif_faces()["regular"]
    one, two = subset_font(face, "Жук"), subset_font(face, "Жук")
    assert one == two
    cmap = TTFont(io.BytesIO(one)).getBestCmap()
    assert {ord(c) for c in "Жук" + ALWAYS} <= set(cmap)
    assert ord("Я") not in cmap
