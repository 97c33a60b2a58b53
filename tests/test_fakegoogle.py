"""The fake Google server, driven by real gspread and google-auth over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError, SpreadsheetNotFound
from gspread.utils import ValueRenderOption

from tests.fakegoogle import FakeGoogle, ServiceAccount
from tests.fakegoogle.adapter import mount

EMAIL = "bbh@fake-project.iam.gserviceaccount.com"
PROJECT = 1234
TITLE = "Đơn hàng shop"
SCOPES = list(gspread.auth.DEFAULT_SCOPES)
ROOT = Path(__file__).resolve().parent.parent


def connect(fake: FakeGoogle, info: dict[str, Any]) -> gspread.Client:
    """Return a gspread client whose Google hosts point at the fake."""
    client = gspread.service_account_from_dict(info)
    mount(client.http_client.session, fake.url)
    return client


def other_private_key() -> str:
    """Return a PEM key the fake has never seen."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def error_of(info: pytest.ExceptionInfo[APIError]) -> dict[str, Any]:
    """Return the `error` object of an APIError's body."""
    return info.value.response.json()["error"]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogle]:
    # The shared server gets a quota this suite cannot reach; the quota test
    # runs its own server with a small one.
    with FakeGoogle(quota_per_minute=100_000) as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(fake: FakeGoogle) -> Iterator[None]:
    yield
    fake.reset_switches()


@pytest.fixture(scope="module")
def account(fake: FakeGoogle) -> ServiceAccount:
    return fake.add_service_account(email=EMAIL, project_number=PROJECT)


@pytest.fixture(scope="module")
def gc(
    fake: FakeGoogle, account: ServiceAccount, tmp_path_factory: pytest.TempPathFactory
) -> gspread.Client:
    key_file = account.write_key_file(tmp_path_factory.mktemp("keys") / "key.json")
    client = gspread.service_account(filename=str(key_file))
    mount(client.http_client.session, fake.url)
    return client


@pytest.fixture
def sheet_id(fake: FakeGoogle, account: ServiceAccount) -> str:
    return fake.create_spreadsheet(TITLE, share_with=[account.email])


@pytest.fixture
def sh(gc: gspread.Client, sheet_id: str) -> gspread.Spreadsheet:
    return gc.open_by_key(sheet_id)


@pytest.fixture
def ws(sh: gspread.Spreadsheet) -> gspread.Worksheet:
    return sh.sheet1


@pytest.fixture
def http(fake: FakeGoogle, account: ServiceAccount) -> AuthorizedSession:
    creds = Credentials.from_service_account_info(account.info, scopes=SCOPES)
    return AuthorizedSession(creds)


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


# Values: input options, render options, shapes


