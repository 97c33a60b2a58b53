"""The Backlinks tab: one row per backlink ref, with the orders it brought.

Activations counts deliveries: a resent activation cannot be told from a
second click. Orders and revenue are credited as ``attribution`` says.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from projections.attribution import Activations
from projections.columns import INT, MONEY, TEXT, TIME, Cell, Column, Tab, dispatch
from projections.events import Event, time_cell
from projections.payloads import (
    BACKLINK_ACTIVE,
    ORDER_NEW,
    parse_activation,
    parse_order,
)

COLUMNS = (
    Column("Backlink", "Backlink", TEXT),
    Column("Activations", "Lượt kích hoạt", INT),
    Column("Clients", "Số khách", INT),
    Column("New clients", "Khách mới", INT),
    Column("Orders", "Số đơn", INT),
    Column("Revenue", "Doanh thu", MONEY),
    Column("First", "Lần đầu", TIME),
    Column("Last", "Lần cuối", TIME),
)


class _Backlink:
    """One backlink ref's deliveries and the orders credited to it."""

    __slots__ = (
        "activations",
        "clients",
        "new_clients",
        "orders",
        "revenue",
        "first_at",
        "last_at",
    )

    def __init__(self, first_at: str) -> None:
        self.activations = 0
        self.clients: set[str] = set()
        self.new_clients: set[str] = set()
        self.orders = 0
        self.revenue = 0
        self.first_at = first_at
        self.last_at = first_at


class BacklinksState:
    """Each backlink, the activation history and each order's credit."""

    __slots__ = ("positions", "skipped", "backlinks", "activations", "credits")

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.skipped = 0
        self.backlinks: dict[str, _Backlink] = {}
        self.activations = Activations()
        # Order id -> first seq, credited backlink and credited total.
        self.credits: dict[str, tuple[int, str | None, int | None]] = {}


def _apply_activation(state: BacklinksState, event: Event) -> Iterable[Hashable]:
    """Count one delivery of a backlink activation."""
    activation = parse_activation(event.data)
    if activation is None or activation.backlink is None:
        state.skipped += 1
        return ()
    ref = activation.backlink
    backlink = state.backlinks.get(ref)
    if backlink is None:
        backlink = state.backlinks[ref] = _Backlink(event.received_at)
        state.positions[ref] = len(state.positions)
    backlink.activations += 1
    backlink.last_at = event.received_at
    if activation.psid is not None:
        backlink.clients.add(activation.psid)
        if activation.is_new_client:
            backlink.new_clients.add(activation.psid)
        state.activations.record(activation, event.seq)
    return (ref,)


def _apply_order(state: BacklinksState, event: Event) -> Iterable[Hashable]:
    """Move the order's credit from its previous version to this one."""
    order = parse_order(event)
    if order is None:
        state.skipped += 1
        return ()
    changed = []
    old = state.credits.get(order.id)
    first_seq = event.seq if old is None else old[0]
    if old is not None and old[1] is not None:
        backlink = state.backlinks[old[1]]
        backlink.orders -= 1
        if old[2] is not None:
            backlink.revenue -= old[2]
        changed.append(old[1])

    ref = state.activations.latest_before(order.psid, first_seq)
    state.credits[order.id] = (first_seq, ref, order.total)
    if ref is not None:
        backlink = state.backlinks[ref]
        backlink.orders += 1
        if order.total is not None:
            backlink.revenue += order.total
        if ref not in changed:
            changed.append(ref)
    return changed


HANDLERS = {BACKLINK_ACTIVE: _apply_activation, ORDER_NEW: _apply_order}


def row(state: BacklinksState, key: Hashable, language: str) -> list[Cell]:
    """Render one backlink's row."""
    backlink = state.backlinks[key]
    return [
        key,
        backlink.activations,
        len(backlink.clients),
        len(backlink.new_clients),
        backlink.orders,
        backlink.revenue,
        time_cell(backlink.first_at),
        time_cell(backlink.last_at),
    ]


TAB = Tab(
    id="backlinks",
    title_en="Backlinks",
    title_vi="Backlink",
    columns=COLUMNS,
    new_state=BacklinksState,
    apply=dispatch(HANDLERS),
    row=row,
    handlers=HANDLERS,
)
