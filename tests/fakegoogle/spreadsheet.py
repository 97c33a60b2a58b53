"""The stored state of one spreadsheet: sheets, cells, formats, named ranges."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from tests.fakegoogle import a1, masks
from tests.fakegoogle.a1 import GridRange
from tests.fakegoogle.cellvalues import Formula, Value
from tests.fakegoogle.errors import CELL_LIMIT, CELL_LIMIT_MESSAGE, ApiError, invalid
from tests.fakegoogle.formula import FormulaError, evaluate

DEFAULT_ROWS = 1000
DEFAULT_COLS = 26


@dataclass(frozen=True)
class FormatLayer:
    """One repeatCell: `fmt` applied over `grid`, limited to mask `paths`."""

    grid: GridRange
    paths: tuple[masks.Path, ...]
    fmt: dict[str, Any]


@dataclass(frozen=True)
class Resolved:
    """A range resolved against a spreadsheet."""

    sheet: Sheet
    grid: GridRange
    single: bool


class Sheet:
    """One tab: its properties as the API shows them, cells and formats."""

    def __init__(self, properties: dict[str, Any]) -> None:
        self.properties = properties
        self.cells: dict[tuple[int, int], Value] = {}
        self.formats: list[FormatLayer] = []
        self.protected: list[dict[str, Any]] = []
        self.dimensions: dict[tuple[str, int], dict[str, Any]] = {}

    def clone(self) -> Sheet:
        """Return a copy that can be changed without touching this one."""
        other = Sheet(copy.deepcopy(self.properties))
        other.cells = dict(self.cells)
        other.formats = list(self.formats)
        other.protected = copy.deepcopy(self.protected)
        other.dimensions = dict(self.dimensions)
        return other

    @property
    def sheet_id(self) -> int:
        """Return the sheetId."""
        return self.properties["sheetId"]

    @property
    def title(self) -> str:
        """Return the title."""
        return self.properties["title"]

    @property
    def grid_properties(self) -> dict[str, Any]:
        """Return the mutable gridProperties dict."""
        return self.properties.setdefault("gridProperties", {})

    @property
    def row_count(self) -> int:
        """Return the number of rows in the grid."""
        return self.grid_properties.get("rowCount", 0)

    @property
    def col_count(self) -> int:
        """Return the number of columns in the grid."""
        return self.grid_properties.get("columnCount", 0)

    def full_grid(self) -> GridRange:
        """Return the whole grid as a range."""
        return GridRange(self.sheet_id, 0, self.row_count, 0, self.col_count)

    def format_at(self, row: int, col: int) -> dict[str, Any] | None:
        """Return the cell's userEnteredFormat, folding every layer over it."""
        result: dict[str, Any] | None = None
        for layer in self.formats:
            if not layer.grid.contains(row, col):
                continue
            result = {} if result is None else result
            if not layer.paths:
                result = copy.deepcopy(layer.fmt)
            else:
                masks.apply(result, layer.fmt, list(layer.paths))
        return result or None

    def add_format(self, grid: GridRange, paths: list[masks.Path], fmt: dict) -> None:
        """Record a format layer; empty paths replace the whole format."""
        self.formats.append(FormatLayer(grid, tuple(paths), copy.deepcopy(fmt)))

    def extent(self) -> tuple[int, int]:
        """Return (rows, cols) up to the last non-empty cell."""
        if not self.cells:
            return 0, 0
        return (
            max(r for r, _ in self.cells) + 1,
            max(c for _, c in self.cells) + 1,
        )

    def insert(self, dimension: str, start: int, count: int) -> None:
        """Insert `count` rows or columns before 0-based `start`."""
        axis = 0 if dimension == "ROWS" else 1
        self.cells = {
            _shift(key, axis, start, count): value for key, value in self.cells.items()
        }
        self.formats = [
            FormatLayer(_grow(layer.grid, axis, start, count), layer.paths, layer.fmt)
            for layer in self.formats
        ]
        key = "rowCount" if axis == 0 else "columnCount"
        self.grid_properties[key] += count

    def delete(self, dimension: str, start: int, end: int) -> None:
        """Delete rows or columns [start, end)."""
        axis = 0 if dimension == "ROWS" else 1
        count = end - start
        kept = {k: v for k, v in self.cells.items() if not start <= k[axis] < end}
        self.cells = {_shift(k, axis, end, -count): v for k, v in kept.items()}
        layers = []
        for layer in self.formats:
            grid = _shrink(layer.grid, axis, start, end)
            if grid.rows > 0 and grid.cols > 0:
                layers.append(FormatLayer(grid, layer.paths, layer.fmt))
        self.formats = layers
        key = "rowCount" if axis == 0 else "columnCount"
        self.grid_properties[key] -= count

    def truncate(self) -> None:
        """Drop cells and clip formats that fall outside a shrunken grid."""
        rows, cols = self.row_count, self.col_count
        self.cells = {
            k: v for k, v in self.cells.items() if k[0] < rows and k[1] < cols
        }
        layers = []
        for layer in self.formats:
            g = layer.grid
            end_row, end_col = min(g.end_row, rows), min(g.end_col, cols)
            grid = GridRange(g.sheet_id, g.start_row, end_row, g.start_col, end_col)
            if grid.rows > 0 and grid.cols > 0:
                layers.append(FormatLayer(grid, layer.paths, layer.fmt))
        self.formats = layers

    def api_properties(self) -> dict[str, Any]:
        """Return properties as Google shows them: default values omitted."""
        props = copy.deepcopy(self.properties)
        grid = props.get("gridProperties", {})
        for key in ("frozenRowCount", "frozenColumnCount"):
            if not grid.get(key):
                grid.pop(key, None)
        for key in ("hidden", "rightToLeft"):
            if not props.get(key):
                props.pop(key, None)
        return props


