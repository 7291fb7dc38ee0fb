"""Stage 1: source files -> validated model.  One test per class of mistake."""

from __future__ import annotations

import pytest

from converters import SourceError, load_book
from tests.conftest import MINIMAL_YAML, SAMPLE_LABELS


def problems_of(src):
    with pytest.raises(SourceError) as info:
        load_book(src)
    return info.value.problems


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no '{code}' problem in: {[str(p) for p in problems]}"
    return found


def test_sample_book_model(sample_book):
    b = sample_book
    assert b.title == "The Precarious Truce"
    assert b.subtitle == "Anglo-Soviet Relations 1924–27"
    assert [c.name for c in b.creators] == ["Gabriel Gorodetsky"]
    assert b.publisher == "Cambridge University Press"
    assert b.date == "1977" and b.language == "en-GB"
    assert b.identifiers and b.rights and b.subjects and b.description
    assert [e.label for e in b.entries] == SAMPLE_LABELS
    kinds = [e.kind for e in b.entries]
    assert kinds == ["front"] * 4 + ["chapter"] * 8 + ["back"] * 2
    assert [e.number for e in b.entries if e.number] == [1, 2, 3, 4, 5, 6]
    conclusions = b.entries[11]
    assert (conclusions.pages.first, conclusions.pages.last) == ("257", "266")


def test_sample_summary_is_the_seed_word_for_word(sample_book):
    from tests.conftest import SEED

    seed = SEED.read_text(encoding="utf-8").splitlines()
    start = seed.index("Summary") + 1
    paragraphs = []
    for line in seed[start:]:
        if line.startswith("- "):
            break
        paragraphs.append(line)
    summary = sample_book.entries[11].summary_text
    assert [p.strip() for p in summary.strip().split("\n\n")] == paragraphs
    assert "‘There are notoriously no precedents’" in summary
    assert "a regime – one can hardly say a country – like" in summary


def test_missing_required_fields(write_source):
    src = write_source({"book.yaml": """
        subtitle: No title here
        contents:
          - kind: chapter
        """})
    problems = problems_of(src)
    messages = "\n".join(str(p) for p in problems)
    for field in ("title", "creators", "date", "language", "identifiers"):
        assert f"'{field}'" in messages, field
    missing_title = [p for p in problems if "has no 'title'" in p.message]
    assert {p.location.line for p in missing_title} == {1, 3}  # the book, and the entry


def test_wrong_types(write_source):
    src = write_source({"book.yaml": MINIMAL_YAML.replace("creators: [Ann Author]",
                                                          "creators: Ann Author")
                        .replace("number: 1", "number: one"), "one.md": "x"})
    problems = only(problems_of(src), "type")
    assert {(p.location.line, p.location.col) for p in problems} == {(2, 11), (11, 13)}
    assert any("must be a list" in p.message for p in problems)
    assert any("must be a whole number" in p.message for p in problems)


def test_unknown_key_suggests_the_right_one(write_source):
    src = write_source({"book.yaml": MINIMAL_YAML.replace("date: 2020", "date: 2020\npublsher: X")
                        .replace("    file: one.md", "    flie: one.md"), "one.md": "x"})
    problems = only(problems_of(src), "unknown-key")
    by_line = {p.location.line: p.message for p in problems}
    assert "did you mean 'publisher'?" in by_line[4]
    assert "did you mean 'file'?" in by_line[13]


def test_duplicate_contents_entry_like_the_seed_page(write_source):
    yaml = MINIMAL_YAML + "  - title: One\n    kind: chapter\n    number: 1\n"
    problems = only(problems_of(write_source({"book.yaml": yaml, "one.md": "x"})),
                    "duplicate-entry")
    assert len(problems) == 1
    assert problems[0].location.line == 13
    assert "listed twice (first at line 9)" in problems[0].message


