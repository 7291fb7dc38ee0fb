"""A PDF written object by object, so that the joined book is never whole in memory.

join.py hands over each part's objects as qpdf writes them (``serialize``: one part's
reachable objects, renumbered from 1, streams raw as they are compressed), and ``Out`` gives
them their numbers in the book and writes them at once; only their cross-reference rows
(7 bytes an object) stay.  Objects that the book's trees need but that exist only once every
part is read (the page tree, the structure tree's root, the outline) are numbered ahead
(``reserve``) and written last.

Each part's objects are numbered in a range of its own, from the book's count so far, rounded
up to BUCKET numbers, and packed in object streams of its own: what ``part`` writes (a
``Piece``) depends on that first number and on the part alone, so a piece written before is
written again as it is (``put_piece``) when a part before it was edited without changing its
bucket.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf

# A string token (qpdf escapes every parenthesis inside one) or an indirect reference: only
# the references are renumbered, so a title reading "12 0 R" stays as it is.
_TOKEN = re.compile(rb"\((?:[^()\\]|\\.)*\)|(\d+) 0 R", re.DOTALL)
_REF = re.compile(rb"(\d+) 0 R")


# Objects per object stream, as qpdf packs them.
BATCH = 100
_ROW = 7  # bytes per cross-reference stream row: /W [ 1 4 2 ]
# A part's range of object numbers is rounded up to this many: a one-word edit seldom moves
# the range of the parts after it (their pieces are then reused), and the numbers left free
# cost a cross-reference row of zeros each, which compress to almost nothing.
BUCKET = 1024


@dataclass(frozen=True)
class Piece:
    """A part's objects as ``Out.part`` wrote them, from object number ``base + 1``: their
    bytes, the ``size`` numbers reserved, and their cross-reference rows with the positions
    of the objects written whole (``whole``: row indexes) counted from the piece's start."""

    base: int
    size: int
    data: bytes
    rows: bytes
    whole: tuple[int, ...]


class Out:
    """The output file: objects appended as they come, streams at once and the others packed
    a hundred to an object stream (as WeasyPrint and qpdf write them: the structure tree is
    many small objects), the cross-reference stream at the end."""

    def __init__(self, path: Path, version: str) -> None:
        self.file = path.open("wb")
        self.md5 = hashlib.md5(usedforsecurity=False)
        # The cross-reference stream's rows as they are made, 7 bytes an object: what stays
        # of every object written (an unwritten object's zeros read as free).
        self.rows = bytearray(_ROW)
        self.pending: list[tuple[int, bytes]] = []
        self.position = 0
        self.count = 0  # the highest object number handed out
        # While a part is written (``part``): its bytes and the numbers written whole.
        self.recording: list[bytes] | None = None
        self.whole: list[int] = []
        self._write(b"%%PDF-%s\n%%\xbf\xf7\xa2\xfe\n" % version.encode("ascii"))

    def _write(self, data: bytes) -> None:
        if self.recording is not None:
            self.recording.append(data)
        self.file.write(data)
        self.md5.update(data)
        self.position += len(data)

    def abort(self) -> None:
        self.file.close()
        Path(self.file.name).unlink(missing_ok=True)

    def reserve(self) -> int:
        self.count += 1
        self.rows += bytes(_ROW)
        return self.count

    def _row(self, number: int, kind: int, field: int, index: int) -> None:
        self.rows[_ROW * number: _ROW * (number + 1)] = (
            kind.to_bytes(1, "big") + field.to_bytes(4, "big") + index.to_bytes(2, "big"))

    def write(self, number: int, body: bytes) -> None:
        if (body.startswith(b"<<") and body.endswith(b">>")) or body.startswith(b"["):
            self.pending.append((number, body))  # not a stream: packed
            if len(self.pending) >= BATCH:
                self._pack()
            return
        self._put(number, body)

    def _put(self, number: int, body: bytes) -> None:
        self._row(number, 1, self.position, 0)
        if self.recording is not None:  # a part's piece: its rows' positions are made relative
            self.whole.append(number)
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def _pack(self) -> None:
        if not self.pending:
            return
        number = self.reserve()
        index, bodies, at = [], [], 0
        for k, (n, body) in enumerate(self.pending):
            index.append(b"%d %d" % (n, at))
            bodies.append(body)
            at += len(body) + 1
            self._row(n, 2, number, k)
        head = b" ".join(index) + b"\n"
        data = zlib.compress(head + b"\n".join(bodies))
        self._put(number, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
                  b"\nstream\n%s\nendstream" % (len(self.pending), len(head), len(data), data))
        self.pending = []

    def part(self, objects: list[bytes], fixed: dict[int, int], keys: int = 0) -> tuple[
            list[int], Piece]:
        """A part's objects (``serialize``'s, numbered from 1) written in a range of their own;
        ``fixed``: part numbers of stand-ins for objects of the book numbered already (not
        written); ``keys``: how many parent tree keys the part takes from the range's first
        number on (join.py), so that no two parts' keys meet.  Returns the book's number of
        each object and the piece written."""
        self._pack()  # the book's own objects before it, if any, are packed apart
        base, start = self.count, self.position
        self.recording, self.whole = [], []
        numbers = [fixed.get(n, base + n) for n in range(1, len(objects) + 1)]
        self.count = base + len(objects)
        self.rows += bytes(_ROW * len(objects))

        refs = [b"%d 0 R" % n for n in numbers]

        def renumber(match: re.Match) -> bytes:
            number = match.group(1)
            return match.group(0) if number is None else refs[int(number) - 1]

        for n, body in enumerate(objects, 1):
            if n in fixed or not body:
                continue
            head, sep, data = body.partition(b"\nstream\n")
            # Most objects hold no string: the plain pattern is the faster one.
            pattern = _TOKEN if b"(" in head else _REF
            self.write(numbers[n - 1], pattern.sub(renumber, head) + sep + data)
        self._pack()
        size = -(-max(self.count - base, keys, 1) // BUCKET) * BUCKET
        self.rows += bytes(_ROW * (base + size - self.count))
        self.count = base + size
        rows = bytearray(self.rows[_ROW * (base + 1): _ROW * (base + size + 1)])
        for number in self.whole:  # positions from the piece's start
            at = _ROW * (number - base - 1)
            position = int.from_bytes(rows[at + 1: at + 5], "big") - start
            rows[at + 1: at + 5] = position.to_bytes(4, "big")
        piece = Piece(base, size, b"".join(self.recording), bytes(rows),
                      tuple(n - base - 1 for n in self.whole))
        self.recording = None
        return numbers, piece

    def put_piece(self, piece: Piece) -> None:
        """A piece written before, again: at the same first number, so its bytes stand."""
        self._pack()
        if piece.base != self.count:
            raise ValueError("a piece goes only where it was first written")
        rows = bytearray(piece.rows)
        for index in piece.whole:
            at = _ROW * index
            position = int.from_bytes(rows[at + 1: at + 5], "big") + self.position
            rows[at + 1: at + 5] = position.to_bytes(4, "big")
        self.rows += rows
        self.count += piece.size
        self._write(piece.data)

    def close(self, root: int, info: int | None, first_id: bytes | None) -> None:
        """The cross-reference stream, which is the trailer; the second half of /ID is the MD5
        of the bytes written before it, as qpdf's deterministic ID is of its own."""
        self._pack()
        number = self.reserve()
        size = self.count + 1
        self._row(0, 0, 0, 0xFFFF)
        self._row(number, 1, self.position, 0)
        xref_at = self.position
        data = zlib.compress(bytes(self.rows))
        digest = self.md5.hexdigest().encode("ascii")
        first = first_id.hex().encode("ascii") if first_id else digest
        trailer = (b"<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R%s /ID [ <%s> <%s> ] "
                   b"/Filter /FlateDecode /Length %d >>" % (
                       size, root, b" /Info %d 0 R" % info if info else b"", first, digest,
                       len(data)))
        self._write(b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, trailer, data))
        self._write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
        self.file.close()


