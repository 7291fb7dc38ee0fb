"""A bounded folder of build products named by what they were made from.

Each product is stored under the SHA-256 of a key that holds everything its bytes depend on
(its input, the toolchain's ``salt``, the numbers it was laid out with), so a product found is
one a cold build would make again: the cache can make a build faster, never different.  Files
are written atomically; the least recently used go when the folder outgrows its bound.  An
unreadable or damaged entry is a miss, never an error.

The folder's size is kept in a ledger beside the entries (``LEDGER``): the last trim writes
the total it left, every write appends its bytes (one small ``O_APPEND`` write, whole even
from many processes at once).  A trim whose ledger sums to within the bound walks nothing:
after a one-word edit, walking 2,000 entries was most of the build's tail.  The sum only
errs high (an entry written over, or removed by hand, still counts), so a trim it lets pass
could not have removed anything; a folder without a ledger, or with a damaged one, is walked.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

CACHE_DIR = ".editions-cache"  # beside the state file, in the output folder
LIMIT_BYTES = 256 << 20
LEDGER = ".ledger"  # in the folder: "=TOTAL" from the last trim, then "+BYTES" per write
LEDGER_MAX = 1 << 17  # a longer ledger is read no faster than the folder is walked


def digest(material: object) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


class Cache:
    def __init__(self, folder: Path, salt: str = "", limit: int = LIMIT_BYTES,
                 deferred: bool = False) -> None:
        self.folder = Path(folder)
        self.salt = salt
        self.limit = limit
        self.hits = self.misses = 0
        # Deferred: kept in memory until flush(), so a build refused for its source's problems
        # writes nothing at all into the output folder.
        self.pending: dict[Path, bytes] | None = {} if deferred else None

    def _path(self, kind: str, key: object) -> Path:
        name = digest([self.salt, kind, key])
        return self.folder / kind / name[:2] / name

    def get(self, kind: str, key: object) -> bytes | None:
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
            os.utime(path)  # recently used: trimmed last
        except OSError:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put(self, kind: str, key: object, data: bytes) -> None:
        path = self._path(kind, key)
        if self.pending is not None:
            self.pending[path] = data
            return
        self._write(path, data)

    def flush(self) -> None:
        """Write what was put while deferred; later puts are written at once."""
        pending, self.pending = self.pending or {}, None
        for path, data in pending.items():
            self._write(path, data)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            fd = os.open(self.folder / LEDGER, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, b"+%d\n" % len(data))
            finally:
                os.close(fd)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def get_json(self, kind: str, key: object) -> object | None:
        data = self.get(kind, key)
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def put_json(self, kind: str, key: object, value: object) -> None:
        self.put(kind, key, json.dumps(value, ensure_ascii=False).encode())

    def trim(self) -> None:
        """Remove the least recently used files until the folder is within its bound.

        Walked with ``os.scandir``, whose entries already know their type: a pathlib walk of
        the 2,000 files a 600,000-word book keeps took 0.05 s at the end of every build."""
        known = self._ledger_total()
        if known is not None and known <= self.limit:
            return
        files = []
        folders = [str(self.folder)]
        ledger = os.path.join(folders[0], LEDGER)
        while folders:
            try:
                with os.scandir(folders.pop()) as entries:
                    for entry in entries:
                        try:
                            if entry.is_dir(follow_symlinks=False):
                                folders.append(entry.path)
                            elif entry.is_file() and entry.path != ledger:
                                st = entry.stat()
                                files.append((st.st_mtime_ns, st.st_size, entry.path))
                        except OSError:
                            continue
            except OSError:
                continue
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files, key=lambda f: (f[0], f[2])):
            if total <= self.limit:
                break
            try:
                os.unlink(path)
                total -= size
            except OSError:
                pass
        if files:
            self._write_ledger(total)

    def _ledger_total(self) -> int | None:
        """The folder's size by its ledger, or None if there is no ledger or it is damaged."""
        try:
            data = (self.folder / LEDGER).read_bytes()
        except OSError:
            return None
        if len(data) > LEDGER_MAX or not data.endswith(b"\n"):
            return None  # long, or its last line cut short (a full disk)
        lines = data[:-1].split(b"\n")
        if not all(line[1:].isdigit() for line in lines) or lines[0][:1] != b"=" or any(
                line[:1] != b"+" for line in lines[1:]):
            return None
        return sum(int(line[1:]) for line in lines)

    def _write_ledger(self, total: int) -> None:
        tmp = self.folder / f"{LEDGER}.{os.getpid()}.tmp"
        try:
            tmp.write_bytes(b"=%d\n" % total)
            os.replace(tmp, self.folder / LEDGER)
        except OSError:
            pass  # the next trim walks the folder again