def test_missing_markdown_file(write_source):
    problems = only(problems_of(write_source({"book.yaml": MINIMAL_YAML})), "missing-file")
    assert (problems[0].location.line, problems[0].location.col) == (12, 11)
    assert "'one.md' does not exist" in problems[0].message


def test_invalid_language_tag(write_source):
    src = write_source({"book.yaml": MINIMAL_YAML.replace("language: en", "language: english-UK"),
                        "one.md": "x"})
    problem = only(problems_of(src), "language")[0]
    assert problem.location.line == 4
    assert "not a valid BCP 47 language tag" in problem.message


def test_isbn_with_wrong_checksum(write_source):
    yaml = MINIMAL_YAML.replace("scheme: uuid\n    value: 4f3c2b1a-0000-4000-8000-000000000001",
                                "scheme: isbn\n    value: 978-0-521-21377-1")
    problem = only(problems_of(write_source({"book.yaml": yaml, "one.md": "x"})), "isbn")[0]
    assert problem.location.line == 7
    assert "not a valid ISBN" in problem.message and "checksum" in problem.message


def test_valid_isbn_is_accepted_and_normalised(write_source):
    yaml = MINIMAL_YAML.replace("scheme: uuid\n    value: 4f3c2b1a-0000-4000-8000-000000000001",
                                "scheme: isbn\n    value: 978-0-521-21377-6")
    book = load_book(write_source({"book.yaml": yaml, "one.md": "x"}))
    assert book.identifiers[0].value == "9780521213776"


@pytest.mark.parametrize("value", ["19777", "1977-13", "1977-02-30", "nineteen"])
def test_malformed_or_impossible_date(write_source, value):
    src = write_source({"book.yaml": MINIMAL_YAML.replace("date: 2020", f"date: {value}"),
                        "one.md": "x"})
    problem = only(problems_of(src), "date")[0]
    assert problem.location.line == 3 and problem.location.col == 7


def test_every_problem_is_reported_in_one_pass(write_source):
    yaml = (MINIMAL_YAML.replace("language: en", "language: xx-!!")
            .replace("date: 2020", "date: 2020-99").replace("title: One", "titel: One"))
    problems = problems_of(write_source({"book.yaml": yaml}))
    codes = {p.code for p in problems}
    assert {"language", "date", "unknown-key", "missing"} <= codes
    language = only(problems, "language")[0]
    assert str(language).endswith("book.yaml:4:11: error: 'xx-!!' is not a valid BCP 47 language "
                                  "tag; use e.g. 'en-GB' or 'fr' [language]")


def test_yaml_syntax_error_is_located(write_source):
    src = write_source({"book.yaml": "title: 'unclosed\ncreators: [x]\n"})
    problem = only(problems_of(src), "yaml-syntax")[0]
    # at the quote that opens, not at the end of the file where the scanner gave up
    assert (problem.location.line, problem.location.col) == (1, 8)
    assert "YAML syntax error" in problem.message and "never closed" in problem.message


def test_yaml_alias_is_refused(write_source):
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ntitle: *c\n'
    problems = only(problems_of(write_source({"book.yaml": bomb})), "yaml-alias")
    assert problems[0].location.line == 2


def test_chapter_number_with_a_leading_zero_is_decimal(write_source):
    # 'number: 010' once crashed with a traceback: YAML 1.1 reads it as an octal int.
    src = write_source({"book.yaml": MINIMAL_YAML.replace("number: 1", "number: 010"),
                        "one.md": "x"})
    assert load_book(src).entries[0].number == 10


@pytest.mark.parametrize("value", ["0x10", "1_000", "-1", "3.5", "0o7"])
def test_chapter_number_must_be_plain_digits(write_source, value):
    src = write_source({"book.yaml": MINIMAL_YAML.replace("number: 1", f"number: {value}"),
                        "one.md": "x"})
    problem = only(problems_of(src), "type")[0]
    assert (problem.location.line, problem.location.col) == (11, 13)
    assert "written in digits" in problem.message
