"""A list page of plain data written as JSON by its response model's schema, without building the models.

The lists clients poll most (app/core/records.py) hand their items over as dicts. FastAPI would validate the
whole page into response models (fifty items, their phases and goals: over a thousand objects for the
enrolment list) only to serialise them again at once; that round trip was a quarter of such a request's CPU.

Here the page's schema is the response model's own (`Page[Schema]`), with every model in it read as a typed
dict: the same fields, aliases, types and serialisers, in a pydantic-core serializer that takes dicts. A value
whose type does not match its field (a string where a UUID belongs, say) is an error, as a failed response
validation is; fields the schema does not declare are left out. What this does not do is fill in a default
for a missing key: every dict handed over must carry all of its model's fields. A row's columns are all there;
a stored JSON document may hold only what its writer gave, in JSON's types, so `data_of` passes each document
through `read_documents`, which validates it as plain data by the same schema.

Settings.check_list_pages (on in the tests) validates every such page against the response model as well
and fails on any difference.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from pydantic import BaseModel, TypeAdapter, create_model
from pydantic_core import SchemaSerializer, SchemaValidator

from app.core.pagination import Page
from app.core.records import DOCUMENTS

# Wrappers around a model's fields that work on a dict as on the model's input: they serialise as the fields do.
# (A validator after the model gets the model itself, and would get a dict here: such a model is refused.)
_VALIDATION_ONLY = frozenset({"function-before"})
_NEEDS_THE_MODEL = frozenset({"function-after", "function-wrap", "function-plain"})
# The keys a model's field and a typed dict's field share.
_FIELD_KEYS = ("schema", "serialization_alias", "serialization_exclude", "serialization_exclude_if", "metadata")


def _typed_dict(model: dict[str, Any]) -> dict[str, Any]:
    """A `model` schema as the same schema with a typed dict in place of the model's fields."""
    wrappers: list[dict[str, Any]] = []
    inner = model["schema"]
    while inner["type"] != "model-fields":
        if inner["type"] not in _VALIDATION_ONLY or "serialization" in inner:
            raise TypeError(f"{model['cls'].__name__}: a {inner['type']} schema cannot be serialised from a dict")
        wrappers.append(inner)
        inner = inner["schema"]
    if inner.get("computed_fields") or "serialization" in model:
        raise TypeError(f"{model['cls'].__name__}: computed fields and model serialisers need the model")
    fields = {
        name: {"type": "typed-dict-field", **{k: _as_dicts(f[k]) for k in _FIELD_KEYS if k in f}}
        for name, f in inner["fields"].items()
    }
    out: dict[str, Any] = {"type": "typed-dict", "fields": fields}
    if "config" in model:
        out["config"] = model["config"]
    for wrapper in reversed(wrappers):
        out = {**wrapper, "schema": out}
    if "ref" in model:
        out["ref"] = model["ref"]
    return out


def _as_dicts(schema: Any) -> Any:
    if isinstance(schema, dict):
        if schema.get("type") == "model":
            return _typed_dict(schema)
        inner = schema.get("schema")
        if isinstance(inner, dict) and inner.get("type") == "model" and schema["type"] in _NEEDS_THE_MODEL:
            raise TypeError(f"{inner['cls'].__name__}: a {schema['type']} validator needs the model")
        return {k: _as_dicts(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_as_dicts(v) for v in schema]
    return schema


@functools.cache
def _page_adapter(schema: type[BaseModel]) -> TypeAdapter[Any]:
    return TypeAdapter(Page[schema])  # type: ignore[valid-type]


@functools.cache
def page_serializer(schema: type[BaseModel]) -> SchemaSerializer:
    """The serializer of `Page[schema]` for pages of dicts (built once per schema)."""
    return SchemaSerializer(_as_dicts(_page_adapter(schema).core_schema))


@functools.cache
def item_serializer(schema: type[BaseModel]) -> SchemaSerializer:
    """The serializer of one item of `Page[schema]` from its dict: the JSON it writes is the item's in the page."""
    return SchemaSerializer(_as_dicts(TypeAdapter(schema).core_schema))


def page_json(schema: type[BaseModel], page: dict[str, Any], *, check: bool = False) -> bytes:
    """`page` ({"items": [dict, ...], "next_cursor": ...}) as the JSON of `Page[schema]`.

    `check`: validate the page into the response models as well and fail unless both give the same JSON.
    """
    body = page_serializer(schema).to_json(page, by_alias=True, warnings="error")
    if check:
        adapter = _page_adapter(schema)
        expected = adapter.dump_json(adapter.validate_python(page), by_alias=True)
        if json.loads(body) != json.loads(expected):
            raise AssertionError(f"Page[{schema.__name__}] from dicts differs from its response models")
    return body


@functools.cache
def _documents_validator(schema: type[BaseModel], names: tuple[str, ...]) -> SchemaValidator:
    """The fields `names` of `schema` as a typed dict: validating a whole row's dict takes them and leaves the rest."""
    fields: Any = {name: (schema.model_fields[name].rebuild_annotation(), ...) for name in names}
    documents = create_model(f"{schema.__name__}Documents", **fields)
    return SchemaValidator(_as_dicts(TypeAdapter(documents).core_schema))


def read_documents(schema: type[BaseModel], data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """`data` with its stored JSON documents `names` validated as plain data by the fields of `schema`.

    A document holds what its writer gave, in JSON's types: a plan's `swot` is `{}` until one is written, a
    goal's deadline a string. Validated into dicts, the documents get their defaults and their types (a date,
    a UUID), as they would in the response model, without the models being built. A list's record holds a
    row's documents as the text of one JSON object (`records.DOCUMENTS`), validated in one pass from the text;
    an ORM object's, already decoded, in one call.
    """
    validator = _documents_validator(schema, names)
    text = data.pop(DOCUMENTS, None)
    data.update(validator.validate_python(data) if text is None else validator.validate_json(text))
    return data
