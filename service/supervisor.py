"""Run the sync loop as a child process of `serve`, restarted if it dies."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

logger = logging.getLogger(__name__)

RESTART_DELAY = 5.0
# Exit codes of a loop that was asked to stop: cleanly, or by SIGTERM or
# SIGINT before it could set its own handlers.
STOPPED = (0, -signal.SIGTERM, -signal.SIGINT)
STOP_TIMEOUT = 15.0


class SyncProcess:
    """`bbh-sheets sync` beside the web workers, for as long as they run."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._supervise, name="sync-supervisor", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def _supervise(self) -> None:
        command = [
            sys.executable,
            "-m",
            "service.cli",
            "sync",
            "--parent-pid",
            str(os.getpid()),
        ]
        while not self._stopping.is_set():
            self._process = subprocess.Popen(command)
            code = self._process.wait()
            if self._stopping.is_set() or code in STOPPED:
                # Stopped on purpose, often by a signal to the whole group
                # that reaches the loop before the service hears of it.
                logger.info("sync loop stopped code=%d", code)
                return
            logger.warning(
                "sync loop exited code=%d restart_in=%.0fs", code, RESTART_DELAY
            )
            self._stopping.wait(RESTART_DELAY)

    def stop(self) -> None:
        """Ask the loop to finish its cycle and wait for it."""
        self._stopping.set()
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
