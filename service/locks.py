"""File locks that keep one sync loop, and one writer at a time, per data dir."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOOP_LOCK = "sync-loop.lock"
WRITE_LOCK = "sync-write.lock"


class LockHeldError(Exception):
    """Another process holds the lock."""


@contextlib.contextmanager
def hold(path: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the block.

    The lock is the kernel's (flock), so it is released when the process
    dies, however it dies. Without `wait`, raise LockHeldError at once.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError as ex:
            raise LockHeldError(str(path)) from ex
        yield
    finally:
        os.close(fd)
