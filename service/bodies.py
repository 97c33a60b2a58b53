"""Check that a body is an event the log accepts: {"event": NAME, "data": {...}}."""

from __future__ import annotations

import json

MAX_BODY_BYTES = 1024 * 1024
MAX_NAME_LENGTH = 100


class BodyError(ValueError):
    """A body is not an event; the message says why in one sentence."""


def _refuse_constant(name: str) -> float:
    # Python's json accepts NaN and Infinity, which are not JSON.
    raise BodyError(f"The body contains {name}, which is not JSON; send numbers.")


def check_body(raw: bytes) -> tuple[str, str]:
    """Return the event name and the body as text, or raise BodyError.

    The text is the body decoded from UTF-8, nothing else changed, so the
    log keeps it exactly as sent.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise BodyError(
            f"The body is not UTF-8 (bad byte at position {ex.start}); "
            "send JSON encoded as UTF-8."
        ) from ex
    return check_event(parse_json(text)), text


def parse_json(text: str) -> object:
    """Parse JSON text, or raise BodyError saying what is wrong with it."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as ex:
        raise BodyError(
            f"The body is not JSON ({ex.msg} at line {ex.lineno} column "
            f"{ex.colno}); send a JSON object."
        ) from ex
    except RecursionError as ex:
        raise BodyError(
            "The body is nested too deeply to read; send a flatter JSON object."
        ) from ex


def check_event(body: object) -> str:
    """Return the event name of a parsed body, or raise BodyError."""
    if not isinstance(body, dict):
        raise BodyError(
            'The body is JSON but not an object; send {"event": ..., "data": {...}}.'
        )
    name = body.get("event")
    if not isinstance(name, str):
        raise BodyError(
            'The body has no string "event" field; name the event, such as "order:new".'
        )
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise BodyError(
            f'The "event" field is {len(name)} characters long; use 1 to '
            f"{MAX_NAME_LENGTH}."
        )
    if not isinstance(body.get("data"), dict):
        raise BodyError(
            'The body has no object "data" field; send the event\'s fields '
            'inside "data": {...}.'
        )
    return name
