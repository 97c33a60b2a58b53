"""The Orders tab: one row per order id, showing its latest version.

A repeated order:new for the same id updates the row and keeps its first
time; the Backlink column credits the order as ``attribution`` says.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from projections.attribution import Activations
from projections.columns import INT, MONEY, TEXT, TIME, Cell, Column, Tab, dispatch
from projections.events import Event, full_name, time_cell
from projections.payloads import (
    BACKLINK_ACTIVE,
    ORDER_NEW,
    Item,
    Order,
    parse_activation,
    parse_order,
)

COLUMNS = (
    Column("Order ID", "Mã đơn", TEXT),
    Column("Received", "Thời gian", TIME),
    Column("Status", "Trạng thái", TEXT),
    Column("Customer", "Khách hàng", TEXT),
    Column("PSID", "PSID", TEXT),
    Column("Items", "Sản phẩm", TEXT),
    Column("Quantity", "Số lượng", INT),
    Column("Total", "Tổng tiền", MONEY),
    Column("Recipient", "Người nhận", TEXT),
    Column("Phone", "Điện thoại", TEXT),
    Column("Email", "Email", TEXT),
    Column("Address", "Địa chỉ", TEXT),
    Column("District", "Quận/Huyện", TEXT),
    Column("Province", "Tỉnh/Thành phố", TEXT),
    Column("Note", "Ghi chú", TEXT),
    Column("Backlink", "Backlink", TEXT),
)

# Shown for an item quantity that cannot be read, and for an item with
# neither title nor id.
UNKNOWN = "?"


class OrdersState:
    """Each order's first seq and time and its latest version."""

    __slots__ = ("positions", "skipped", "orders", "activations")

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.skipped = 0
        self.orders: dict[str, tuple[int, str, Order]] = {}
        self.activations = Activations()


def _apply_order(state: OrdersState, event: Event) -> Iterable[Hashable]:
    """Keep the order's latest version; its first seq and time stay."""
    order = parse_order(event)
    if order is None:
        state.skipped += 1
        return ()
    placed = state.orders.get(order.id)
    if placed is None:
        state.positions[order.id] = len(state.positions)
        state.orders[order.id] = (event.seq, event.received_at, order)
    else:
        state.orders[order.id] = (placed[0], placed[1], order)
    return (order.id,)


def _apply_activation(state: OrdersState, event: Event) -> Iterable[Hashable]:
    """Remember the activation for orders to come; no row changes.

    Every order folded so far has a lower first seq than this event, so
    the activation cannot be the one any of them is credited to.
    """
    activation = parse_activation(event.data)
    if activation is not None:
        state.activations.record(activation, event.seq)
    return ()


HANDLERS = {ORDER_NEW: _apply_order, BACKLINK_ACTIVE: _apply_activation}


def items_text(items: tuple[Item | None, ...]) -> str | None:
    """Describe the items as ``title × quantity``, joined by ``; ``.

    An item without a title shows its product id instead.
    """
    parts = []
    for item in items:
        if item is None:
            continue
        title = item.title or item.product_id or UNKNOWN
        quantity = UNKNOWN if item.quantity is None else item.quantity
        parts.append(f"{title} × {quantity}")
    return "; ".join(parts) or None


def row(state: OrdersState, key: Hashable, language: str) -> list[Cell]:
    """Render one order's row."""
    first_seq, first_at, order = state.orders[key]
    return [
        order.id,
        time_cell(first_at),
        order.status,
        full_name(order.first_name, order.last_name),
        order.psid,
        items_text(order.items),
        order.quantity,
        order.total,
        order.recipient,
        order.phone,
        order.email,
        order.address,
        order.district,
        order.province,
        order.note,
        state.activations.latest_before(order.psid, first_seq),
    ]


TAB = Tab(
    id="orders",
    title_en="Orders",
    title_vi="Đơn hàng",
    columns=COLUMNS,
    new_state=OrdersState,
    apply=dispatch(HANDLERS),
    row=row,
    handlers=HANDLERS,
)
