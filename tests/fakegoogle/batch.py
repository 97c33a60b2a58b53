"""spreadsheets.batchUpdate: validate and apply every request, or none."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakegoogle.cellops import CELL_REQUESTS, checked_grid
from tests.fakegoogle.errors import ApiError, invalid
from tests.fakegoogle.sheetops import MAX_SHEET_ID, SHEET_REQUESTS, Reply, sheet_or_fail
from tests.fakegoogle.spreadsheet import Sheet, Spreadsheet

# Requests Google knows that the fake accepts without modelling their effect;
# they only get their sheet ids checked.
_ACCEPTED_NAMES = """
    addBanding addChart addConditionalFormatRule addDimensionGroup addFilterView
    addSlicer autoFill clearBasicFilter copyPaste createDeveloperMetadata cutPaste
    deleteBanding deleteConditionalFormatRule deleteDeveloperMetadata
    deleteDimensionGroup deleteDuplicates deleteEmbeddedObject deleteFilterView
    deleteRange duplicateFilterView findReplace insertRange mergeCells
    moveDimension pasteData randomizeRange setBasicFilter setDataValidation
    sortRange textToColumns trimWhitespace unmergeCells updateBanding updateBorders
    updateChartSpec updateConditionalFormatRule updateDeveloperMetadata
    updateDimensionGroup updateEmbeddedObjectBorder updateEmbeddedObjectPosition
    updateFilterView updateNamedRange updateProtectedRange updateSlicerSpec
"""
ACCEPTED = frozenset(_ACCEPTED_NAMES.split())


@dataclass(frozen=True)
class Context:
    """Who sends the batch; protected ranges list the requester as editor."""

    email: str


Handler = Callable[[Spreadsheet, dict[str, Any], Context], Reply]


def apply_batch(ss: Spreadsheet, body: Any, ctx: Context) -> dict[str, Any]:
    """Run a batchUpdate body against `ss` in place; raise on the first refusal.

    Callers pass a working copy and keep it only if this returns.
    """
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise invalid("Must specify at least one request.")
    replies = [
        _apply_one(ss, index, request, ctx) for index, request in enumerate(requests)
    ]
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id, "replies": replies}
    return out


def _apply_one(ss: Spreadsheet, index: int, request: Any, ctx: Context) -> Reply:
    """Apply one request, prefixing refusals with `Invalid requests[i].kind: `."""
    if not isinstance(request, dict) or len(request) != 1:
        raise invalid(f"Invalid requests[{index}]: No request set.")
    kind, payload = next(iter(request.items()))
    handler = HANDLERS.get(kind)
    if handler is None and kind not in ACCEPTED:
        message = (
            f'Invalid JSON payload received. Unknown name "{kind}" at '
            f"'requests[{index}]': Cannot find field."
        )
        violation = {"field": f"requests[{index}]", "description": message}
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [violation],
            }
        ]
        raise ApiError(400, message, details)
    try:
        if handler is None:
            _check_sheet_ids(ss, payload)
            return {}
        return handler(ss, payload if isinstance(payload, dict) else {}, ctx)
    except ApiError as error:
        raise error.prefixed(f"Invalid requests[{index}].{kind}: ") from None


def _check_sheet_ids(ss: Spreadsheet, payload: Any) -> None:
    """Refuse an accepted request that names a sheet that does not exist."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key == "sheetId" and ss.sheet_by_id(value) is None:
                raise invalid(f"No grid with id: {value}")
            _check_sheet_ids(ss, value)
    elif isinstance(payload, list):
        for item in payload:
            _check_sheet_ids(ss, item)


def _dimension_range(ss: Spreadsheet, rng: Any) -> tuple[Sheet, str, int, int]:
    """Return (sheet, ROWS|COLUMNS, start, end) of a DimensionRange."""
    rng = rng if isinstance(rng, dict) else {}
    sheet = sheet_or_fail(ss, rng.get("sheetId", 0), noun="grid")
    dimension = rng.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise invalid("Invalid dimension range: dimension must be ROWS or COLUMNS.")
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    start = rng.get("startIndex", 0)
    end = rng.get("endIndex", size)
    if start < 0 or end < start:
        raise invalid("Invalid dimension range: startIndex must be <= endIndex.")
    return sheet, dimension, start, end


