"""List statements are built once per caller and filters (app/core/statements.py): reusing them never shows one
caller another's rows, and the cursor's values travel as parameters, so every page of a walk is right."""

from __future__ import annotations

import pytest

from app.auth.principal import Principal, Role
from app.core.records import JoinedPage
from app.core.statements import cursor_param, paged
from app.reference import service
from app.reference.models import Municipality
from tests.conftest import CG_TROMS_FINNMARK, CG_VESTLAND, walk_pages

pytestmark = pytest.mark.anyio


async def test_county_governors_polling_the_same_list_in_turn_each_see_only_their_region(client, auth):
    north, west = await auth("county_governor", CG_TROMS_FINNMARK), await auth("county_governor", CG_VESTLAND)
    answers = []
    for headers in (north, west, north, west):
        r = await client.get("/api/v1/municipalities", params={"limit": 50}, headers=headers)
        assert r.status_code == 200
        answers.append(r.json()["items"])
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert {m["county_id"] for m in answers[0]} == {"NO-55", "NO-56"}
    assert {m["county_id"] for m in answers[1]} == {"NO-46"}


async def test_walks_of_two_callers_page_by_page_give_each_every_row_of_its_own_once(client, auth):
    north, west = await auth("county_governor", CG_TROMS_FINNMARK), await auth("county_governor", CG_VESTLAND)
    everyone = await walk_pages(client, "/api/v1/municipalities", await auth("directorate"), 500)
    expected = {
        "north": [m["id"] for m in everyone if m["county_id"] in ("NO-55", "NO-56")],
        "west": [m["id"] for m in everyone if m["county_id"] == "NO-46"],
    }
    for limit in (7, 20):
        got = {"north": [m["id"] for m in await walk_pages(client, "/api/v1/municipalities", north, limit)]}
        got["west"] = [m["id"] for m in await walk_pages(client, "/api/v1/municipalities", west, limit)]
        assert got == expected


def test_the_same_caller_and_filters_get_the_same_statement_and_others_do_not():
    def caller(org: str) -> Principal:
        return Principal(Role.county_governor, org, frozenset({"read"}), "c-1", "self")

    def built(principal: Principal, county: str | None = None):
        return service.list_municipalities(
            principal, county=county, county_governor=None, country=None, q=None, updated_since=None
        ).stmt

    north = built(caller(CG_TROMS_FINNMARK))
    assert built(caller(CG_TROMS_FINNMARK)) is north
    assert built(caller(CG_VESTLAND)) is not north
    assert built(caller(CG_TROMS_FINNMARK), county="NO-55") is not north

    order, names = (Municipality.id,), (Municipality.names,)
    page = paged(north, order, after=True, limit=51, records=names)
    assert isinstance(page, JoinedPage)  # the names come in the page's statement
    assert paged(north, order, after=True, limit=51, records=names) is page
    assert paged(north, order, after=False, limit=51, records=names) is not page
    assert paged(north, order, after=True, limit=51, records=()) is not page
    assert cursor_param(0) in {b.key for b in page.stmt._get_embedded_bindparams()}  # the cursor is a parameter