def serialize(pdf: pikepdf.Pdf, roots: list[pikepdf.Object]) -> tuple[list[bytes], list[int]]:
    """What qpdf writes of ``pdf`` when its trailer holds only ``roots`` (indirect objects):
    each object's bytes after ``N 0 obj``, numbered from 1 (empty: not to be written), and
    the number of each root.

    qpdf writes the objects reachable from the trailer only, each stream's data as it is
    (raw, compressed once), which is why a part's dropped page and old trees are left out."""
    carrier = pdf.make_indirect(pikepdf.Array(roots))
    for key in list(pdf.trailer.keys()):
        del pdf.trailer[key]
    pdf.trailer.Root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Catalog,
                                                            EditionsRoots=carrier))
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.disable, static_id=True,
             stream_decode_level=pikepdf.StreamDecodeLevel.none, fix_metadata_version=False)
    data = buffer.getvalue()
    xref = data.rindex(b"\nxref\n") + 1
    head = data.index(b"\n", xref + 5)
    size = int(data[xref + 5: head].split()[1])
    rows = data[head + 1: head + 1 + 20 * size]
    offsets = [int(rows[20 * n: 20 * n + 10]) for n in range(1, size)]
    if any(rows[20 * n + 17: 20 * n + 18] != b"n" for n in range(1, size)):
        raise ValueError("qpdf wrote a free object")  # it renumbers: never
    following = [*sorted(offsets), xref]
    end = {at: following[k + 1] for k, at in enumerate(following[:-1])}
    objects: list[bytes] = []
    for at in offsets:
        body = data[at: end[at]]
        body = body[body.index(b" obj\n") + 5:]
        objects.append(body[: body.rindex(b"endobj")].rstrip(b"\n"))
    root = int(re.search(rb"/Root (\d+) 0 R", data[xref:]).group(1))  # type: ignore[union-attr]
    holder = re.search(rb"/EditionsRoots (\d+) 0 R", objects[root - 1])
    carrier = int(holder.group(1))  # type: ignore[union-attr]
    numbers = [int(n) for n in re.findall(rb"(\d+) 0 R", objects[carrier - 1])]
    objects[root - 1] = objects[carrier - 1] = b""  # the carriers are not the book's
    return objects, numbers
