"""Google failing, staff editing, the service dying: the tabs come back right.

Every test ends with `bbh-sheets verify` finding each projected cell as the
log says, and staff's own cells where they typed them.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from gspread.utils import rowcol_to_a1

from projections import TABS
from service.traffic import generate_bodies
from tests.google_fixtures import (
    GoogleSheet,
    cli,
    column_letter,
    first_column,
    import_events,
    order,
    post_in_order,
    staff_client,
    staff_column,
    tab_title,
    tab_width,
    verify_clean,
    wait_synced,
    wait_until,
)
from tests.servers import Server

ORDERS = tab_title("orders")
WIDTH = tab_width("orders")
STAFF_NOTE = "Gọi lại lúc 17h, khách hẹn"
# Failure windows are short: the service's gspread client retries after 2,
# 4 and 8 s, so its third try, about 6 s in, meets the throttling.
OUTAGE_SECONDS = 3.0
THROTTLE_SECONDS = 6.0
# A write held this long by the fake is surely in flight when the test
# kills the service a moment after posting.
HELD_WRITE_SECONDS = 4.0
KILL_AFTER_SECONDS = 1.5
CATCH_UP_SECONDS = 60.0


def synced_seq(data_dir: Path) -> int:
    """Return the Google cursor committed in the log's database."""
    with sqlite3.connect(data_dir / "events.db") as conn:
        row = conn.execute(
            "SELECT seq FROM sync_targets WHERE target = 'google'"
        ).fetchone()
    return row[0] if row else 0


def order_ids(sheet: GoogleSheet) -> list[str]:
    return first_column(sheet.cells(ORDERS))


def write_paths(sheet: GoogleSheet) -> list[str]:
    """Return the paths of the Sheets writes the fake received."""
    return [
        entry["path"]
        for entry in sheet.fake.requests_matching(api="sheets", kind="write")
    ]


def test_outage_then_throttling_loses_no_event_and_doubles_no_row(
    sheet: GoogleSheet, google_server: Server, data_dir: Path
) -> None:
    first = [order(f"100{n}") for n in range(5)]
    post_in_order(google_server, first)
    wait_synced(google_server, len(first))

    # 503 first, then 429 once the outage is over: rules apply in order.
    sheet.fake.fail_for(503, OUTAGE_SECONDS)
    sheet.fake.fail_for(429, OUTAGE_SECONDS + THROTTLE_SECONDS)
    during = [order(f"200{n}") for n in range(10)]
    # The sender resends two orders with a new status meanwhile.
    resent = [order("1001", status="shipped"), order("2003", status="cancelled")]
    post_in_order(google_server, during[:5] + resent + during[5:])

    wait_synced(google_server, 17, timeout=CATCH_UP_SECONDS)
    assert sheet.fake.status_count(503) > 0
    assert sheet.fake.status_count(429) > 0
    assert order_ids(sheet) == [body["data"]["idorder"] for body in first + during]
    statuses = {row[0]: row[2] for row in sheet.cells(ORDERS)[1:]}
    assert statuses["1001"] == "shipped"
    assert statuses["2003"] == "cancelled"
    assert statuses["2004"] == "order"
    verify_clean(sheet, data_dir)


def test_killed_in_the_middle_of_a_write_converges_after_restart(
    sheet: GoogleSheet, data_dir: Path
) -> None:
    first = sheet.serve(data_dir)
    try:
        post_in_order(first, [order(f"400{n}") for n in range(5)])
        wait_synced(first, 5)
        sheet.fake.set_delay(HELD_WRITE_SECONDS, count=1, path_contains="values:")
        post_in_order(first, [order(f"410{n}") for n in range(10)])
        time.sleep(KILL_AFTER_SECONDS)
        killed_at = time.time()
    finally:
        first.kill()

    held = wait_until(
        lambda: [
            entry
            for entry in sheet.fake.requests
            if entry["duration"] >= HELD_WRITE_SECONDS - 0.5
        ],
        "the held write to be answered",
    )
    assert held[0]["time"] < killed_at < held[0]["time"] + held[0]["duration"]
    assert synced_seq(data_dir) < 15

    second = sheet.serve(data_dir)
    try:
        post_in_order(second, [order(f"420{n}") for n in range(3)])
        wait_synced(second, 18)
    finally:
        second.kill()
    expected = [f"400{n}" for n in range(5)] + [f"410{n}" for n in range(10)]
    assert order_ids(sheet) == expected + [f"420{n}" for n in range(3)]
    verify_clean(sheet, data_dir)


