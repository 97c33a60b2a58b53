"""Fixtures for the Google Sheets target: the fake, a shared sheet, a service.

tests/conftest.py registers them as a plugin.
Everything runs over real HTTP: gunicorn on a free port, the fake Google on
another, and the command line as a separate process.
"""

from __future__ import annotations

import copy
import json
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import gspread
import openpyxl
import pytest
import requests
from gspread.utils import rowcol_to_a1

from projections import TABS
from service.status import TITLES as STATUS_TITLES
from tests.bbh_examples import ORDER_NEW
from tests.fakegoogle import FakeGoogle, ServiceAccount
from tests.fakegoogle.adapter import mount
from tests.servers import Server, base_env, run_cli

T = TypeVar("T")

EMAIL = "bbh-sheets@shop-hai-phong.iam.gserviceaccount.com"
PROJECT_NUMBER = 4321
SPREADSHEET_TITLE = "Đơn hàng shop Hải Phòng"
# The loop writes at most once per interval: short, so tests wait little.
FAST_SYNC = "0.5"
# Seconds any one wait may take before the test fails.
DEADLINE = 45.0
POLL = 0.1
# Day 0 of spreadsheet date serial numbers.
SERIAL_EPOCH = datetime(1899, 12, 30)


@dataclass
class GoogleSheet:
    """A spreadsheet on the fake, shared with a service account."""

    fake: FakeGoogle
    account: ServiceAccount
    spreadsheet_id: str
    key_file: Path

    def settings(self, **extra: str) -> dict[str, str]:
        """Return the BBH_* variables that point the service at this sheet."""
        return {
            "BBH_SPREADSHEET": self.spreadsheet_id,
            "BBH_CREDENTIALS": str(self.key_file),
            "BBH_SHEETS_API_URL": self.fake.url,
            **extra,
        }

    def env(self, data_dir: Path, **extra: str) -> dict[str, str]:
        """Return the command line's environment pointed at this sheet."""
        return base_env(data_dir, **self.settings(**extra))

    def serve(self, data_dir: Path, **extra: str) -> Server:
        """Start `bbh-sheets serve` writing to this sheet, syncing often."""
        extra = {"BBH_SYNC_INTERVAL": FAST_SYNC, **extra}
        return Server(data_dir, **self.settings(**extra)).start()

    def cells(self, title: str) -> list[list[Any]]:
        """Return a tab's stored values, rows cut after their last value."""
        return self.fake.cells(self.spreadsheet_id, title)


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        yield fake


def share_sheet(fake: FakeGoogle, folder: Path) -> GoogleSheet:
    """Create a spreadsheet shared with a new service account's key."""
    account = fake.add_service_account(email=EMAIL, project_number=PROJECT_NUMBER)
    spreadsheet_id = fake.create_spreadsheet(
        title=SPREADSHEET_TITLE, share_with=[account.email]
    )
    key_file = account.write_key_file(folder / "service-account.json")
    return GoogleSheet(fake, account, spreadsheet_id, key_file)


@pytest.fixture
def sheet(fake_google: FakeGoogle, tmp_path: Path) -> GoogleSheet:
    return share_sheet(fake_google, tmp_path)


@pytest.fixture
def google_server(sheet: GoogleSheet, data_dir: Path) -> Iterator[Server]:
    running = sheet.serve(data_dir)
    yield running
    # Nothing after the test needs a graceful stop; ending the group is quick.
    running.kill()


def wait_until(check: Callable[[], T], what: str, timeout: float = DEADLINE) -> T:
    """Poll `check` until it returns something truthy; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL)


def health(server: Server) -> dict[str, Any]:
    """Return the service's answer to GET /health."""
    return requests.get(server.url + "/health", timeout=10).json()


def wait_synced(server: Server, events: int, timeout: float = DEADLINE) -> None:
    """Wait until the log holds `events` events and Google has them all."""

    def synced() -> bool:
        answer = health(server)
        google = answer["targets"]["google"]
        return answer["events"] == events and google["lag"] == 0

    wait_until(synced, f"{events} events synced to Google", timeout)


def post_all(server: Server, bodies: Iterable[bytes], threads: int = 8) -> list[int]:
    """Post bodies from several threads at once; return the status codes."""
    with ThreadPoolExecutor(threads) as pool:
        responses = pool.map(server.post, bodies)
        return [response.status_code for response in responses]


def post_in_order(server: Server, bodies: Iterable[object]) -> None:
    """Post bodies one after another, so their seqs follow the given order."""
    for body in bodies:
        response = server.post(as_bytes(body))
        assert response.status_code == 200, response.text


