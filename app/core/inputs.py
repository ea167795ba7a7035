"""The base of every request body: unknown fields are refused, and so is Pydantic's lax coercion of JSON types.

Pydantic reads `0` as `false`, `false` as `0` and a number as a Unix time; the contract says booleans are
booleans, numbers numbers and dates RFC 3339 strings, so such input is a 422 naming the field.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

_NUMBERS = (int, float, Decimal)


def _plain(annotation: Any) -> Any:
    """The one type behind Optional[...] and Annotated[...] (None when it is a union of several)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return None
            annotation = args[0]
        else:
            return annotation


Check = Callable[[Any], "str | None"]


def _no_bool(value: Any) -> str | None:
    return "a number, not a boolean" if isinstance(value, bool) else None


def _bool(value: Any) -> str | None:
    return None if value is None or isinstance(value, bool) else "a boolean (true or false)"


def _date(value: Any) -> str | None:
    return None if value is None or isinstance(value, str | date) else "an RFC 3339 date string"


def _check(annotation: Any) -> Check | None:
    """What a field's JSON value must not be, as a function of the value; None for a field with nothing to check."""
    kind = _plain(annotation)
    if kind is None:
        return None
    if typing.get_origin(kind) is list:
        (item,) = typing.get_args(kind) or (Any,)
        each = _check(item)
        if each is None:
            return None

        def items(value: Any) -> str | None:
            return next((w for w in map(each, value) if w), None) if isinstance(value, list) else None

        return items
    if kind is bool:
        return _bool
    if isinstance(kind, type) and issubclass(kind, _NUMBERS):
        return _no_bool
    if kind in (date, datetime):
        return _date
    return None


@functools.cache
def _checks(model: type[BaseModel]) -> tuple[tuple[str, Check], ...]:
    """A model's fields that have a check, by their JSON key: worked out once per model, not per value (read
    models nest Input models too, so every plan of a list page passes through here)."""
    found = ((field.alias or name, _check(field.annotation)) for name, field in model.model_fields.items())
    return tuple((key, check) for key, check in found if check is not None)


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, check in _checks(cls):
                if key in data and data[key] is not None and (problem := check(data[key])):
                    raise ValueError(f"{key} must be {problem}")
        return data
