"""SOURCE_DATE_EPOCH set: the same source built twice, elsewhere and later, gives the same bytes."""

from __future__ import annotations

import datetime as dt
import shutil
import time
import zipfile

import docx
import pikepdf
import pytest

from converters import build
from converters.build.reproducible import normalise_zip, zip_timestamp
from tests.conftest import RICH

EPOCH = 1_600_000_000  # 2020-09-13 12:26:40 UTC


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The rich test book built twice from two copies in different folders, 2 s apart."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        builds = []
        for name in ("first", "second"):
            base = tmp_path_factory.mktemp(name)
            src = shutil.copytree(RICH, base / "book-source")
            builds.append({r.format: r.path for r in build(src, base / "out")})
            time.sleep(2.1)  # zip timestamps have a 2-second resolution
    return builds


@pytest.mark.parametrize("fmt", ["epub", "pdf", "docx"])
def test_two_builds_are_byte_identical(two_builds, fmt):
    first, second = two_builds
    assert first[fmt].parent != second[fmt].parent
    assert first[fmt].read_bytes() == second[fmt].read_bytes()


@pytest.mark.parametrize("fmt", ["epub", "docx"])
def test_zip_entries_carry_the_source_date(two_builds, fmt):
    with zipfile.ZipFile(two_builds[0][fmt]) as z:
        infos = z.infolist()
    assert {i.date_time for i in infos} == {(2020, 9, 13, 12, 26, 40)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    if fmt == "epub":
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos[1:])


def test_pdf_dates_and_id_come_from_the_source_date(two_builds):
    with pikepdf.open(two_builds[0]["pdf"]) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20200913122640")
        assert len(pdf.trailer.ID) == 2


def test_docx_core_dates_come_from_the_source_date(two_builds):
    props = docx.Document(two_builds[0]["docx"]).core_properties
    when = dt.datetime(2020, 9, 13, 12, 26, 40)
    assert props.created.replace(tzinfo=None) == props.modified.replace(tzinfo=None) == when


def test_normalise_zip_removes_clock_and_host(tmp_path):
    path = tmp_path / "x.epub"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("EPUB/a.xhtml", date_time=(2031, 5, 6, 7, 8, 10))
        info.external_attr = 0o100600 << 16
        info.create_system = 0
        z.writestr(info, b"<a/>")
        z.writestr("mimetype", b"application/epub+zip")
    when = dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc)
    normalise_zip(path, epub=True, when=when)
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == ["mimetype", "EPUB/a.xhtml"]
        assert z.read("EPUB/a.xhtml") == b"<a/>"
    assert infos[0].compress_type == zipfile.ZIP_STORED
    assert {(i.date_time, i.create_system, i.external_attr >> 16) for i in infos} == {
        ((2020, 9, 13, 12, 26, 40), 3, 0o100644)}
    # The OCF rule readers rely on: the file starts with the uncompressed mimetype.
    assert path.read_bytes()[30:38] == b"mimetype"


def test_zip_dates_are_clamped_to_what_zip_can_hold():
    assert zip_timestamp(dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) == (1980, 1, 1, 0, 0, 0)
