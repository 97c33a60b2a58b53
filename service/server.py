"""Run the web app under gunicorn with settings taken from ours."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from service.logs import RedactingGunicornLogger
from service.mirror import Mirror
from service.settings import Settings
from service.store import EventLog
from service.supervisor import SyncProcess
from service.web import create_app

logger = logging.getLogger(__name__)

DEFAULT_WORKERS = 2
# Seconds a worker may spend on one request before gunicorn replaces it.
WORKER_TIMEOUT = 30


class WebServer(BaseApplication):
    """Gunicorn serving the Falcon app, configured without a config file."""

    def __init__(
        self,
        settings: Settings,
        token: str,
        workers: int = DEFAULT_WORKERS,
        target_name: str | None = None,
    ) -> None:
        self._settings = settings
        self._token = token
        self._workers = workers
        self._target_name = target_name
        with_sync = target_name is not None
        self._sync = SyncProcess() if with_sync else None
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": self._settings.bind,
            "workers": self._workers,
            "worker_class": "sync",
            "timeout": WORKER_TIMEOUT,
            # The access log would carry the token in the request path.
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "logger_class": RedactingGunicornLogger,
            "proc_name": "bbh-sheets",
            "when_ready": self._when_ready,
            "post_fork": _post_fork,
            "on_exit": self._on_exit,
        }
        # Gunicorn 25.1 and later open a control socket in the home folder,
        # shared by every instance; this service has no use for it.
        if "control_socket_disable" in self.cfg.settings:
            options["control_socket_disable"] = True
        for key, value in options.items():
            self.cfg.set(key, value)

    def _when_ready(self, arbiter: object) -> None:
        if self._sync is not None:
            self._sync.start()

    def _on_exit(self, arbiter: object) -> None:
        if self._sync is not None:
            self._sync.stop()

    def load(self) -> Any:
        database = self._settings.database
        lag = target_lag(self._target_name) if self._target_name else None
        # `serve` made the tables before the workers started.
        return create_app(lambda: EventLog(database, create=False), self._token, lag)


def _post_fork(arbiter: object, worker: object) -> None:
    # Until the worker installs its own handlers it carries the master's,
    # which only queue a stop signal; a stop that lands in that moment
    # would leave the booting worker running until the graceful timeout.
    # It holds no request yet, so the default (end at once) is right.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def target_lag(name: str) -> Callable[[EventLog], dict]:
    """Return a reporter of how far the named target lags behind the log."""

    def report(log: EventLog) -> dict:
        state = Mirror(log, create=False).state(name)
        lag = max(0, log.last_seq() - state.seq)
        return {name: {"synced_seq": state.seq, "lag": lag}}

    return report
