"""The service's own signing key, created on first start: workers that start at once end up with one key."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from app.auth.tokens import KeyRing

WORKERS = 6


def _start_worker(directory: str, ready: multiprocessing.synchronize.Barrier, kids: multiprocessing.Queue) -> None:
    ready.wait()  # every worker looks at the empty directory at the same moment
    ring = KeyRing.from_directory(Path(directory), "RS256", None, create=True)
    kids.put((ring.signing.kid, tuple(sorted(ring.keys))))


def test_workers_starting_at_once_on_an_empty_directory_share_one_key(tmp_path):
    """Each worker of `serve --workers N` loads the keys when it starts. Had each written a key of its own, a
    token signed by one worker would be refused by the others ("token signing key is unknown")."""
    spawn = multiprocessing.get_context("spawn")
    ready, kids = spawn.Barrier(WORKERS), spawn.Queue()
    workers = [spawn.Process(target=_start_worker, args=(str(tmp_path), ready, kids)) for _ in range(WORKERS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    seen = {kids.get(timeout=5) for _ in range(WORKERS)}
    assert len(seen) == 1, f"the workers signed with different keys: {seen}"
    ((kid, known),) = seen
    assert known == (kid,)
    assert [p.stem for p in tmp_path.glob("*.pem")] == [kid]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", f"{kid}.pem"], "nothing partly written left"


def test_a_directory_the_service_cannot_write_to_still_gives_its_keys(tmp_path):
    """Production mounts the keys read-only: no lock can be taken there, and none is needed to read them."""
    kid = KeyRing.from_directory(tmp_path, "RS256", None, create=True).signing.kid
    (tmp_path / ".lock").unlink()
    (tmp_path / ".lock").mkdir()  # the lock file cannot be opened, as in a read-only directory
    assert KeyRing.from_directory(tmp_path, "RS256", None, create=False).signing.kid == kid
