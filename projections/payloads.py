"""Readers of BotBanHang's payload shapes: orders, activations, clients, catalog.

Every field name the sender uses lives here; the tabs see named tuples.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

from projections.events import Event, read_int, read_key, read_text

ORDER_NEW = "order:new"
BACKLINK_ACTIVE = "backlink:active"
CLIENT_NEW = "client:new"
CLIENT_UPDATE = "client:update"

# Catalog event names, with whether they name a product and their action.
# BotBanHang sends category:* for products and categories alike.
CATALOG_EVENTS = {
    f"{prefix}:{action}": (prefix == "product", action)
    for prefix in ("category", "product")
    for action in ("new", "update", "remove")
}

# Read-only stand-in for a block (client, ship) that is missing or not an
# object, so a missing block reads as a block of missing fields.
_NO_BLOCK = MappingProxyType({})

# A discount that is absent, null or blank means no discount.
_NO_DISCOUNT = (None, "")


class Item(NamedTuple):
    """One line of an order, with every value read or None."""

    product_id: str | None
    title: str | None
    price: int | None
    discount: int | None
    quantity: int | None
    amount: int | None
    # The sender's images_url as sent; ``first_image`` reads it when shown.
    images: object


class Order(NamedTuple):
    """One version of an order: the data of one order:new event."""

    id: str
    status: str | None
    note: str | None
    psid: str | None
    first_name: str | None
    last_name: str | None
    gender: str | None
    total: int | None
    recipient: str | None
    phone: str | None
    email: str | None
    address: str | None
    district: str | None
    province: str | None
    # One entry per position of the sender's list; None where the entry
    # was not an object.
    items: tuple[Item | None, ...]
    # The sum of the readable item quantities: total_quantity can be "0"
    # while the items have quantities.
    quantity: int


class Activation(NamedTuple):
    """One backlink:active delivery."""

    backlink: str | None
    psid: str | None
    is_new_client: bool


class ClientFields(NamedTuple):
    """The client fields that a client:new or client:update gives."""

    psid: str
    first_name: str | None
    last_name: str | None
    gender: str | None


class CatalogChange(NamedTuple):
    """The id and title that a category:* or product:* event gives."""

    id: str
    title: str | None


_last_order: tuple[Event | None, Order | None] = (None, None)


def parse_order(event: Event) -> Order | None:
    """Read an order:new event into an Order; None without an order id.

    Each tab that reads orders calls this for the same event in turn, so
    the last answer is kept and reused while the same event object asks.
    """
    global _last_order
    last = _last_order
    if last[0] is event:
        return last[1]
    order = _read_order(event.data)
    # One tuple, so a reader in another thread never pairs an event with
    # another event's order.
    _last_order = (event, order)
    return order


def _read_order(data: object) -> Order | None:
    """Read the data of an order:new body."""
    if not isinstance(data, dict):
        return None
    order_id = read_key(data.get("idorder"))
    if order_id is None:
        return None
    client = _block(data.get("client"))
    ship = _block(data.get("ship"))
    items = _read_items(data.get("orders"))
    quantity = 0
    for item in items:
        if item is not None and item.quantity is not None:
            quantity += item.quantity
    return Order(
        order_id,
        read_text(data.get("status")),
        read_text(data.get("note")),
        read_key(client.get("psid")),
        read_text(client.get("first_name")),
        read_text(client.get("last_name")),
        read_text(client.get("gender")),
        read_int(data.get("total_cost")),
        read_text(ship.get("name")),
        read_text(ship.get("phone")),
        read_text(ship.get("email")),
        read_text(ship.get("address")),
        read_text(ship.get("district")),
        read_text(ship.get("province")),
        items,
        quantity,
    )


def _block(value: object) -> dict | MappingProxyType:
    """Return a nested block, or an empty one when it is not an object."""
    return value if isinstance(value, dict) else _NO_BLOCK


def _read_items(value: object) -> tuple[Item | None, ...]:
    """Read the item list; entries that are not objects become None."""
    if not isinstance(value, list):
        return ()
    return tuple([_read_item(e) if isinstance(e, dict) else None for e in value])


def _read_item(entry: dict) -> Item:
    """Read one item, working out its line amount when it can."""
    price = read_int(entry.get("price"))
    quantity = read_int(entry.get("quantity"))
    given_discount = entry.get("discount")
    discount = read_int(given_discount)
    if price is None or quantity is None:
        amount = None
    elif discount is not None:
        amount = price * quantity - discount
    elif given_discount in _NO_DISCOUNT:
        amount = price * quantity
    else:
        amount = None
    return Item(
        read_key(entry.get("id")),
        read_text(entry.get("title")),
        price,
        discount,
        quantity,
        amount,
        entry.get("images_url"),
    )


def first_image(value: object) -> str | None:
    """Return the first readable image URL of a list, or a lone URL."""
    if isinstance(value, list):
        for url in value:
            text = read_key(url)
            if text:
                return text
        return None
    return read_key(value)


def parse_activation(data: object) -> Activation | None:
    """Read a backlink:active body's data; None when it is not an object.

    ``is_new_client`` is true only for JSON true or the text "true".
    """
    if not isinstance(data, dict):
        return None
    is_new = data.get("is_new_client")
    if isinstance(is_new, str):
        is_new = is_new.strip().lower() == "true"
    return Activation(
        read_key(data.get("backlink")),
        read_key(data.get("client")),
        is_new is True,
    )


def parse_client(data: object) -> ClientFields | None:
    """Read a client:new or client:update body's data; None without a PSID.

    The PSID is ``id``, as client:new sends it, or else ``psid``.
    """
    if not isinstance(data, dict):
        return None
    psid = read_key(data.get("id"))
    if psid is None:
        psid = read_key(data.get("psid"))
    if psid is None:
        return None
    return ClientFields(
        psid,
        read_text(data.get("first_name")),
        read_text(data.get("last_name")),
        read_text(data.get("gender")),
    )


def parse_catalog(data: object) -> CatalogChange | None:
    """Read a category:* or product:* body's data; None without an id."""
    if not isinstance(data, dict):
        return None
    catalog_id = read_key(data.get("id"))
    if catalog_id is None:
        return None
    return CatalogChange(catalog_id, read_text(data.get("title")))