def test_expired_tokens_are_renewed_without_losing_a_write(
    sheet: GoogleSheet, google_server: Server
) -> None:
    post_in_order(google_server, [order("5001")])
    wait_synced(google_server, 1)
    tokens_before = len(sheet.fake.requests_matching(api="oauth"))

    sheet.fake.revoke_tokens()
    post_in_order(google_server, [order("5002")])
    wait_synced(google_server, 2)

    assert order_ids(sheet) == ["5001", "5002"]
    assert len(sheet.fake.requests_matching(api="oauth")) > tokens_before


def test_tab_deleted_by_hand_comes_back_whole(
    sheet: GoogleSheet, google_server: Server, data_dir: Path
) -> None:
    post_in_order(google_server, [order(f"600{n}") for n in range(3)])
    wait_synced(google_server, 3)
    sheet.fake.delete_sheet(sheet.spreadsheet_id, ORDERS)

    post_in_order(google_server, [order("6010")])

    wait_until(
        lambda: (
            ORDERS in sheet.fake.sheet_titles(sheet.spreadsheet_id)
            and order_ids(sheet) == ["6000", "6001", "6002", "6010"]
        ),
        "the Orders tab to be written again",
        timeout=CATCH_UP_SECONDS,
    )
    wait_synced(google_server, 4)
    verify_clean(sheet, data_dir)


def test_staff_notes_stay_beside_their_order_through_sync_and_replay(
    sheet: GoogleSheet, google_server: Server, data_dir: Path
) -> None:
    sid = sheet.spreadsheet_id
    beside, far_right = staff_column("orders"), staff_column("orders", beyond=2)
    post_in_order(google_server, [order(f"70{n}") for n in range(3)])
    wait_synced(google_server, 3)
    sheet.fake.set_cell(sid, ORDERS, f"{beside}3", STAFF_NOTE)
    sheet.fake.set_cell(sid, ORDERS, f"{far_right}900", "Tổng kết tháng")

    post_in_order(google_server, [order(f"71{n}") for n in range(4)])
    wait_synced(google_server, 7)
    replayed = cli(sheet, data_dir, "replay")

    assert replayed.returncode == 0, replayed.stderr
    rows = sheet.cells(ORDERS)
    assert first_column(rows)[:7] == ["700", "701", "702", "710", "711", "712", "713"]
    notes = {row[0]: row[WIDTH] for row in rows[1:8] if len(row) > WIDTH}
    assert notes == {"701": STAFF_NOTE}
    assert rows[899][WIDTH + 2] == "Tổng kết tháng"
    verify_clean(sheet, data_dir)


def test_growing_a_tab_keeps_the_rows_and_columns_staff_added(
    sheet: GoogleSheet, google_server: Server, data_dir: Path
) -> None:
    post_in_order(google_server, [order("8101")])
    wait_synced(google_server, 1)
    sid, title = sheet.spreadsheet_id, tab_title("order_lines")
    worksheet = staff_client(sheet).open_by_key(sid).worksheet(title)
    worksheet.add_rows(2000)
    worksheet.add_cols(4)
    rows, columns = sheet.fake.grid_size(sid, title)
    sheet.fake.set_cell(sid, title, rowcol_to_a1(rows, 1), "Kiểm kho cuối năm")
    sheet.fake.set_cell(sid, title, rowcol_to_a1(2, columns), "Hàng về thứ Hai")
    # One order of many lines: the tab outgrows the grid the service knew.
    big = order("8102")
    line = big["data"]["orders"][0]
    big["data"]["orders"] = [{**line, "id": f"sp-{n}"} for n in range(1200)]

    post_in_order(google_server, [big])
    wait_synced(google_server, 2)

    assert sheet.fake.grid_size(sid, title) >= (rows, columns)
    found = sheet.cells(title)
    assert len(found) == rows and found[-1][0] == "Kiểm kho cuối năm"
    assert found[1][columns - 1] == "Hàng về thứ Hai"
    verify_clean(sheet, data_dir)


def test_hand_edit_is_reported_by_verify_and_undone_by_repair(
    sheet: GoogleSheet, google_server: Server, data_dir: Path
) -> None:
    post_in_order(google_server, [order("8001")])
    wait_synced(google_server, 1)
    status = column_letter("orders", "Status")
    sheet.fake.set_cell(sheet.spreadsheet_id, ORDERS, f"{status}2", "huỷ")

    found = cli(sheet, data_dir, "verify")
    repaired = cli(sheet, data_dir, "verify", "--repair")

    assert found.returncode == 1
    assert found.stdout == f"{ORDERS}!{status}2: expected 'order', found 'huỷ'\n"
    assert "1 cells differ from the log" in found.stderr
    assert repaired.returncode == 0, repaired.stderr
    [header, row] = sheet.cells(ORDERS)
    assert row[header.index("Trạng thái")] == "order"
    verify_clean(sheet, data_dir)


