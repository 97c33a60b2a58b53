"""The local workbook: tabs, types and styles as staff see them in the file."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from projections import TABS, Projection, event_from_record
from service.targets.base import Sheet, TargetError
from service.targets.workbook import WorkbookTarget
from tests.bbh_examples import EXAMPLES, received_at
from tests.servers import base_env, read_events, run_cli

SHOP_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_TEXT = 32767
TIME_CELL = datetime(2026, 12, 3, 3, 15, 42, 123000, tzinfo=UTC)
# Tab titles in the order the design lists them; Status comes last.
TITLES = {
    "vi": [
        "Đơn hàng",
        "Chi tiết đơn",
        "Khách hàng",
        "Sản phẩm & danh mục",
        "Backlink",
        "Trạng thái",
    ],
    "en": ["Orders", "Order lines", "Clients", "Catalog", "Backlinks", "Status"],
}
ORDER_HEADERS = {
    "vi": [
        "Mã đơn",
        "Thời gian",
        "Trạng thái",
        "Khách hàng",
        "PSID",
        "Sản phẩm",
        "Số lượng",
        "Tổng tiền",
        "Người nhận",
        "Điện thoại",
        "Email",
        "Địa chỉ",
        "Quận/Huyện",
        "Tỉnh/Thành phố",
        "Ghi chú",
        "Backlink",
    ],
    "en": [
        "Order ID",
        "Received",
        "Status",
        "Customer",
        "PSID",
        "Items",
        "Quantity",
        "Total",
        "Recipient",
        "Phone",
        "Email",
        "Address",
        "District",
        "Province",
        "Note",
        "Backlink",
    ],
}


# Helpers shared with the sync and replay tests.


def shown(cell: object, zone: ZoneInfo = SHOP_ZONE) -> object:
    """Return a projected cell as the workbook shows it: local, whole seconds."""
    if isinstance(cell, datetime):
        return cell.astimezone(zone).replace(tzinfo=None, microsecond=0)
    # An empty string and an empty cell read back alike.
    return None if cell == "" else cell


def projected_tabs(
    records: Iterable[tuple], language: str, zone: ZoneInfo = SHOP_ZONE
) -> dict[str, list[list]]:
    """Fold log rows with the projections; return title -> header and rows."""
    projection = Projection()
    projection.fold(event_from_record(*record) for record in records)
    tabs = {}
    for tab in TABS:
        header = [column.header(language) for column in tab.columns]
        rows = projection.rows(tab.id, language)
        tabs[tab.title(language)] = [
            header,
            *[[shown(cell, zone) for cell in row] for row in rows],
        ]
    return tabs


def read_tabs(path: Path) -> dict[str, list[list]]:
    """Read every tab of a workbook: title -> rows of values, header first."""
    workbook = openpyxl.load_workbook(path)
    tabs = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
    workbook.close()
    return tabs


def status_values(tabs: dict[str, list[list]], language: str = "vi") -> dict:
    """Return the Status tab as label -> value."""
    rows = tabs[TITLES[language][-1]]
    return {label: value for label, value in rows[1:]}


def export_line(seq: int, at: str, body: dict) -> str:
    """Return one event in the export format, which import keeps as timed."""
    record = {
        "seq": seq,
        "received_at": at,
        "name": body["event"],
        "payload": json.dumps(body, ensure_ascii=False),
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def import_events(
    env: dict[str, str], path: Path, timed_bodies: Sequence[tuple[str, dict]]
) -> None:
    """Store (received_at, body) pairs through `bbh-sheets import`."""
    lines = [
        export_line(seq, at, body)
        for seq, (at, body) in enumerate(timed_bodies, start=1)
    ]
    path.write_text("".join(lines), encoding="utf-8")
    result = run_cli(env, "import", str(path))
    assert result.returncode == 0, result.stderr


def timed_examples() -> list[tuple[str, dict]]:
    """Return the nine documented bodies with the test receive times."""
    return [(received_at(seq), body) for seq, (_, body) in enumerate(EXAMPLES, 1)]


# Helpers of this module.


def text_sheet(texts: Iterable[str], title: str = "Ghi chú") -> Sheet:
    return Sheet(
        id="notes",
        title=title,
        headers=["Ghi chú"],
        types=["text"],
        fingerprint="notes",
        rows=[[text] for text in texts],
    )


def typed_sheet() -> Sheet:
    return Sheet(
        id="orders",
        title="Đơn hàng",
        headers=["Mã đơn", "Thời gian", "Số lượng", "Tổng tiền"],
        types=["text", "time", "int", "money"],
        fingerprint="orders",
        rows=[["1278295", TIME_CELL, 3, 495000], ["1278296", None, None, None]],
    )


def write_and_load(
    tmp_path: Path, sheets: list[Sheet], zone: ZoneInfo = SHOP_ZONE
) -> openpyxl.Workbook:
    path = tmp_path / "sheets.xlsx"
    WorkbookTarget(path, zone).write_full(sheets)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def example_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the nine examples, imported."""
    root = tmp_path_factory.mktemp("examples")
    import_events(base_env(root / "var"), root / "examples.jsonl", timed_examples())
    return root / "var"


