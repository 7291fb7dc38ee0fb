"""The building blocks of the book.yaml schema (schema.py, style_schema.py): a mapping that
refuses unknown keys, the two written forms of one value, and the plainest field types."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Tag,
    WithJsonSchema,
    model_validator,
)

from . import checks
from .checks import problem


class Missing:
    """Field metadata: the message when a required key is absent (``{what}``, ``{key}``)."""

    def __init__(self, message: str) -> None:
        self.message = message


def chain(*steps: Any) -> BeforeValidator:
    def run(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return BeforeValidator(run)


def either(name: Any, mapping: type[BaseModel]) -> Any:
    """A list item written as a bare name or as a mapping: told apart by its YAML shape."""

    def form(value: Any) -> str:
        return "~map" if isinstance(value, (dict, list, BaseModel)) else "~text"

    return Annotated[Annotated[name, Tag("~text")] | Annotated[mapping, Tag("~map")],
                     Discriminator(form)]


def json_schema(**schema: Any) -> WithJsonSchema:
    return WithJsonSchema(schema)


class Spec(BaseModel):
    """A mapping in book.yaml: unknown keys are refused, and so is anything but a mapping."""

    model_config = ConfigDict(extra="forbid", validate_default=False)
    NAME: ClassVar[str]  # how messages name it: "unknown key 'x' in a creator"
    # In a list with problems, keep each item's valid fields rather than only whole valid items
    FIELD_BY_FIELD: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, data: Any) -> Any:
        if not isinstance(data, (dict, BaseModel)):  # a model: a default being validated
            raise cls._not_a_mapping(data)
        return data

    @classmethod
    def _not_a_mapping(cls, data: Any) -> Exception:
        return problem("type", f"{cls.NAME} must be a mapping of 'key: value' lines")


Text = Annotated[str, BeforeValidator(checks.text)]
Flag = Annotated[bool, BeforeValidator(checks.flag)]
