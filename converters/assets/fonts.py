"""Where the house serif lives: the four Charis SIL faces from Debian's fonts-sil-charis.

The faces are OFL-licensed and read at build time from the system package, so no font binary
is ever committed. EPUB embeds them; PDF hands them to WeasyPrint; the cover draws with them.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from ..core.errors import BuildError

FAMILY = "Charis SIL"
PACKAGE = "fonts-sil-charis"
# Debian's install folder, tried first so builds do not depend on a fontconfig cache.
FONT_DIRS = (Path("/usr/share/fonts/truetype/charis"),)
FILES = {
    "regular": "CharisSIL-Regular.ttf",
    "italic": "CharisSIL-Italic.ttf",
    "bold": "CharisSIL-Bold.ttf",
    "bolditalic": "CharisSIL-BoldItalic.ttf",
}
# fontconfig style names for the same faces, for installs outside the Debian folder.
STYLES = {"regular": "Regular", "italic": "Italic", "bold": "Bold", "bolditalic": "Bold Italic"}


def serif_faces() -> dict[str, Path]:
    """Return {'regular', 'italic', 'bold', 'bolditalic'} -> font file of the house serif.

    Raises BuildError naming the package when any face is missing.
    """
    return dict(_find_faces())


@lru_cache(maxsize=1)
def _find_faces() -> tuple[tuple[str, Path], ...]:
    faces: dict[str, Path] = {}
    for folder in FONT_DIRS:
        for key, name in FILES.items():
            if key not in faces and (folder / name).is_file():
                faces[key] = folder / name
    if len(faces) < len(FILES):
        faces.update({k: v for k, v in _fontconfig_faces().items() if k not in faces})
    missing = [key for key in FILES if key not in faces]
    if missing:
        raise BuildError(
            f"the house serif {FAMILY} is missing its {', '.join(missing)} face(s); install the "
            f"Debian package {PACKAGE} (apt-get install {PACKAGE}) or run .ci/sysdeps")
    return tuple((key, faces[key]) for key in FILES)


def _fontconfig_faces() -> dict[str, Path]:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return {}
    try:
        listing = subprocess.run([fc_list, f":family={FAMILY}", "--format", "%{file}|%{style}\\n"],
                                 capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    by_style = {style: key for key, style in STYLES.items()}
    faces: dict[str, Path] = {}
    for line in listing.splitlines():
        path, _, style = line.partition("|")
        # fontconfig lists localised style names comma-separated; the English one comes first.
        style = style.strip().split(",")[0]
        key = by_style.get(style)
        if key and path.lower().endswith((".ttf", ".otf")) and key not in faces:
            faces[key] = Path(path.strip())
    return faces


# --- issue 15: families chosen in the source's style: block ----------------------------------

@lru_cache(maxsize=32)
def _family_listing(family: str) -> tuple[tuple[str, Path], ...]:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return ()
    try:
        listing = subprocess.run([fc_list, f":family={family}", "--format",
                                  "%{file}|%{style}\\n"],
                                 capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    faces: dict[str, Path] = {}
    # Sorted, so the face chosen for a key does not depend on fontconfig's listing order.
    for line in sorted(listing.splitlines()):
        path, _, style = line.partition("|")
        if not path.lower().endswith((".ttf", ".otf")) or "variable" in path.lower():
            continue
        key = _face_key(style.split(",")[0].strip())
        if key and key not in faces:
            faces[key] = Path(path.strip())
    return tuple(sorted(faces.items()))


def _face_key(style: str) -> str | None:
    """regular/italic/bold/bolditalic for the four plain styles, None for Light, Condensed..."""
    by_style = {s.lower(): k for k, s in STYLES.items()}
    by_style.update({"book": "regular", "roman": "regular", "oblique": "italic",
                     "bold oblique": "bolditalic"})
    return by_style.get(style.lower())


def family_faces(family: str) -> dict[str, Path]:
    """The regular/italic/bold/bolditalic files of an installed family (empty if none)."""
    return dict(_family_listing(family))
