"""Request bodies refuse Pydantic's lax coercion of JSON types: a 422 naming the field, never a silent guess."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from app.core.inputs import Input

pytestmark = pytest.mark.anyio


class _Body(Input):
    flag: bool = False
    count: int | None = None
    on: date | None = None
    days: list[date] = []
    nested: list[list[bool]] = []
    name: str = ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"flag": 0}, "flag must be a boolean (true or false)"),
        ({"flag": "true"}, "flag must be a boolean (true or false)"),
        ({"count": True}, "count must be a number, not a boolean"),
        ({"on": 20290630}, "on must be an RFC 3339 date string"),
        ({"days": ["2029-06-30", 20290630]}, "days must be an RFC 3339 date string"),
        ({"nested": [[True], [1]]}, "nested must be a boolean (true or false)"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_naming_the_field(body, message):
    with pytest.raises(ValidationError) as raised:
        _Body.model_validate(body)
    assert message in str(raised.value)


def test_values_of_the_right_json_type_and_nulls_pass():
    ok = _Body.model_validate(
        {"flag": True, "count": 3, "on": "2029-06-30", "days": ["2029-06-30"], "nested": [[False]], "name": "x"}
    )
    assert ok.on == date(2029, 6, 30) and ok.days == [date(2029, 6, 30)] and ok.nested == [[False]]
    assert _Body.model_validate({"count": None, "on": None}).count is None


async def test_the_api_answers_422_for_a_number_given_as_a_date(client, auth):
    body = {"title": "Plan", "level": "owner", "kind": "free", "goals": [{"text": "Lese", "deadline": 20290630}]}
    r = await client.post("/api/v1/development-plans", json=body, headers=await auth("school_owner"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "deadline must be an RFC 3339 date string" in r.text
