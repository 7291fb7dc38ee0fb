"""Every limit the toolkit enforces on a source, declared once.

Each is checked before the work it protects (sizes by ``stat`` before any read, nesting while
walking, geometry before layout) and reported as a located problem with the code given here.
The README's "Limits" table lists the same names, values and codes.
"""

from __future__ import annotations

# (limit, error code): sizes, checked with stat() before a byte is read.
MAX_YAML_BYTES = 1 << 20  # book.yaml                                          [too-large]
MAX_MARKDOWN_BYTES = 1 << 20  # one Markdown file: about a 500-page book       [too-large]
MAX_IMAGE_BYTES = 50 << 20  # one image file                                   [too-large]
MAX_REFERENCE_BYTES = 20 << 20  # the DOCX reference document                  [too-large]

# Nesting, counted in a loop (never by recursion, which is what these protect).
MAX_YAML_DEPTH = 32  # lists and mappings inside each other in book.yaml      [too-deep]
MAX_MARKDOWN_DEPTH = 32  # block quotes and list levels inside each other    [too-deep]
# Unclosed '[' within one paragraph: pandoc's inline parser backtracks over each one, so its
# time doubles per level (16: 0.8 s, 20: 12 s, 24: minutes).                 [too-deep]
MAX_BRACKET_DEPTH = 12
# '<', '&' and '`' in one paragraph: pandoc tries an autolink, raw HTML, an entity or a code
# span at each and scans ahead, so its time grows with their number times the paragraph's
# length (4,000 '<' in a line: 10 s; 8,000: over 30 s).                     [too-many]
MAX_OPENERS_PER_PARAGRAPH = 500

# Numbers and text.
MAX_NUMBER_DIGITS = 6  # a chapter number                                     [too-large]
MAX_NAME_CHARS = 80  # the edition's file name stem; a longer one is cut and given a hash

# Page geometry, in millimetres.  Word's page size is at most 22 in (558.8 mm).   [geometry]
MIN_TRIM_MM = 50.0
MAX_TRIM_MM = 558.0
MAX_BLEED_MM = 25.0
MIN_TEXT_MM = 20.0  # the text block left between the margins, each way

# pandoc, per run: a wall-clock ceiling and an address-space ceiling in the child.  1 MiB of
# Markdown needs about 1.7 GiB (bench/large_markdown.py).                    [pandoc-limit]
PANDOC_TIMEOUT_S = 120.0
PANDOC_MAX_MEMORY = 4 << 30
