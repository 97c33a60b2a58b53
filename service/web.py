"""The Falcon WSGI app: the webhook that fills the log, and a health check."""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Callable
from typing import Any

import falcon

from service.bodies import MAX_BODY_BYTES, BodyError, check_body
from service.store import EventLog, LogError, LogReadError, LogWriteError

logger = logging.getLogger(__name__)

# Seconds a sender should wait before retrying when the log is unwritable.
RETRY_AFTER = 5

_DEFAULT_DESCRIPTIONS = {
    404: "There is nothing at this address; post events to /webhook/TOKEN.",
    405: "This address does not take that method; post events with POST.",
}


class LogHolder:
    """Give each process its own connection, opened after gunicorn forks."""

    def __init__(self, open_log: Callable[[], EventLog]) -> None:
        self._open_log = open_log
        self._log: EventLog | None = None
        self._pid = 0

    def get(self) -> EventLog:
        if self._log is None or self._pid != os.getpid():
            self._log = self._open_log()
            self._pid = os.getpid()
        return self._log


def _error(status: str, title: str, description: str) -> falcon.HTTPError:
    return falcon.HTTPError(status, title=title, description=description)


class WebhookResource:
    """POST /webhook/{token} and POST /webhook with X-Webhook-Token."""

    def __init__(self, logs: LogHolder, token: str) -> None:
        self._logs = logs
        self._token = token.encode()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._receive(req, resp, req.get_header("X-Webhook-Token") or "")

    def on_post_token(
        self, req: falcon.Request, resp: falcon.Response, token: str
    ) -> None:
        self._receive(req, resp, token)

    def _receive(self, req: falcon.Request, resp: falcon.Response, token: str) -> None:
        if not hmac.compare_digest(token.encode(), self._token):
            logger.warning("request refused status=401 reason=wrong-token")
            raise falcon.HTTPUnauthorized(
                title="Wrong webhook token",
                description="The webhook token is missing or wrong; copy the "
                "webhook URL the service printed when it first started.",
            )
        raw = self._read_body(req)
        try:
            name, text = check_body(raw)
        except BodyError as ex:
            self._keep_rejected(str(ex), raw)
            logger.warning("request refused status=400 reason=%r", str(ex))
            raise _error(falcon.HTTP_400, "Bad event body", str(ex)) from ex
        try:
            seq = self._logs.get().append(name, text)
        except LogWriteError as ex:
            self._unwritable(ex)
        logger.info("event stored seq=%d name=%r bytes=%d", seq, name, len(raw))
        resp.media = {"seq": seq}

    def _read_body(self, req: falcon.Request) -> bytes:
        length = req.content_length
        if length is not None and length > MAX_BODY_BYTES:
            self._too_large(length)
        if length is not None:
            return req.bounded_stream.read()
        # A chunked body has no length: read one byte past the limit, so one
        # that is too large is told apart without reading it all.
        raw = b""
        while len(raw) <= MAX_BODY_BYTES:
            chunk = req.stream.read(MAX_BODY_BYTES + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            self._too_large(None)
        return raw

    def _too_large(self, length: int | None) -> None:
        size = "more than 1 MiB" if length is None else f"{length} bytes"
        reason = f"The body is {size}; the limit is {MAX_BODY_BYTES} bytes."
        self._keep_rejected(reason, b"")
        logger.warning("request refused status=413 reason=%r", reason)
        raise falcon.HTTPContentTooLarge(
            title="Body too large",
            description=reason[:-1] + "; send events one at a time.",
        )

    def _keep_rejected(self, reason: str, raw: bytes) -> None:
        try:
            self._logs.get().reject(reason, raw)
        except LogWriteError as ex:
            self._unwritable(ex)

    def _unwritable(self, ex: LogError) -> None:
        logger.error("log unwritable status=503 error=%r", str(ex))
        raise falcon.HTTPServiceUnavailable(
            title="Log unavailable",
            description="The event log cannot be written right now; retry in a "
            "few seconds, and if it persists check the disk of the data directory.",
            retry_after=RETRY_AFTER,
        ) from ex


class HealthResource:
    """GET /health: how much the log holds and how far each target lags."""

    def __init__(
        self, logs: LogHolder, targets: Callable[[EventLog], dict] | None
    ) -> None:
        self._logs = logs
        self._targets = targets

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            log = self._logs.get()
            last_seq = log.last_seq()
            media: dict[str, Any] = {"events": log.count(), "last_seq": last_seq}
            media["targets"] = self._targets(log) if self._targets else {}
        except (LogReadError, LogWriteError) as ex:
            logger.error("log unreadable status=503 error=%r", str(ex))
            raise falcon.HTTPServiceUnavailable(
                title="Log unavailable",
                description="The event log cannot be read; check that the data "
                "directory exists and its disk is healthy.",
            ) from ex
        resp.media = media


def _serialize_error(
    req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError
) -> None:
    description = ex.description or _DEFAULT_DESCRIPTIONS.get(
        ex.status_code, "The request could not be handled; check it and retry."
    )
    resp.media = {"title": ex.title, "description": description}


def _unexpected(
    req: falcon.Request, resp: falcon.Response, ex: Exception, params: dict
) -> None:
    # Falcon's default handler prints the request path, which holds the
    # token; log the route's template instead.
    if isinstance(ex, falcon.HTTPError):
        raise ex
    route = req.uri_template or "unknown"
    logger.exception("unexpected error method=%s route=%s", req.method, route)
    raise falcon.HTTPInternalServerError(
        title="Internal error",
        description="The service failed on this request; it was not stored, "
        "retry it and tell the administrator if it fails again.",
    )


def create_app(
    open_log: Callable[[], EventLog],
    token: str,
    targets: Callable[[EventLog], dict] | None = None,
) -> falcon.App:
    """Build the WSGI app around a log opener, the token and a lag reporter."""
    app = falcon.App(media_type=falcon.MEDIA_JSON)
    app.req_options.strip_url_path_trailing_slash = True
    logs = LogHolder(open_log)
    webhook = WebhookResource(logs, token)
    app.add_route("/webhook", webhook)
    app.add_route("/webhook/{token}", webhook, suffix="token")
    app.add_route("/health", HealthResource(logs, targets))
    app.set_error_serializer(_serialize_error)
    app.add_error_handler(Exception, _unexpected)
    return app
