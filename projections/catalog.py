"""The Catalog tab: one row per product or category id, removed ones too.

Rows come from category:* and product:* events and from order item ids;
units sold and revenue count each order once, in its latest version.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from projections.columns import (
    INT,
    MONEY,
    TEXT,
    TIME,
    Cell,
    Column,
    Tab,
    dispatch,
    localize,
)
from projections.events import Event, time_cell
from projections.payloads import CATALOG_EVENTS, ORDER_NEW, parse_catalog, parse_order

COLUMNS = (
    Column("ID", "Mã", TEXT),
    Column("Kind", "Loại", TEXT),
    Column("Title", "Tên", TEXT),
    Column("Status", "Trạng thái", TEXT),
    Column("Created", "Tạo lúc", TIME),
    Column("Updated", "Cập nhật", TIME),
    Column("Removed", "Xoá lúc", TIME),
    Column("Units sold", "Đã bán", INT),
    Column("Revenue", "Doanh thu", MONEY),
)

# The words staff read, in English and Vietnamese.
PRODUCT = ("product", "Sản phẩm")
UNKNOWN = ("unknown", "Chưa rõ")
ACTIVE = ("active", "Đang có")
REMOVED = ("removed", "Đã xoá")

NEW, UPDATE, REMOVE = "new", "update", "remove"

# One order line's share of a catalog id's figures: id, units, revenue.
Sale = tuple[str, int | None, int | None]


class _CatalogItem:
    """One catalog id: what catalog events and order lines said of it."""

    __slots__ = (
        "created_at",
        "product",
        "title",
        "title_changed",
        "item_title",
        "removed",
        "updated_at",
        "removed_at",
        "units",
        "revenue",
    )

    def __init__(self, created_at: str) -> None:
        self.created_at = created_at
        self.product = False
        self.title: str | None = None
        # Whether an update or remove gave the title: a new arriving after
        # them describes an older state and must not undo it.
        self.title_changed = False
        self.item_title: str | None = None
        self.removed = False
        self.updated_at: str | None = None
        self.removed_at: str | None = None
        self.units = 0
        self.revenue = 0


class CatalogState:
    """Each catalog id, and the sales of every order's latest version."""

    __slots__ = ("positions", "skipped", "items", "sales")

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.skipped = 0
        self.items: dict[str, _CatalogItem] = {}
        self.sales: dict[str, tuple[Sale, ...]] = {}


def _item(state: CatalogState, catalog_id: str, event: Event) -> _CatalogItem:
    """Return the entry of a catalog id, creating its row on first sight."""
    item = state.items.get(catalog_id)
    if item is None:
        item = state.items[catalog_id] = _CatalogItem(event.received_at)
        state.positions[catalog_id] = len(state.positions)
    return item


def _catalog_handler(
    product: bool, action: str
) -> Callable[[CatalogState, Event], Iterable[Hashable]]:
    """Return the handler of one catalog event name."""

    def apply(state: CatalogState, event: Event) -> Iterable[Hashable]:
        change = parse_catalog(event.data)
        if change is None:
            state.skipped += 1
            return ()
        item = _item(state, change.id, event)
        if product:
            item.product = True
        if change.title is not None and (action != NEW or not item.title_changed):
            item.title = change.title
            item.title_changed = item.title_changed or action != NEW
        if action == REMOVE:
            item.removed = True
            item.removed_at = event.received_at
        else:
            item.removed = False
            if action == UPDATE:
                item.updated_at = event.received_at
        return (change.id,)

    return apply


def _apply_order(state: CatalogState, event: Event) -> Iterable[Hashable]:
    """Replace the order's previous sales by those of this version."""
    order = parse_order(event)
    if order is None:
        state.skipped += 1
        return ()
    changed = {}
    items = state.items
    for catalog_id, units, revenue in state.sales.get(order.id, ()):
        item = items[catalog_id]
        if units is not None:
            item.units -= units
        if revenue is not None:
            item.revenue -= revenue
        changed[catalog_id] = None

    sales = []
    for line in order.items:
        if line is None or line.product_id is None:
            continue
        item = _item(state, line.product_id, event)
        item.product = True
        if line.title is not None:
            item.item_title = line.title
        if line.quantity is not None:
            item.units += line.quantity
        if line.amount is not None:
            item.revenue += line.amount
        sales.append((line.product_id, line.quantity, line.amount))
        changed[line.product_id] = None
    state.sales[order.id] = tuple(sales)
    return changed


HANDLERS = {
    name: _catalog_handler(product, action)
    for name, (product, action) in CATALOG_EVENTS.items()
}
HANDLERS[ORDER_NEW] = _apply_order


def row(state: CatalogState, key: Hashable, language: str) -> list[Cell]:
    """Render one catalog id's row."""
    item = state.items[key]
    return [
        key,
        localize(language, *(PRODUCT if item.product else UNKNOWN)),
        item.title if item.title is not None else item.item_title,
        localize(language, *(REMOVED if item.removed else ACTIVE)),
        time_cell(item.created_at),
        None if item.updated_at is None else time_cell(item.updated_at),
        time_cell(item.removed_at) if item.removed else None,
        item.units,
        item.revenue,
    ]


TAB = Tab(
    id="catalog",
    title_en="Catalog",
    title_vi="Sản phẩm & danh mục",
    columns=COLUMNS,
    new_state=CatalogState,
    apply=dispatch(HANDLERS),
    row=row,
    handlers=HANDLERS,
)
