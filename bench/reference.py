"""Reference endpoints of bench/load.py: the API's first `/municipalities` page (50 municipalities with their
names), served without the service's contract (no authentication, scoping, problem+json, ETag or Link), once
through plain async SQLAlchemy ORM objects and once on raw asyncpg. Measured in the same run as the bare
endpoint, they show what the stack itself does with the same data on this machine.

    DATABASE_URL=postgresql+asyncpg://... uvicorn bench.reference:app
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import asyncpg
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.reference.models import Municipality

URL = os.environ["DATABASE_URL"]
PAGE = "SELECT id, country, number, county_id, valid_to, created_at, updated_at, version FROM municipalities"
PAGE += " ORDER BY id LIMIT 50"
NAMES = "SELECT municipality_id, name, valid_from FROM municipality_names WHERE municipality_id = ANY($1)"
NAMES += " ORDER BY valid_from"


class Name(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    valid_from: date


class Item(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    country: str
    number: str
    names: list[Name]
    county_id: str
    valid_to: date | None
    created_at: datetime
    updated_at: datetime
    version: int


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_async_engine(URL)
    app.state.sessions = async_sessionmaker(engine, expire_on_commit=False)
    dsn = make_url(URL).set(drivername="postgresql").render_as_string(hide_password=False)
    app.state.pool = await asyncpg.create_pool(dsn, min_size=5, max_size=10)
    yield
    await app.state.pool.close()
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/sqlalchemy", response_model=list[Item])
async def plain_sqlalchemy() -> Any:
    async with app.state.sessions() as session:
        return (await session.scalars(sa.select(Municipality).order_by(Municipality.id).limit(50))).all()


@app.get("/asyncpg", response_model=list[Item])
async def raw_asyncpg() -> Any:
    async with app.state.pool.acquire() as conn:
        items = [dict(r) for r in await conn.fetch(PAGE)]
        names: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in await conn.fetch(NAMES, [i["id"] for i in items]):
            names[r["municipality_id"]].append(dict(r))
    return [{**i, "names": names[i["id"]]} for i in items]