def test_repair_writes_back_a_tab_deleted_by_hand(
    sheet: GoogleSheet, data_dir: Path
) -> None:
    import_events(sheet, data_dir, [order(f"810{n}") for n in range(3)])
    assert cli(sheet, data_dir, "sync", "--once").returncode == 0
    sheet.fake.delete_sheet(sheet.spreadsheet_id, ORDERS)

    found = cli(sheet, data_dir, "verify")
    repaired = cli(sheet, data_dir, "verify", "--repair")

    assert found.returncode == 1
    assert f"{ORDERS}!A2: expected '8100', found None" in found.stdout
    assert repaired.returncode == 0, repaired.stderr
    assert order_ids(sheet) == ["8100", "8101", "8102"]
    verify_clean(sheet, data_dir)


def test_replay_keeps_every_tab_filled_while_it_rewrites(
    sheet: GoogleSheet, data_dir: Path
) -> None:
    import_events(sheet, data_dir, list(generate_bodies(150, seed=3)))
    assert cli(sheet, data_dir, "sync", "--once").returncode == 0
    sid = sheet.spreadsheet_id
    titles = [tab.title("vi") for tab in TABS]
    before = {title: sheet.cells(title) for title in titles}
    ids = {t: sheet.fake.sheet_properties(sid, t)["sheetId"] for t in titles}
    sheet.fake.clear_requests()
    # Each value write is held a moment, so the test can look in between.
    sheet.fake.set_delay(0.5, path_contains="values:")

    replay = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "replay"],
        env=sheet.env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    looks = 0
    while replay.poll() is None:
        for title in titles:
            assert sheet.cells(title) == before[title], title
        looks += 1
        time.sleep(0.05)
    sheet.fake.reset_switches()

    assert replay.wait() == 0, replay.stderr.read()
    assert looks > 5
    paths = write_paths(sheet)
    assert [path for path in paths if path.endswith(":clear")] == []
    assert any(path.endswith("/values:batchUpdate") for path in paths)
    for title in titles:
        assert sheet.fake.sheet_properties(sid, title)["sheetId"] == ids[title]
        assert sheet.cells(title) == before[title], title
    verify_clean(sheet, data_dir)


def test_replay_as_of_clears_rows_past_its_end_but_not_staff_notes(
    sheet: GoogleSheet, data_dir: Path
) -> None:
    orders = [order(f"500{n}") for n in range(1, 7)]
    import_events(sheet, data_dir, orders, first="2026-03-01T02:00:00")
    assert cli(sheet, data_dir, "sync", "--once").returncode == 0
    sid, beside = sheet.spreadsheet_id, staff_column("orders")
    sheet.fake.set_cell(sid, ORDERS, f"{beside}3", "khách quen")
    sheet.fake.set_cell(sid, ORDERS, f"{beside}7", STAFF_NOTE)
    sheet.fake.clear_requests()

    # 09:00:02 in Hồ Chí Minh City is 02:00:02 UTC: three orders old.
    past = cli(sheet, data_dir, "replay", "--as-of", "2026-03-01T09:00:02")

    assert past.returncode == 0, past.stderr
    rows = sheet.cells(ORDERS)
    assert first_column(rows) == ["5001", "5002", "5003", "", "", ""]
    assert [set(row[:WIDTH]) - {""} for row in rows[4:]] == [set()] * 3
    assert rows[2][WIDTH] == "khách quen"
    assert rows[6][WIDTH] == STAFF_NOTE
    paths = write_paths(sheet)
    assert [path for path in paths if path.endswith(":clear")] == []
    assert any(path.endswith("/values:batchClear") for path in paths)
    status = {row[0]: row[1:2] for row in sheet.cells(tab_title("status"))}
    assert status["Sự kiện đang chờ ghi"] == [3]

    present = cli(sheet, data_dir, "replay")

    assert present.returncode == 0, present.stderr
    rows = sheet.cells(ORDERS)
    assert first_column(rows) == [body["data"]["idorder"] for body in orders]
    assert rows[6][0] == "5006" and rows[6][WIDTH] == STAFF_NOTE
    verify_clean(sheet, data_dir)