def _shift(key: tuple[int, int], axis: int, start: int, count: int) -> tuple[int, int]:
    """Move a cell key by `count` along axis when at or past `start`."""
    if key[axis] < start:
        return key
    return (key[0] + count, key[1]) if axis == 0 else (key[0], key[1] + count)


def _grow(grid: GridRange, axis: int, start: int, count: int) -> GridRange:
    """Shift or stretch a range for an insert of `count` at `start`."""
    lo, hi = (
        (grid.start_row, grid.end_row) if axis == 0 else (grid.start_col, grid.end_col)
    )
    lo, hi = (lo + count if lo >= start else lo), (hi + count if hi > start else hi)
    if axis == 0:
        return GridRange(grid.sheet_id, lo, hi, grid.start_col, grid.end_col)
    return GridRange(grid.sheet_id, grid.start_row, grid.end_row, lo, hi)


def _shrink(grid: GridRange, axis: int, start: int, end: int) -> GridRange:
    """Cut [start, end) out of a range along axis."""
    lo, hi = (
        (grid.start_row, grid.end_row) if axis == 0 else (grid.start_col, grid.end_col)
    )

    def moved(index: int) -> int:
        """Return where an index lands once [start, end) is gone."""
        return index - max(0, min(index, end) - start) if index > start else index

    lo, hi = moved(lo), moved(hi)
    if axis == 0:
        return GridRange(grid.sheet_id, lo, hi, grid.start_col, grid.end_col)
    return GridRange(grid.sheet_id, grid.start_row, grid.end_row, lo, hi)


