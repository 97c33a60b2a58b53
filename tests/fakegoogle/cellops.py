"""batchUpdate requests on cells: repeatCell and updateCells."""

from __future__ import annotations

from typing import Any

from tests.fakegoogle import a1, cellvalues, masks
from tests.fakegoogle.a1 import GridRange
from tests.fakegoogle.errors import invalid
from tests.fakegoogle.sheetops import Reply, sheet_or_fail
from tests.fakegoogle.spreadsheet import Sheet, Spreadsheet, grid_from_json

FORMAT_KEY = "userEnteredFormat"
VALUE_KEY = "userEnteredValue"


def checked_grid(ss: Spreadsheet, rng: Any) -> tuple[Sheet, GridRange]:
    """Return the sheet and range of a GridRange, refusing ranges past the grid."""
    rng = rng if isinstance(rng, dict) else {}
    sheet = sheet_or_fail(ss, rng.get("sheetId", 0), noun="grid")
    grid = grid_from_json(rng, sheet)
    if grid.end_row > sheet.row_count or grid.end_col > sheet.col_count:
        raise invalid(
            f"Range ({a1.render(sheet.title, grid)}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
        )
    if grid.start_row < 0 or grid.start_col < 0 or grid.rows < 0 or grid.cols < 0:
        raise invalid("Invalid range: start index must be >= 0 and <= end index.")
    return sheet, grid


def split_fields(fields: Any) -> tuple[list[masks.Path] | None, bool]:
    """Return (format paths below userEnteredFormat, whether values change).

    Format paths: None means untouched, [] means the whole format.
    """
    if not fields:
        raise invalid("At least one field must be specified in 'fields'.")
    try:
        paths = masks.parse(fields)
    except masks.MaskSyntaxError:
        raise invalid(f"Invalid field mask: {fields}") from None
    if ("*",) in paths:
        return [], True
    format_paths: list[masks.Path] | None = None
    for path in paths:
        if path[0] == FORMAT_KEY:
            format_paths = format_paths if format_paths is not None else []
            if len(path) == 1:
                return [], any(p[0] == VALUE_KEY for p in paths)
            format_paths.append(path[1:])
    return format_paths, any(path[0] == VALUE_KEY for path in paths)


def apply_cell(
    sheet: Sheet,
    grid: GridRange,
    cell: dict[str, Any],
    format_paths: list[masks.Path] | None,
    set_values: bool,
) -> None:
    """Apply one CellData over `grid` under the mask's format paths and values."""
    if format_paths is not None:
        sheet.add_format(grid, format_paths, cell.get(FORMAT_KEY) or {})
    if not set_values:
        return
    value = cellvalues.from_extended(cell.get(VALUE_KEY) or {})
    cellvalues.check_length(value)
    for row in range(grid.start_row, grid.end_row):
        for col in range(grid.start_col, grid.end_col):
            if value is None:
                sheet.cells.pop((row, col), None)
            else:
                sheet.cells[(row, col)] = value


def repeat_cell(ss: Spreadsheet, request: dict[str, Any], ctx: Any) -> Reply:
    """repeatCell: one CellData applied to every cell of a range."""
    sheet, grid = checked_grid(ss, request.get("range"))
    format_paths, set_values = split_fields(request.get("fields"))
    apply_cell(sheet, grid, request.get("cell") or {}, format_paths, set_values)
    return {}


def update_cells(ss: Spreadsheet, request: dict[str, Any], ctx: Any) -> Reply:
    """updateCells: rows of CellData from a start cell or over a range."""
    format_paths, set_values = split_fields(request.get("fields"))
    rows = request.get("rows") or []
    if "start" in request:
        start = request["start"] or {}
        height = len(rows)
        width = max((len(r.get("values") or []) for r in rows), default=0)
        rng = {
            "sheetId": start.get("sheetId", 0),
            "startRowIndex": start.get("rowIndex", 0),
            "endRowIndex": start.get("rowIndex", 0) + height,
            "startColumnIndex": start.get("columnIndex", 0),
            "endColumnIndex": start.get("columnIndex", 0) + width,
        }
        sheet, grid = checked_grid(ss, rng)
    else:
        sheet, grid = checked_grid(ss, request.get("range"))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row.get("values") or []):
            here = GridRange(
                sheet.sheet_id,
                grid.start_row + r,
                grid.start_row + r + 1,
                grid.start_col + c,
                grid.start_col + c + 1,
            )
            if here.end_row <= grid.end_row and here.end_col <= grid.end_col:
                apply_cell(sheet, here, cell or {}, format_paths, set_values)
    return {}


CELL_REQUESTS = {"repeatCell": repeat_cell, "updateCells": update_cells}
