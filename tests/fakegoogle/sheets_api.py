"""Routes for https://sheets.googleapis.com/v4/spreadsheets/... ."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.fakegoogle import append, batch, metadata, values
from tests.fakegoogle.errors import ApiError, invalid
from tests.fakegoogle.permissions import access_role, can_write
from tests.fakegoogle.spreadsheet import Spreadsheet

if TYPE_CHECKING:
    from tests.fakegoogle.fake import FakeGoogle

PREFIX = "/v4/spreadsheets"
_ID = re.compile(r"^/([^/:]+)(.*)$")
_ACTIONS = {
    ("GET", ""): "get",
    ("POST", ":batchUpdate"): "batchUpdate",
    ("GET", "/values:batchGet"): "batchGet",
    ("POST", "/values:batchUpdate"): "valuesBatchUpdate",
    ("POST", "/values:batchClear"): "batchClear",
}


@dataclass
class Call:
    """One API request as the routes see it."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    email: str | None = None

    def param(self, name: str) -> str | None:
        """Return the last value of a query parameter."""
        found = self.query.get(name)
        return found[-1] if found else None

    def flag(self, name: str) -> bool:
        """Return a boolean parameter; Python clients send `True`/`False`."""
        return (self.param(name) or "").lower() == "true"

    def json(self) -> Any:
        """Return the JSON body, {} when empty."""
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            raise invalid("Invalid JSON payload received. Unexpected token.") from None


def spreadsheet_id_of(path: str) -> str | None:
    """Return the spreadsheet id a Sheets path names, if any."""
    match = _ID.match(path[len(PREFIX) :])
    return unquote(match.group(1)) if match else None


def handle(fake: FakeGoogle, call: Call) -> dict[str, Any]:
    """Serve one Sheets API call (auth, quota and switches already passed)."""
    if call.path.rstrip("/") == PREFIX and call.method == "POST":
        return _create(fake, call)
    match = _ID.match(call.path[len(PREFIX) :])
    if match is None:
        raise ApiError(404, "Method not found.")
    action, range_text = _route(call.method, match.group(2))
    ss = fake._spreadsheets.get(unquote(match.group(1)))
    if ss is None:
        raise ApiError(404)
    role = access_role(ss, call.email or "")
    if role is None or (call.method != "GET" and not can_write(role)):
        raise ApiError(403)
    if call.method == "GET":
        return READS[action](ss, call, range_text)
    work = ss.clone()
    result = WRITES[action](work, call, range_text)
    ss.adopt(work)
    fake._touch(ss)
    return result


def _create(fake: FakeGoogle, call: Call) -> dict[str, Any]:
    """spreadsheets.create: the caller owns the new spreadsheet."""
    body = call.json()
    body = body if isinstance(body, dict) else {}
    title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
    sheets = [s.get("properties") or {} for s in body.get("sheets") or []]
    spreadsheet_id = fake.create_spreadsheet(
        title, owner=call.email or "", sheets=sheets or None
    )
    ss = fake._spreadsheets[spreadsheet_id]
    return metadata.get(ss, [], False, None)


def _route(method: str, tail: str) -> tuple[str, str | None]:
    """Return (action, range) for the path after the spreadsheet id."""
    if (method, tail) in _ACTIONS:
        return _ACTIONS[(method, tail)], None
    if tail.startswith("/values/") and len(tail) > len("/values/"):
        raw = tail[len("/values/") :]
        if method in ("GET", "PUT"):
            return ("valuesGet" if method == "GET" else "valuesUpdate"), unquote(raw)
        # Ranges are percent-encoded but the method suffix is a literal colon,
        # so the last colon of the raw path separates them.
        head, _, suffix = raw.rpartition(":")
        if method == "POST" and head and suffix in ("append", "clear"):
            return suffix, unquote(head)
    raise ApiError(404, "Method not found.")


def _get(ss: Spreadsheet, call: Call, _: str | None) -> dict[str, Any]:
    """spreadsheets.get."""
    ranges = call.query.get("ranges", [])
    return metadata.get(ss, ranges, call.flag("includeGridData"), call.param("fields"))


def _values_get(ss: Spreadsheet, call: Call, text: str | None) -> dict[str, Any]:
    """values.get."""
    return values.read(ss, text or "", *_read_options(call))


def _read_options(call: Call) -> tuple[str, str, bool]:
    """Return (majorDimension, valueRenderOption, dates as strings)."""
    dimension = values.major(call.param("majorDimension"))
    option = values.render_option(call.param("valueRenderOption"))
    date_option = call.param("dateTimeRenderOption") or "SERIAL_NUMBER"
    return dimension, option, date_option == "FORMATTED_STRING"


