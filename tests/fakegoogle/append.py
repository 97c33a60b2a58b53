"""values.append: find the "table" in the search range and write below it.

Google documents only that the range is searched for a table and values go
to the next row, from the table's first column. The fake models it so the
recorded cases hold: the seed is the last non-empty cell of the search range
(row-major), and the table is the block of cells connected to it (diagonals
count), grown over the whole sheet. After a row `["x", "", "y"]`, appending
to the whole sheet finds the table `C1` and writes from C2, while appending
to `A1` finds `A1` and writes from A2, as Google does.
"""

from __future__ import annotations

from typing import Any

from tests.fakegoogle import a1, values
from tests.fakegoogle.a1 import GridRange
from tests.fakegoogle.spreadsheet import Sheet, Spreadsheet

OVERWRITE = "OVERWRITE"
INSERT_ROWS = "INSERT_ROWS"


def find_table(sheet: Sheet, search: GridRange) -> GridRange | None:
    """Return the table found from the search range, None on no data."""
    inside = [key for key in sheet.cells if search.contains(*key)]
    if not inside:
        return None
    row, col = max(inside)
    top, bottom, left, right = row, row + 1, col, col + 1
    occupied = set(sheet.cells)
    box = (top, bottom, left, right)
    while True:
        # Each side grows as far as it can before the others are checked
        # again, so a long table costs one pass per side, not one per row.
        while _any(occupied, range(bottom, bottom + 1), range(left - 1, right + 1)):
            bottom += 1
        while top > 0 and _any(
            occupied, range(top - 1, top), range(left - 1, right + 1)
        ):
            top -= 1
        while _any(occupied, range(top - 1, bottom + 1), range(right, right + 1)):
            right += 1
        while left > 0 and _any(
            occupied, range(top - 1, bottom + 1), range(left - 1, left)
        ):
            left -= 1
        if (top, bottom, left, right) == box:
            return GridRange(sheet.sheet_id, top, bottom, left, right)
        box = (top, bottom, left, right)


def _any(occupied: set[tuple[int, int]], rows: range, cols: range) -> bool:
    """Return whether any cell in rows x cols holds a value."""
    return any((r, c) in occupied for r in rows for c in cols)


def append(
    ss: Spreadsheet,
    text: str,
    data: Any,
    dimension: str,
    option: str,
    insert_option: str,
) -> dict[str, Any]:
    """Append rows after the table found in `text`; return append's response."""
    resolved = ss.resolve(text)
    sheet = resolved.sheet
    search = values.clip(sheet, resolved.grid)
    rows = values.matrix(data, "data.values", dimension)
    height = len(rows)
    width = max((len(line) for line in rows), default=0)
    table = find_table(sheet, search)
    if table is None:
        start_row, start_col = search.start_row, search.start_col
    else:
        start_row, start_col = table.end_row, table.start_col
    if insert_option == INSERT_ROWS and height and start_row < sheet.row_count:
        sheet.insert("ROWS", start_row, height)
    _grow(ss, sheet, start_row + height, start_col + width)
    target = GridRange(
        sheet.sheet_id,
        start_row,
        start_row + max(height, 1),
        start_col,
        start_col + max(width, 1),
    )
    written = values.put_rows(ss, sheet, target, rows, option)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if table is not None:
        out["tableRange"] = a1.render(sheet.title, table)
    out["updates"] = written.response
    return out


def _grow(ss: Spreadsheet, sheet: Sheet, rows: int, cols: int) -> None:
    """Add rows and columns so the appended data fits, as Google does."""
    grid = sheet.grid_properties
    grid["rowCount"] = max(sheet.row_count, rows)
    grid["columnCount"] = max(sheet.col_count, cols)
    ss.check_cell_limit()
