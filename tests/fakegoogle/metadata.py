"""spreadsheets.get: properties, sheets and, when asked, grid data."""

from __future__ import annotations

from typing import Any

from tests.fakegoogle import cellvalues, masks
from tests.fakegoogle.a1 import GridRange
from tests.fakegoogle.errors import invalid
from tests.fakegoogle.spreadsheet import Sheet, Spreadsheet
from tests.fakegoogle.values import clip

DEFAULT_ROW_PIXELS = 21
DEFAULT_COLUMN_PIXELS = 100


def spreadsheet_url(spreadsheet_id: str) -> str:
    """Return the browser URL Google reports for a spreadsheet."""
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"


def get(
    ss: Spreadsheet, ranges: list[str], include_grid: bool, fields: str | None
) -> dict[str, Any]:
    """Return a Spreadsheet resource, trimmed to `fields` when given.

    As Google documents, a field mask overrides includeGridData: grid data is
    returned exactly when the mask selects `sheets.data`.
    """
    paths: list[masks.Path] = []
    if fields:
        try:
            paths = masks.parse(fields)
        except masks.MaskSyntaxError:
            raise invalid(f"Invalid field mask: {fields}") from None
        include_grid = masks.covers(paths, ("sheets", "data"))
    wanted = _wanted(ss, ranges)
    sheets = []
    for sheet in ss.sheets:
        if ranges and sheet.sheet_id not in wanted:
            continue
        entry: dict[str, Any] = {"properties": sheet.api_properties()}
        if include_grid:
            grids = wanted.get(sheet.sheet_id) or [sheet.full_grid()]
            entry["data"] = [grid_data(ss, sheet, grid) for grid in grids]
        if sheet.protected:
            entry["protectedRanges"] = sheet.protected
        sheets.append(entry)
    out: dict[str, Any] = {
        "spreadsheetId": ss.spreadsheet_id,
        "properties": ss.properties,
        "sheets": sheets,
        "spreadsheetUrl": spreadsheet_url(ss.spreadsheet_id),
    }
    if ss.named_ranges:
        out["namedRanges"] = ss.named_ranges
    return masks.select(out, paths) if paths else out


def _wanted(ss: Spreadsheet, ranges: list[str]) -> dict[int, list[GridRange]]:
    """Return the requested grids keyed by sheet id, in request order."""
    wanted: dict[int, list[GridRange]] = {}
    for text in ranges:
        resolved = ss.resolve(text)
        grid = clip(resolved.sheet, resolved.grid)
        wanted.setdefault(resolved.sheet.sheet_id, []).append(grid)
    return wanted


def grid_data(ss: Spreadsheet, sheet: Sheet, grid: GridRange) -> dict[str, Any]:
    """Return GridData for one range: rowData of CellData, trailing empties cut."""
    evaluator = ss.evaluator(sheet)
    # Past the last value and the last format every cell is empty; skip them.
    used_rows, used_cols = sheet.extent()
    for layer in sheet.formats:
        used_rows = max(used_rows, layer.grid.end_row)
        used_cols = max(used_cols, layer.grid.end_col)
    rows: list[dict[str, Any]] = []
    for row in range(grid.start_row, min(grid.end_row, used_rows)):
        cells: list[dict[str, Any]] = []
        for col in range(grid.start_col, min(grid.end_col, used_cols)):
            cells.append(cell_data(sheet, row, col, evaluator))
        while cells and not cells[-1]:
            cells.pop()
        rows.append({"values": cells} if cells else {})
    while rows and not rows[-1]:
        rows.pop()
    out: dict[str, Any] = {}
    if grid.start_row:
        out["startRow"] = grid.start_row
    if grid.start_col:
        out["startColumn"] = grid.start_col
    if rows:
        out["rowData"] = rows
    out["rowMetadata"] = [
        _dimension(sheet, "ROWS", i, DEFAULT_ROW_PIXELS)
        for i in range(grid.start_row, grid.end_row)
    ]
    out["columnMetadata"] = [
        _dimension(sheet, "COLUMNS", i, DEFAULT_COLUMN_PIXELS)
        for i in range(grid.start_col, grid.end_col)
    ]
    return out


def cell_data(sheet: Sheet, row: int, col: int, evaluator: Any) -> dict[str, Any]:
    """Return CellData: entered value, effective value, text and format."""
    out: dict[str, Any] = {}
    stored = sheet.cells.get((row, col))
    fmt = sheet.format_at(row, col)
    if stored is not None:
        result = evaluator.result(sheet, row, col)
        out["userEnteredValue"] = cellvalues.to_extended(stored)
        out["effectiveValue"] = cellvalues.to_extended(result)
        out["formattedValue"] = cellvalues.formatted(result, fmt)
    if fmt:
        out["userEnteredFormat"] = fmt
    return out


def _dimension(sheet: Sheet, dimension: str, index: int, pixels: int) -> dict[str, Any]:
    """Return DimensionProperties for one row or column."""
    props = {"pixelSize": pixels}
    props.update(sheet.dimensions.get((dimension, index), {}))
    return props
