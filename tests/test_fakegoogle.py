"""The fake Google server's auth, sheets, access and switches, via gspread."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import gspread
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError, SpreadsheetNotFound
from gspread.utils import ValueRenderOption

from tests.fakegoogle import FakeGoogle, ServiceAccount
from tests.fakegoogle_fixtures import (
    EMAIL,
    PROJECT,
    ROOT,
    SCOPES,
    TITLE,
    connect,
    error_of,
    other_private_key,
)

# OAuth token endpoint


def test_token_exchange_issues_a_bearer_token(
    fake: FakeGoogle, account: ServiceAccount
) -> None:
    creds = Credentials.from_service_account_info(account.info, scopes=SCOPES)
    creds.refresh(Request())
    assert creds.token.startswith("ya29.")
    last = fake.requests_matching(kind="token")[-1]
    assert (last["status"], last["account"], last["api"]) == (200, EMAIL, "oauth")
    assert creds.token not in json.dumps(fake.requests)


def test_token_refused_for_a_key_the_fake_does_not_know(
    fake: FakeGoogle, account: ServiceAccount, sheet_id: str
) -> None:
    info = dict(account.info, private_key=other_private_key())
    with pytest.raises(RefreshError, match="invalid_grant: Invalid JWT Signature."):
        connect(fake, info).open_by_key(sheet_id)


def test_token_refused_for_an_unknown_account(
    fake: FakeGoogle, account: ServiceAccount, sheet_id: str
) -> None:
    info = dict(account.info, client_email="ghost@fake-project.iam.gserviceaccount.com")
    with pytest.raises(RefreshError, match="Invalid grant: account not found"):
        connect(fake, info).open_by_key(sheet_id)


def test_call_without_token_is_unauthenticated(fake: FakeGoogle, sheet_id: str) -> None:
    response = requests.get(f"{fake.url}/v4/spreadsheets/{sheet_id}", timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refreshed_by_google_auth(
    fake: FakeGoogle, ws: gspread.Worksheet
) -> None:
    tokens_before = len(fake.requests_matching(kind="token"))
    fake.revoke_tokens()
    assert ws.get("A1") == [[]]
    assert len(fake.requests_matching(kind="token")) == tokens_before + 1
    assert fake.status_count(401) >= 1


# Spreadsheet metadata and batchUpdate


def test_open_by_key_sees_the_default_sheet(sh: gspread.Spreadsheet) -> None:
    assert sh.title == TITLE
    assert (sh.sheet1.id, sh.sheet1.title) == (0, "Sheet1")
    assert (sh.sheet1.row_count, sh.sheet1.col_count) == (1000, 26)
    assert sh.locale == "en_US"


def test_add_and_delete_worksheet(
    fake: FakeGoogle, sh: gspread.Spreadsheet, sheet_id: str
) -> None:
    added = sh.add_worksheet("Khách hàng", rows=5, cols=3)
    assert 0 < added.id < 2**31
    assert added.index == 1
    assert fake.sheet_titles(sheet_id) == ["Sheet1", "Khách hàng"]
    assert fake.grid_size(sheet_id, "Khách hàng") == (5, 3)
    sh.del_worksheet(added)
    assert fake.sheet_titles(sheet_id) == ["Sheet1"]


def test_duplicate_sheet_title_is_refused(sh: gspread.Spreadsheet) -> None:
    with pytest.raises(APIError) as info:
        sh.add_worksheet("Sheet1", rows=1, cols=1)
    assert error_of(info) == {
        "code": 400,
        "message": 'Invalid requests[0].addSheet: A sheet with the name "Sheet1" '
        "already exists. Please enter another name.",
        "status": "INVALID_ARGUMENT",
    }


def test_resize_and_freeze(
    fake: FakeGoogle, sh: gspread.Spreadsheet, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.update([["a", "b"], ["c", "d"], ["e", "f"]])
    ws.resize(rows=2, cols=1)
    assert fake.grid_size(sheet_id, "Sheet1") == (2, 1)
    assert fake.cells(sheet_id, "Sheet1") == [["a"], ["c"]]
    ws.freeze(rows=1)
    assert fake.frozen_rows(sheet_id, "Sheet1") == 1
    grid = sh.fetch_sheet_metadata()["sheets"][0]["properties"]["gridProperties"]
    assert grid == {"rowCount": 2, "columnCount": 1, "frozenRowCount": 1}
    ws.freeze(rows=0)
    grid = sh.fetch_sheet_metadata()["sheets"][0]["properties"]["gridProperties"]
    assert "frozenRowCount" not in grid


def test_format_is_stored_and_read_back(
    fake: FakeGoogle, sh: gspread.Spreadsheet, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.format("A2:B2", {"textFormat": {"bold": True}})
    ws.format("B2", {"numberFormat": {"type": "NUMBER", "pattern": "#,##0"}})
    assert fake.cell_format(sheet_id, "Sheet1", 1, 0) == {"textFormat": {"bold": True}}
    assert fake.cell_format(sheet_id, "Sheet1", 1, 1) == {
        "textFormat": {"bold": True},
        "numberFormat": {"type": "NUMBER", "pattern": "#,##0"},
    }
    assert fake.cell_format(sheet_id, "Sheet1", 0, 0) is None
    params = {
        "ranges": "Sheet1!A2",
        "fields": "sheets.data.rowData.values.userEnteredFormat",
    }
    bold = {"userEnteredFormat": {"textFormat": {"bold": True}}}
    assert sh.fetch_sheet_metadata(params) == {
        "sheets": [{"data": [{"rowData": [{"values": [bold]}]}]}]
    }


def test_number_format_pattern_shapes_formatted_value(ws: gspread.Worksheet) -> None:
    ws.update([[150000, 0.125]], "A1")
    ws.format("A1", {"numberFormat": {"type": "NUMBER", "pattern": '#,##0" ₫"'}})
    ws.format("B1", {"numberFormat": {"type": "PERCENT", "pattern": "0.0%"}})
    assert ws.get("A1:B1") == [["150,000 ₫", "12.5%"]]
    unformatted = ws.get("A1:B1", value_render_option=ValueRenderOption.unformatted)
    assert unformatted == [[150000, 0.125]]


def test_protected_range_and_auto_resize_are_accepted(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    reply = ws.add_protected_range("A1:B1", editor_users_emails=[])
    protected = reply["replies"][0]["addProtectedRange"]["protectedRange"]
    assert protected["range"] == {"endRowIndex": 1, "endColumnIndex": 2}
    assert protected["editors"]["users"] == [EMAIL]
    assert fake.protected_ranges(sheet_id, "Sheet1") == [protected]
    assert ws.columns_auto_resize(0, 2)["replies"] == [{}]


def test_batch_update_is_all_or_nothing(
    fake: FakeGoogle, sh: gspread.Spreadsheet, sheet_id: str
) -> None:
    rename = {"properties": {"sheetId": 999, "title": "x"}, "fields": "title"}
    body = {
        "requests": [
            {"addSheet": {"properties": {"title": "Mới"}}},
            {"updateSheetProperties": rename},
        ]
    }
    with pytest.raises(APIError) as info:
        sh.batch_update(body)
    assert error_of(info)["message"] == (
        "Invalid requests[1].updateSheetProperties: No sheet with id: 999"
    )
    assert fake.sheet_titles(sheet_id) == ["Sheet1"]


def test_grid_above_ten_million_cells_is_refused(
    fake: FakeGoogle, sh: gspread.Spreadsheet, ws: gspread.Worksheet, sheet_id: str
) -> None:
    limit = (
        "This action would increase the number of cells in the workbook above the "
        "limit of 10000000 cells."
    )
    with pytest.raises(APIError) as info:
        ws.resize(rows=400_000)
    assert error_of(info)["message"] == (
        "Invalid requests[0].updateSheetProperties: " + limit
    )
    with pytest.raises(APIError) as info:
        sh.add_worksheet("Lớn", rows=9_980_000, cols=1)
    assert error_of(info)["message"] == "Invalid requests[0].addSheet: " + limit
    sh.add_worksheet("Vừa", rows=9_974_000, cols=1)
    assert fake.grid_size(sheet_id, "Sheet1") == (1000, 26)


# Access and sharing


def test_unknown_spreadsheet_is_not_found(gc: gspread.Client) -> None:
    with pytest.raises(SpreadsheetNotFound):
        gc.open_by_key("1doesNotExist")


def test_spreadsheet_not_shared_is_a_permission_error(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    private = fake.create_spreadsheet("Riêng")
    with pytest.raises(PermissionError) as info:
        gc.open_by_key(private)
    assert info.value.__cause__.response.json()["error"] == {
        "code": 403,
        "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED",
    }


def test_reader_may_read_but_not_write(
    fake: FakeGoogle, gc: gspread.Client, account: ServiceAccount
) -> None:
    sheet_id = fake.create_spreadsheet("Chỉ xem")
    fake.share(sheet_id, account.email, role="reader")
    ws = gc.open_by_key(sheet_id).sheet1
    with pytest.raises(APIError) as info:
        ws.update([["x"]], "A1")
    assert info.value.code == 403


def test_disabled_api_answers_service_disabled(
    fake: FakeGoogle, ws: gspread.Worksheet
) -> None:
    fake.disable_api(PROJECT)
    try:
        with pytest.raises(APIError) as info:
            ws.get("A1")
    finally:
        fake.enable_api(PROJECT)
    error = error_of(info)
    assert error["message"] == (
        "Google Sheets API has not been used in project 1234 before or it is "
        "disabled. Enable it by visiting https://console.developers.google.com/apis/"
        "api/sheets.googleapis.com/overview?project=1234 then retry."
    )
    assert error["status"] == "PERMISSION_DENIED"
    assert error["details"][0]["reason"] == "SERVICE_DISABLED"
    assert error["details"][0]["metadata"]["service"] == "sheets.googleapis.com"
    assert ws.get("A1") == [[]]


def test_share_is_recorded_as_a_drive_permission(
    fake: FakeGoogle, sh: gspread.Spreadsheet, sheet_id: str
) -> None:
    reply = sh.share("nhanvien@example.com", perm_type="user", role="reader").json()
    assert set(reply) == {"kind", "id", "type", "role"}
    assert (reply["type"], reply["role"]) == ("user", "reader")
    granted = [p for p in fake.permissions(sheet_id) if p["id"] == reply["id"]]
    assert granted[0]["emailAddress"] == "nhanvien@example.com"
    call = fake.requests_matching(method="POST", api="drive")[-1]
    assert call["query"]["sendNotificationEmail"] == "True"
    emails = {p.get("emailAddress") for p in sh.list_permissions()}
    assert {"owner@example.com", EMAIL, "nhanvien@example.com"} <= emails


# Quotas and injected failures


def test_quota_gives_429_then_recovers_after_the_minute(tmp_path: Path) -> None:
    with FakeGoogle(quota_per_minute=3, minute_seconds=0.5) as small:
        account = small.add_service_account(email=EMAIL, project_number=PROJECT)
        sheet_id = small.create_spreadsheet(TITLE, share_with=[account.email])
        # open_by_key and sheet1 each read the metadata: two reads of three.
        ws = connect(small, account.info).open_by_key(sheet_id).sheet1
        ws.get("A1")
        with pytest.raises(APIError) as info:
            ws.get("A1")
        ws.update([["writes have their own counter"]], "A1")
        time.sleep(0.6)
        assert ws.get("A1") == [["writes have their own counter"]]
    error = error_of(info)
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert error["message"] == (
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests "
        "per minute per user' of service 'sheets.googleapis.com' for consumer "
        "'project_number:1234'."
    )
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert small.status_count(429) == 1
    assert small.read_count(sheet_id) == 5
    assert small.write_count(sheet_id) == 1


def test_fail_next_503_reaches_gspread(fake: FakeGoogle, ws: gspread.Worksheet) -> None:
    fake.fail_next(503)
    with pytest.raises(APIError) as info:
        ws.get("A1")
    assert info.value.code == 503
    assert error_of(info)["message"] == "The service is currently unavailable."
    assert error_of(info)["status"] == "UNAVAILABLE"
    assert ws.get("A1") == [[]]


def test_fail_next_matches_path_and_count(
    fake: FakeGoogle, ws: gspread.Worksheet
) -> None:
    fake.fail_next(500, count=2, path_contains=":append")
    ws.get("A1")
    for _ in range(2):
        with pytest.raises(APIError) as info:
            ws.append_row(["x"])
        assert error_of(info)["message"] == "Internal error encountered."
    assert ws.append_row(["x"])["updates"]["updatedRange"] == "Sheet1!A1"


def test_fail_for_lasts_its_window(fake: FakeGoogle, ws: gspread.Worksheet) -> None:
    fake.fail_for(429, seconds=0.3)
    with pytest.raises(APIError) as info:
        ws.update([["x"]], "A1")
    assert error_of(info)["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert "'Write requests'" in error_of(info)["message"]
    time.sleep(0.35)
    assert ws.update([["x"]], "A1")["updatedCells"] == 1


def test_delay_and_dropped_connection(fake: FakeGoogle, ws: gspread.Worksheet) -> None:
    fake.set_delay(0.2, count=1)
    started = time.monotonic()
    ws.get("A1")
    assert time.monotonic() - started >= 0.2
    fake.fail_next(0)
    with pytest.raises(requests.exceptions.ConnectionError):
        ws.get("A1")


def test_recordings_count_reads_and_writes_without_secrets(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.update([["a"]], "A1")
    ws.get("A1")
    assert fake.write_count(sheet_id) == 1
    assert fake.read_count(sheet_id) == 3  # open_by_key, sheet1, get
    recorded = fake.requests_matching(spreadsheet_id=sheet_id)
    assert {r["kind"] for r in recorded} == {"read", "write"}
    assert all(
        set(r) >= {"method", "path", "query", "status", "time"} for r in recorded
    )
    assert "ya29." not in json.dumps(fake.requests)


# Staff edits and the command line


def test_staff_edit_is_seen_by_the_api(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    fake.set_cell(sheet_id, "Sheet1", "B2", "0042")
    assert ws.get("B2", value_render_option=ValueRenderOption.unformatted) == [[42]]
    with pytest.raises(ValueError, match="exceeds grid limits"):
        fake.set_cell(sheet_id, "Sheet1", "A1001", "x")


def test_command_line_prints_the_settings(tmp_path: Path) -> None:
    key_file = tmp_path / "fake-credentials.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakegoogle", "--key-file", str(key_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline().strip() for _ in range(4)]  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait(timeout=10)
    settings = dict(line.split("=", 1) for line in lines[1:])
    assert set(settings) == {"BBH_SHEETS_API_URL", "BBH_CREDENTIALS", "BBH_SPREADSHEET"}
    assert settings["BBH_SHEETS_API_URL"].startswith("http://127.0.0.1:")
    info = json.loads(key_file.read_text())
    assert info["token_uri"] == settings["BBH_SHEETS_API_URL"] + "/token"
