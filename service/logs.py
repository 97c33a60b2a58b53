"""Logging set up once at start, with secrets kept out of every line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from gunicorn.glogging import Logger as GunicornLogger

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
REDACTED = "[redacted]"

# Secrets to scrub, set once at start before any worker forks.
_secrets: list[str] = []


class RedactFilter(logging.Filter):
    """Replace any known secret in a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = _scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_text:
            record.exc_text = _scrub(record.exc_text)
        return True


def _scrub(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def redact(values: Iterable[str]) -> None:
    """Scrub these values from every log line from now on."""
    _secrets.extend(value for value in values if value)


def configure(level: int = logging.INFO) -> None:
    """Send our log lines to stderr, through the secret filter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class RedactingGunicornLogger(GunicornLogger):
    """Gunicorn's logger, scrubbing secrets: it logs request lines on errors."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.addFilter(RedactFilter())
