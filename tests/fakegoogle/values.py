"""spreadsheets.values: get, batchGet, update, batchUpdate, clear, batchClear."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakegoogle import a1, cellvalues
from tests.fakegoogle.a1 import GridRange
from tests.fakegoogle.errors import ApiError, invalid, invalid_value
from tests.fakegoogle.spreadsheet import Sheet, Spreadsheet, outside_grid

ROWS = "ROWS"
COLUMNS = "COLUMNS"
_RANGE_ERRORS = ("Unable to parse range", "Range (", "Requested writing")


@dataclass
class Written:
    """The response of one write and the cells it touched, for batch totals."""

    response: dict[str, Any]
    title: str
    cells: set[tuple[int, int]] = field(default_factory=set)


def enum(value: Any, field: str, type_name: str, allowed: tuple[str, ...]) -> str:
    """Return a validated enum parameter; None falls back to the first choice."""
    if value in (None, "", "DIMENSION_UNSPECIFIED"):
        return allowed[0]
    if value not in allowed:
        raise invalid(
            f"Invalid value at '{field}' "
            f"(type.googleapis.com/google.apps.sheets.v4.{type_name}), "
            + json.dumps(value)
        )
    return value


def major(value: Any) -> str:
    """Return a validated majorDimension."""
    return enum(value, "major_dimension", "Dimension", (ROWS, COLUMNS))


def render_option(value: Any, field: str = "value_render_option") -> str:
    """Return a validated valueRenderOption."""
    return enum(value, field, "ValueRenderOption", cellvalues.RENDER_OPTIONS)


def input_option(value: Any) -> str:
    """Return the required valueInputOption."""
    if value in (None, "", "INPUT_VALUE_OPTION_UNSPECIFIED"):
        raise invalid("'valueInputOption' is required but not specified")
    options = (cellvalues.RAW, cellvalues.USER_ENTERED)
    return enum(value, "value_input_option", "ValueInputOption", options)


def clip(sheet: Sheet, grid: GridRange) -> GridRange:
    """Refuse a range wholly outside the grid; cut one that is partly outside."""
    if grid.start_row >= sheet.row_count or grid.start_col >= sheet.col_count:
        raise outside_grid(sheet, grid)
    return GridRange(
        grid.sheet_id,
        grid.start_row,
        min(grid.end_row, sheet.row_count),
        grid.start_col,
        min(grid.end_col, sheet.col_count),
    )


def read(
    ss: Spreadsheet,
    text: str,
    dimension: str = ROWS,
    option: str = cellvalues.FORMATTED,
    date_strings: bool = False,
) -> dict[str, Any]:
    """Return a ValueRange for `text`: trailing empties cut, no `values` if empty."""
    resolved = ss.resolve(text)
    sheet = resolved.sheet
    grid = clip(sheet, resolved.grid)
    out: dict[str, Any] = {
        "range": a1.render(sheet.title, grid),
        "majorDimension": dimension,
    }
    values = render_grid(ss, sheet, grid, dimension, option, date_strings)
    if values:
        out["values"] = values
    return out


def render_grid(
    ss: Spreadsheet,
    sheet: Sheet,
    grid: GridRange,
    dimension: str,
    option: str,
    date_strings: bool,
) -> list[list[Any]]:
    """Render the non-empty cells of `grid` as rows or columns of values."""
    evaluator = ss.evaluator(sheet)
    shown: dict[tuple[int, int], Any] = {}
    for (row, col), stored in sheet.cells.items():
        if not grid.contains(row, col):
            continue
        result = evaluator.result(sheet, row, col)
        # Only numbers depend on the format; folding layers is the slow part.
        number = result if isinstance(stored, cellvalues.Formula) else stored
        wants = option == cellvalues.FORMATTED or date_strings
        needs_format = wants and isinstance(number, int | float)
        fmt = sheet.format_at(row, col) if needs_format else None
        value = cellvalues.render(stored, result, option, fmt, date_strings)
        if value != "":
            key = (row - grid.start_row, col - grid.start_col)
            shown[key if dimension == ROWS else key[::-1]] = value
    if not shown:
        return []
    lines: list[list[Any]] = [[] for _ in range(max(k[0] for k in shown) + 1)]
    for (major_index, minor_index), value in sorted(shown.items()):
        line = lines[major_index]
        line.extend([""] * (minor_index - len(line)))
        line.append(value)
    return lines


def matrix(values: Any, field: str, dimension: str) -> list[list[Any]]:
    """Validate request values and return them as rows (COLUMNS transposed)."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise invalid_value(field, values)
    for index, line in enumerate(values):
        if not isinstance(line, list):
            raise invalid_value(f"{field}[{index}]", line)
        for pos, cell in enumerate(line):
            if isinstance(cell, dict | list):
                raise invalid(f"Invalid values[{index}][{pos}]: {json.dumps(cell)}")
            cellvalues.check_length(cell)
    if dimension == ROWS:
        return values
    height = max((len(line) for line in values), default=0)
    return [
        [line[r] if r < len(line) else None for line in values] for r in range(height)
    ]


