"""Move events in and out of the log as JSON lines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import IO

from service.bodies import BodyError, check_event, parse_json
from service.store import EventLog, utc_now

_LOG_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
_RECORD_KEYS = {"seq", "received_at", "name", "payload"}


class ImportFileError(Exception):
    """A line of an import file is not an event; nothing was imported."""


def export_lines(log: EventLog) -> Iterator[str]:
    """Yield each event of the log as one JSON record, in seq order."""
    for event in log.events():
        record = {
            "seq": event.seq,
            "received_at": event.received_at,
            "name": event.name,
            "payload": event.payload,
        }
        yield json.dumps(record, ensure_ascii=False) + "\n"


def read_import(lines: Iterable[str]) -> list[tuple[str, str, str]]:
    """Check every line and return (received_at, name, payload) records.

    A line is a raw body, stamped with the time of import, or a record
    written by export, which keeps its time. Blank lines are skipped.
    Raises ImportFileError naming the first bad line.
    """
    stamp = utc_now()
    records = []
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            records.append(_read_line(text, stamp))
        except BodyError as ex:
            raise ImportFileError(f"Line {number}: {ex}") from ex
    return records


def _read_line(text: str, stamp: str) -> tuple[str, str, str]:
    body = parse_json(text)
    if isinstance(body, dict) and body.keys() >= _RECORD_KEYS:
        return _read_record(body)
    return stamp, check_event(body), text


def _read_record(record: dict) -> tuple[str, str, str]:
    at, name, payload = record["received_at"], record["name"], record["payload"]
    if not isinstance(at, str) or not _LOG_TIME.fullmatch(at):
        raise BodyError(
            "received_at is not a time like 2026-01-31T09:30:00.000Z; "
            "fix it or drop the line."
        )
    if not isinstance(payload, str):
        raise BodyError("payload is not a string; export writes the body as text.")
    inner = check_event(parse_json(payload))
    if inner != name:
        raise BodyError(
            f"name is {name!r} but the payload's event is {inner!r}; make them "
            "match or drop the line."
        )
    return at, name, payload


def import_file(log: EventLog, file: IO[str]) -> int:
    """Store every event of a JSON lines file, all or none; return the count."""
    return log.append_many(read_import(file))
