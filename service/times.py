"""Read the times people type on the command line."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import click

from service.store import format_time

EARLIEST = "0001-01-01T00:00:00.000Z"


def parse_as_of(text: str, zone: ZoneInfo) -> str:
    """Return the log time of an ISO 8601 date or date-time.

    A time without a zone is in the shop's; a bare date means the end of
    that day, so its events count.
    """
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as ex:
        raise click.BadParameter(
            f"{text!r} is not a time; use ISO 8601 such as 2026-12-01 or "
            "2026-12-01T18:30.",
            param_hint="--as-of",
        ) from ex
    if day is not None:
        moment = datetime.combine(day, time.max)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return format_time(moment)
    except OverflowError:
        # Earlier than year one in UTC: before every event the log can hold.
        return EARLIEST
