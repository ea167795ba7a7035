"""JSON columns come back exactly as written (they are read with pydantic-core's parser, app/db/session.py)."""

from __future__ import annotations

import pytest

from tests.conftest import walk_pages

pytestmark = pytest.mark.anyio

AWKWARD = [
    'Sitat: "god praksis" \\ omvendt skråstrek',
    "Linjeskift\nog\ttabulator",
    "Æøå ÆØÅ, sámegiella: čđŋšŧž, 中文, emoji 📚",
    "\u2028 skilletegn \u0000 null",
    "",
]


async def test_a_plans_json_fields_read_back_exactly_as_written(client, auth):
    owner = await auth("school_owner")
    body = {
        "title": "JSON",
        "level": "owner",
        "kind": "free",
        "swot": {"strengths": AWKWARD, "weaknesses": [], "opportunities": ["x" * 5000], "threats": ["ß"]},
        "challenge_picture": {"text": "\\u00e6 er ikke æ", "data_sources": [{"name": "Ø", "kind": "qualitative"}]},
        "goals": [{"text": t or "-", "indicator": t or None, "baseline": "32,5 %", "target": "1e3"} for t in AWKWARD],
    }
    created = await client.post("/api/v1/development-plans", json=body, headers=owner)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["swot"] == body["swot"]
    assert plan["challenge_picture"] == body["challenge_picture"]
    assert [{k: g[k] for k in body["goals"][0]} for g in plan["goals"]] == body["goals"]
    one = (await client.get(f"/api/v1/development-plans/{plan['id']}", headers=owner)).json()
    listed = next(p for p in await walk_pages(client, "/api/v1/development-plans", owner, 500) if p["id"] == plan["id"])
    for read in (one, listed):
        assert read["swot"]["strengths"] == AWKWARD
        assert read["challenge_picture"]["text"] == "\\u00e6 er ikke æ"
        assert [g["text"] for g in read["goals"]] == [t or "-" for t in AWKWARD]
        assert read == plan
