"""The Order lines tab: one row per item position of each order.

The latest version of an order fills its lines; a position that version no
longer has keeps its row, with only the order id and time.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from projections.columns import INT, MONEY, TEXT, TIME, Cell, Column, Tab, dispatch
from projections.events import Event, time_cell
from projections.payloads import ORDER_NEW, Item, first_image, parse_order

COLUMNS = (
    Column("Order ID", "Mã đơn", TEXT),
    Column("Received", "Thời gian", TIME),
    Column("Product ID", "Mã sản phẩm", TEXT),
    Column("Product", "Sản phẩm", TEXT),
    Column("Price", "Đơn giá", MONEY),
    Column("Discount", "Giảm giá", MONEY),
    Column("Quantity", "Số lượng", INT),
    Column("Amount", "Thành tiền", MONEY),
    Column("Image", "Ảnh", TEXT),
)


class _OrderLines:
    """One order's first time, latest items and the line keys it ever had."""

    __slots__ = ("first_at", "items", "keys")

    def __init__(self, first_at: str, items: tuple[Item | None, ...]) -> None:
        self.first_at = first_at
        self.items = items
        self.keys: list[tuple[str, int]] = []


class OrderLinesState:
    """Each order's lines, keyed by order id and item position."""

    __slots__ = ("positions", "skipped", "orders")

    def __init__(self) -> None:
        self.positions: dict[tuple[str, int], int] = {}
        self.skipped = 0
        self.orders: dict[str, _OrderLines] = {}


def _apply_order(state: OrderLinesState, event: Event) -> Iterable[Hashable]:
    """Take the order's latest items; every line it ever had may change."""
    order = parse_order(event)
    if order is None:
        state.skipped += 1
        return ()
    lines = state.orders.get(order.id)
    if lines is None:
        lines = state.orders[order.id] = _OrderLines(event.received_at, order.items)
    else:
        lines.items = order.items
    positions = state.positions
    for index, item in enumerate(order.items):
        if item is not None:
            key = (order.id, index)
            if key not in positions:
                positions[key] = len(positions)
                lines.keys.append(key)
    return tuple(lines.keys)


HANDLERS = {ORDER_NEW: _apply_order}


def row(state: OrderLinesState, key: Hashable, language: str) -> list[Cell]:
    """Render one line; a position the order no longer has is mostly empty."""
    order_id, index = key
    lines = state.orders[order_id]
    received = time_cell(lines.first_at)
    item = lines.items[index] if index < len(lines.items) else None
    if item is None:
        return [order_id, received, None, None, None, None, None, None, None]
    return [
        order_id,
        received,
        item.product_id,
        item.title,
        item.price,
        item.discount,
        item.quantity,
        item.amount,
        first_image(item.images),
    ]


TAB = Tab(
    id="order_lines",
    title_en="Order lines",
    title_vi="Chi tiết đơn",
    columns=COLUMNS,
    new_state=OrderLinesState,
    apply=dispatch(HANDLERS),
    row=row,
    handlers=HANDLERS,
)
