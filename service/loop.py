"""The sync loop: one per data directory, writing new events as they come."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from service.locks import LOOP_LOCK, WRITE_LOCK, LockHeldError, hold
from service.settings import Settings
from service.store import EventLog, LogError
from service.sync import CycleResult, SyncEngine
from service.targets.base import Target, TargetError

logger = logging.getLogger(__name__)

# How often the loop looks for new events, in seconds.
POLL_INTERVAL = 0.25
# A slow write is followed by a pause this many times as long, so a large
# workbook rewritten in a loop never keeps a core busy.
SLOW_WRITE_FACTOR = 3.0
# Back-off after failures: doubles from the first to the last, in seconds.
FIRST_RETRY, LAST_RETRY = 2.0, 60.0


class SyncLoop:
    """Fold new events and write them to the target, debounced.

    A write starts at most once per `settings.sync_interval` seconds, and
    waits longer after a slow write. Failures are logged and retried with
    a growing delay while events keep being accepted by the web workers.
    """

    def __init__(
        self,
        settings: Settings,
        make_target: Callable[[], Target],
        parent_pid: int | None = None,
    ) -> None:
        self.settings = settings
        self.make_target = make_target
        self.parent_pid = parent_pid
        self._next_write = 0.0
        self._retry = FIRST_RETRY
        self._rejected = -1
        self._skipped: dict[str, int] = {}

    def run(self, stop: threading.Event, wait_for_lock: bool = True) -> None:
        """Run until `stop` is set; one loop per data directory."""
        lock = self.settings.data_dir / LOOP_LOCK
        while True:
            try:
                with hold(lock, wait=False):
                    self._run_locked(stop)
                return
            except LockHeldError:
                if not wait_for_lock:
                    raise
                logger.info("sync waiting reason=another-loop-holds-the-lock")
                if stop.wait(5.0):
                    return

    def _run_locked(self, stop: threading.Event) -> None:
        log = EventLog(self.settings.database)
        engine = SyncEngine(log, self.make_target(), self.settings.language)
        logger.info("sync started target=%s", engine.target.name)
        due = True
        while not stop.is_set() and not self._orphaned():
            try:
                due = self._has_news(engine) or due
            except LogError as ex:
                logger.error("sync cannot read the log error=%r", str(ex))
                stop.wait(FIRST_RETRY)
                continue
            if due and time.monotonic() >= self._next_write:
                due = not self._cycle(engine)
            stop.wait(POLL_INTERVAL)

    def _orphaned(self) -> bool:
        # Started by `serve`: when its parent is gone, so is its service.
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def _has_news(self, engine: SyncEngine) -> bool:
        rejected = engine.log.rejected_count()
        news = engine.behind or rejected != self._rejected
        self._rejected = rejected
        return news

    def _cycle(self, engine: SyncEngine) -> bool:
        """Run one cycle under the write lock; return whether it succeeded."""
        started = time.monotonic()
        try:
            with hold(self.settings.data_dir / WRITE_LOCK):
                result = engine.cycle()
        except TargetError as ex:
            return self._failed(engine, str(ex), ex.retryable)
        except LogError as ex:
            return self._failed(engine, f"The log could not be read: {ex}", True)
        except Exception as ex:
            logger.exception("sync cycle failed unexpectedly")
            return self._failed(engine, f"Unexpected error: {type(ex).__name__}", True)
        took = time.monotonic() - started
        self._log_cycle(result, took)
        self._log_skipped(engine)
        pause = max(self.settings.sync_interval, SLOW_WRITE_FACTOR * took)
        self._next_write = time.monotonic() + (pause if result.wrote else 0)
        self._retry = FIRST_RETRY
        return not engine.behind

    def _failed(self, engine: SyncEngine, message: str, retryable: bool) -> bool:
        delay = self._retry if retryable else LAST_RETRY
        if retryable:
            logger.warning("sync failed retry_in=%.0fs error=%r", delay, message)
        else:
            logger.error("sync refused retry_in=%.0fs error=%r", delay, message)
        try:
            engine.record_error(message)
        except LogError:
            logger.error("sync could not record its error in the log")
        self._next_write = time.monotonic() + delay
        self._retry = min(self._retry * 2, LAST_RETRY)
        return False

    def _log_skipped(self, engine: SyncEngine) -> None:
        """Warn about events a tab could not use; they stay in the log."""
        for tab_id, state in engine.projector.projection.states.items():
            before = self._skipped.get(tab_id)
            self._skipped[tab_id] = state.skipped
            if before is not None and state.skipped > before:
                logger.warning(
                    "projection skipped tab=%s events=%d total=%d",
                    tab_id,
                    state.skipped - before,
                    state.skipped,
                )

    @staticmethod
    def _log_cycle(result: CycleResult, took: float) -> None:
        if result.events or result.wrote:
            logger.info(
                "sync cycle events=%d rows=%d requests=%d bytes=%d ms=%d",
                result.events,
                result.rows,
                result.requests,
                result.bytes,
                took * 1000,
            )


def run_once(settings: Settings, target: Target) -> CycleResult:
    """Run a single cycle, waiting for any running cycle to finish first."""
    log = EventLog(settings.database)
    try:
        with hold(settings.data_dir / WRITE_LOCK):
            return SyncEngine(log, target, settings.language).cycle()
    finally:
        log.close()
