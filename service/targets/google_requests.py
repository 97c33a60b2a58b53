"""Build the Sheets API request bodies the Google target sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from service.targets.base import Sheet, column_letter

# Google recommends payloads under 2 MB; stay well inside.
CHUNK_BYTES = 1_500_000
PROTECTION_NOTE = (
    "Filled in by bbh-sheets from the webhook log; add your own columns to "
    "the right instead of editing these."
)


def quoted(title: str) -> str:
    """Quote a tab title for an A1 range, doubling its quotes."""
    return "'" + title.replace("'", "''") + "'"


def protect(sheet_id: int, width: int) -> dict:
    """Warn staff who edit a projected column; they may still go on."""
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": {
                    "sheetId": sheet_id,
                    "startColumnIndex": 0,
                    "endColumnIndex": width,
                },
                "description": PROTECTION_NOTE,
                "warningOnly": True,
            }
        }
    }


def repeat(
    sheet_id: int,
    start_row: int,
    end_row: int | None,
    start_column: int,
    end_column: int,
    user_format: dict,
) -> dict:
    grid_range: dict[str, Any] = {
        "sheetId": sheet_id,
        "startRowIndex": start_row,
        "startColumnIndex": start_column,
        "endColumnIndex": end_column,
    }
    if end_row is not None:
        grid_range["endRowIndex"] = end_row
    fields = ",".join(f"userEnteredFormat.{key}" for key in user_format)
    return {
        "repeatCell": {
            "range": grid_range,
            "cell": {"userEnteredFormat": user_format},
            "fields": fields,
        }
    }


def too_small(size: list[int], rows: int, width: int) -> bool:
    """Tell whether a grid lacks room for a header and `rows` data rows."""
    return rows + 1 > size[1] or width > size[2]


def resize(sheet_id: int, rows: int, columns: int) -> dict:
    return {
        "updateSheetProperties": {
            "properties": {
                "sheetId": sheet_id,
                "gridProperties": {"rowCount": rows, "columnCount": columns},
            },
            "fields": "gridProperties.rowCount,gridProperties.columnCount",
        }
    }


def runs(by_position: dict[int, list]) -> Iterator[tuple[int, list[list]]]:
    """Group rows at consecutive positions into blocks."""
    block: list[list] = []
    first = previous = -2
    for position in sorted(by_position):
        if position != previous + 1 and block:
            yield first, block
            block = []
        if not block:
            first = position
        block.append(by_position[position])
        previous = position
    if block:
        yield first, block


def value_ranges(sheet: Sheet, first_row: int, values: list[list]) -> list[dict]:
    """Return value ranges for rows from 0-based grid row `first_row`.

    Each range stays under CHUNK_BYTES as sent, so it fits in one request.
    """
    last = column_letter(sheet.width - 1)
    ranges = []
    start = 0
    while start < len(values):
        end, size = start, 0
        while end < len(values) and (end == start or size < CHUNK_BYTES):
            size += sent_size(values[end])
            end += 1
        if size > CHUNK_BYTES and end - start > 1:
            end -= 1
        top = first_row + start + 1
        ranges.append(
            {
                "range": f"{quoted(sheet.title)}!A{top}:{last}{top + end - start - 1}",
                "values": values[start:end],
            }
        )
        start = end
    return ranges


def sent_size(value: object) -> int:
    # gspread sends JSON with non-ASCII escaped: measure it the same way.
    return len(json.dumps(value))


def chunks(data: list[dict]) -> Iterator[tuple[list[dict], int]]:
    """Split value ranges into requests whose bodies stay under CHUNK_BYTES."""
    chunk: list[dict] = []
    size = 0
    for entry in data:
        entry_size = sent_size(entry)
        if chunk and size + entry_size > CHUNK_BYTES:
            yield chunk, size
            chunk, size = [], 0
        chunk.append(entry)
        size += entry_size
    if chunk:
        yield chunk, size