@pytest.fixture(scope="module", params=["vi", "en"])
def example_workbook(
    request: pytest.FixtureRequest, example_log: Path
) -> tuple[str, Path]:
    """The example log replayed into a workbook in one language."""
    language = request.param
    path = example_log.parent / f"{language}.xlsx"
    env = base_env(example_log, BBH_LANGUAGE=language)
    result = run_cli(env, "replay", "--workbook", str(path))
    assert result.returncode == 0, result.stderr
    return language, path


def test_tabs_follow_the_design_order_with_status_last(
    example_workbook: tuple[str, Path],
) -> None:
    language, path = example_workbook

    workbook = openpyxl.load_workbook(path)

    assert workbook.sheetnames == TITLES[language]


def test_example_rows_equal_the_projection_in_local_time(
    example_workbook: tuple[str, Path],
) -> None:
    language, path = example_workbook

    tabs = read_tabs(path)

    expected = projected_tabs(read_events(path.parent / "var"), language)
    assert {title: tabs[title] for title in expected} == expected
    orders = tabs[TITLES[language][0]]
    assert orders[0] == ORDER_HEADERS[language]
    # Received 03:15:02 UTC is 10:15:02 in Hanoi.
    assert orders[1][:2] == ["1278295", datetime(2026, 12, 3, 10, 15, 2)]


def test_every_header_is_bold_and_frozen(
    example_workbook: tuple[str, Path],
) -> None:
    _, path = example_workbook

    workbook = openpyxl.load_workbook(path)

    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title


def test_example_money_and_times_are_typed_cells(
    example_workbook: tuple[str, Path],
) -> None:
    language, path = example_workbook

    workbook = openpyxl.load_workbook(path)

    orders = workbook[TITLES[language][0]]
    total, received, phone = orders["H2"], orders["B2"], orders["J2"]
    assert (total.value, total.data_type, total.number_format) == (
        495000,
        "n",
        "#,##0",
    )
    assert received.is_date
    assert received.value == datetime(2026, 12, 3, 10, 15, 2)
    assert (phone.value, phone.data_type) == ("0344559823", "s")


def test_money_is_a_whole_number_with_a_thousands_format(tmp_path: Path) -> None:
    workbook = write_and_load(tmp_path, [typed_sheet()])

    total = workbook["Đơn hàng"]["D2"]
    assert total.value == 495000 and type(total.value) is int
    assert total.number_format == "#,##0"


def test_counts_stay_plain_integers(tmp_path: Path) -> None:
    workbook = write_and_load(tmp_path, [typed_sheet()])

    quantity = workbook["Đơn hàng"]["C2"]
    assert quantity.value == 3 and type(quantity.value) is int


def test_empty_cells_stay_empty(tmp_path: Path) -> None:
    workbook = write_and_load(tmp_path, [typed_sheet()])

    row = next(workbook["Đơn hàng"].iter_rows(min_row=3, values_only=True))
    assert row == ("1278296", None, None, None)


