"""batchUpdate requests on sheets and spreadsheet properties."""

from __future__ import annotations

import copy
import random
from typing import Any

from tests.fakegoogle import masks
from tests.fakegoogle.errors import invalid
from tests.fakegoogle.spreadsheet import DEFAULT_COLS, DEFAULT_ROWS, Sheet, Spreadsheet

Reply = dict[str, Any]
MAX_SHEET_ID = 2**31 - 1


def sheet_or_fail(ss: Spreadsheet, sheet_id: Any, noun: str = "sheet") -> Sheet:
    """Return the sheet with this id or raise Google's `No sheet with id`."""
    sheet = ss.sheet_by_id(sheet_id if sheet_id is not None else 0)
    if sheet is None:
        raise invalid(f"No {noun} with id: {sheet_id if sheet_id is not None else 0}")
    return sheet


def new_sheet_properties(ss: Spreadsheet, given: dict[str, Any]) -> dict[str, Any]:
    """Return complete properties for a new sheet, defaults filled in."""
    props = copy.deepcopy(given)
    if props.get("sheetId") is None:
        taken = {sheet.sheet_id for sheet in ss.sheets}
        sheet_id = random.randint(1, MAX_SHEET_ID)
        while sheet_id in taken:
            sheet_id = random.randint(1, MAX_SHEET_ID)
        props["sheetId"] = sheet_id
    elif ss.sheet_by_id(props["sheetId"]) is not None:
        raise invalid(
            f"A sheet with id {props['sheetId']} already exists. "
            "Please enter another id."
        )
    if not props.get("title"):
        props["title"] = _next_title(ss)
    props.setdefault("sheetType", "GRID")
    grid = props.setdefault("gridProperties", {})
    grid["rowCount"] = grid.get("rowCount") or DEFAULT_ROWS
    grid["columnCount"] = grid.get("columnCount") or DEFAULT_COLS
    return props


def _next_title(ss: Spreadsheet) -> str:
    """Return the first free `SheetN` title, as the Sheets UI names new tabs."""
    n = len(ss.sheets) + 1
    while ss.sheet_by_title(f"Sheet{n}") is not None:
        n += 1
    return f"Sheet{n}"


def _check_title(ss: Spreadsheet, title: Any, own: Sheet | None = None) -> None:
    """Refuse an empty title or one another sheet has."""
    if not isinstance(title, str) or not title.strip():
        raise invalid("The sheet name cannot be empty.")
    other = ss.sheet_by_title(title)
    if other is not None and other is not own:
        raise invalid(
            f'A sheet with the name "{title}" already exists. '
            "Please enter another name."
        )


def _check_grid(sheet: Sheet) -> None:
    """Refuse grid properties Google refuses."""
    grid = sheet.grid_properties
    if sheet.row_count < 1 or sheet.col_count < 1:
        raise invalid("Invalid grid properties: rowCount and columnCount must be >= 1.")
    if grid.get("frozenRowCount", 0) >= sheet.row_count:
        raise invalid("You can't freeze all visible rows on the sheet.")
    if grid.get("frozenColumnCount", 0) >= sheet.col_count:
        raise invalid("You can't freeze all visible columns on the sheet.")


def add_sheet(ss: Spreadsheet, request: dict[str, Any], ctx: Any) -> Reply:
    """addSheet: append (or insert at `index`) a new grid sheet."""
    props = new_sheet_properties(ss, request.get("properties") or {})
    _check_title(ss, props["title"])
    sheet = Sheet(props)
    index = props.pop("index", None)
    position = len(ss.sheets) if index is None else max(0, min(index, len(ss.sheets)))
    ss.sheets.insert(position, sheet)
    ss.reindex()
    _check_grid(sheet)
    ss.check_cell_limit()
    return {"addSheet": {"properties": sheet.api_properties()}}


def delete_sheet(ss: Spreadsheet, request: dict[str, Any], ctx: Any) -> Reply:
    """deleteSheet: remove a sheet and the named ranges on it."""
    sheet = sheet_or_fail(ss, request.get("sheetId"))
    if len(ss.sheets) == 1:
        raise invalid("You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.named_ranges = [
        n for n in ss.named_ranges if n["range"].get("sheetId", 0) != sheet.sheet_id
    ]
    ss.reindex()
    if all(s.properties.get("hidden") for s in ss.sheets):
        ss.sheets[0].properties["hidden"] = False
    return {}


def update_sheet_properties(
    ss: Spreadsheet, request: dict[str, Any], ctx: Any
) -> Reply:
    """updateSheetProperties: change only the fields named by the mask."""
    given = request.get("properties") or {}
    sheet = sheet_or_fail(ss, given.get("sheetId"))
    paths = _paths(request)
    before = copy.deepcopy(sheet.properties)
    masks.apply(sheet.properties, given, paths)
    sheet.properties["sheetId"] = before["sheetId"]
    sheet.properties.setdefault("gridProperties", {})
    if sheet.properties.get("title") != before["title"]:
        _check_title(ss, sheet.properties.get("title"), sheet)
    _check_grid(sheet)
    if sheet.properties.get("index") != before["index"]:
        index = sheet.properties.get("index") or 0
        ss.sheets.remove(sheet)
        ss.sheets.insert(max(0, min(index, len(ss.sheets))), sheet)
    ss.reindex()
    if all(s.properties.get("hidden") for s in ss.sheets):
        raise invalid("You can't hide all the sheets in a document.")
    shrunk = sheet.row_count < before["gridProperties"].get("rowCount", 0) or (
        sheet.col_count < before["gridProperties"].get("columnCount", 0)
    )
    if shrunk:
        sheet.truncate()
    ss.check_cell_limit()
    return {}


def update_spreadsheet_properties(
    ss: Spreadsheet, request: dict[str, Any], ctx: Any
) -> Reply:
    """updateSpreadsheetProperties: title, locale, timeZone and the like."""
    masks.apply(ss.properties, request.get("properties") or {}, _paths(request))
    return {}


def _paths(request: dict[str, Any]) -> list[masks.Path]:
    """Return the request's field mask, which Google requires."""
    fields = request.get("fields")
    if not fields:
        raise invalid("At least one field must be specified in 'fields'.")
    try:
        return masks.parse(fields)
    except masks.MaskSyntaxError:
        raise invalid(f"Invalid field mask: {fields}") from None


SHEET_REQUESTS = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
}
