"""A1 notation: parse ranges, normalise them to grids and render them back."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ENDPOINT = re.compile(r"^\$?([A-Za-z]{0,3})\$?([0-9]*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*)$")


class RangeSyntaxError(ValueError):
    """The text is not A1 notation Google would accept."""


@dataclass(frozen=True)
class GridRange:
    """A rectangle of one sheet, 0-based and half-open like the API's GridRange."""

    sheet_id: int
    start_row: int
    end_row: int
    start_col: int
    end_col: int

    @property
    def rows(self) -> int:
        """Return the number of rows covered."""
        return self.end_row - self.start_row

    @property
    def cols(self) -> int:
        """Return the number of columns covered."""
        return self.end_col - self.start_col

    def contains(self, row: int, col: int) -> bool:
        """Return whether the 0-based cell lies inside."""
        return (
            self.start_row <= row < self.end_row
            and self.start_col <= col < self.end_col
        )

    def to_json(self) -> dict[str, int]:
        """Return the API's GridRange, omitting zero values as Google does."""
        out = {
            "sheetId": self.sheet_id,
            "startRowIndex": self.start_row,
            "endRowIndex": self.end_row,
            "startColumnIndex": self.start_col,
            "endColumnIndex": self.end_col,
        }
        return {key: value for key, value in out.items() if value}


@dataclass(frozen=True)
class Span:
    """The cell part of a range before it meets a grid; None means unbounded."""

    start_row: int | None
    start_col: int | None
    end_row: int | None
    end_col: int | None
    single: bool

    def bound(self, row_count: int, col_count: int, sheet_id: int) -> GridRange:
        """Resolve open ends against a grid and order reversed corners."""
        r1 = self.start_row if self.start_row is not None else 0
        c1 = self.start_col if self.start_col is not None else 0
        if self.single:
            r2, c2 = r1, c1
        else:
            r2 = self.end_row if self.end_row is not None else row_count - 1
            c2 = self.end_col if self.end_col is not None else col_count - 1
        r1, r2 = min(r1, r2), max(r1, r2)
        c1, c2 = min(c1, c2), max(c1, c2)
        return GridRange(sheet_id, r1, r2 + 1, c1, c2 + 1)


@dataclass(frozen=True)
class ParsedRange:
    """A range as written: an optional sheet name and an optional cell span."""

    text: str
    title: str | None
    quoted: bool
    cells: str | None


def column_letters(index: int) -> str:
    """Return the letters of the 0-based column `index` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Return the 0-based index of column `letters`."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def cell_name(row: int, col: int) -> str:
    """Return the A1 name of the 0-based cell."""
    return f"{column_letters(col)}{row + 1}"


def quote_title(title: str) -> str:
    """Return the title as Google writes it in ranges: bare only when simple."""
    if _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def render(title: str, grid: GridRange) -> str:
    """Return `Title!A1:B2`, or `Title!A1` for a single cell."""
    start = cell_name(grid.start_row, grid.start_col)
    end = cell_name(grid.end_row - 1, grid.end_col - 1)
    cells = start if start == end else f"{start}:{end}"
    return f"{quote_title(title)}!{cells}"


def split_sheet(text: str) -> ParsedRange:
    """Split `'Title'!A1:B2` into its sheet and cell parts."""
    if text.startswith("'"):
        title, rest = _read_quoted(text)
        if rest == "":
            return ParsedRange(text, title, True, None)
        if rest.startswith("!") and len(rest) > 1:
            return ParsedRange(text, title, True, rest[1:])
        raise RangeSyntaxError(text)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        if not title or not cells:
            raise RangeSyntaxError(text)
        return ParsedRange(text, title, False, cells)
    return ParsedRange(text, None, False, text)


def _read_quoted(text: str) -> tuple[str, str]:
    """Return the title inside leading quotes (`''` is one quote) and the rest."""
    chars: list[str] = []
    i = 1
    while i < len(text):
        char = text[i]
        if char == "'":
            if text[i + 1 : i + 2] == "'":
                chars.append("'")
                i += 2
                continue
            return "".join(chars), text[i + 1 :]
        chars.append(char)
        i += 1
    raise RangeSyntaxError(text)


def parse_span(cells: str) -> Span | None:
    """Parse `A1`, `A1:B2`, `A:C`, `2:5`, `A1:C`, `A1:1`; None if not A1."""
    parts = cells.split(":")
    if len(parts) > 2:
        return None
    ends = [_endpoint(part) for part in parts]
    if any(end is None for end in ends):
        return None
    if len(ends) == 1:
        row, col = ends[0]  # type: ignore[misc]
        if row is None or col is None:
            return None
        return Span(row, col, row, col, single=True)
    (r1, c1), (r2, c2) = ends  # type: ignore[misc]
    if c1 is None and c2 is not None:
        return None  # `2:B5` mixes a row with a column
    if r1 is None and c2 is None:
        return None  # `A:5` has no column to end on
    return Span(r1, c1, r2, c2, single=False)


def _endpoint(text: str) -> tuple[int | None, int | None] | None:
    """Parse one corner into (row, col), either may be None; None if invalid."""
    match = _ENDPOINT.match(text)
    if not match or not text.replace("$", ""):
        return None
    letters, digits = match.groups()
    if digits and int(digits) < 1:
        return None
    row = int(digits) - 1 if digits else None
    col = column_index(letters) if letters else None
    return row, col