@pytest.mark.parametrize(
    ("zone", "local"),
    [
        ("Asia/Ho_Chi_Minh", datetime(2026, 12, 3, 10, 15, 42)),
        ("UTC", datetime(2026, 12, 3, 3, 15, 42)),
        ("America/Los_Angeles", datetime(2026, 12, 2, 19, 15, 42)),
    ],
    ids=["hanoi", "utc", "los-angeles"],
)
def test_time_is_a_date_time_in_the_shop_zone(
    tmp_path: Path, zone: str, local: datetime
) -> None:
    workbook = write_and_load(tmp_path, [typed_sheet()], ZoneInfo(zone))

    received = workbook["Đơn hàng"]["B2"]
    assert received.is_date and received.value == local
    assert "yy" in received.number_format and "hh" in received.number_format


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","y")',
        "=1+1",
        "+84 912 345 678",
        "0344559823",
        "#N/A",
        "#DIV/0!",
        "00123",
        "1e5",
        "TRUE",
        "2026-12-03",
        "-5",
    ],
    ids=[
        "hyperlink-formula",
        "sum-formula",
        "international-phone",
        "leading-zero-phone",
        "error-code-na",
        "error-code-div0",
        "zero-padded-code",
        "scientific-number",
        "boolean-word",
        "date-text",
        "negative-number-text",
    ],
)
def test_text_stays_text_as_sent(tmp_path: Path, text: str) -> None:
    workbook = write_and_load(tmp_path, [text_sheet([text])])

    cell = workbook["Ghi chú"]["A2"]
    assert (cell.value, cell.data_type) == (text, "s")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("a\x00b\x07c\x1fd", "abcd"),
        ("dòng 1\ndòng 2\tcột", "dòng 1\ndòng 2\tcột"),
        ("\x0bNguyễn\x0c Cường\x1b", "Nguyễn Cường"),
    ],
    ids=["nul-bell-unit-separator", "tab-and-newline-kept", "around-a-name"],
)
def test_control_characters_are_dropped(tmp_path: Path, text: str, kept: str) -> None:
    workbook = write_and_load(tmp_path, [text_sheet([text])])

    assert workbook["Ghi chú"]["A2"].value == kept


@pytest.mark.parametrize(
    "text",
    ["a\uffffb", "a\ufffeb", "a\ud800b"],
    ids=["noncharacter-ffff", "noncharacter-fffe", "lone-surrogate"],
)
def test_characters_xml_cannot_carry_are_dropped(tmp_path: Path, text: str) -> None:
    # JSON may carry these ("\uffff", "\ud800"); XML 1.0 cannot, so a
    # workbook holding one cannot be opened at all.
    workbook = write_and_load(tmp_path, [text_sheet([text, "sau"])])

    assert [row[0].value for row in workbook["Ghi chú"]["A2:A3"]] == ["ab", "sau"]


@pytest.mark.parametrize(
    ("length", "shown_length"),
    [(MAX_TEXT, MAX_TEXT), (MAX_TEXT + 1, MAX_TEXT), (100_000, MAX_TEXT)],
    ids=["exactly-the-limit", "one-over", "far-over"],
)
def test_long_text_is_cut_with_an_ellipsis(
    tmp_path: Path, length: int, shown_length: int
) -> None:
    text = "ghi chú " * (length // 8) + "x" * (length % 8)

    workbook = write_and_load(tmp_path, [text_sheet([text])])

    value = workbook["Ghi chú"]["A2"].value
    assert len(value) == shown_length
    if length > MAX_TEXT:
        assert value == text[: MAX_TEXT - 1] + "…"
    else:
        assert value == text


def test_dropped_characters_do_not_count_towards_the_limit(tmp_path: Path) -> None:
    text = "\x00" * 10 + "x" * MAX_TEXT

    workbook = write_and_load(tmp_path, [text_sheet([text])])

    assert workbook["Ghi chú"]["A2"].value == "x" * MAX_TEXT


def test_rewrite_keeps_an_open_reader_whole_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sheets.xlsx"
    target = WorkbookTarget(path, SHOP_ZONE)
    target.write_full([text_sheet(["trước"] * 2000)])
    before = path.read_bytes()

    with open(path, "rb") as reader:
        target.write_full([text_sheet(["sau"])])
        seen_by_reader = reader.read()

    assert seen_by_reader == before
    old = openpyxl.load_workbook(io.BytesIO(seen_by_reader))
    assert old["Ghi chú"]["A2001"].value == "trước"
    new = openpyxl.load_workbook(path)
    assert [row[0].value for row in new["Ghi chú"].iter_rows()] == ["Ghi chú", "sau"]
    assert sorted(os.listdir(tmp_path)) == ["sheets.xlsx"]


def test_failed_write_names_the_file_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sheets.xlsx"
    path.mkdir()
    target = WorkbookTarget(path, SHOP_ZONE)

    with pytest.raises(TargetError) as raised:
        target.write_full([text_sheet(["sau"])])

    assert str(raised.value) == (
        f"Could not write the workbook {path} (Is a directory); check the disk "
        "and the folder's permissions."
    )
    assert raised.value.retryable
    assert sorted(os.listdir(tmp_path)) == ["sheets.xlsx"]
