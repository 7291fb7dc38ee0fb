"""Typographic counts of a PDF (converters/check/typography.py), as a table or JSON.

Usage: python bench/typography.py FILE.pdf [FILE.pdf ...] [--json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converters.check.typography import count


def main() -> int:
    paths = [Path(a) for a in sys.argv[1:] if not a.startswith("--")]
    results = {str(p): count(p) for p in paths}
    if "--json" in sys.argv:
        print(json.dumps({k: v.summary() for k, v in results.items()}, indent=2))
        return 0
    for path, counts in results.items():
        print(path)
        for key, value in counts.summary().items():
            print(f"  {key:20} {value}")
        for key, examples in counts.examples.items():
            print(f"  e.g. {key}: {'; '.join(examples[:5])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