def write(
    ss: Spreadsheet,
    text: str,
    values: Any,
    dimension: str,
    option: str,
    field: str = "data.values",
) -> Written:
    """Write values at `text` as values.update does."""
    resolved = ss.resolve(text)
    sheet, grid = resolved.sheet, resolved.grid
    rows = matrix(values, field, dimension)
    height = len(rows)
    width = max((len(line) for line in rows), default=0)
    if not resolved.single:
        _check_within(sheet, grid, height, width)
    target = GridRange(
        sheet.sheet_id,
        grid.start_row,
        grid.start_row + max(height, 1),
        grid.start_col,
        grid.start_col + max(width, 1),
    )
    if (
        height
        and width
        and (target.end_row > sheet.row_count or target.end_col > sheet.col_count)
    ):
        raise outside_grid(sheet, target)
    return put_rows(ss, sheet, target, rows, option)


def _check_within(sheet: Sheet, grid: GridRange, height: int, width: int) -> None:
    """Refuse data larger than an explicit range, as Google words it."""
    name = a1.render(sheet.title, grid)
    if height > grid.rows:
        row = grid.start_row + grid.rows + 1
        raise invalid(
            f"Requested writing within range [{name}], but tried writing to row [{row}]"
        )
    if width > grid.cols:
        col = a1.column_letters(grid.end_col)
        raise invalid(
            f"Requested writing within range [{name}], but tried writing to column "
            f"[{col}]"
        )


def put_rows(
    ss: Spreadsheet, sheet: Sheet, target: GridRange, rows: list[list[Any]], option: str
) -> Written:
    """Store rows at the target's corner; null skips a cell, "" clears it."""
    touched: set[tuple[int, int]] = set()
    for r, line in enumerate(rows):
        for c, raw in enumerate(line):
            if raw is None:
                continue
            row, col = target.start_row + r, target.start_col + c
            store(sheet, row, col, raw, option)
            touched.add((row, col))
    out: dict[str, Any] = {
        "spreadsheetId": ss.spreadsheet_id,
        "updatedRange": a1.render(sheet.title, target),
    }
    if touched:
        out.update(
            updatedRows=len({row for row, _ in touched}),
            updatedColumns=len({col for _, col in touched}),
            updatedCells=len(touched),
        )
    return Written(out, sheet.title, touched)


def store(sheet: Sheet, row: int, col: int, raw: Any, option: str) -> None:
    """Parse one input value and store it, adding any format Sheets infers."""
    typed = option == cellvalues.USER_ENTERED and isinstance(raw, str)
    fmt = sheet.format_at(row, col) if typed else None
    value, auto_format = cellvalues.parse_input(raw, option, fmt)
    if value is None:
        sheet.cells.pop((row, col), None)
        return
    sheet.cells[(row, col)] = value
    if auto_format:
        grid = GridRange(sheet.sheet_id, row, row + 1, col, col + 1)
        sheet.add_format(grid, [("numberFormat",)], auto_format)


def batch_write(ss: Spreadsheet, data: Any, option: str) -> list[Written]:
    """Apply values.batchUpdate's data in order."""
    if not isinstance(data, list):
        raise invalid_value("data", data)
    written = []
    for index, item in enumerate(data):
        item = item if isinstance(item, dict) else {}
        try:
            dimension = major(item.get("majorDimension"))
            text = str(item.get("range", ""))
            field = f"data[{index}].values"
            done = write(ss, text, item.get("values"), dimension, option, field)
        except ApiError as error:
            if (error.message or "").startswith(_RANGE_ERRORS):
                raise error.prefixed(f"Invalid data[{index}]: ") from None
            raise
        written.append(done)
    return written


def totals(ss: Spreadsheet, written: list[Written]) -> dict[str, Any]:
    """Return total* counts as unions of rows, columns and cells per sheet."""
    cells = {(w.title, row, col) for w in written for row, col in w.cells}
    rows = {(title, row) for title, row, _ in cells}
    cols = {(title, col) for title, _, col in cells}
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if cells:
        out.update(
            totalUpdatedRows=len(rows),
            totalUpdatedColumns=len(cols),
            totalUpdatedCells=len(cells),
            totalUpdatedSheets=len({title for title, _ in rows}),
        )
    return out


def clear(ss: Spreadsheet, text: str) -> str:
    """Clear values (formats stay) in a range; return the cleared range."""
    resolved = ss.resolve(text)
    sheet = resolved.sheet
    grid = clip(sheet, resolved.grid)
    for key in [k for k in sheet.cells if grid.contains(*k)]:
        del sheet.cells[key]
    return a1.render(sheet.title, grid)