def as_bytes(body: object) -> bytes:
    """Encode a body as the sender does: UTF-8 JSON, non-ASCII kept."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def order(order_id: str, **data: Any) -> dict[str, Any]:
    """Return the documented order body with another id and given fields."""
    body = copy.deepcopy(ORDER_NEW)
    body["data"]["idorder"] = order_id
    ship = data.pop("ship", {})
    body["data"].update(data)
    body["data"]["ship"].update(ship)
    return body


def cli(
    sheet: GoogleSheet, data_dir: Path, *args: str, **extra: str
) -> subprocess.CompletedProcess:
    """Run `bbh-sheets ARGS` against the sheet; return what it printed."""
    return run_cli(sheet.env(data_dir, **extra), *args)


def verify_clean(sheet: GoogleSheet, data_dir: Path, **extra: str) -> None:
    """Assert that `bbh-sheets verify` finds every cell as the log says."""
    result = cli(sheet, data_dir, "verify", **extra)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def tab_title(tab_id: str, language: str = "vi") -> str:
    """Return a tab's title as the service names it."""
    if tab_id == "status":
        return STATUS_TITLES[language]
    return next(tab.title(language) for tab in TABS if tab.id == tab_id)


def tab_width(tab_id: str) -> int:
    """Return how many columns the service projects into a tab."""
    return len(next(tab for tab in TABS if tab.id == tab_id).columns)


def column_letter(tab_id: str, header_en: str) -> str:
    """Return the A1 letter of a projected column, found by English header."""
    tab = next(tab for tab in TABS if tab.id == tab_id)
    index = [column.en for column in tab.columns].index(header_en)
    return letters(index)


def staff_column(tab_id: str, beyond: int = 0) -> str:
    """Return the letter of a column staff own: right of the projected ones."""
    return letters(tab_width(tab_id) + beyond)


def letters(index: int) -> str:
    """Return the A1 letters of a 0-based column index."""
    return rowcol_to_a1(1, index + 1).rstrip("1")


def first_column(rows: list[list[Any]]) -> list[Any]:
    """Return the first cell of each data row (header excluded)."""
    return [row[0] if row else "" for row in rows[1:]]


def from_serial(serial: float) -> datetime:
    """Turn a spreadsheet date serial into a time, to the nearest second."""
    seconds = round(serial * 86400)
    return SERIAL_EPOCH + timedelta(seconds=seconds)


def workbook_tabs(path: Path) -> dict[str, list[list[Any]]]:
    """Read every tab of a workbook, rows as lists, header included."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            worksheet.title: [
                list(row) for row in worksheet.iter_rows(values_only=True)
            ]
            for worksheet in workbook.worksheets
        }
    finally:
        workbook.close()


def google_as_workbook(
    google_rows: list[list[Any]], workbook_rows: list[list[Any]]
) -> list[list[Any]]:
    """Render Google cells as the workbook holds them, for comparison.

    Times become datetimes where the workbook has a datetime, empty cells
    None, and rows are padded to the workbook's width.
    """
    converted = []
    for number, row in enumerate(google_rows):
        expected = workbook_rows[number] if number < len(workbook_rows) else []
        width = max(len(expected), len(row))
        padded = row + [""] * (width - len(row))
        cells = []
        for column, value in enumerate(padded):
            want = expected[column] if column < len(expected) else None
            if isinstance(want, datetime) and isinstance(value, int | float):
                value = from_serial(value)
            cells.append(None if value == "" else value)
        converted.append(cells)
    return converted


def import_events(
    sheet: GoogleSheet,
    data_dir: Path,
    bodies: Iterable[dict[str, Any]],
    first: str = "2026-03-01T02:00:00",
) -> None:
    """Store bodies with `bbh-sheets import`, received a second apart.

    `first` is the UTC time of the first body; the times are kept, so a
    test can replay the log as of a moment between them.
    """
    start = datetime.fromisoformat(first)
    lines = []
    for seq, body in enumerate(bodies, start=1):
        moment = start + timedelta(seconds=seq - 1)
        record = {
            "seq": seq,
            "received_at": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "name": body["event"],
            "payload": json.dumps(body, ensure_ascii=False),
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    source = data_dir.parent / "events.jsonl"
    source.write_text("".join(lines), encoding="utf-8")
    result = cli(sheet, data_dir, "import", str(source))
    assert result.returncode == 0, result.stderr


def staff_client(sheet: GoogleSheet) -> gspread.Client:
    """Return gspread signed in as a staff member the sheet is shared with.

    Staff edit the sheet in the browser; the API does the same to the grid.
    """
    staff = sheet.fake.add_service_account(
        email="lan.staff@shop-hai-phong.iam.gserviceaccount.com",
        project_number=PROJECT_NUMBER + 1,
    )
    sheet.fake.share(sheet.spreadsheet_id, staff.email, role="writer")
    client = gspread.service_account_from_dict(staff.info)
    mount(client.http_client.session, sheet.fake.url)
    return client
