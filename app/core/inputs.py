"""The base of every request body: unknown fields are refused, and so is Pydantic's lax coercion of JSON types.

Pydantic reads `0` as `false`, `false` as `0` and a number as a Unix time; the contract says booleans are
booleans, numbers numbers and dates RFC 3339 strings, so such input is a 422 naming the field.
"""

from __future__ import annotations

import types
import typing
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


def _wrong(annotation: Any, value: Any) -> str | None:
    kind = _plain(annotation)
    if value is None or kind is None:
        return None
    if typing.get_origin(kind) is list and isinstance(value, list):
        (item,) = typing.get_args(kind) or (Any,)
        return next((w for w in (_wrong(item, v) for v in value) if w), None)
    if kind is bool and not isinstance(value, bool):
        return "a boolean (true or false)"
    if isinstance(kind, type) and issubclass(kind, _NUMBERS) and kind is not bool and isinstance(value, bool):
        return "a number, not a boolean"
    if kind in (date, datetime) and not isinstance(value, str | date):
        return "an RFC 3339 date string"
    return None


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                key = field.alias or name
                if key in data and (problem := _wrong(field.annotation, data[key])):
                    raise ValueError(f"{key} must be {problem}")
        return data
