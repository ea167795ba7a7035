"""List items written once per version of their rows and reused while current (app/core/rendered.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from app.core import rendered
from app.core.rendered import ENTRY_OVERHEAD, RenderedItems
from tests.conftest import HARSTAD, TROMSO

pytestmark = pytest.mark.anyio
AT = datetime(2026, 11, 27, tzinfo=UTC)


class Item:  # a schema, as the cache keys it
    pass


def test_an_item_is_reused_only_for_the_stamps_it_was_written_from():
    items = RenderedItems(10_000)
    items.put(Item, "a", (1, AT, ()), b'{"v":1}')
    assert items.get(Item, "a", (1, AT, ())) == b'{"v":1}'
    assert items.get(Item, "a", (2, AT, ())) is None, "a newer version"
    assert items.get(Item, "a", (1, datetime(2026, 11, 28, tzinfo=UTC), ())) is None, "the same version, rewritten"
    assert items.get(Item, "a", (1, AT, (("p", 1, AT),))) is None, "a child added"
    assert items.get(Item, "b", (1, AT, ())) is None


def test_a_newer_version_replaces_the_older_one():
    items = RenderedItems(10_000)
    items.put(Item, "a", (1, AT, ()), b"x" * 100)
    items.put(Item, "a", (2, AT, ()), b"y" * 10)
    assert len(items) == 1 and items.size == 10 + ENTRY_OVERHEAD
    assert items.get(Item, "a", (2, AT, ())) == b"y" * 10


def test_the_items_kept_stay_within_the_bound_least_recently_used_out():
    items = RenderedItems(3 * (100 + ENTRY_OVERHEAD))
    for key in "abc":
        items.put(Item, key, (1, AT, ()), b"x" * 100)
    assert items.get(Item, "a", (1, AT, ())) is not None  # "a" used again: "b" is now the oldest
    items.put(Item, "d", (1, AT, ()), b"x" * 100)
    assert items.size <= items.max_bytes and len(items) == 3
    assert items.get(Item, "b", (1, AT, ())) is None
    assert all(items.get(Item, key, (1, AT, ())) for key in "acd")
    items.put(Item, "huge", (1, AT, ()), b"x" * items.max_bytes)
    assert items.get(Item, "huge", (1, AT, ())) is None and len(items) == 3, "an item larger than the bound is not kept"


@pytest.fixture
def cache_of(app) -> Iterator[Callable[[RenderedItems], None]]:
    """Give the app a cache of its own for the test (the app's state is restored by hand: pytest's monkeypatch
    deletes a starlette State attribute on undo instead of restoring it)."""
    original = app.state.rendered_items

    def use(cache: RenderedItems) -> None:
        app.state.rendered_items = cache

    yield use
    app.state.rendered_items = original


@pytest.fixture
def read_whole(app, monkeypatch, cache_of) -> list[list[str]]:
    """The ids of the rows each list request read whole; a fresh cache; the plain read the tests add turned off
    (it would not change what is asserted, but the reads would be the tests' own)."""
    monkeypatch.setattr(app.state.settings, "check_list_pages", False)
    cache_of(RenderedItems(1_048_576))
    calls: list[list[str]] = []
    original = rendered._write_items

    async def spy(*args):
        calls.append(sorted(str(i) for i in args[-1]))
        return await original(*args)

    monkeypatch.setattr(rendered, "_write_items", spy)
    return calls


async def test_a_page_is_written_once_and_an_item_again_only_when_its_rows_change(client, auth, read_whole):
    udir = await auth("directorate")
    ids = {}
    for owner in (TROMSO, HARSTAD):
        r = await client.post(
            "/api/v1/enrolments",
            json={"programme": "oppfolging", "school_owner_id": owner, "start_year": 2026},
            headers=udir,
        )
        assert r.status_code == 201, r.text
        ids[owner] = r.json()["id"]
    url, params = "/api/v1/enrolments", {"programme": "oppfolging"}

    first = await client.get(url, params=params, headers=udir)
    assert first.status_code == 200 and read_whole == [sorted(ids.values())]
    again = await client.get(url, params=params, headers=udir)
    assert again.content == first.content and len(read_whole) == 1, "nothing changed: nothing read whole"

    # A goal of one phase of Tromsø's enrolment is marked done: that item, and only that one, is read again.
    tromso = await auth("school_owner", TROMSO)
    phase = next(p for p in first.json()["items"] if p["id"] == ids[TROMSO])["phases"][0]
    goal = phase["goals"][0]["code"]
    r = await client.patch(
        f"{url}/{ids[TROMSO]}/phases/{phase['id']}/goals/{goal}",
        json={"done": True, "comment": "Lagt fram i mars"},
        headers={**tromso, "If-Match": f'"{phase["version"]}"'},
    )
    assert r.status_code == 200, r.text
    after = await client.get(url, params=params, headers=udir)
    assert read_whole[1:] == [[ids[TROMSO]]]
    items = {e["id"]: e for e in after.json()["items"]}
    changed = next(g for g in items[ids[TROMSO]]["phases"][0]["goals"] if g["code"] == goal)
    assert changed["done"] is True and changed["comment"] == "Lagt fram i mars"
    assert items[ids[TROMSO]] == (await client.get(f"{url}/{ids[TROMSO]}", headers=udir)).json()
    assert items[ids[HARSTAD]] == {e["id"]: e for e in first.json()["items"]}[ids[HARSTAD]]

    # Withdrawn, it leaves the list of active enrolments at once, whatever was written for it before.
    withdraw = await client.post(f"{url}/{ids[HARSTAD]}/withdraw", json={"reason": "Kommunesammenslåing"}, headers=udir)
    assert withdraw.status_code == 200, withdraw.text
    active = await client.get(url, params={**params, "status": "active"}, headers=udir)
    assert [e["id"] for e in active.json()["items"]] == [ids[TROMSO]]


async def test_pages_are_the_same_with_the_cache_turned_off(client, auth, read_whole, cache_of):
    udir = await auth("directorate")
    for owner in (TROMSO, HARSTAD):
        await client.post(
            "/api/v1/enrolments",
            json={"programme": "oppfolging", "school_owner_id": owner, "start_year": 2026},
            headers=udir,
        )
    pages = []
    for cache in (RenderedItems(1_048_576), RenderedItems(0)):
        cache_of(cache)
        r = await client.get("/api/v1/enrolments", params={"limit": 1}, headers=udir)
        assert r.status_code == 200
        pages.append((r.content, r.headers["link"]))
        second = await client.get(
            "/api/v1/enrolments", params={"limit": 1, "cursor": r.json()["next_cursor"]}, headers=udir
        )
        pages.append((second.content, second.headers.get("link")))
    assert pages[:2] == pages[2:]
    assert len(read_whole) == 2, "LIST_ITEM_CACHE_MB=0 reads every page whole, the plain way"
