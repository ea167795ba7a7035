"""Requests get the pool's connections in the order they asked: one that arrives later never passes a waiter."""

from __future__ import annotations

import asyncio

import pytest

from app.db.slots import ConnectionSlots

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_newcomer_waits_behind_the_requests_already_waiting():
    slots = ConnectionSlots(1)
    order: list[str] = []
    release = {name: asyncio.Event() for name in "ABCD"}
    late: list[asyncio.Task[None]] = []

    async def request(name: str) -> None:
        async with slots.hold():
            order.append(name)
            await release[name].wait()
            if name == "A":
                # D arrives just as A hands its slot on: its first step runs before B is woken.
                late.append(asyncio.create_task(request("D")))

    a = asyncio.create_task(request("A"))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(request(n)) for n in "BC"]
    await asyncio.sleep(0)
    for name in "ABCD":
        release[name].set()
    await asyncio.gather(a, *waiting)
    await asyncio.gather(*late)
    assert order == ["A", "B", "C", "D"]


async def _most_holding_at_once(slots: ConnectionSlots, requests: int) -> int:
    holding = peak = 0

    async def request() -> None:
        nonlocal holding, peak
        async with slots.hold():
            holding += 1
            peak = max(peak, holding)
            await asyncio.sleep(0.001)
            holding -= 1

    await asyncio.gather(*(request() for _ in range(requests)))
    return peak


async def test_no_more_requests_hold_a_slot_than_there_are_connections():
    assert await _most_holding_at_once(ConnectionSlots(3), 20) == 3


async def test_without_a_size_everyone_is_admitted_at_once():
    assert await _most_holding_at_once(ConnectionSlots(None), 20) == 20
