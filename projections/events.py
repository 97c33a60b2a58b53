"""Events as the projections see them, and tolerant readers of their values.

The readers never raise: a value that cannot be read becomes None.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

# Spreadsheets store numbers as doubles, exact only up to 2**53; a larger
# amount is no real price and would be shown wrong, so it counts as unreadable.
MAX_NUMBER = 2**53 - 1

# The longest number text worth reading: 16 digits plus separators, a sign
# and a currency word. Longer text is never a VND amount.
_MAX_NUMBER_TEXT = 40

# Digits, optionally grouped in threes by one repeated separator ("475.000",
# "475,000", "475 000"), optionally with a zero fraction ("475000.00") and a
# currency word. A lone group like "1.000" reads as thousands, as in Vietnam.
_NUMBER_TEXT = re.compile(
    r"""
    (?P<sign>[-+]?)
    (?P<digits>\d{1,3}(?P<sep>[.,\s])\d{3}(?:(?P=sep)\d{3})*|\d+)
    (?:[.,]0+)?
    \s*(?:đ|₫|vnd|vnđ)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATORS = re.compile(r"[.,\s]")


@dataclass(frozen=True, slots=True)
class Event:
    """One stored webhook delivery: its place in the log and its data."""

    seq: int
    received_at: str
    name: str
    data: object


def event_from_record(
    seq: int, received_at: str, name: str, payload: str | bytes
) -> Event:
    """Build the event of one log row, whatever its stored body holds.

    ``data`` is the body's ``data`` value; a body that is not JSON, or not a
    JSON object, gives ``data=None``. Never raises.
    """
    try:
        body = json.loads(payload)
    except (ValueError, TypeError, RecursionError):
        body = None
    data = body.get("data") if isinstance(body, dict) else None
    return Event(seq, received_at, name, data)


def read_text(value: object) -> str | None:
    """Return a value as text: strings as sent, numbers as their digits.

    Blank strings, booleans, null, lists and objects give None.
    """
    if type(value) is str:
        return None if not value or value.isspace() else value
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return read_text(str(value))
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:
            # Python refuses to print integers of more than 4,300 digits.
            return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and abs(value) <= MAX_NUMBER:
            return str(int(value))
        return repr(value)
    return None


def read_key(value: object) -> str | None:
    """Return a value as an identifier: text without surrounding spaces."""
    text = read_text(value)
    return text.strip() if text is not None else None


def read_int(value: object) -> int | None:
    """Return a whole number, from a JSON number or text; also for money.

    Money and counts arrive as text ("475000"); VND has no decimals. Text may
    group digits in threes with ".", "," or spaces, may end in a zero
    fraction or "đ", "₫" or "VND", and may carry a sign. Whole floats read
    as integers. Booleans, fractions, other text and numbers beyond
    ``MAX_NUMBER`` give None.
    """
    kind = type(value)
    if kind is str and len(value) <= 15 and value.isdecimal():
        return int(value)
    if kind is int:
        return value if -MAX_NUMBER <= value <= MAX_NUMBER else None
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return _read_int_text(value)
    if isinstance(value, int):
        return read_int(int(value))
    if isinstance(value, float) and value.is_integer():
        return read_int(int(value))
    return None


def _read_int_text(text: str) -> int | None:
    """Read number text with separators, a sign or a currency word."""
    text = text.strip()
    if len(text) > _MAX_NUMBER_TEXT:
        return None
    match = _NUMBER_TEXT.fullmatch(text)
    if match is None:
        return None
    number = int(_SEPARATORS.sub("", match["digits"]))
    if match["sign"] == "-":
        number = -number
    return number if -MAX_NUMBER <= number <= MAX_NUMBER else None


def full_name(first_name: str | None, last_name: str | None) -> str | None:
    """Return a Vietnamese full name: last name, a space, first name.

    Either part may be missing; a name with neither part is None.
    """
    parts = [part.strip() for part in (last_name, first_name) if part]
    return " ".join(part for part in parts if part) or None


def parse_time(received_at: str) -> datetime:
    """Return a stored ``received_at`` text as an aware UTC datetime.

    A time without a zone is taken as UTC. Raises ValueError when the text
    is not an ISO 8601 time.
    """
    moment = datetime.fromisoformat(received_at)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@lru_cache(maxsize=4096)
def time_cell(received_at: str) -> datetime | None:
    """Return the cell for a ``received_at`` text, empty when unreadable."""
    try:
        return parse_time(received_at)
    except (ValueError, TypeError):
        return None