def _batch_get(ss: Spreadsheet, call: Call, _: str | None) -> dict[str, Any]:
    """values.batchGet."""
    options = _read_options(call)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    ranges = call.query.get("ranges", [])
    if ranges:
        out["valueRanges"] = [values.read(ss, text, *options) for text in ranges]
    return out


def _with_data(ss: Spreadsheet, response: dict[str, Any], options: dict) -> None:
    """Add `updatedData` when the caller asked for values in the response."""
    if options.get("includeValuesInResponse") in (True, "true", "True"):
        render = values.render_option(
            options.get("responseValueRenderOption"), "response_value_render_option"
        )
        dates = options.get("responseDateTimeRenderOption") == "FORMATTED_STRING"
        data = values.read(ss, response["updatedRange"], values.ROWS, render, dates)
        response["updatedData"] = data


def _values_update(ss: Spreadsheet, call: Call, text: str | None) -> dict[str, Any]:
    """values.update (PUT)."""
    option = values.input_option(call.param("valueInputOption"))
    body = call.json()
    body = body if isinstance(body, dict) else {}
    dimension = values.major(body.get("majorDimension"))
    response = values.write(ss, text or "", body.get("values"), dimension, option)
    _with_data(ss, response.response, _options(call))
    return response.response


def _options(call: Call) -> dict[str, Any]:
    """Return the response options given as query parameters."""
    names = (
        "includeValuesInResponse",
        "responseValueRenderOption",
        "responseDateTimeRenderOption",
    )
    return {name: call.param(name) for name in names}


def _append(ss: Spreadsheet, call: Call, text: str | None) -> dict[str, Any]:
    """values.append."""
    option = values.input_option(call.param("valueInputOption"))
    insert = values.enum(
        call.param("insertDataOption"),
        "insert_data_option",
        "InsertDataOption",
        (append.OVERWRITE, append.INSERT_ROWS),
    )
    body = call.json()
    body = body if isinstance(body, dict) else {}
    dimension = values.major(body.get("majorDimension"))
    out = append.append(ss, text or "", body.get("values"), dimension, option, insert)
    _with_data(ss, out["updates"], _options(call))
    return out


def _values_batch_update(ss: Spreadsheet, call: Call, _: str | None) -> dict[str, Any]:
    """values.batchUpdate: every range or none."""
    body = call.json()
    body = body if isinstance(body, dict) else {}
    option = values.input_option(body.get("valueInputOption"))
    written = values.batch_write(ss, body.get("data"), option)
    out = values.totals(ss, written)
    out["responses"] = [w.response for w in written]
    for response in out["responses"]:
        _with_data(ss, response, body)
    return out


def _clear(ss: Spreadsheet, call: Call, text: str | None) -> dict[str, Any]:
    """values.clear."""
    cleared = values.clear(ss, text or "")
    return {"spreadsheetId": ss.spreadsheet_id, "clearedRange": cleared}


def _batch_clear(ss: Spreadsheet, call: Call, _: str | None) -> dict[str, Any]:
    """values.batchClear."""
    body = call.json()
    ranges = body.get("ranges") if isinstance(body, dict) else None
    cleared = [values.clear(ss, str(text)) for text in ranges or []]
    return {"spreadsheetId": ss.spreadsheet_id, "clearedRanges": cleared}


def _batch_update(ss: Spreadsheet, call: Call, _: str | None) -> dict[str, Any]:
    """spreadsheets.batchUpdate."""
    body = call.json()
    out = batch.apply_batch(ss, body, batch.Context(call.email or ""))
    if isinstance(body, dict) and body.get("includeSpreadsheetInResponse"):
        ranges = body.get("responseRanges") or []
        grid = bool(body.get("responseIncludeGridData"))
        out["updatedSpreadsheet"] = metadata.get(ss, ranges, grid, None)
    return out


Route = Callable[[Spreadsheet, Call, "str | None"], dict[str, Any]]
READS: dict[str, Route] = {
    "get": _get,
    "valuesGet": _values_get,
    "batchGet": _batch_get,
}
WRITES: dict[str, Route] = {
    "batchUpdate": _batch_update,
    "valuesUpdate": _values_update,
    "valuesBatchUpdate": _values_batch_update,
    "append": _append,
    "clear": _clear,
    "batchClear": _batch_clear,
}
