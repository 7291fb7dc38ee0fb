"""A long test book, generated: ten chapters of deterministic prose with sections, footnotes,
a table, Cyrillic and a chapter summary, enough for well over thirty pages.

``write_long_book(folder)`` writes the source folder and returns it; the same call always
writes the same bytes (a seeded generator, no clock), so page counts are comparable across runs.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

TITLE = "The Canals of the Northern Plain"
CHAPTERS = [
    "The first surveys", "Money and the companies", "Navvies and their camps",
    "Locks, lifts and inclined planes", "The carrying trade", "Water supply and drought",
    "Competition from the railways", "The canal towns", "Decline and closure",
    "Restoration and memory",
]

PLACES = ["Harrowgate", "Millbeck", "Staithes Cross", "Kirkby Fell", "Ousebridge", "Thornmoor",
          "Aldwick", "Brampton Lees", "Coldharbour", "Wetherfold"]
PEOPLE = ["Josiah Brindle", "Mary Askew", "Thomas Pellow", "the Earl of Wetherfold",
          "Samuel Crake", "Hannah Dearlove", "the company’s clerk", "the resident engineer",
          "a committee of shareholders", "the county surveyor"]
THINGS = ["the summit pound", "the feeder reservoir", "the towpath", "the lock flight",
          "the aqueduct over the Ouse", "the coal wharves", "the toll houses", "the tunnel",
          "the puddled clay lining", "the company’s minute books"]
VERBS = ["reported on", "argued over", "rebuilt", "surveyed", "paid for", "neglected",
         "described", "defended", "doubted", "extended"]
ADVERBS = ["slowly", "at great expense", "against every expectation", "within a decade",
           "in the face of local opposition", "with borrowed money", "more than once",
           "by the spring of 1794", "only in part", "to general surprise"]
LINKS = ["Yet", "Even so,", "In the same years", "By contrast,", "For a while", "Meanwhile",
         "At first", "Later still", "Not surprisingly,", "Above all,"]
REMARKS = [
    "“Nothing”, wrote one shareholder, “has cost us more than water.”",
    "The figures are not easy to reconcile — the clerks rounded freely — but the trend is clear.",
    "Contemporaries called it a ‘navigation’, not a canal, and the word matters.",
    "The letters of the period speak of little else; the minute books are oddly silent.",
    "A Russian visitor of 1823 noted the scene in his diary: «каналы, шлюзы и баржи».",
]


def _sentence(rng: random.Random) -> str:
    link = rng.choice(LINKS)
    subject = rng.choice(PEOPLE)
    subject = subject[0].upper() + subject[1:] if link.endswith(".") else subject
    return (f"{link} {subject} {rng.choice(VERBS)} {rng.choice(THINGS)} at "
            f"{rng.choice(PLACES)} {rng.choice(ADVERBS)}.")


def _paragraph(rng: random.Random, notes: list[str]) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(5, 9))]
    if rng.random() < 0.3:
        sentences.insert(rng.randint(1, len(sentences)), rng.choice(REMARKS))
    if rng.random() < 0.35:
        n = len(notes) + 1
        notes.append(f"[^n{n}]: See the {rng.choice(PLACES)} papers, box {rng.randint(1, 90)}, "
                     f"and *{rng.choice(CHAPTERS)}* in the company’s printed "
                     f"report for {rng.randint(1790, 1890)}.")
        sentences[rng.randrange(len(sentences))] += f"[^n{n}]"
    return " ".join(sentences)


def _chapter(rng: random.Random, number: int) -> str:
    notes: list[str] = []
    blocks = [_paragraph(rng, notes) for _ in range(3)]
    for section in range(3):
        thing = rng.choice(THINGS)
        blocks.append(f"# {thing[0].upper() + thing[1:]}, part {section + 1}")
        blocks += [_paragraph(rng, notes) for _ in range(rng.randint(3, 5))]
        if section == 1:
            blocks.append(f"## Evidence from {rng.choice(PLACES)}")
            blocks += [_paragraph(rng, notes) for _ in range(2)]
    if number == 5:
        rows = "\n".join(f"| {p:<14} | {rng.randint(40, 900):>6} | {rng.randint(1, 60):>5} |"
                         for p in PLACES[:6])
        blocks.append("| Wharf          | Boats  | Tolls |\n|----------------|-------:|------:|\n"
                      + rows + "\n\n: Boats and tolls (in pounds) at the main wharves, 1830")
    return "\n\n".join(blocks + notes) + "\n"


def write_long_book(folder: Path) -> Path:
    rng = random.Random(1761)
    folder.mkdir(parents=True, exist_ok=True)
    contents = ["  - {title: Title page, kind: front, role: titlepage}",
                "  - {title: Contents, kind: front, role: toc}",
                "  - {title: Preface, kind: front, role: preface, file: preface.md}"]
    notes: list[str] = []
    preface = "\n\n".join(_paragraph(rng, notes) for _ in range(4))
    (folder / "preface.md").write_text(preface + "\n\n" + "\n\n".join(notes) + "\n",
                                       encoding="utf-8")
    for number, title in enumerate(CHAPTERS, start=1):
        name = f"chapter-{number:02d}.md"
        (folder / name).write_text(_chapter(rng, number), encoding="utf-8")
        entry = f"  - {{title: \"{title}\", kind: chapter, number: {number}, file: {name}"
        if number == 1:
            (folder / "summary-01.md").write_text(
                "How the first surveyors chose a line across the plain, and why they "
                "disagreed about water from the start.\n", encoding="utf-8")
            entry += ", summary: summary-01.md"
        contents.append(entry + "}")
    (folder / "bibliography.md").write_text(
        "- Askew, Mary. *Letters from the Cut*. Ousebridge, 1802.\n"
        "- Brindle, Josiah. *A Report on the Northern Line*. 1791.\n"
        "- Соколов, Павел. *Каналы Англии*. Москва, 1911.\n", encoding="utf-8")
    contents.append("  - {title: Bibliography, kind: back, role: bibliography, "
                    "file: bibliography.md}")
    yaml = textwrap.dedent(f"""\
        title: {TITLE}
        subtitle: A History, 1760–1960
        creators:
          - name: Eleanor Whitby
            role: aut
        publisher: Towpath Press
        date: 2025
        language: en-GB
        identifiers:
          - scheme: isbn
            value: 978-0-306-40615-7
            edition: print
        rights: © 2025 Towpath Press. Generated text for testing.
        subjects: [Canals, Transport history, Northern England]
        description: A generated history of canals, long enough to test pagination.
        contents:
        """) + "\n".join(contents) + "\n"
    (folder / "book.yaml").write_text(yaml, encoding="utf-8")
    return folder
