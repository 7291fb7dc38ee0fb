"""``editions new DIR``: start a book from a template that builds cleanly at once.

Templates are package data under ``converters/cli/templates/<name>/``: a commented book.yaml
and Markdown with real text (footnotes, a figure, a table).  The figure is drawn here with
Pillow, so the package ships no binary files.  Nothing that exists is ever overwritten: the
book is assembled in a temporary folder beside DIR and renamed into place, which fails if DIR
has appeared or holds anything meanwhile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import shutil
import sys
import tempfile
import uuid
from importlib import resources
from pathlib import Path

from ..core.errors import display_path

TEMPLATES = {"novel": "a novel: dedication, two chapters, afterword",
             "nonfiction": "non-fiction: preface, chapters with notes, sources, bibliography "
                           "(and a BibTeX file)",
             "report": "a technical report: abstract, numbered chapters, appendix"}
SCHEMA_FILE = "book.schema.json"


def add_parser(sub: argparse._SubParsersAction) -> None:
    choices = ", ".join(f"{name} ({what})" for name, what in TEMPLATES.items())
    n = sub.add_parser("new", help="start a new book from a template",
                       description="Create DIR with a book.yaml and Markdown chapters that "
                       f"build at once. Templates: {choices}. Never overwrites anything.")
    n.add_argument("dir", metavar="DIR", help="the folder to create (must not exist, or be empty)")
    n.add_argument("--template", choices=tuple(TEMPLATES), default="novel",
                   help="the starting point (default: novel)")
    n.add_argument("--title", default=None, help="the book's title (default: from DIR's name)")
    n.add_argument("--author", default="Your Name", help="the author's name")
    n.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    dest = Path(args.dir)
    try:
        written = scaffold(dest, args.template, title=args.title, author=args.author)
    except FileExistsError as exc:
        print(f"editions: error: {exc}", file=sys.stderr)
        return 1
    shown = display_path(dest)
    print(f"editions: created {shown} from the {args.template} template "
          f"({len(written)} files)", file=sys.stderr)
    print(f"  preview: editions serve {shown}\n  build:   editions build {shown}",
          file=sys.stderr)
    return 0


def _title_from(dest: Path) -> str:
    words = dest.resolve().name.replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Untitled"


def _yaml_scalar(text: str) -> str:
    """``text`` as one YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def scaffold(dest: Path, template: str, *, title: str | None = None,
             author: str = "Your Name") -> list[Path]:
    """Create the book in ``dest``; return the files written.  Raise FileExistsError if
    ``dest`` holds anything."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise FileExistsError(f"{display_path(dest)} already exists and is not an empty "
                              "folder; 'editions new' never overwrites anything, so choose a "
                              "new folder name")
    today = dt.date.today()
    # Only book.yaml has placeholders; what the user typed goes in as quoted YAML scalars.
    values = {"{{TITLE}}": _yaml_scalar(title or _title_from(dest)),
              "{{AUTHOR}}": _yaml_scalar(author),
              "{{RIGHTS}}": _yaml_scalar(f"© {today.year} {author}. All rights reserved."),
              "{{DATE}}": today.isoformat(), "{{UUID}}": str(uuid.uuid4()),
              "{{DIR}}": display_path(dest).replace("\n", " ")}
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".editions-new-", dir=dest.parent))
    try:
        root = resources.files("converters.cli") / "templates" / template
        _copy(root, tmp, values)
        _figure(template, tmp / "images" / "figure.png")
        schema = schema_text()
        if schema is not None:
            (tmp / SCHEMA_FILE).write_text(schema, encoding="utf-8")
        written = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file())
        try:
            os.rename(tmp, dest)  # replaces only an empty folder; fails if dest filled up
        except OSError as exc:
            raise FileExistsError(f"{display_path(dest)} appeared while the book was being "
                                  "made; nothing was overwritten") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [dest / p for p in written]


def _copy(folder: resources.abc.Traversable, into: Path, values: dict[str, str]) -> None:
    into.mkdir(parents=True, exist_ok=True)
    for item in folder.iterdir():
        if item.name.startswith(("_", ".")):
            continue
        if item.is_dir():
            _copy(item, into / item.name, values)
            continue
        text = item.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        (into / item.name).write_text(text, encoding="utf-8")


def schema_text() -> str | None:
    """book.yaml's JSON Schema (what ``editions schema`` prints), if this version of editions
    has one; the book.yaml's first line points editors at it."""
    try:
        docs = importlib.import_module("converters.source.docs")
    except ImportError:
        return None
    make = getattr(docs, "json_schema_text", None)
    return make() if callable(make) else None


def _figure(template: str, path: Path) -> None:
    """A small, deterministic PNG with a drawing that fits the template's caption."""
    from PIL import Image, ImageDraw, ImageFont

    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (800, 450), "white")
    draw = ImageDraw.Draw(img)
    if template == "novel":
        # A harbour chart: sea, a headland with the light, the reef, the channel.
        draw.rectangle((0, 0, 800, 450), fill="#cfe3ef")
        draw.polygon([(0, 0), (330, 0), (260, 140), (120, 210), (0, 240)], fill="#d9c9a3",
                     outline="#6b5b3a")
        draw.ellipse((235, 105, 265, 135), fill="#f2c230", outline="#333333", width=3)
        for x, y in ((420, 250), (460, 280), (500, 300), (540, 330), (585, 345), (630, 360)):
            draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill="#7a8b8f")
        draw.line([(300, 440), (360, 320), (440, 215), (600, 150), (790, 120)],
                  fill="#1f4e79", width=4)
        font = ImageFont.load_default(size=24)
        for xy, label in (((275, 95), "Light"), ((640, 372), "Reef"), ((640, 95), "Channel")):
            draw.text(xy, label, fill="#222222", font=font)
        return img.save(path, optimize=True)
    font = ImageFont.load_default(size=22)
    values, labels = (([11, 8, 5, 2], ["1840s", "1860s", "1880s", "1900s"]),
                      ([12.1, 6.8, 3.2], ["No cache", "Output cache", "Parsed cache"]),
                      )[template == "report"]
    colours = ("#1f4e79", "#2e75b6", "#9dc3e6", "#bdd7ee")
    draw.line([(60, 400), (760, 400)], fill="#333333", width=2)  # axes; room for labels
    draw.line([(60, 40), (60, 400)], fill="#333333", width=2)
    width = 600 // len(values)
    top = max(values)
    for i, value in enumerate(values):
        x = 90 + i * (width + 20)
        height = int(340 * value / top)
        draw.rectangle((x, 400 - height, x + width - 20, 400), fill=colours[i % len(colours)])
        draw.text((x + (width - 20) / 2, 410), labels[i], fill="#333333", font=font, anchor="mt")
        draw.text((x + (width - 20) / 2, 392 - height), f"{value:g}", fill="#333333", font=font,
                  anchor="mb")
    img.save(path, optimize=True)