class Spreadsheet:
    """A spreadsheet: properties, ordered sheets, named ranges and sharing."""

    def __init__(self, spreadsheet_id: str, properties: dict[str, Any]) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.properties = properties
        self.sheets: list[Sheet] = []
        self.named_ranges: list[dict[str, Any]] = []
        self.permissions: list[dict[str, Any]] = []
        self.created = ""
        self.modified = ""

    def clone(self) -> Spreadsheet:
        """Return a working copy for all-or-nothing updates."""
        other = Spreadsheet(self.spreadsheet_id, copy.deepcopy(self.properties))
        other.sheets = [sheet.clone() for sheet in self.sheets]
        other.named_ranges = copy.deepcopy(self.named_ranges)
        other.permissions = self.permissions
        other.created, other.modified = self.created, self.modified
        return other

    def adopt(self, other: Spreadsheet) -> None:
        """Take over the state of a successfully updated working copy."""
        self.properties = other.properties
        self.sheets = other.sheets
        self.named_ranges = other.named_ranges

    def sheet_by_title(self, title: str) -> Sheet | None:
        """Return the sheet with this title; case is ignored as Google does."""
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        folded = title.casefold()
        return next((s for s in self.sheets if s.title.casefold() == folded), None)

    def sheet_by_id(self, sheet_id: Any) -> Sheet | None:
        """Return the sheet with this sheetId."""
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def first_visible(self) -> Sheet:
        """Return the first sheet not hidden; unqualified cells refer to it."""
        return next(
            (s for s in self.sheets if not s.properties.get("hidden")), self.sheets[0]
        )

    def reindex(self) -> None:
        """Renumber sheet indexes after a move, add or delete."""
        for index, sheet in enumerate(self.sheets):
            sheet.properties["index"] = index

    def total_cells(self) -> int:
        """Return the grid size summed over all sheets."""
        return sum(sheet.row_count * sheet.col_count for sheet in self.sheets)

    def check_cell_limit(self) -> None:
        """Refuse a grid above the per-spreadsheet cell limit."""
        if self.total_cells() > CELL_LIMIT:
            raise invalid(CELL_LIMIT_MESSAGE)

    def resolve(self, text: str) -> Resolved:
        """Resolve A1 text (with or without a sheet) to a sheet and a range."""
        try:
            parsed = a1.split_sheet(text)
        except a1.RangeSyntaxError:
            raise unparsable(text) from None
        named = self._named(parsed.cells)
        if parsed.title is None and named is not None:
            return named
        if parsed.title is None:
            span = a1.parse_span(parsed.cells or "")
            if span is not None:
                sheet = self.first_visible()
                return Resolved(sheet, _bound(span, sheet), span.single)
            sheet = self.sheet_by_title(parsed.cells or "")
            if sheet is None:
                raise unparsable(text)
            return Resolved(sheet, sheet.full_grid(), False)
        sheet = self.sheet_by_title(parsed.title)
        if sheet is None:
            raise unparsable(text)
        if parsed.cells is None:
            return Resolved(sheet, sheet.full_grid(), False)
        span = a1.parse_span(parsed.cells)
        if span is not None:
            return Resolved(sheet, _bound(span, sheet), span.single)
        if named is not None and named.sheet is sheet:
            return named
        raise unparsable(text)

    def _named(self, name: str | None) -> Resolved | None:
        """Return the named range called `name`, if any."""
        for named in self.named_ranges:
            if name and named["name"].casefold() == name.casefold():
                rng = named["range"]
                sheet = self.sheet_by_id(rng.get("sheetId", 0))
                if sheet is None:
                    return None
                return Resolved(sheet, grid_from_json(rng, sheet), False)
        return None

    def evaluator(self, sheet: Sheet) -> Evaluator:
        """Return a formula evaluator rooted at `sheet`."""
        return Evaluator(self, sheet)


def _bound(span: a1.Span, sheet: Sheet) -> GridRange:
    """Bound a span against a sheet's grid."""
    return span.bound(sheet.row_count, sheet.col_count, sheet.sheet_id)


def grid_from_json(rng: dict[str, Any], sheet: Sheet) -> GridRange:
    """Return a GridRange from the API's JSON; missing indexes are unbounded."""
    return GridRange(
        sheet.sheet_id,
        rng.get("startRowIndex", 0),
        rng.get("endRowIndex", sheet.row_count),
        rng.get("startColumnIndex", 0),
        rng.get("endColumnIndex", sheet.col_count),
    )


def unparsable(text: str) -> ApiError:
    """Return Google's 400 for a range it cannot parse."""
    return invalid(f"Unable to parse range: {text}")


def outside_grid(sheet: Sheet, grid: GridRange) -> ApiError:
    """Return Google's 400 for a range past the grid's edge."""
    name = a1.render(sheet.title, grid)
    return invalid(
        f"Range ({name}) exceeds grid limits. Max rows: {sheet.row_count}, "
        f"max columns: {sheet.col_count}"
    )


class Evaluator:
    """Evaluates formula cells, memoised for one request, cycles give #REF!."""

    def __init__(self, spreadsheet: Spreadsheet, sheet: Sheet) -> None:
        self.spreadsheet = spreadsheet
        self.sheet = sheet
        self.memo: dict[tuple[int, int, int], Any] = {}
        self.active: set[tuple[int, int, int]] = set()

    def result(self, sheet: Sheet, row: int, col: int) -> Any:
        """Return the evaluated value of a cell (None when empty)."""
        stored = sheet.cells.get((row, col))
        if not isinstance(stored, Formula):
            return stored
        key = (sheet.sheet_id, row, col)
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            return FormulaError("#REF!")
        self.active.add(key)
        outer, self.sheet = self.sheet, sheet
        try:
            value = evaluate(stored.text, self)
        finally:
            self.sheet = outer
            self.active.discard(key)
        self.memo[key] = value
        return value

    def value(self, title: str | None, row: int, col: int) -> Any:
        """Return a referenced cell's value for the formula being evaluated."""
        sheet = self.sheet if title is None else self.spreadsheet.sheet_by_title(title)
        if sheet is None:
            return FormulaError("#REF!")
        return self.result(sheet, row, col)

    def size(self, title: str | None) -> tuple[int, int] | None:
        """Return the grid size of a referenced sheet."""
        sheet = self.sheet if title is None else self.spreadsheet.sheet_by_title(title)
        return None if sheet is None else (sheet.row_count, sheet.col_count)
