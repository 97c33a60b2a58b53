"""Post synthetic BotBanHang traffic to a running service, paced."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass
from urllib.parse import urlsplit

import requests

logger = logging.getLogger(__name__)

RETRY_DELAYS = (0.1, 0.3, 1.0)  # seconds before each retry
REQUEST_TIMEOUT = 30.0
JSON_HEADERS = {"Content-Type": "application/json"}
TOKEN_REFUSED = (
    "The webhook token was refused; run simulate from the same data directory "
    "as the service, or set BBH_WEBHOOK_TOKEN to its token."
)


@dataclass(frozen=True)
class SimulationResult:
    """How many bodies were sent and how the service answered them."""

    sent: int
    accepted: int
    refused: int
    failed: int
    seconds: float


class SimulationError(Exception):
    """The service cannot take the traffic; the message says what to do."""

    result: SimulationResult | None = None  # what was delivered before the stop


def post_bodies(
    webhook_url: str,
    bodies: Iterable[dict],
    rate: float | None,
    session: requests.Session | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """POST each body as JSON to the webhook, in order, rate per second.

    A rate of None or 0 sends as fast as the service answers. A 503 or a
    lost connection is retried a few times. Raises SimulationError, with
    the counts so far, when the service cannot be reached or refuses the
    token.
    """
    http = session if session is not None else requests.Session()
    interval = 1.0 / rate if rate else 0.0
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    try:
        for index, body in enumerate(bodies):
            if interval:
                # A fixed schedule lets later sends make up for a slow answer
                # instead of every delay adding up.
                _sleep_until(started + index * interval)
            outcomes[_outcome(_deliver(http, webhook_url, body))] += 1
            if on_progress is not None:
                on_progress(outcomes.total())
    except SimulationError as ex:
        ex.result = _result(outcomes, started)
        raise
    finally:
        if session is None:
            http.close()
    result = _result(outcomes, started)
    logger.info(
        "simulate done sent=%d accepted=%d refused=%d failed=%d seconds=%.1f",
        *astuple(result),
    )
    return result


def _deliver(http: requests.Session, url: str, body: dict) -> int:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    attempt = 0
    while True:
        last = attempt == len(RETRY_DELAYS)
        try:
            response = http.post(
                url, data=data, headers=JSON_HEADERS, timeout=REQUEST_TIMEOUT
            )
        except (requests.ConnectionError, requests.Timeout) as ex:
            if last:
                raise SimulationError(_unreachable(url)) from ex
            reason = "connection"
        else:
            if response.status_code == 401:
                raise SimulationError(TOKEN_REFUSED)
            # The service answers 503 while its log is briefly unwritable.
            if response.status_code != 503 or last:
                return response.status_code
            reason = "unavailable"
        delay = RETRY_DELAYS[attempt]
        attempt += 1
        logger.warning(
            "post retry reason=%s attempt=%d delay=%.1f", reason, attempt, delay
        )
        time.sleep(delay)


def _outcome(status: int) -> str:
    if 200 <= status < 300:
        return "accepted"
    return "refused" if 400 <= status < 500 else "failed"


def _result(outcomes: Counter[str], started: float) -> SimulationResult:
    return SimulationResult(
        sent=outcomes.total(),
        accepted=outcomes["accepted"],
        refused=outcomes["refused"],
        failed=outcomes["failed"],
        seconds=time.monotonic() - started,
    )


def _unreachable(url: str) -> str:
    # Only scheme, host and port: the path carries the secret token.
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    return (
        f"Could not reach the service at {origin}; "
        "start it with 'make run' and try again."
    )


def _sleep_until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        time.sleep(delay)
