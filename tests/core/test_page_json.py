"""A page of dicts written by its response model's schema (app/core/page_json.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from pydantic import BaseModel, Field, computed_field, model_validator
from pydantic_core import PydanticSerializationError

from app.core.inputs import Input
from app.core.page_json import page_json, read_documents
from app.core.pagination import Page


class Note(Input):  # a stored document: a model that validates before its fields (app/core/inputs.py)
    text: str = ""
    due: date | None = None
    tags: list[str] = Field(default_factory=list)


class Item(BaseModel):
    id: uuid.UUID
    at: datetime
    name: str = Field(serialization_alias="title")
    notes: list[Note]
    main: Note | None = None


ITEM = {
    "id": uuid.UUID(int=7),
    "at": datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=UTC),
    "name": "Tromsø",
    "notes": [{"text": "a", "due": date(2026, 6, 30), "tags": ["x"]}],
    "main": None,
}


def as_models(page: dict) -> dict:
    adapter = Page[Item]
    return json.loads(adapter.model_validate(page).model_dump_json(by_alias=True))


def test_a_page_of_dicts_is_the_json_of_its_response_models():
    page = {"items": [ITEM, ITEM | {"main": {"text": "b", "due": None, "tags": []}}], "next_cursor": "abc"}
    body = page_json(Item, page, check=True)
    assert json.loads(body) == as_models(page)
    first = json.loads(body)["items"][0]
    assert first["title"] == "Tromsø" and first["at"] == "2026-01-02T03:04:05.000600Z"
    assert first["id"] == "00000000-0000-0000-0000-000000000007" and first["notes"][0]["due"] == "2026-06-30"


def test_keys_the_schema_does_not_declare_are_left_out():
    body = page_json(Item, {"items": [ITEM | {"secret_hash": "x"}], "next_cursor": None})
    assert "secret_hash" not in json.loads(body)["items"][0]


def test_a_value_of_the_wrong_type_is_an_error_not_guessed_json():
    with pytest.raises(PydanticSerializationError, match="uuid"):
        page_json(Item, {"items": [ITEM | {"id": "not-a-uuid"}], "next_cursor": None})


def test_the_check_fails_when_a_dict_lacks_a_field_its_model_would_fill_in():
    page = {"items": [ITEM | {"notes": [{"text": "a"}]}], "next_cursor": None}
    assert "due" not in json.loads(page_json(Item, page))["items"][0]["notes"][0]
    with pytest.raises(AssertionError, match="differs"):
        page_json(Item, page, check=True)


def test_stored_documents_get_their_defaults_and_types():
    data = read_documents(Item, {"notes": [{"text": "a", "due": "2026-06-30"}], "main": {}}, ("notes", "main"))
    assert data == {
        "notes": [{"text": "a", "due": date(2026, 6, 30), "tags": []}],
        "main": {"text": "", "due": None, "tags": []},
    }
    page = {"items": [ITEM | data], "next_cursor": None}
    assert json.loads(page_json(Item, page, check=True)) == as_models(page)


def test_a_stored_document_is_checked_as_its_model_checks_it():
    with pytest.raises(ValueError, match="unknown"):
        read_documents(Item, {"notes": [{"text": "a", "unknown": 1}]}, ("notes",))


class Computed(BaseModel):
    a: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def b(self) -> int:
        return self.a + 1


def test_a_schema_that_needs_its_models_is_refused_when_built():
    with pytest.raises(TypeError, match="computed fields"):
        page_json(Computed, {"items": [{"a": 1}], "next_cursor": None})


class Checked(BaseModel):
    a: int

    @model_validator(mode="after")
    def _positive(self) -> Checked:
        assert self.a > 0
        return self


def test_a_model_validated_after_its_fields_is_refused_when_built():
    """Such a validator gets the model itself; given a dict it would fail on every page."""
    with pytest.raises(TypeError, match="function-after validator needs the model"):
        page_json(Checked, {"items": [{"a": 1}], "next_cursor": None})
