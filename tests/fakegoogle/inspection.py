"""What tests read back from the fake, and the edits staff would make by hand."""

from __future__ import annotations

import threading
from typing import Any

from tests.fakegoogle import a1, cellvalues
from tests.fakegoogle import values as value_ops
from tests.fakegoogle.cellvalues import Formula
from tests.fakegoogle.errors import ApiError
from tests.fakegoogle.sheetops import new_sheet_properties
from tests.fakegoogle.spreadsheet import Sheet, Spreadsheet


class Inspection:
    """Read-back and staff-edit helpers; FakeGoogle supplies the state."""

    _lock: threading.RLock
    _spreadsheets: dict[str, Spreadsheet]

    def _touch(self, ss: Spreadsheet) -> None:
        """Note a change (FakeGoogle records the time)."""

    def _sheet(self, spreadsheet_id: str, title: str) -> Sheet:
        """Return a sheet or raise KeyError naming what is missing."""
        ss = self._spreadsheets[spreadsheet_id]
        for sheet in ss.sheets:
            if sheet.title == title:
                return sheet
        titles = [sheet.title for sheet in ss.sheets]
        raise KeyError(f"No sheet {title!r} in {spreadsheet_id}; it has {titles}.")

    def spreadsheet_title(self, spreadsheet_id: str) -> str:
        """Return the spreadsheet's title."""
        with self._lock:
            return self._spreadsheets[spreadsheet_id].properties["title"]

    def sheet_titles(self, spreadsheet_id: str) -> list[str]:
        """Return the tab titles in order."""
        with self._lock:
            return [sheet.title for sheet in self._spreadsheets[spreadsheet_id].sheets]

    def sheet_properties(self, spreadsheet_id: str, title: str) -> dict[str, Any]:
        """Return a sheet's properties as spreadsheets.get shows them."""
        with self._lock:
            return self._sheet(spreadsheet_id, title).api_properties()

    def cells(self, spreadsheet_id: str, title: str) -> list[list[Any]]:
        """Return stored values as rows, trailing empties cut, formulas as text.

        Numbers are numbers, text is text, empty cells inside are "".
        """
        with self._lock:
            sheet = self._sheet(spreadsheet_id, title)
            height, _ = sheet.extent()
            rows: list[list[Any]] = [[] for _ in range(height)]
            for (row, col), value in sorted(sheet.cells.items()):
                line = rows[row]
                line.extend([""] * (col - len(line)))
                line.append(value.text if isinstance(value, Formula) else value)
            return rows

    def values(
        self, spreadsheet_id: str, title: str, render: str = cellvalues.FORMATTED
    ) -> list[list[Any]]:
        """Return the whole sheet as a values.get with `render` would."""
        with self._lock:
            ss = self._spreadsheets[spreadsheet_id]
            sheet = self._sheet(spreadsheet_id, title)
            return value_ops.render_grid(
                ss, sheet, sheet.full_grid(), value_ops.ROWS, render, False
            )

    def grid_size(self, spreadsheet_id: str, title: str) -> tuple[int, int]:
        """Return (rows, columns) of a sheet's grid."""
        with self._lock:
            sheet = self._sheet(spreadsheet_id, title)
            return sheet.row_count, sheet.col_count

    def frozen_rows(self, spreadsheet_id: str, title: str) -> int:
        """Return the number of frozen rows."""
        with self._lock:
            grid = self._sheet(spreadsheet_id, title).grid_properties
            return grid.get("frozenRowCount", 0)

    def frozen_columns(self, spreadsheet_id: str, title: str) -> int:
        """Return the number of frozen columns."""
        with self._lock:
            grid = self._sheet(spreadsheet_id, title).grid_properties
            return grid.get("frozenColumnCount", 0)

    def cell_format(
        self, spreadsheet_id: str, title: str, row: int, col: int
    ) -> dict[str, Any] | None:
        """Return the userEnteredFormat of a 0-based cell, None if unformatted."""
        with self._lock:
            return self._sheet(spreadsheet_id, title).format_at(row, col)

    def protected_ranges(self, spreadsheet_id: str, title: str) -> list[dict[str, Any]]:
        """Return the sheet's protected ranges as the API shows them."""
        with self._lock:
            return [dict(p) for p in self._sheet(spreadsheet_id, title).protected]

    def dimension_properties(
        self, spreadsheet_id: str, title: str, dimension: str, index: int
    ) -> dict[str, Any]:
        """Return what updateDimensionProperties set on a row or column."""
        with self._lock:
            sheet = self._sheet(spreadsheet_id, title)
            return dict(sheet.dimensions.get((dimension, index), {}))

    # Staff edits: what someone typing in the browser would do.

    def set_cell(
        self, spreadsheet_id: str, title: str, cell: str, value: Any, raw: bool = False
    ) -> None:
        """Type `value` into a cell (parsed as USER_ENTERED unless `raw`)."""
        self.set_values(spreadsheet_id, title, cell, [[value]], raw=raw)

    def set_values(
        self,
        spreadsheet_id: str,
        title: str,
        cell: str,
        rows: list[list[Any]],
        raw: bool = False,
    ) -> None:
        """Type rows of values starting at `cell`; refuse past the grid."""
        option = cellvalues.RAW if raw else cellvalues.USER_ENTERED
        with self._lock:
            ss = self._spreadsheets[spreadsheet_id]
            self._sheet(spreadsheet_id, title)
            text = f"{a1.quote_title(title)}!{cell}"
            work = ss.clone()
            try:
                value_ops.write(work, text, rows, value_ops.ROWS, option)
            except ApiError as error:
                raise ValueError(f"Cannot type at {text}: {error.message}") from error
            ss.adopt(work)
            self._touch(ss)

    def add_sheet(
        self, spreadsheet_id: str, title: str, rows: int = 1000, cols: int = 26
    ) -> int:
        """Add a tab at the end; return its sheetId."""
        with self._lock:
            ss = self._spreadsheets[spreadsheet_id]
            grid = {"rowCount": rows, "columnCount": cols}
            props = new_sheet_properties(ss, {"title": title, "gridProperties": grid})
            ss.sheets.append(Sheet(props))
            ss.reindex()
            self._touch(ss)
            return props["sheetId"]

    def rename_sheet(self, spreadsheet_id: str, title: str, new_title: str) -> None:
        """Rename a tab."""
        with self._lock:
            self._sheet(spreadsheet_id, title).properties["title"] = new_title
            self._touch(self._spreadsheets[spreadsheet_id])

    def delete_sheet(self, spreadsheet_id: str, title: str) -> None:
        """Delete a tab."""
        with self._lock:
            ss = self._spreadsheets[spreadsheet_id]
            ss.sheets.remove(self._sheet(spreadsheet_id, title))
            ss.reindex()
            self._touch(ss)

    def insert_rows(
        self, spreadsheet_id: str, title: str, index: int, count: int = 1
    ) -> None:
        """Insert `count` empty rows before 0-based row `index`."""
        with self._lock:
            self._sheet(spreadsheet_id, title).insert("ROWS", index, count)
            self._touch(self._spreadsheets[spreadsheet_id])

    def delete_rows(
        self, spreadsheet_id: str, title: str, index: int, count: int = 1
    ) -> None:
        """Delete `count` rows from 0-based row `index`."""
        with self._lock:
            self._sheet(spreadsheet_id, title).delete("ROWS", index, index + count)
            self._touch(self._spreadsheets[spreadsheet_id])
