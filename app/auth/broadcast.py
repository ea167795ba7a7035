"""Changes to who may authenticate reach every worker at once, through Redis, when `REDIS_URL` is set.

Each worker holds verified principals for `AUTH_CACHE_SECONDS` (app/auth/cache.py). The worker that commits a
change to a client (disabled, secret rotated, new scopes) or to an organisation's `active` flag clears its own
cache; it also publishes the change on a Redis channel, and every worker subscribed to it clears its cache
when the message arrives, so a disabled client is refused by all of them within milliseconds, as it would be
by one. While Redis cannot be reached, a worker clears its cache each time it subscribes again, and the
`AUTH_CACHE_SECONDS` bound holds in between.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from app.auth import cache

log = logging.getLogger("app.auth")
CHANNEL = "school-development-api:auth-changed"


class AuthBroadcast:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self.redis: Any = Redis.from_url(url, socket_connect_timeout=0.5)
        self._publishing: set[asyncio.Task[None]] = set()

    def publish_soon(self) -> None:
        """Called when a change commits: publish without delaying the request."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a commit outside the server's event loop: nothing to publish from
            return
        task = loop.create_task(self._publish())
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def _publish(self) -> None:
        try:
            await self.redis.publish(CHANNEL, b"1")
        except Exception:
            log.warning("auth change not published; other workers see it within AUTH_CACHE_SECONDS", exc_info=True)

    async def listen(self, stop: asyncio.Event) -> None:
        """Clear this worker's principal cache on every published change, until `stop` is set."""
        while not stop.is_set():
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                cache.clear_all()  # anything published while this worker was not subscribed
                while not stop.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
                    if message is not None:
                        cache.clear_all()
            except Exception:
                log.warning("auth change channel unreachable; retrying in 1 s", exc_info=True)
                await asyncio.sleep(1)
            finally:
                try:
                    await pubsub.aclose()
                except Exception:
                    log.debug("closing the auth change subscription failed", exc_info=True)

    async def start(self) -> Callable[[], Awaitable[None]]:
        """Subscribe and publish from now on; returns the coroutine function that stops both."""
        stop = asyncio.Event()
        listener = asyncio.get_running_loop().create_task(self.listen(stop))
        cache.on_change(self.publish_soon)

        async def close() -> None:
            cache.off_change(self.publish_soon)
            stop.set()
            await listener
            if self._publishing:
                await asyncio.gather(*self._publishing, return_exceptions=True)
            await self.redis.aclose()

        return close
