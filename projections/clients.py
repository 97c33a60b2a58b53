"""The Clients tab: one row per PSID, from any event that names one.

Order figures count each order once, in its latest version; an order whose
PSID changes between versions moves from one client to the other.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import NamedTuple

from projections.columns import (
    ENGLISH,
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
from projections.events import Event, full_name, time_cell
from projections.payloads import (
    BACKLINK_ACTIVE,
    CLIENT_NEW,
    CLIENT_UPDATE,
    ORDER_NEW,
    parse_activation,
    parse_client,
    parse_order,
)

COLUMNS = (
    Column("PSID", "PSID", TEXT),
    Column("Name", "Họ tên", TEXT),
    Column("Gender", "Giới tính", TEXT),
    Column("First seen", "Lần đầu", TIME),
    Column("Source", "Nguồn", TEXT),
    Column("Orders", "Số đơn", INT),
    Column("Total spent", "Tổng chi", MONEY),
    Column("Last order", "Đơn gần nhất", TIME),
    Column("Phone", "Điện thoại", TEXT),
    Column("First backlink", "Backlink đầu", TEXT),
)

# How a client first appeared, in English and Vietnamese.
GET_STARTED = ("Get started", "Bắt đầu")
ORDER = ("Order", "Đơn hàng")
BACKLINK = ("Backlink", "Backlink")

# The sender's genders in Vietnamese; English shows them as sent.
GENDERS_VI = {"male": "Nam", "female": "Nữ"}


class _OrderFacts(NamedTuple):
    """What the Clients tab needs of an order's latest version."""

    psid: str | None
    first_seq: int
    first_at: str
    seq: int
    total: int | None
    phone: str | None


class _Client:
    """One client's latest details and their orders' figures."""

    __slots__ = (
        "first_at",
        "source",
        "first_name",
        "last_name",
        "gender",
        "updated",
        "orders",
        "spent",
        "newest",
        "phone_order",
        "backlink",
    )

    def __init__(self, first_at: str, source: tuple[str, str]) -> None:
        self.first_at = first_at
        self.source = source
        self.first_name: str | None = None
        self.last_name: str | None = None
        self.gender: str | None = None
        # Fields a client:update gave: a client:new arriving after its
        # update describes an older state and must not undo them.
        self.updated: tuple[str, ...] = ()
        # Order ids, as a dict for a stable order.
        self.orders: dict[str, None] = {}
        self.spent = 0
        self.newest: str | None = None
        self.phone_order: str | None = None
        self.backlink: str | None = None


class ClientsState:
    """Each client, and the facts of every order's latest version."""

    __slots__ = ("positions", "skipped", "clients", "orders")

    def __init__(self) -> None:
        self.positions: dict[str, int] = {}
        self.skipped = 0
        self.clients: dict[str, _Client] = {}
        self.orders: dict[str, _OrderFacts] = {}


def _client(
    state: ClientsState, psid: str, event: Event, source: tuple[str, str]
) -> _Client:
    """Return the client of a PSID, creating its row on first sight."""
    client = state.clients.get(psid)
    if client is None:
        client = state.clients[psid] = _Client(event.received_at, source)
        state.positions[psid] = len(state.positions)
    return client


def _apply_client(
    state: ClientsState, event: Event, from_update: bool
) -> Iterable[Hashable]:
    """Merge the fields a client:new or client:update gives."""
    fields = parse_client(event.data)
    if fields is None:
        state.skipped += 1
        return ()
    client = _client(state, fields.psid, event, GET_STARTED)
    given = (
        ("first_name", fields.first_name),
        ("last_name", fields.last_name),
        ("gender", fields.gender),
    )
    for name, value in given:
        if value is None:
            continue
        if from_update:
            if name not in client.updated:
                client.updated += (name,)
        elif name in client.updated:
            continue
        setattr(client, name, value)
    return (fields.psid,)


def _apply_new(state: ClientsState, event: Event) -> Iterable[Hashable]:
    """Fold a client:new: a person pressed "Get started"."""
    return _apply_client(state, event, from_update=False)


def _apply_update(state: ClientsState, event: Event) -> Iterable[Hashable]:
    """Fold a client:update: merge the fields it gives."""
    return _apply_client(state, event, from_update=True)


