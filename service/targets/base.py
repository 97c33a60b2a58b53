"""The one interface both targets implement, and the tabs they receive."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from projections import Cell

# Column types beyond the projections' own: the Status tab's values are of
# mixed kinds, so each of its cells is written by its Python type.
AUTO = "auto"


@dataclass
class Sheet:
    """One tab as a target sees it: titles, headers, types and all rows."""

    id: str
    title: str
    headers: list[str]
    types: list[str]
    fingerprint: str
    rows: Sequence[Sequence[Cell]] = field(default_factory=list)
    # Data rows the target held from the last write; a whole write clears
    # those past the new end, and never touches rows below them.
    previous_rows: int = 0
    # (row, column) of cells in mixed columns that hold a time when filled.
    time_cells: tuple[tuple[int, int], ...] = ()

    @property
    def width(self) -> int:
        return len(self.headers)


@dataclass(frozen=True)
class WriteStats:
    """What one write cost: requests sent, rows written and bytes sent."""

    requests: int = 0
    rows: int = 0
    bytes: int = 0

    def __add__(self, other: WriteStats) -> WriteStats:
        return WriteStats(
            self.requests + other.requests,
            self.rows + other.rows,
            self.bytes + other.bytes,
        )


class TargetError(Exception):
    """A target refused or could not be reached; the message says what to do.

    `retryable` is true when waiting is enough (quota, outage, network), and
    false when someone must fix something first (key, sharing, settings).
    """

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Target(ABC):
    """A spreadsheet the tabs are written to.

    An incremental target receives only the rows that differ from what was
    last written (the engine keeps that in a mirror); a whole target is
    rewritten from all rows each time.
    """

    name: str
    incremental: bool

    @property
    def label(self) -> str:
        """Name the target for people, as in "written to the workbook"."""
        return self.name

    @abstractmethod
    def convert(self, sheet: Sheet, row: Sequence[Cell]) -> list:
        """Return the row's cells as the target stores them (JSON values)."""

    @abstractmethod
    def prepare(self, sheets: list[Sheet]) -> set[str]:
        """Make sure every tab exists; return the ids of tabs made just now."""

    @abstractmethod
    def write_full(self, sheets: list[Sheet]) -> WriteStats:
        """Write every row of these tabs, header included, in place.

        Rows from `previous_rows` down that the new rows no longer reach are
        cleared within the projected columns; nothing else is touched.
        """

    def write_rows(
        self, sheets: list[Sheet], rows: dict[str, dict[int, list]]
    ) -> WriteStats:
        """Write these converted rows, keyed by tab id and 0-based position."""
        raise NotImplementedError(f"{self.name} is rewritten whole")

    @abstractmethod
    def read(self, sheets: list[Sheet]) -> dict[str, list[list]]:
        """Read back the projected columns of each tab, header excluded."""


def column_letter(index: int) -> str:
    """Return the A1 letters of a 0-based column index: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
