"""ETag and If-None-Match on reads; If-Match on updates."""

from __future__ import annotations

import pytest

from app.core.errors import PreconditionFailed, PreconditionRequired
from app.core.etag import check_if_match

pytestmark = pytest.mark.anyio


async def test_get_answers_etag_and_304_when_unchanged(client, auth):
    h = await auth("directorate")
    r = await client.get("/api/v1/municipalities/NO-5501", headers=h)
    etag = r.headers["etag"]
    assert etag == f'"{r.json()["version"]}"'
    again = await client.get("/api/v1/municipalities/NO-5501", headers={**h, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = await client.get("/api/v1/municipalities/NO-5501", headers={**h, "If-None-Match": '"999"'})
    assert other.status_code == 200


def test_if_match_missing_is_428_and_stale_is_412():
    with pytest.raises(PreconditionRequired):
        check_if_match(None, 3)
    with pytest.raises(PreconditionFailed):
        check_if_match('"2"', 3)
    check_if_match('"3"', 3)
    check_if_match('"1", "3"', 3)
