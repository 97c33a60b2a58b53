"""The Google Sheets target: the tabs staff open, written through gspread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import gspread

from projections import Cell
from projections.columns import MONEY, TIME
from service.settings import Settings
from service.targets.base import Sheet, Target, TargetError, WriteStats, column_letter
from service.targets.google_client import explain, open_client, read_key
from service.targets.google_requests import (
    chunks,
    protect,
    quoted,
    repeat,
    resize,
    runs,
    too_small,
    value_ranges,
)

T = TypeVar("T")

# A Google Sheets cell holds at most 50,000 characters.
MAX_TEXT = 50000
ELLIPSIS = "…"
# The grid grows ahead of the rows, so most writes need no resize first.
GROW_ROWS = 1000
MONEY_FORMAT = {"type": "NUMBER", "pattern": "#,##0"}
TIME_FORMAT = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}
# Day 0 of spreadsheet date serial numbers.
EPOCH = datetime(1899, 12, 30)


def google_text(text: str) -> str:
    """Cut text that is longer than a cell holds, ending it with an ellipsis."""
    if len(text) > MAX_TEXT:
        return text[: MAX_TEXT - 1] + ELLIPSIS
    return text


class GoogleTarget(Target):
    """Write the tabs into one Google spreadsheet, in place.

    Only the projected columns of its own tabs are ever written; columns to
    the right and rows below the data are left to staff.
    """

    name = "google"
    incremental = True

    def __init__(
        self,
        spreadsheet_id: str,
        credentials: Path,
        timezone: ZoneInfo,
        api_url: str | None = None,
        max_retries: int = 3,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.timezone = timezone
        self.info = read_key(Path(credentials))
        self._api_url = api_url
        self._max_retries = max_retries
        self._client: gspread.Client | None = None
        self._book: gspread.Spreadsheet | None = None
        # title -> sheetId, rowCount, columnCount; None until fetched.
        self._grid: dict[str, list[int]] | None = None
        # Titles of tabs added by this process and not yet formatted.
        self._created: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings, max_retries: int = 3) -> GoogleTarget:
        return cls(
            settings.spreadsheet,
            settings.credentials,
            settings.timezone,
            settings.sheets_api_url,
            max_retries,
        )

    @property
    def label(self) -> str:
        return f"Google spreadsheet {self.spreadsheet_id}"

    @property
    def client_email(self) -> str:
        return self.info["client_email"]

    def call(self, action: Callable[[], T]) -> T:
        """Run one Google call; re-raise its failure as a TargetError."""
        try:
            return action()
        except Exception as ex:
            # A tab removed by hand makes ranges fail: look again next time.
            self._grid = None
            raise explain(ex, self.info, self.spreadsheet_id) from ex

    def spreadsheet(self) -> gspread.Spreadsheet:
        """Open the spreadsheet (one metadata read) and remember it."""
        if self._book is None:
            if self._client is None:
                self._client = open_client(self.info, self._api_url, self._max_retries)
            self._book = self.call(
                lambda: self._client.open_by_key(self.spreadsheet_id)
            )
        return self._book

    def titles(self) -> list[str]:
        """Return the titles of all tabs, reading them from Google."""
        return list(self._fetch_grid())

    def _fetch_grid(self) -> dict[str, list[int]]:
        book = self.spreadsheet()
        metadata = self.call(lambda: book.fetch_sheet_metadata())
        grid = {}
        for entry in metadata.get("sheets", []):
            props = entry["properties"]
            size = props.get("gridProperties", {})
            grid[props["title"]] = [
                props.get("sheetId", 0),
                size.get("rowCount", 0),
                size.get("columnCount", 0),
            ]
        self._grid = grid
        return grid

    def convert(self, sheet: Sheet, row: Sequence[Cell]) -> list:
        return [self._convert_cell(value) for value in row]

    def _convert_cell(self, value: Cell) -> object:
        if value is None:
            return ""
        if isinstance(value, datetime):
            local = value.astimezone(self.timezone).replace(tzinfo=None)
            seconds = (local.replace(microsecond=0) - EPOCH).total_seconds()
            return round(seconds / 86400, 8)
        if isinstance(value, str):
            return google_text(value)
        return value

    def prepare(self, sheets: list[Sheet]) -> set[str]:
        """Add the tabs that are missing, formatted; return their ids."""
        grid = self._grid if self._grid is not None else self._fetch_grid()
        missing = [sheet for sheet in sheets if sheet.title not in grid]
        if not missing:
            return set()
        requests = [self._add_sheet(sheet) for sheet in missing]
        reply = self.call(
            lambda: self.spreadsheet().batch_update({"requests": requests})
        )
        self._created.update(sheet.title for sheet in missing)
        for sheet, answer in zip(missing, reply.get("replies", []), strict=False):
            props = answer["addSheet"]["properties"]
            size = props.get("gridProperties", {})
            grid[sheet.title] = [
                props.get("sheetId", 0),
                size.get("rowCount", 0),
                size.get("columnCount", 0),
            ]
        return {sheet.id for sheet in missing}

    def _add_sheet(self, sheet: Sheet) -> dict:
        return {
            "addSheet": {
                "properties": {
                    "title": sheet.title,
                    "gridProperties": {
                        "rowCount": len(sheet.rows) + 1 + GROW_ROWS,
                        "columnCount": max(sheet.width, 26),
                        "frozenRowCount": 1,
                    },
                }
            }
        }

    def write_full(self, sheets: list[Sheet]) -> WriteStats:
        """Overwrite each tab's projected columns in place, then clear leftovers."""
        if self._grid is None:
            self._fetch_grid()
        stats = self._grow(
            {
                sheet.title: max(len(sheet.rows), sheet.previous_rows)
                for sheet in sheets
            },
            {sheet.title: sheet.width for sheet in sheets},
            [request for sheet in sheets for request in self._formats(sheet)],
        )
        data = []
        for sheet in sheets:
            values = [list(sheet.headers)]
            values += [self.convert(sheet, row) for row in sheet.rows]
            data += value_ranges(sheet, 0, values)
        stats += self._send(data)
        leftovers = [
            f"{quoted(sheet.title)}!A{len(sheet.rows) + 2}:"
            f"{column_letter(sheet.width - 1)}{sheet.previous_rows + 1}"
            for sheet in sheets
            if sheet.previous_rows > len(sheet.rows)
        ]
        if leftovers:
            book = self.spreadsheet()
            self.call(lambda: book.values_batch_clear(body={"ranges": leftovers}))
            stats += WriteStats(requests=1)
        self._created.difference_update(sheet.title for sheet in sheets)
        return stats

    def _formats(self, sheet: Sheet) -> list[dict]:
        """Bold frozen header, number formats, and a warning on edits."""
        sheet_id = self._grid[sheet.title][0]
        requests = [
            repeat(sheet_id, 0, 1, 0, sheet.width, {"textFormat": {"bold": True}}),
            {
                "updateSheetProperties": {
                    "properties": {
                        "sheetId": sheet_id,
                        "gridProperties": {"frozenRowCount": 1},
                    },
                    "fields": "gridProperties.frozenRowCount",
                }
            },
        ]
        for column, kind in enumerate(sheet.types):
            number = {MONEY: MONEY_FORMAT, TIME: TIME_FORMAT}.get(kind)
            if number:
                requests.append(
                    repeat(
                        sheet_id, 1, None, column, column + 1, {"numberFormat": number}
                    )
                )
        # Cells of mixed columns that hold a time whenever they are filled.
        for position, column in sheet.time_cells:
            requests.append(
                repeat(
                    sheet_id,
                    position + 1,
                    position + 2,
                    column,
                    column + 1,
                    {"numberFormat": TIME_FORMAT},
                )
            )
        if sheet.title in self._created:
            requests.append(protect(sheet_id, sheet.width))
        return requests

    def write_rows(
        self, sheets: list[Sheet], rows: dict[str, dict[int, list]]
    ) -> WriteStats:
        """Write changed rows as absolute ranges in one values:batchUpdate."""
        by_id = {sheet.id: sheet for sheet in sheets}
        stats = self._grow(
            {by_id[tab].title: max(positions) + 1 for tab, positions in rows.items()},
            {by_id[tab].title: by_id[tab].width for tab in rows},
            [],
        )
        data = []
        for tab, by_position in rows.items():
            sheet = by_id[tab]
            for first, block in runs(by_position):
                data += value_ranges(sheet, first + 1, block)
        return stats + self._send(data)

    def _grow(
        self, rows: dict[str, int], widths: dict[str, int], extra: list[dict]
    ) -> WriteStats:
        """Make each grid hold its rows (plus room), with other requests."""
        grid = self._grid if self._grid is not None else self._fetch_grid()
        if any(
            title not in grid or too_small(grid[title], count, widths[title])
            for title, count in rows.items()
        ):
            # Staff may have added rows or columns since the last look: size
            # from what is there now, so a resize never removes any.
            grid = self._fetch_grid()
        requests = []
        for title, count in rows.items():
            if title not in grid:
                raise TargetError(
                    f"The tab {title!r} was removed from the spreadsheet; it is "
                    "added back at the next sync.",
                    retryable=True,
                )
            sheet_id, row_count, column_count = grid[title]
            if too_small(grid[title], count, widths[title]):
                new_rows = max(row_count, count + 1 + GROW_ROWS)
                new_columns = max(column_count, widths[title])
                requests.append(resize(sheet_id, new_rows, new_columns))
                grid[title] = [sheet_id, new_rows, new_columns]
        requests += extra
        if not requests:
            return WriteStats()
        book = self.spreadsheet()
        self.call(lambda: book.batch_update({"requests": requests}))
        return WriteStats(requests=1)

    def _send(self, data: list[dict]) -> WriteStats:
        """Send value ranges RAW, in as few requests under 2 MB as possible."""
        book = self.spreadsheet()
        stats = WriteStats()
        for chunk, size in chunks(data):
            body = {"valueInputOption": "RAW", "data": chunk}
            self.call(lambda body=body: book.values_batch_update(body))
            rows = sum(len(entry["values"]) for entry in chunk)
            stats += WriteStats(requests=1, rows=rows, bytes=size)
        return stats

    def read(self, sheets: list[Sheet]) -> dict[str, list[list]]:
        """Read the projected columns of every tab in one batched read."""
        grid = self._fetch_grid()
        present = [sheet for sheet in sheets if sheet.title in grid]
        found: dict[str, list[list]] = {sheet.id: [] for sheet in sheets}
        if not present:
            return found
        ranges = [
            f"{quoted(sheet.title)}!A2:{column_letter(sheet.width - 1)}"
            f"{max(grid[sheet.title][1], 2)}"
            for sheet in present
        ]
        params = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
        }
        book = self.spreadsheet()
        reply = self.call(lambda: book.values_batch_get(ranges, params=params))
        for sheet, value_range in zip(
            present, reply.get("valueRanges", []), strict=False
        ):
            rows = value_range.get("values", [])
            found[sheet.id] = [row + [""] * (sheet.width - len(row)) for row in rows]
        return found
