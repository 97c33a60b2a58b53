"""The fake Google server's values calls and ranges, driven by gspread."""

from __future__ import annotations

import gspread
import pytest
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError
from gspread.utils import ValueRenderOption

from tests.fakegoogle import FakeGoogle
from tests.fakegoogle_fixtures import (
    error_of,
)

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
