"""The tolerant readers of sender values, and the tabs' columns."""

from __future__ import annotations

from typing import Any

import pytest

from projections import TABS
from projections.events import read_int, read_text

# Readers


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("475000", 475000),
        (475000, 475000),
        (475000.0, 475000),
        ("475.000", 475000),
        ("475,000", 475000),
        ("475 000", 475000),
        ("1.234.567", 1234567),
        (" 475000 ", 475000),
        ("475000đ", 475000),
        ("475.000 ₫", 475000),
        ("475000.00", 475000),
        ("-20000", -20000),
        ("0", 0),
        ("12.5", None),
        (12.5, None),
        ("1.2345", None),
        ("abc", None),
        ("", None),
        (True, None),
        (None, None),
        ([475000], None),
        (2**60, None),
        ("9" * 5000, None),
    ],
    ids=repr,
)
def test_numbers_are_read_tolerantly(value: Any, number: int | None) -> None:
    assert read_int(value) == number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Hải Phòng", "Hải Phòng"),
        ("0344559823", "0344559823"),
        (344559823, "344559823"),
        (1.0, "1"),
        ("", None),
        ("   ", None),
        (False, None),
        ({"a": 1}, None),
    ],
    ids=repr,
)
def test_text_is_read_tolerantly(value: Any, text: str | None) -> None:
    assert read_text(value) == text


# Columns


def test_headers_follow_the_design_in_both_languages() -> None:
    headers = {tab.id: [c.header("vi") for c in tab.columns] for tab in TABS}
    assert headers["orders"][:4] == ["Mã đơn", "Thời gian", "Trạng thái", "Khách hàng"]
    assert headers["catalog"][6] == "Xoá lúc"
    assert [tab.title("vi") for tab in TABS] == [
        "Đơn hàng",
        "Chi tiết đơn",
        "Khách hàng",
        "Sản phẩm & danh mục",
        "Backlink",
    ]
    assert [tab.title("en") for tab in TABS] == [
        "Orders",
        "Order lines",
        "Clients",
        "Catalog",
        "Backlinks",
    ]


def test_fingerprint_is_stable_and_differs_by_language() -> None:
    for tab in TABS:
        assert tab.fingerprint("vi") == tab.fingerprint("vi")
        assert tab.fingerprint("vi") != tab.fingerprint("en")
        assert len(tab.fingerprint("en")) == 16
    assert len({tab.fingerprint("vi") for tab in TABS}) == len(TABS)
