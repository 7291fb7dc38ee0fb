"""book.yaml's located nodes checked against the schema, every problem at its line and column.

pydantic validates the plain values in one pass and reports every error with a path
(``('contents', 3, 'kind')``); the same path through the located YAML nodes gives the place
the author wrote it.  When anything is wrong, the fields that are valid on their own are
still returned, so that the rest of the book (its Markdown) can be checked in the same run.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core.core_schema import ErrorType

from ..core.errors import Location
from .checks import Scalar
from .schema import BookSpec
from .spec import Missing, Spec
from .yamlnodes import YNode

LocatedProblem = tuple[Location, str, str]  # where, code, message


def plain(node: YNode) -> Any:
    """The node as dicts, lists, None and text (``Scalar``, keeping the YAML tag)."""
    if node.kind == "mapping":
        return {key: plain(ykey.node) for key, ykey in node.value.items()}  # type: ignore[union-attr]
    if node.kind == "list":
        return [plain(item) for item in node.value]  # type: ignore[union-attr]
    return None if node.value is None else Scalar(str(node.value), node.tag)


def validate(root: YNode, context: dict[str, Any]) -> tuple[dict | None, list[LocatedProblem]]:
    """(the book's valid fields by Python name, or None if book.yaml is not a mapping; problems)."""
    data = plain(root)
    try:
        spec = BookSpec.model_validate(data, context=context)
    except ValidationError as exc:
        problems = [_located(error, root, data) for error in exc.errors(include_url=False)]
        return lenient(BookSpec, data, context), problems
    return dump(spec), []


def dump(value: Any) -> Any:
    """Models as dicts by field name (not model_dump: it warns on the None defaults)."""
    if isinstance(value, BaseModel):
        return {name: dump(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list):
        return [dump(item) for item in value]
    return value


def lenient(spec: type[Spec], data: Any, context: dict[str, Any]) -> dict | None:
    """The fields of ``data`` that are valid on their own; lists keep their valid items, or for
    a ``FIELD_BY_FIELD`` model the valid fields of every item (None for one not a mapping)."""
    if not isinstance(data, dict):
        return None
    draft = spec.model_construct()
    out: dict[str, Any] = {}
    for name, field in spec.model_fields.items():
        key = field.alias or name
        if key not in data:
            continue
        try:
            spec.__pydantic_validator__.validate_assignment(draft, name, data[key],
                                                            context=context)
        except ValidationError:
            if isinstance(data[key], list) and typing.get_origin(field.annotation) is list:
                out[name] = list(_valid_items(field.annotation, data[key], context))
            continue
        out[name] = dump(getattr(draft, name))
    return out


def _valid_items(annotation: Any, items: list, context: dict[str, Any]) -> Iterator[Any]:
    (item_type,) = typing.get_args(annotation)
    if isinstance(item_type, type) and issubclass(item_type, Spec) and item_type.FIELD_BY_FIELD:
        yield from (lenient(item_type, item, context) for item in items)
        return
    adapter = TypeAdapter(item_type)
    for item in items:
        try:
            yield dump(adapter.validate_python(item, context=context))
        except ValidationError:
            continue


def _specs_in(annotation: Any) -> Iterator[type[Spec]]:
    if isinstance(annotation, type) and issubclass(annotation, Spec):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) or typing.get_args(arg):
            yield from _specs_in(arg)


def _located(error: Any, root: YNode, data: Any) -> LocatedProblem:
    loc = error["loc"]
    owner: type[Spec] = BookSpec  # the model holding the last key
    spec: type[Spec] | None = BookSpec
    node, parent, parent_data, value = root, root, None, data
    key, key_location = "", root.location
    for part in loc:
        if isinstance(part, int):
            if node.kind == "list" and part < len(node.value):  # type: ignore[arg-type]
                node = node.value[part]  # type: ignore[index]
                value = value[part]
            continue
        if part.startswith("~"):  # which form of a union: not a key
            continue
        owner, key, parent, parent_data = spec or owner, part, node, value
        field = _field(owner, part)
        spec = next(_specs_in(field.annotation), None) if field else None
        if node.kind == "mapping" and part in node.value:  # type: ignore[operator]
            ykey = node.value[part]  # type: ignore[index]
            node, key_location, value = ykey.node, ykey.key_location, value[part]
    kind, message = error["type"], error["msg"]
    if kind == "missing" and message == "Field required":
        field = _field(owner, key)
        hint = next((m for m in (field.metadata if field else ()) if isinstance(m, Missing)),
                    None)
        template = hint.message if hint else "{what} has no '{key}'; add '{key}: …'"
        title = parent_data.get("title") if isinstance(parent_data, dict) else None
        title = str(title).strip() or None if isinstance(title, str) else None
        return parent.location, "missing", template.format(what=owner.NAME, key=key,
                                                           title=title)
    if kind == "extra_forbidden":
        allowed = [f.alias or n for n, f in owner.model_fields.items()]
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}"
        return key_location, "unknown-key", f"unknown key '{key}' in {owner.NAME}; {hint}"
    if kind == "list_type":
        return node.location, "type", f"'{key}' must be a list of '- ' items"
    if kind == "too_short":
        return node.location, "empty", f"'{key}' is empty; list at least one item"
    if kind in _PYDANTIC and kind != "missing":
        # pydantic's own wording for a case the schema's checks do not cover
        return node.location, "type", f"'{key}': {message}"
    return node.location, kind, message.replace("{key}", key)


def _field(spec: type[Spec], key: str) -> Any:
    return next((f for n, f in spec.model_fields.items() if (f.alias or n) == key), None)


# pydantic's own error types; the others are the codes checks.py raises.  One of ours is also
# called "missing" (a subject's code without its scheme); pydantic's says "Field required".
_PYDANTIC = set(typing.get_args(ErrorType))
