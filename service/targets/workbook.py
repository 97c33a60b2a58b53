"""The local workbook target: one .xlsx file rewritten whole with openpyxl."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from projections import Cell
from projections.columns import MONEY
from service.targets.base import Sheet, Target, TargetError, WriteStats

# A workbook cell holds at most 32,767 characters.
MAX_TEXT = 32767
ELLIPSIS = "…"
MONEY_FORMAT = "#,##0"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
HEADER_FONT = Font(bold=True)
# A temporary file this old is left from a killed save, not one under way.
STALE_SECONDS = 3600
_UNWRITABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def workbook_text(text: str) -> str:
    """Drop characters a workbook cannot hold and cut text that is too long."""
    # Control characters other than tab and newline, lone surrogates and the
    # non-characters U+FFFE and U+FFFF make the file unreadable.
    text = _UNWRITABLE.sub("", ILLEGAL_CHARACTERS_RE.sub("", text))
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + ELLIPSIS
    return text


def _looks_like_formula(value: object) -> bool:
    # openpyxl turns a string starting with "=" into a formula and "#N/A"
    # into an error value; a note is text, so those must say so.
    return isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES)


class WorkbookTarget(Target):
    """Write every tab into one .xlsx, through a temporary file and a rename."""

    name = "workbook"
    incremental = False

    def __init__(self, path: Path, timezone: ZoneInfo) -> None:
        self.path = Path(path)
        self.timezone = timezone
        self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        # A process killed while saving leaves its temporary file behind.
        cutoff = time.time() - STALE_SECONDS
        for stale in self.path.parent.glob(".sheets-*.xlsx"):
            with contextlib.suppress(OSError):
                if stale.stat().st_mtime < cutoff:
                    stale.unlink()

    @property
    def label(self) -> str:
        return f"workbook {self.path}"

    def convert(self, sheet: Sheet, row: Sequence[Cell]) -> list:
        return [self._convert_cell(value) for value in row]

    def _convert_cell(self, value: Cell) -> object:
        if isinstance(value, datetime):
            local = value.astimezone(self.timezone).replace(tzinfo=None)
            return local.replace(microsecond=0)
        if isinstance(value, str):
            return workbook_text(value)
        return value

    def prepare(self, sheets: list[Sheet]) -> set[str]:
        return set()

    def write_full(self, sheets: list[Sheet]) -> WriteStats:
        """Write all tabs to a temporary file, then rename it into place."""
        workbook = openpyxl.Workbook(write_only=True)
        rows = 0
        for sheet in sheets:
            rows += self._write_sheet(workbook, sheet)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(
            prefix=".sheets-", suffix=".xlsx", dir=self.path.parent
        )
        os.close(fd)
        try:
            workbook.save(temporary)
            os.replace(temporary, self.path)
        except OSError as ex:
            Path(temporary).unlink(missing_ok=True)
            raise TargetError(
                f"Could not write the workbook {self.path} ({ex.strerror}); "
                "check the disk and the folder's permissions.",
                retryable=True,
            ) from ex
        return WriteStats(requests=1, rows=rows, bytes=self.path.stat().st_size)

    def _write_sheet(self, workbook: openpyxl.Workbook, sheet: Sheet) -> int:
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.freeze_panes = "A2"
        header = []
        for text in sheet.headers:
            cell = WriteOnlyCell(worksheet, value=text)
            cell.font = HEADER_FONT
            header.append(cell)
        worksheet.append(header)
        for row in sheet.rows:
            worksheet.append(self._cells(worksheet, sheet.types, row))
        return len(sheet.rows)

    def _cells(self, worksheet: object, types: list[str], row: Sequence) -> list:
        cells = []
        for kind, value in zip(types, row, strict=True):
            value = self._convert_cell(value)
            number_format = None
            if isinstance(value, datetime):
                number_format = TIME_FORMAT
            elif kind == MONEY and isinstance(value, int):
                number_format = MONEY_FORMAT
            if number_format or _looks_like_formula(value):
                cell = WriteOnlyCell(worksheet, value=value)
                if number_format:
                    cell.number_format = number_format
                else:
                    cell.data_type = "s"
                value = cell
            cells.append(value)
        return cells

    def read(self, sheets: list[Sheet]) -> dict[str, list[list]]:
        """Read the projected columns back from the file."""
        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True)
        except FileNotFoundError:
            return {sheet.id: [] for sheet in sheets}
        found = {}
        for sheet in sheets:
            if sheet.title not in workbook.sheetnames:
                found[sheet.id] = []
                continue
            rows = workbook[sheet.title].iter_rows(
                min_row=2, max_col=sheet.width, values_only=True
            )
            found[sheet.id] = [list(row) for row in rows]
        workbook.close()
        return found