def test_raw_keeps_phone_numbers_and_formulas_as_text(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.update([["0344559823", "=1+1"]], "A1")
    assert fake.cells(sheet_id, "Sheet1") == [["0344559823", "=1+1"]]
    for option in ValueRenderOption:
        assert ws.get("A1:B1", value_render_option=option) == [["0344559823", "=1+1"]]


def test_user_entered_parses_as_typed(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    typed = [["0042", "=1+1", "TRUE", "1,234", "2020-01-01", "'0042", "12%"]]
    response = ws.update(typed, "A1", raw=False)
    assert response["updatedRange"] == "Sheet1!A1:G1"
    assert fake.cells(sheet_id, "Sheet1") == [
        [42, "=1+1", True, 1234, 43831, "0042", 0.12]
    ]
    assert ws.get("A1:G1") == [
        ["42", "2", "TRUE", "1,234", "2020-01-01", "0042", "12%"]
    ]


def test_update_cell_is_user_entered_so_phone_loses_its_zero(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.update_acell("A1", "0344559823")
    assert fake.cells(sheet_id, "Sheet1") == [[344559823]]


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (ValueRenderOption.formatted, [["1.5", "3", "Đơn", "TRUE", "#DIV/0!"]]),
        (ValueRenderOption.unformatted, [[1.5, 3, "Đơn", True, "#DIV/0!"]]),
        (ValueRenderOption.formula, [[1.5, "=A1*2", "Đơn", True, "=1/0"]]),
    ],
    ids=["formatted", "unformatted", "formula"],
)
def test_render_options(ws: gspread.Worksheet, option: str, expected: list) -> None:
    ws.update([[1.5, "=A1*2", "Đơn", True, "=1/0"]], "A1", raw=False)
    assert ws.get("A1:E1", value_render_option=option) == expected


def test_formulas_evaluate_across_cells(ws: gspread.Worksheet) -> None:
    ws.update([[10], [20], [30], ["=SUM(A1:A3)"], ['="Tổng: "&A4']], "A1", raw=False)
    assert ws.get("A4:A5") == [["60"], ["Tổng: 60"]]


def test_reads_cut_trailing_empties_and_keep_inner_rows(
    ws: gspread.Worksheet, http: AuthorizedSession, fake: FakeGoogle, sheet_id: str
) -> None:
    ws.update([["a", None, "c"], [None], ["x"]], "A1")
    url = f"{fake.url}/v4/spreadsheets/{sheet_id}/values/Sheet1!A1:E9"
    assert http.get(url).json() == {
        "range": "Sheet1!A1:E9",
        "majorDimension": "ROWS",
        "values": [["a", "", "c"], [], ["x"]],
    }
    empty = http.get(f"{fake.url}/v4/spreadsheets/{sheet_id}/values/Sheet1!F1:G2")
    assert empty.json() == {"range": "Sheet1!F1:G2", "majorDimension": "ROWS"}


def test_null_skips_a_cell_and_empty_string_clears_it(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.update([["keep", "x"], ["y", "z"]], "A1")
    response = ws.update([[None, ""], ["", None]], "A1")
    assert response["updatedRange"] == "Sheet1!A1:B2"
    assert (response["updatedRows"], response["updatedColumns"]) == (2, 2)
    assert response["updatedCells"] == 2
    assert fake.cells(sheet_id, "Sheet1") == [["keep"], ["", "z"]]


def test_columns_major_dimension(ws: gspread.Worksheet) -> None:
    ws.update([["a", "b"], ["c"]], "A1", major_dimension="COLUMNS")
    assert ws.get("A1:B2") == [["a", "c"], ["b"]]
    assert ws.get("A1:B2", major_dimension="COLUMNS") == [["a", "b"], ["c"]]


def test_values_that_are_no_list_of_lists_are_refused(sh: gspread.Spreadsheet) -> None:
    params = {"valueInputOption": "RAW"}
    with pytest.raises(APIError) as info:
        sh.values_update("Sheet1!A1", params=params, body={"values": "A29"})
    error = error_of(info)
    assert error["message"] == (
        "Invalid value at 'data.values' "
        '(type.googleapis.com/google.protobuf.ListValue), "A29"'
    )
    assert error["details"][0]["fieldViolations"][0]["field"] == "data.values"


def test_cell_text_longer_than_fifty_thousand_characters_is_refused(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    with pytest.raises(APIError) as info:
        ws.update([["x" * 50_001]], "A1")
    assert error_of(info) == {
        "code": 400,
        "message": "Your input contains more than the maximum of 50000 characters "
        "in a single cell.",
        "status": "INVALID_ARGUMENT",
    }
    ws.update([["x" * 50_000]], "A1")
    assert len(fake.cells(sheet_id, "Sheet1")[0][0]) == 50_000


# Ranges


@pytest.mark.parametrize(
    ("asked", "normalised"),
    [
        ("'Sheet1'", "Sheet1!A1:Z1000"),
        ("Sheet1", "Sheet1!A1:Z1000"),
        ("'Sheet1'!A1:C", "Sheet1!A1:C1000"),
        ("Sheet1!A1:1", "Sheet1!A1:Z1"),
        ("Sheet1!D4:A1", "Sheet1!A1:D4"),
        ("Sheet1!A1:A1", "Sheet1!A1"),
        ("Sheet1!B:C", "Sheet1!B1:C1000"),
        ("Sheet1!2:3", "Sheet1!A2:Z3"),
        ("A1:B2", "Sheet1!A1:B2"),
        ("sheet1!$A$1:$B$2", "Sheet1!A1:B2"),
    ],
)
def test_ranges_are_normalised(
    sh: gspread.Spreadsheet, asked: str, normalised: str
) -> None:
    assert sh.values_get(asked)["range"] == normalised


def test_titles_needing_quotes_are_quoted(sh: gspread.Spreadsheet) -> None:
    ws = sh.add_worksheet("Đơn 'mới'", rows=5, cols=5)
    assert ws.update([["a", "b"]])["updatedRange"] == "'Đơn ''mới'''!A1:B1"
    assert sh.add_worksheet("D3", rows=5, cols=5).get("A1").range == "'D3'!A1"
    assert ws.get() == [["a", "b"]]


def test_unknown_sheet_is_an_unparsable_range(sh: gspread.Spreadsheet) -> None:
    with pytest.raises(APIError) as info:
        sh.values_get("Nope!A1")
    assert error_of(info)["message"] == "Unable to parse range: Nope!A1"


def test_method_suffix_is_split_at_the_last_colon(
    fake: FakeGoogle, http: AuthorizedSession, sheet_id: str
) -> None:
    base = f"{fake.url}/v4/spreadsheets/{sheet_id}/values/"
    appended = http.post(
        base + "Sheet1!A1:B2:append",
        params={"valueInputOption": "RAW"},
        json={"values": [["x", "y"]]},
    )
    assert appended.json()["updates"]["updatedRange"] == "Sheet1!A1:B1"
    cleared = http.post(base + "%27Sheet1%27%21A1%3AB2:clear")
    assert cleared.json()["clearedRange"] == "Sheet1!A1:B2"
    assert fake.cells(sheet_id, "Sheet1") == []


def test_write_outside_the_grid_is_refused(ws: gspread.Worksheet) -> None:
    with pytest.raises(APIError) as info:
        ws.update([["x"]], "AA1")
    assert error_of(info)["message"] == (
        "Range (Sheet1!AA1) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
    with pytest.raises(APIError) as info:
        ws.get("A1001:B1002")
    assert info.value.code == 400


def test_data_larger_than_an_explicit_range_is_refused(ws: gspread.Worksheet) -> None:
    with pytest.raises(APIError) as info:
        ws.update([["a"], ["b"], ["c"]], "A1:B2")
    assert error_of(info)["message"] == (
        "Requested writing within range [Sheet1!A1:B2], but tried writing to row [3]"
    )


# Batch values, clears, appends


def test_batch_get_and_batch_update(ws: gspread.Worksheet) -> None:
    response = ws.batch_update(
        [
            {"range": "A1:D1", "values": [["a", "b", "c", "d"]]},
            {"range": "A2:D2", "values": [["e", "f", "g", "h"]]},
        ]
    )
    assert {k: v for k, v in response.items() if k.startswith("total")} == {
        "totalUpdatedRows": 2,
        "totalUpdatedColumns": 4,
        "totalUpdatedCells": 8,
        "totalUpdatedSheets": 1,
    }
    got = ws.batch_get(["A1:B1", "D2", "F9"])
    assert [list(r) for r in got] == [[["a", "b"]], [["h"]], []]
    assert [r.range for r in got] == ["Sheet1!A1:B1", "Sheet1!D2", "Sheet1!F9"]


def test_values_batch_update_is_all_or_nothing(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    with pytest.raises(APIError) as info:
        ws.spreadsheet.values_batch_update(
            {
                "valueInputOption": "RAW",
                "data": [
                    {"range": "Sheet1!A1", "values": [["ok"]]},
                    {"range": "Nope!A1", "values": [["bad"]]},
                ],
            }
        )
    assert (
        error_of(info)["message"] == "Invalid data[1]: Unable to parse range: Nope!A1"
    )
    assert fake.cells(sheet_id, "Sheet1") == []


def test_batch_clear_and_clear(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.update([["a", "b"], ["c", "d"]], "A1")
    ws.format("A1", {"textFormat": {"bold": True}})
    assert ws.batch_clear(["A1", "B2"])["clearedRanges"] == ["Sheet1!A1", "Sheet1!B2"]
    assert fake.cells(sheet_id, "Sheet1") == [["", "b"], ["c"]]
    assert ws.clear()["clearedRange"] == "Sheet1!A1:Z1000"
    assert fake.cells(sheet_id, "Sheet1") == []
    assert fake.cell_format(sheet_id, "Sheet1", 0, 0) == {"textFormat": {"bold": True}}


def test_append_row_lands_on_a2_then_a3(ws: gspread.Worksheet) -> None:
    first = ws.append_row(["Mã", "Khách", "Tổng"])
    assert "tableRange" not in first
    assert first["updates"]["updatedRange"] == "Sheet1!A1:C1"
    second = ws.append_row(["DH1", "Lan", 150000])
    assert second["tableRange"] == "Sheet1!A1:C1"
    assert second["updates"]["updatedRange"] == "Sheet1!A2:C2"
    third = ws.append_row(["DH2", "", 90000])
    assert third["updates"]["updatedRange"] == "Sheet1!A3:C3"


def test_append_after_a_gap_follows_googles_table_detection(
    ws: gspread.Worksheet,
) -> None:
    row = ["x", "", "y"]
    ws.append_row(row)
    quirk = ws.append_row(row)
    assert quirk["tableRange"] == "Sheet1!C1"
    assert quirk["updates"]["updatedRange"] == "Sheet1!C2:E2"
    anchored = ws.append_row(row, table_range="A1")
    assert anchored["tableRange"] == "Sheet1!A1"
    assert anchored["updates"]["updatedRange"] == "Sheet1!A2:C2"


def test_append_grows_the_grid(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.resize(rows=2, cols=2)
    ws.append_rows([["a", "b"], ["c", "d"], ["e", "f", "g"]])
    assert fake.grid_size(sheet_id, "Sheet1") == (3, 3)


def test_insert_row_shifts_rows_down(
    fake: FakeGoogle, ws: gspread.Worksheet, sheet_id: str
) -> None:
    ws.update([["header"], ["old"]], "A1")
    ws.insert_row(["new"], index=2)
    assert fake.cells(sheet_id, "Sheet1") == [["header"], ["new"], ["old"]]
    assert fake.grid_size(sheet_id, "Sheet1") == (1001, 26)


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
