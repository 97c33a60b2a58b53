"""The nine documented BotBanHang bodies, folded into every tab, cell by cell."""

from __future__ import annotations

import pytest

from projections import TABS, Projection, event_from_record
from tests.bbh_examples import EXAMPLES, at, example_bytes, received_at

IMAGE = (
    "https://media.botbanhang.vn/uploads/5b9736ad54d5555160df33f8/"
    "3b397d77-62f0-41dc-b28e-6e949fa99947.jpg"
)
PRODUCT_IN_ORDER = "5c7b77887bce6d001244ec89"
PRODUCT = "5c7ea4bcaa5c99001118e04f"
CATEGORY = "5c7ea7387d81870011918db9"
REMOVED_PRODUCT = "5c7ea669baa7f200115730f9"
ORDERING_CLIENT = "2874888275870129"
GREETING_CLIENT = "2215616798496070"


def expected_rows(tab_id: str, language: str) -> list[list]:
    """Spell out every row of a tab after the nine examples."""

    def say(english: str, vietnamese: str) -> str:
        return english if language == "en" else vietnamese

    return {
        "orders": [
            [
                "1278295",
                at(2),
                "order",
                "HộpThư TriÂn",
                ORDERING_CLIENT,
                "Sáng da bằng nhũ tương × 1",
                1,
                495000,
                "Trần Hùng",
                "0344559823",
                "tranhun@gmail.com",
                "TINHTUTONG - Lê Chân - Hải Phòng",
                "Lê Chân",
                "Hải Phòng",
                "đây là ghi chú",
                # The activation came after the order: it brought no order.
                None,
            ]
        ],
        "order_lines": [
            [
                "1278295",
                at(2),
                PRODUCT_IN_ORDER,
                "Sáng da bằng nhũ tương",
                475000,
                0,
                1,
                475000,
                IMAGE,
            ]
        ],
        "clients": [
            [
                GREETING_CLIENT,
                "Nguyễn Cường",
                say("male", "Nam"),
                at(1),
                say("Get started", "Bắt đầu"),
                0,
                0,
                None,
                None,
                None,
            ],
            [
                ORDERING_CLIENT,
                "HộpThư TriÂn",
                say("male", "Nam"),
                at(2),
                say("Order", "Đơn hàng"),
                1,
                495000,
                at(2),
                "0344559823",
                "8C1kTrp0X",
            ],
        ],
        "catalog": [
            [
                PRODUCT_IN_ORDER,
                say("product", "Sản phẩm"),
                "Sáng da bằng nhũ tương",
                say("active", "Đang có"),
                at(2),
                None,
                None,
                1,
                475000,
            ],
            [
                PRODUCT,
                say("unknown", "Chưa rõ"),
                "ten san pham",
                say("active", "Đang có"),
                at(3),
                at(5),
                None,
                0,
                0,
            ],
            [
                CATEGORY,
                say("unknown", "Chưa rõ"),
                "ten danh muc",
                say("removed", "Đã xoá"),
                at(4),
                at(6),
                at(8),
                0,
                0,
            ],
            [
                REMOVED_PRODUCT,
                say("unknown", "Chưa rõ"),
                "ten san pham",
                say("removed", "Đã xoá"),
                at(7),
                None,
                at(7),
                0,
                0,
            ],
        ],
        "backlinks": [["8C1kTrp0X", 1, 1, 0, 0, 0, at(9), at(9)]],
    }[tab_id]


@pytest.fixture(scope="module")
def projection() -> Projection:
    folded = Projection()
    folded.fold(
        event_from_record(seq, received_at(seq), body["event"], example_bytes(body))
        for seq, (_, body) in enumerate(EXAMPLES, start=1)
    )
    return folded


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("tab_id", [tab.id for tab in TABS])
def test_examples_give_exact_rows(
    projection: Projection, tab_id: str, language: str
) -> None:
    rows = projection.rows(tab_id, language)
    expected = expected_rows(tab_id, language)
    assert len(rows) == len(expected)
    for position, (row, wanted) in enumerate(zip(rows, expected, strict=True)):
        for column, (cell, wanted_cell) in enumerate(zip(row, wanted, strict=True)):
            assert cell == wanted_cell, (position, column)
    assert rows == expected


@pytest.mark.parametrize("tab_id", [tab.id for tab in TABS])
def test_examples_skip_nothing(projection: Projection, tab_id: str) -> None:
    assert projection.states[tab_id].skipped == 0
    assert projection.ignored == 0


def test_example_bodies_are_the_documented_events() -> None:
    names = [body["event"] for _, body in EXAMPLES]
    assert names == [
        "client:new",
        "order:new",
        "category:new",
        "category:new",
        "category:update",
        "category:update",
        "category:remove",
        "category:remove",
        "backlink:active",
    ]
    assert all(isinstance(body["data"], dict) for _, body in EXAMPLES)


def test_example_rows_keep_positions_of_first_sight(projection: Projection) -> None:
    assert projection.position("catalog", PRODUCT_IN_ORDER) == 0
    assert projection.position("catalog", REMOVED_PRODUCT) == 3
    assert projection.position("clients", GREETING_CLIENT) == 0
    assert projection.position("order_lines", ("1278295", 0)) == 0
