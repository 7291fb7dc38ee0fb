"""Byte-for-byte repeatable zip packages (EPUB, DOCX), applied after the writer.

ebooklib and pandoc stamp each zip entry with the wall-clock time and whatever file mode the
process had; the same book built twice then differs in those bytes only.  Re-packing every
entry with the build's date (``SOURCE_DATE_EPOCH`` when set), one file mode, one host system
and one compression level makes the package a function of its contents.  Entry order is kept
as the writer produced it (the writers are deterministic), except that an EPUB's ``mimetype``
goes first and uncompressed, as OCF requires.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

from ..core.dates import build_datetime

# DOS timestamps in zip headers cover 1980-01-01 to 2107-12-31 only.
_ZIP_MIN = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)
_ZIP_MAX = dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.timezone.utc)
COMPRESSLEVEL = 9
_UNIX = 3  # ZipInfo.create_system: entries look the same whichever host built them
_FILE_MODE = 0o100644 << 16
_DIR_MODE = (0o040755 << 16) | 0x10  # plus the MS-DOS directory flag


def zip_timestamp(when: dt.datetime | None = None) -> tuple[int, int, int, int, int, int]:
    """The build date as a zip entry date, clamped to what the format can hold."""
    when = (when or build_datetime()).astimezone(dt.timezone.utc)
    when = min(max(when, _ZIP_MIN), _ZIP_MAX)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def normalise_zip(path: Path, *, epub: bool = False, when: dt.datetime | None = None) -> None:
    """Re-pack the zip at ``path`` in place with fixed dates, modes and compression."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, info.is_dir(), zin.read(info)) for info in zin.infolist()]
    if epub:
        entries.sort(key=lambda e: e[0] != "mimetype")  # stable: only mimetype moves
    stamp = zip_timestamp(when)
    tmp = path.with_name(path.name + ".zip-tmp")
    with zipfile.ZipFile(tmp, "w") as zout:
        for name, is_dir, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = _UNIX
            info.external_attr = _DIR_MODE if is_dir else _FILE_MODE
            stored = is_dir or (epub and name == "mimetype")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zout.writestr(info, data, compresslevel=None if stored else COMPRESSLEVEL)
    os.replace(tmp, path)
