"""The DOCX edition's pandoc runs, one per part of the book, cached per part.

pandoc's memory grows with its input (about 1.7 GB for a 600,000-word book in one run, against
a fixed ~95 MB of its own code, shared between runs, plus ~30-70 MB of heap for a part), so the
book goes to pandoc in parts: an entry, or a run of consecutive entries whose HTML together
stays under ``PART_CHARS`` (a title page, a dedication and a contents list cost one run, not
three).  Up to ``options.jobs`` runs at a time, in threads: pandoc is a child process.

Each part's DOCX is kept in the build cache (core/cache.py) under a key of its exact pandoc
input, the reference document's contents and the arguments; the cache's salt holds pandoc's
version.  After a one-word edit only the part holding that entry goes through pandoc again.
A book of one part is not cached: any change converts it whole again.

pandoc's warnings for a part are kept with it and logged again, in the book's order, whether
the part was converted now or found in the cache: a cached build warns as a cold one does.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.cache import Cache, digest
from ..render.pandoc import Message, replay, run
from .inline import inline_images

if TYPE_CHECKING:
    from ..core.options import BuildOptions
    from ..render.book import RenderedBook

PART_CHARS = 50_000  # measured: pandoc's heap ~30 MB here, ~40 at 100,000, ~75 at 200,000
KIND = "docx-part"


@dataclass(frozen=True)
class Part:
    numbers: tuple[int, ...]  # the entries it holds, by index in rendered.entries
    html: str  # its exact pandoc input


def plan(htmls: list[str], limit: int | None = None) -> list[tuple[int, ...]]:
    """Consecutive entries grouped while their HTML stays under ``limit`` characters."""
    limit = PART_CHARS if limit is None else limit
    groups: list[list[int]] = []
    size = limit
    for number, html in enumerate(htmls):
        if size + len(html) > limit:
            groups.append([])
            size = 0
        groups[-1].append(number)
        size += len(html)
    return [tuple(g) for g in groups]


def make_parts(rendered: RenderedBook, htmls: list[str],
               limit: int | None = None) -> list[Part]:
    lang = rendered.book.language
    return [Part(numbers, inline_images(
        f'<html lang="{lang}"><body>{"".join(htmls[n] for n in numbers)}</body></html>',
        rendered.images)) for numbers in plan(htmls, limit) or [()]]  # [()]: no entries


def reference_digest(reference: bytes) -> str:
    """The reference document by its contents: its zip's timestamps change on every build."""
    with zipfile.ZipFile(io.BytesIO(reference)) as z:
        return digest(sorted((i.filename, hashlib.sha256(z.read(i)).hexdigest())
                             for i in z.infolist()))


def convert(parts: list[Part], args: list[str], key_args: object, workdir: Path,
            options: BuildOptions) -> list[bytes]:
    """Each part's DOCX, from the cache or from pandoc; ``key_args`` stands for ``args`` in
    cache keys (``args`` name files in ``workdir``, whose path changes from build to build)."""
    # A book of one part is converted whole again after any change: no cache folder for it.
    cache = (Cache(Path(options.cache_dir), options.cache_salt)
             if options.cache_dir and len(parts) > 1 else None)
    keys = [digest([hashlib.sha256(p.html.encode()).hexdigest(), key_args]) for p in parts]
    found: list[tuple[bytes, list] | None] = [None] * len(parts)
    if cache is not None:
        for i, key in enumerate(keys):
            data, log = cache.get(KIND, key), cache.get_json(KIND + "-log", key)
            if data is not None and isinstance(log, list):
                found[i] = (data, log)

    def one(i: int) -> tuple[bytes, list]:
        out = workdir / f"part-{i:04d}.docx"
        log: list[Message] = []  # held back, to be said in the book's order
        run(parts[i].html, "docx", "html", args, output=out, messages=log)
        data = out.read_bytes()
        out.unlink()
        if cache is not None:
            cache.put(KIND, keys[i], data)
            cache.put_json(KIND + "-log", keys[i], log)
        return data, log

    todo = [i for i, f in enumerate(found) if f is None]
    with ThreadPoolExecutor(max_workers=max(1, min(options.jobs, len(todo) or 1))) as pool:
        for i, result in zip(todo, pool.map(one, todo), strict=True):
            found[i] = result
    out: list[bytes] = []
    for done in found:
        assert done is not None
        replay(done[1])
        out.append(done[0])
    return out