def _apply_order(state: ClientsState, event: Event) -> Iterable[Hashable]:
    """Move the order's figures from its previous version to this one."""
    order = parse_order(event)
    if order is None:
        state.skipped += 1
        return ()
    old = state.orders.get(order.id)
    if old is None:
        first_seq, first_at = event.seq, event.received_at
    else:
        first_seq, first_at = old.first_seq, old.first_at
    facts = _OrderFacts(
        order.psid, first_seq, first_at, event.seq, order.total, order.phone
    )
    state.orders[order.id] = facts

    changed = []
    if old is not None and old.psid is not None:
        moved = old.psid != order.psid
        _withdraw(state, state.clients[old.psid], order.id, old, moved)
        changed.append(old.psid)
    if order.psid is not None:
        client = _client(state, order.psid, event, ORDER)
        _credit(state, client, order.id, facts)
        # An order's client block is the client's latest word on the name.
        if order.first_name is not None:
            client.first_name = order.first_name
        if order.last_name is not None:
            client.last_name = order.last_name
        if order.gender is not None:
            client.gender = order.gender
        if order.psid not in changed:
            changed.append(order.psid)
    if not changed:
        state.skipped += 1
    return changed


def _withdraw(
    state: ClientsState, client: _Client, order_id: str, old: _OrderFacts, moved: bool
) -> None:
    """Take an order's previous version out of its client's figures."""
    if old.total is not None:
        client.spent -= old.total
    if not moved:
        return
    # Rare: a new version names another client. Only then are this client's
    # own orders scanned again, to find the newest and the latest phone.
    del client.orders[order_id]
    if client.newest == order_id:
        client.newest = _newest(state, client)
    if client.phone_order == order_id:
        client.phone_order = _latest_phone(state, client)


def _credit(
    state: ClientsState, client: _Client, order_id: str, facts: _OrderFacts
) -> None:
    """Add an order's latest version to its client's figures."""
    client.orders[order_id] = None
    if facts.total is not None:
        client.spent += facts.total
    newest = client.newest
    if newest is None or (facts.first_seq, order_id) > (
        state.orders[newest].first_seq,
        newest,
    ):
        client.newest = order_id
    if facts.phone is not None:
        # This event has the highest seq yet, so its order is the latest.
        client.phone_order = order_id
    elif client.phone_order == order_id:
        client.phone_order = _latest_phone(state, client)


def _newest(state: ClientsState, client: _Client) -> str | None:
    """Find the client's order with the latest first event."""
    orders = state.orders
    return max(
        client.orders,
        key=lambda order_id: (orders[order_id].first_seq, order_id),
        default=None,
    )


def _latest_phone(state: ClientsState, client: _Client) -> str | None:
    """Find the client's order whose latest version is newest and has a phone."""
    best, best_seq = None, None
    for order_id in client.orders:
        facts = state.orders[order_id]
        if facts.phone is not None and (best_seq is None or facts.seq > best_seq):
            best, best_seq = order_id, facts.seq
    return best


def _apply_activation(state: ClientsState, event: Event) -> Iterable[Hashable]:
    """Create the client's row on first sight and keep its first backlink."""
    activation = parse_activation(event.data)
    if activation is None or activation.psid is None:
        state.skipped += 1
        return ()
    client = state.clients.get(activation.psid)
    if client is None:
        client = _client(state, activation.psid, event, BACKLINK)
    elif client.backlink is not None or activation.backlink is None:
        return ()
    client.backlink = activation.backlink
    return (activation.psid,)


HANDLERS = {
    CLIENT_NEW: _apply_new,
    CLIENT_UPDATE: _apply_update,
    ORDER_NEW: _apply_order,
    BACKLINK_ACTIVE: _apply_activation,
}


def gender_cell(gender: str | None, language: str) -> str | None:
    """Show male and female as Nam and Nữ in Vietnamese, else as sent."""
    if gender is None or language == ENGLISH:
        return gender
    return GENDERS_VI.get(gender.strip().lower(), gender)


def row(state: ClientsState, key: Hashable, language: str) -> list[Cell]:
    """Render one client's row."""
    client = state.clients[key]
    orders = state.orders
    newest, phone_order = client.newest, client.phone_order
    return [
        key,
        full_name(client.first_name, client.last_name),
        gender_cell(client.gender, language),
        time_cell(client.first_at),
        localize(language, *client.source),
        len(client.orders),
        client.spent,
        None if newest is None else time_cell(orders[newest].first_at),
        None if phone_order is None else orders[phone_order].phone,
        client.backlink,
    ]


TAB = Tab(
    id="clients",
    title_en="Clients",
    title_vi="Khách hàng",
    columns=COLUMNS,
    new_state=ClientsState,
    apply=dispatch(HANDLERS),
    row=row,
    handlers=HANDLERS,
)