def _insert_dimension(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """insertDimension: insert rows or columns, shifting cells and formats."""
    sheet, dimension, start, end = _dimension_range(ss, request.get("range"))
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if start > size:
        raise invalid(f"Invalid dimension range: startIndex {start} is past the grid.")
    sheet.insert(dimension, start, end - start)
    ss.check_cell_limit()
    return {}


def _append_dimension(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """appendDimension: add rows or columns at the end."""
    sheet = sheet_or_fail(ss, request.get("sheetId", 0))
    dimension = request.get("dimension")
    length = request.get("length") or 0
    if dimension not in ("ROWS", "COLUMNS") or length < 1:
        raise invalid("appendDimension needs a dimension and a positive length.")
    key = "rowCount" if dimension == "ROWS" else "columnCount"
    sheet.grid_properties[key] += length
    ss.check_cell_limit()
    return {}


def _delete_dimension(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """deleteDimension: delete rows or columns; at least one must remain."""
    sheet, dimension, start, end = _dimension_range(ss, request.get("range"))
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    end = min(end, size)
    if start == 0 and end >= size:
        word = "rows" if dimension == "ROWS" else "columns"
        raise invalid(f"You can't delete all the {word} on the sheet.")
    sheet.delete(dimension, start, end)
    return {}


def _update_dimension(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """updateDimensionProperties: remember sizes and hidden flags."""
    sheet, dimension, start, end = _dimension_range(ss, request.get("range"))
    for index in range(start, end):
        props = dict(sheet.dimensions.get((dimension, index), {}))
        props.update(request.get("properties") or {})
        sheet.dimensions[(dimension, index)] = props
    return {}


def _auto_resize(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """autoResizeDimensions: accepted; column widths are not modelled."""
    _dimension_range(ss, request.get("dimensions"))
    return {}


def _add_protected(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """addProtectedRange: store it with an id; the requester becomes an editor."""
    given = {
        k: v for k, v in (request.get("protectedRange") or {}).items() if v is not None
    }
    sheet, grid = checked_grid(ss, given.get("range"))
    protected = copy.deepcopy(given)
    protected["protectedRangeId"] = random.randint(1, MAX_SHEET_ID)
    protected["range"] = grid.to_json()
    if not protected.get("warningOnly"):
        editors = protected.setdefault("editors", {})
        editors = {k: v for k, v in editors.items() if v}
        users = editors.setdefault("users", [])
        if ctx.email and ctx.email not in users:
            users.append(ctx.email)
        protected["editors"] = editors
    protected.setdefault("requestingUserCanEdit", True)
    sheet.protected.append(protected)
    return {"addProtectedRange": {"protectedRange": protected}}


def _delete_protected(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """deleteProtectedRange: remove by id."""
    wanted = request.get("protectedRangeId")
    for sheet in ss.sheets:
        for protected in sheet.protected:
            if protected["protectedRangeId"] == wanted:
                sheet.protected.remove(protected)
                return {}
    raise invalid(f"No protected range with id: {wanted}")


def _add_named(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """addNamedRange: store a name usable in A1 ranges."""
    named = copy.deepcopy(request.get("namedRange") or {})
    name = named.get("name")
    if not name or any(
        n["name"].casefold() == name.casefold() for n in ss.named_ranges
    ):
        raise invalid(f"Invalid named range name: {name!r}.")
    _, grid = checked_grid(ss, named.get("range"))
    named["range"] = grid.to_json()
    named.setdefault("namedRangeId", f"{random.getrandbits(40):x}")
    ss.named_ranges.append(named)
    return {"addNamedRange": {"namedRange": named}}


def _delete_named(ss: Spreadsheet, request: dict[str, Any], ctx: Context) -> Reply:
    """deleteNamedRange: remove by id."""
    wanted = request.get("namedRangeId")
    kept = [n for n in ss.named_ranges if n.get("namedRangeId") != wanted]
    if len(kept) == len(ss.named_ranges):
        raise invalid(f"No named range with id: {wanted}")
    ss.named_ranges = kept
    return {}


HANDLERS: dict[str, Handler] = {
    **SHEET_REQUESTS,
    **CELL_REQUESTS,
    "insertDimension": _insert_dimension,
    "appendDimension": _append_dimension,
    "deleteDimension": _delete_dimension,
    "updateDimensionProperties": _update_dimension,
    "autoResizeDimensions": _auto_resize,
    "addProtectedRange": _add_protected,
    "deleteProtectedRange": _delete_protected,
    "addNamedRange": _add_named,
    "deleteNamedRange": _delete_named,
}
