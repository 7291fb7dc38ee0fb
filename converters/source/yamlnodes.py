"""Safe YAML reading that keeps every value's location and refuses aliases.

PyYAML's composer gives nodes with marks; building our own plain tree from them (instead of
``yaml.safe_load``) lets each validation message point at a line and column, lets duplicate
keys be reported instead of silently overwritten, and lets aliases be refused before anything
is expanded, so an alias bomb costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from ..core.errors import Location, ProblemCollector
from ..core.limits import MAX_YAML_BYTES, MAX_YAML_DEPTH
from ..core.text import line_col

__all__ = ["MAX_YAML_BYTES", "XML_INVALID", "YNode", "read_yaml"]
# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF): YAML's
# double-quoted escapes can produce them, and one in a title would make the OPF unreadable.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _AliasFound(Exception):
    """Stops composing at the first alias: an alias bomb is refused before it costs anything."""


class _TooDeep(_AliasFound):
    """Stops composing at MAX_YAML_DEPTH, before the recursive composer meets Python's limit."""


@dataclass
class YNode:
    """A YAML value with the place it was written."""

    value: object  # str | None | bool | int | float | list[YNode] | dict[str, YKey]
    tag: str
    location: Location

    @property
    def kind(self) -> str:
        if isinstance(self.value, dict):
            return "mapping"
        if isinstance(self.value, list):
            return "list"
        return "scalar"


@dataclass
class YKey:
    key_location: Location
    node: YNode


class _Refusing:
    """A composer that records aliases as problems instead of following them."""

    _path: Path
    _problems: ProblemCollector
    _depth: int

    def _start(self, path: Path, problems: ProblemCollector) -> None:
        self._path = path
        self._problems = problems
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(AliasEvent):
            event = self.get_event()
            self._problems.add(
                _loc(self._path, event.start_mark), "yaml-alias",
                f"YAML aliases are not allowed ('*{event.anchor}'); write the value out in full",
            )
            raise _AliasFound
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                self._problems.add(_loc(self._path, mark), "too-deep",
                                   f"lists and mappings are nested more than {MAX_YAML_DEPTH} "
                                   "deep here; flatten the structure")
                raise _TooDeep
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class _Loader(_Refusing, yaml.SafeLoader):
    """PyYAML's own Python parser: its errors are the ones reported."""

    def __init__(self, stream: str, path: Path, problems: ProblemCollector) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start(path, problems)


try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None


if CParser is not None:
    class _FastLoader(_Refusing, Composer, CParser, Resolver):  # type: ignore[misc,valid-type]
        """libyaml's parser under the same composer: a sixth of the time on a 360-entry
        book.yaml.  Only ever used for a file it reads without a complaint; anything it finds
        wrong is read again by :class:`_Loader`, whose messages are the ones reported."""

        def __init__(self, stream: str, path: Path) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)
            self._start(path, ProblemCollector())


def _fast_compose(path: Path, text: str) -> Node | None:
    """The root node as libyaml reads it, or None: not installed, or anything unusual (a
    character PyYAML's reader refuses, an alias, a syntax error) left to PyYAML.

    A tab too: libyaml takes one after a value or inside a plain scalar, where PyYAML refuses
    it, and a book read by both must be refused or taken alike.  So too a '?' where there may
    be a flow collection: libyaml takes '{title: Why Not?}', PyYAML refuses it."""
    if CParser is None or "\t" in text or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    if "?" in text and ("[" in text or "{" in text):
        return None
    loader = _FastLoader(text, path)
    try:
        return loader.get_single_node()
    except Exception:  # the Python parser reports whatever it is
        return None
    finally:
        loader.dispose()


def _loc(path: Path, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(path, 1, 1)
    return Location(path, mark.line + 1, mark.column + 1)


def read_yaml(path: Path, text: str, problems: ProblemCollector) -> YNode | None:
    """Parse ``text`` (the contents of ``path``) into located nodes; None if it is not YAML."""
    from .limits import yaml_flow_depth

    if too_deep := yaml_flow_depth(path, text):  # before PyYAML's scanner, quadratic in it
        problems.problems.append(too_deep)
        return None
    fast = _fast_compose(path, text)
    if fast is not None:
        return _convert(fast, path, problems)
    try:
        # The reader checks the whole stream for unprintable characters when it is created.
        loader = _Loader(text, path, problems)
    except yaml.reader.ReaderError as exc:
        problems.add(Location(path, *line_col(text, exc.position)), "control-char",
                     f"the character U+{exc.character:04X} is not allowed in YAML; remove it")
        return None
    try:
        root = loader.get_single_node()
    except _AliasFound:
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        # PyYAML names a tab as the escape "'\t'", never as the character itself.
        if "'\\t'" in what or "tab" in what:
            hint = "indent with spaces, never tabs"
        elif "end of stream" in what and exc.context_mark is not None and exc.context:
            # An unclosed quote or bracket: the end of the file is no help, its start is.
            mark = exc.context_mark
            what = f"{exc.context.removeprefix('while scanning ')} that starts here is never closed"
            hint = "add the closing quote or bracket"
        else:
            hint = "check the indentation and quoting on this line or the one above"
        problems.add(_loc(path, mark), "yaml-syntax", f"YAML syntax error: {what}; {hint}")
        return None
    except yaml.YAMLError as exc:
        problems.add(Location(path), "yaml-syntax", f"YAML syntax error: {exc}")
        return None
    finally:
        loader.dispose()
    if root is None:
        return None
    return _convert(root, path, problems)


def _convert(node: Node, path: Path, problems: ProblemCollector) -> YNode:
    location = _loc(path, node.start_mark)
    if isinstance(node, MappingNode):
        out: dict[str, YKey] = {}
        for key_node, value_node in node.value:
            key_loc = _loc(path, key_node.start_mark)
            if not isinstance(key_node, ScalarNode):
                problems.add(key_loc, "yaml-key",
                             "a key must be a plain word, not a list or mapping")
                continue
            key = str(key_node.value)
            if key in out:
                first = out[key].key_location
                problems.add(key_loc, "duplicate-key",
                             f"key '{key}' appears twice (first at line {first.line}); keep one")
                continue
            out[key] = YKey(key_loc, _convert(value_node, path, problems))
        return YNode(out, node.tag, location)
    if isinstance(node, SequenceNode):
        return YNode([_convert(item, path, problems) for item in node.value], node.tag, location)
    bad = XML_INVALID.search(node.value)
    if bad:
        problems.add(location, "control-char",
                     f"this value holds the control character U+{ord(bad.group()):04X}, which "
                     "no edition can carry; remove the escape")
        # Checking continues on the value without them, so it is not reported as empty too.
        return YNode(XML_INVALID.sub("", node.value), node.tag, location)
    return YNode(_scalar(node), node.tag, location)


def _scalar(node: ScalarNode) -> object:
    """The scalar's text, or None for null; typing is left to the schema, which knows the field."""
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return node.value
