"""The Google Sheets target end to end: webhook in, cells in the fake out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from projections import TABS
from projections.columns import MONEY, TIME, Tab
from service.traffic import generate_bodies
from tests.bbh_examples import EXAMPLES, example_bytes
from tests.fakegoogle import FakeGoogle
from tests.google_fixtures import (
    GoogleSheet,
    as_bytes,
    cli,
    first_column,
    google_as_workbook,
    import_events,
    order,
    post_all,
    share_sheet,
    tab_title,
    verify_clean,
    wait_synced,
    wait_until,
    workbook_tabs,
)
from tests.servers import Server

ORDERS = "orders"
BURST = 1000
# Writes allowed for a whole burst: the loop debounces to one write every
# couple of seconds, far inside Google's 60 writes per minute.
BURST_WRITES = 10
BURST_SYNC_INTERVAL = "2"
HYPERLINK_NOTE = '=HYPERLINK("http://x","y")'
GOOGLE_CELL_CHARS = 50_000
# Google asks for request bodies under 2 MB.
REQUEST_LIMIT_BYTES = 2_000_000
SHOWN_TIME = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
STATUS_WORDS = {
    "vi": {
        "title": "Trạng thái",
        "header": ["Mục", "Giá trị"],
        "received": "Sự kiện mới nhất nhận lúc",
        "written": "Lần ghi thành công gần nhất",
        "waiting": "Sự kiện đang chờ ghi",
        "rejected": "Nội dung bị từ chối",
        "error": "Lỗi gần nhất",
        "error at": "Lỗi gần nhất lúc",
        "no event": "Chưa có sự kiện",
    },
    "en": {
        "title": "Status",
        "header": ["Item", "Value"],
        "received": "Last event received",
        "written": "Last successful write",
        "waiting": "Events waiting",
        "rejected": "Rejected bodies",
        "error": "Last error",
        "error at": "Last error at",
        "no event": "No event yet",
    },
}
UNREACHABLE = (
    "Google could not be reached; check the network, and the sheet will "
    "catch up by itself."
)


def wait_for_status(
    sheet: GoogleSheet, language: str, label: str, check: Callable[[Any], bool]
) -> dict[str, Any]:
    """Wait until the Status tab's row `label` holds a value `check` accepts.

    Returns the tab as label -> value, the header under its own title.
    """
    title = tab_title("status", language)

    def shown() -> dict[str, Any] | None:
        if title not in sheet.fake.sheet_titles(sheet.spreadsheet_id):
            return None
        rows = sheet.cells(title)
        values = {row[0]: row[1] for row in rows if len(row) > 1}
        return values if label in values and check(values[label]) else None

    return wait_until(shown, f"{label!r} in the Status tab")


def test_posted_events_show_the_same_cells_as_the_workbook(
    sheet: GoogleSheet, google_server: Server, data_dir: Path, tmp_path: Path
) -> None:
    bodies = [example_bytes(body) for _, body in EXAMPLES]
    bodies += [as_bytes(body) for body in generate_bodies(300, seed=11)]

    assert set(post_all(google_server, bodies)) == {200}
    wait_synced(google_server, len(bodies))
    workbook = tmp_path / "same-log.xlsx"
    result = cli(sheet, data_dir, "replay", "--workbook", str(workbook))

    assert result.returncode == 0, result.stderr
    expected = workbook_tabs(workbook)
    for tab in TABS:
        title = tab.title("vi")
        found = google_as_workbook(sheet.cells(title), expected[title])
        assert len(found) > 1, title
        assert found == expected[title], title
    status = tab_title("status")
    found = google_as_workbook(sheet.cells(status), expected[status])
    # The third row is the time of the last write, which differs by nature.
    assert [row[0] for row in found] == [row[0] for row in expected[status]]
    assert found[:2] + found[3:] == expected[status][:2] + expected[status][3:]


def test_phone_keeps_its_zero_and_a_formula_note_stays_text(
    sheet: GoogleSheet, google_server: Server
) -> None:
    body = order("9001", note=HYPERLINK_NOTE, ship={"phone": "0901234567"})

    assert google_server.post(as_bytes(body)).status_code == 200
    wait_synced(google_server, 1)

    [header, row] = sheet.cells(tab_title(ORDERS))
    assert row[header.index("Điện thoại")] == "0901234567"
    assert row[header.index("Ghi chú")] == HYPERLINK_NOTE
    shown = sheet.fake.values(sheet.spreadsheet_id, tab_title(ORDERS))
    assert shown[1][header.index("Ghi chú")] == HYPERLINK_NOTE


def test_note_longer_than_a_cell_holds_is_cut_with_an_ellipsis(
    sheet: GoogleSheet, google_server: Server, data_dir: Path
) -> None:
    note = ("Giao giờ hành chính, gọi trước 15 phút. " * 1600)[:60_000]

    response = google_server.post(as_bytes(order("9002", note=note)))
    assert response.status_code == 200
    wait_synced(google_server, 1)

    [header, row] = sheet.cells(tab_title(ORDERS))
    shown = row[header.index("Ghi chú")]
    assert len(shown) == GOOGLE_CELL_CHARS
    assert shown == note[: GOOGLE_CELL_CHARS - 1] + "…"
    verify_clean(sheet, data_dir)


@pytest.fixture(scope="module")
def examples_sheet(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GoogleSheet]:
    """A sheet the service filled with the nine documented examples."""
    folder = tmp_path_factory.mktemp("examples")
    (folder / "var").mkdir()
    with FakeGoogle() as fake:
        sheet = share_sheet(fake, folder)
        server = sheet.serve(folder / "var")
        try:
            bodies = [example_bytes(body) for _, body in EXAMPLES]
            assert set(post_all(server, bodies)) == {200}
            wait_synced(server, len(bodies))
        finally:
            server.kill()
        yield sheet


@pytest.mark.parametrize("tab", TABS, ids=[tab.id for tab in TABS])
def test_header_row_is_frozen_and_bold(examples_sheet: GoogleSheet, tab: Tab) -> None:
    fake, sid = examples_sheet.fake, examples_sheet.spreadsheet_id
    title = tab.title("vi")

    assert fake.frozen_rows(sid, title) == 1
    for column, spec in enumerate(tab.columns):
        header = fake.cell_format(sid, title, 0, column) or {}
        assert header.get("textFormat", {}).get("bold") is True, spec.en


@pytest.mark.parametrize("tab", TABS, ids=[tab.id for tab in TABS])
def test_money_and_time_columns_have_number_formats(
    examples_sheet: GoogleSheet, tab: Tab
) -> None:
    fake, sid = examples_sheet.fake, examples_sheet.spreadsheet_id
    title = tab.title("vi")

    for column, spec in enumerate(tab.columns):
        found = fake.cell_format(sid, title, 1, column) or {}
        number = found.get("numberFormat")
        if spec.type == MONEY:
            assert number == {"type": "NUMBER", "pattern": "#,##0"}, spec.en
        elif spec.type == TIME:
            assert number is not None and number["type"] == "DATE_TIME", spec.en


def test_burst_of_a_thousand_events_converges_in_few_writes(
    sheet: GoogleSheet, data_dir: Path
) -> None:
    server = sheet.serve(data_dir, BBH_SYNC_INTERVAL=BURST_SYNC_INTERVAL)
    try:
        bodies = [as_bytes(body) for body in generate_bodies(BURST, seed=5)]
        # Count from the end of the first cycle, which sets the tabs up: its
        # last request writes the Status tab's cells.
        status = tab_title("status")
        wait_until(
            lambda: (
                status in sheet.fake.sheet_titles(sheet.spreadsheet_id)
                and sheet.cells(status)
            ),
            "the tabs to be set up",
        )
        writes_before = sheet.fake.write_count()

        codes = post_all(server, bodies, threads=16)
        wait_synced(server, BURST, timeout=60)

        assert set(codes) == {200}
        assert sheet.fake.write_count() - writes_before <= BURST_WRITES
        assert sheet.fake.status_count(429) == 0
        verify_clean(sheet, data_dir)
    finally:
        server.kill()


def test_no_write_request_exceeds_two_megabytes_of_vietnamese_text(
    sheet: GoogleSheet, data_dir: Path
) -> None:
    # JSON on the wire escapes each accented letter as \uXXXX: six bytes.
    note = "Đặt hộ mẹ ở Huế, nhờ shop gói quà đẹp, ghi thiệp chúc mừng. " * 100
    import_events(sheet, data_dir, [order(f"9{n:03d}", note=note) for n in range(300)])

    result = cli(sheet, data_dir, "replay")

    assert result.returncode == 0, result.stderr
    writes = sheet.fake.requests_matching(path_contains="values:batchUpdate")
    sizes = [entry["body_size"] for entry in writes]
    assert len(sizes) > 1
    assert max(sizes) < REQUEST_LIMIT_BYTES
    verify_clean(sheet, data_dir)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_status_tab_shows_waiting_rejected_and_last_error(
    sheet: GoogleSheet, data_dir: Path, language: str
) -> None:
    words = STATUS_WORDS[language]
    server = sheet.serve(data_dir, BBH_LANGUAGE=language)
    try:
        assert server.post(b'{"event": "order:new"}').status_code == 400
        assert server.post(as_bytes(order("6001"))).status_code == 200
        wait_synced(server, 1)
        shown = wait_for_status(sheet, language, words["rejected"], lambda v: v == 1)
        assert shown[words["header"][0]] == words["header"][1]
        assert shown[words["waiting"]] == 0
        assert isinstance(shown[words["received"]], float)

        # The next write fails once: the connection drops unanswered.
        sheet.fake.fail_next(0, count=1, path_contains="values:batchUpdate")
        assert server.post(as_bytes(order("6002"))).status_code == 200
        wait_synced(server, 2)
        shown = wait_for_status(
            sheet, language, words["error"], lambda v: v == UNREACHABLE
        )
        assert isinstance(shown[words["error at"]], float)
    finally:
        server.kill()
    titles = sheet.fake.sheet_titles(sheet.spreadsheet_id)
    assert words["title"] in titles
    orders = sheet.cells(tab_title(ORDERS, language))
    assert first_column(orders) == ["6001", "6002"]


def test_status_times_read_as_dates_after_starting_on_an_empty_log(
    sheet: GoogleSheet, google_server: Server
) -> None:
    words = STATUS_WORDS["vi"]
    nothing = words["no event"]
    wait_for_status(sheet, "vi", words["received"], lambda v: v == nothing)

    assert google_server.post(as_bytes(order("6101"))).status_code == 200
    wait_synced(google_server, 1)
    wait_for_status(sheet, "vi", words["received"], lambda v: v != nothing)

    shown = sheet.fake.values(sheet.spreadsheet_id, words["title"])
    values = {row[0]: row[1] for row in shown[1:] if len(row) > 1}
    assert re.fullmatch(SHOWN_TIME, values[words["written"]])
    assert re.fullmatch(SHOWN_TIME, values[words["received"]])
