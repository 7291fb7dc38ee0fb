"""A bounded folder of build products named by what they were made from.

Each product is stored under the SHA-256 of a key that holds everything its bytes depend on
(its input, the toolchain's ``salt``, the numbers it was laid out with), so a product found is
one a cold build would make again: the cache can make a build faster, never different.  Files
are written atomically; the least recently used go when the folder outgrows its bound.  An
unreadable or damaged entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

CACHE_DIR = ".editions-cache"  # beside the state file, in the output folder
LIMIT_BYTES = 256 << 20


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
        files = []
        folders = [str(self.folder)]
        while folders:
            try:
                with os.scandir(folders.pop()) as entries:
                    for entry in entries:
                        try:
                            if entry.is_dir(follow_symlinks=False):
                                folders.append(entry.path)
                            elif entry.is_file():
                                st = entry.stat()
                                files.append((st.st_mtime_ns, st.st_size, entry.path))
                        except OSError:
                            continue
            except OSError:
                continue
        total = sum(size for _, size, _ in files)
        if total <= self.limit:
            return
        for _, size, path in sorted(files, key=lambda f: (f[0], f[2])):
            if total <= self.limit:
                break
            try:
                os.unlink(path)
                total -= size
            except OSError:
                pass
