"""Each rule of DESIGN.md's "Rules where the data leaves room", one by one."""

from __future__ import annotations

from typing import Any

import pytest

from projections import TABS, Projection, event_from_record
from tests.bbh_examples import at, events_from

LAN = "2874888275870129"
MAI = "2215616798496070"
SERUM = "5c7b77887bce6d001244ec89"
MASK = "5c7ea4bcaa5c99001118e04f"


def item(
    product_id: str = SERUM,
    title: str = "Sáng da bằng nhũ tương",
    price: Any = "475000",
    quantity: Any = 1,
    **fields: Any,
) -> dict:
    return {
        "id": product_id,
        "title": title,
        "price": price,
        "discount": "0",
        "images_url": ["https://media.botbanhang.vn/uploads/a.jpg"],
        "quantity": quantity,
        **fields,
    }


def order(
    idorder: str = "1278295",
    items: list | None = None,
    psid: str | None = LAN,
    total: Any = "495000",
    phone: str | None = "0344559823",
    **fields: Any,
) -> dict:
    client = {"first_name": "Lan", "last_name": "Trần Thị", "gender": "female"}
    if psid is not None:
        client["psid"] = psid
    ship = {"name": "Trần Thị Lan", "district": "Lê Chân", "province": "Hải Phòng"}
    if phone is not None:
        ship["phone"] = phone
    data = {
        "idorder": idorder,
        "orders": [item()] if items is None else items,
        "status": "order",
        "note": "giao giờ hành chính",
        "client": client,
        "total_cost": total,
        "total_quantity": "0",
        "ship": ship,
        **fields,
    }
    return {"event": "order:new", "data": data}


def client(name: str = "client:new", psid: str = MAI, **fields: Any) -> dict:
    return {"event": name, "data": {"id": psid, **fields}}


def catalog(name: str, catalog_id: str = MASK, title: str | None = None) -> dict:
    data = {"id": catalog_id}
    if title is not None:
        data["title"] = title
    return {"event": name, "data": data}


def activation(backlink: str, psid: str = LAN, is_new: Any = False) -> dict:
    data = {"backlink": backlink, "client": psid, "is_new_client": is_new}
    return {"event": "backlink:active", "data": data}


def fold(*bodies: dict) -> Projection:
    projection = Projection()
    projection.fold(events_from(bodies))
    return projection


def cells(projection: Projection, tab_id: str, key: Any, language: str = "vi") -> dict:
    """Return one row as a header -> cell mapping, for readable asserts."""
    tab = next(tab for tab in TABS if tab.id == tab_id)
    row = projection.row(tab_id, key, language)
    return {column.en: cell for column, cell in zip(tab.columns, row, strict=True)}


# Orders


def test_repeated_order_updates_row_and_keeps_first_time() -> None:
    first = order(status="order", total="495000")
    second = order(items=[item(quantity=3)], status="đã giao", total="1425000")
    projection = fold(first, client(), second)
    row = cells(projection, "orders", "1278295")
    assert len(projection.rows("orders", "vi")) == 1
    assert row["Received"] == at(1)
    assert row["Status"] == "đã giao"
    assert row["Quantity"] == 3
    assert row["Total"] == 1425000


def test_repeated_order_counts_once_in_every_sum() -> None:
    first = order(items=[item(quantity=1)], total="475000")
    second = order(items=[item(quantity=2)], total="950000")
    projection = fold(activation("8C1kTrp0X"), first, second, second)
    assert cells(projection, "clients", LAN)["Orders"] == 1
    assert cells(projection, "clients", LAN)["Total spent"] == 950000
    assert cells(projection, "catalog", SERUM)["Units sold"] == 2
    assert cells(projection, "catalog", SERUM)["Revenue"] == 950000
    assert cells(projection, "backlinks", "8C1kTrp0X")["Orders"] == 1
    assert cells(projection, "backlinks", "8C1kTrp0X")["Revenue"] == 950000


def test_quantity_comes_from_items_when_total_quantity_is_zero() -> None:
    items = [item(quantity=2), item(MASK, "Mặt nạ ngủ", quantity="3")]
    row = cells(fold(order(items=items)), "orders", "1278295")
    assert row["Quantity"] == 5
    assert row["Items"] == "Sáng da bằng nhũ tương × 2; Mặt nạ ngủ × 3"


@pytest.mark.parametrize(
    "quantity", ["hai", None, [1], {"n": 1}, True, "1.5"], ids=repr
)
def test_unreadable_item_quantity_shows_question_mark(quantity: Any) -> None:
    items = [item(quantity=quantity), item(MASK, "Mặt nạ ngủ", quantity=2)]
    row = cells(fold(order(items=items)), "orders", "1278295")
    assert row["Items"] == "Sáng da bằng nhũ tương × ?; Mặt nạ ngủ × 2"
    assert row["Quantity"] == 2


def test_item_without_title_shows_its_product_id() -> None:
    row = cells(fold(order(items=[item(title=None)])), "orders", "1278295")
    assert row["Items"] == f"{SERUM} × 1"


@pytest.mark.parametrize(
    ("client_block", "customer"),
    [
        ({"first_name": "Cường", "last_name": "Nguyễn"}, "Nguyễn Cường"),
        ({"first_name": "Cường"}, "Cường"),
        ({"last_name": " Nguyễn "}, "Nguyễn"),
        ({}, None),
    ],
    ids=["both", "first-only", "last-only", "neither"],
)
def test_customer_is_last_name_then_first_name(
    client_block: dict, customer: str | None
) -> None:
    body = order(client={"psid": LAN, **client_block})
    assert cells(fold(body), "orders", "1278295")["Customer"] == customer


def test_missing_ship_block_leaves_its_cells_empty() -> None:
    body = order(ship="không có")
    projection = fold(body)
    row = cells(projection, "orders", "1278295")
    assert row["Recipient"] is None and row["Phone"] is None
    assert row["Total"] == 495000
    assert cells(projection, "clients", LAN)["Phone"] is None


def test_unreadable_total_is_empty_and_left_out_of_sums() -> None:
    projection = fold(
        activation("8C1kTrp0X"), order("1", total="abc"), order("2", total="10.000")
    )
    assert cells(projection, "orders", "1")["Total"] is None
    assert cells(projection, "orders", "2")["Total"] == 10000
    assert cells(projection, "clients", LAN)["Total spent"] == 10000
    assert cells(projection, "backlinks", "8C1kTrp0X")["Revenue"] == 10000
    assert cells(projection, "backlinks", "8C1kTrp0X")["Orders"] == 2


# Backlink attribution


def test_order_credits_latest_activation_before_its_first_event() -> None:
    projection = fold(
        activation("cu"),
        activation("moi"),
        order(),
        activation("sau"),
        order(status="đã giao"),
    )
    assert cells(projection, "orders", "1278295")["Backlink"] == "moi"
    assert cells(projection, "backlinks", "moi")["Orders"] == 1
    assert cells(projection, "backlinks", "sau")["Orders"] == 0
    assert cells(projection, "backlinks", "cu")["Orders"] == 0


def test_activation_of_another_client_credits_nothing() -> None:
    projection = fold(activation("8C1kTrp0X", psid=MAI), order())
    assert cells(projection, "orders", "1278295")["Backlink"] is None
    assert cells(projection, "backlinks", "8C1kTrp0X")["Orders"] == 0


def test_order_moved_to_another_client_moves_its_credit() -> None:
    projection = fold(
        activation("lan-link", psid=LAN),
        activation("mai-link", psid=MAI),
        order(psid=LAN),
        order(psid=MAI, total="100000"),
    )
    assert cells(projection, "orders", "1278295")["Backlink"] == "mai-link"
    assert cells(projection, "backlinks", "lan-link")["Orders"] == 0
    assert cells(projection, "backlinks", "lan-link")["Revenue"] == 0
    assert cells(projection, "backlinks", "mai-link")["Revenue"] == 100000
    assert cells(projection, "clients", LAN)["Orders"] == 0
    assert cells(projection, "clients", LAN)["Total spent"] == 0
    assert cells(projection, "clients", LAN)["Last order"] is None
    assert cells(projection, "clients", MAI)["Total spent"] == 100000


def test_backlink_counts_deliveries_and_distinct_clients() -> None:
    projection = fold(
        activation("8C1kTrp0X", LAN, is_new=True),
        activation("8C1kTrp0X", LAN, is_new=True),
        activation("8C1kTrp0X", MAI, is_new=False),
        activation("8C1kTrp0X", "999", is_new="true"),
    )
    row = cells(projection, "backlinks", "8C1kTrp0X")
    assert row["Activations"] == 4
    assert row["Clients"] == 3
    assert row["New clients"] == 2
    assert (row["First"], row["Last"]) == (at(1), at(4))


# Order lines


def test_unreadable_price_leaves_amount_empty_and_out_of_revenue() -> None:
    items = [item(price="abc", quantity=2), item(MASK, "Mặt nạ ngủ", price="50000")]
    projection = fold(order(items=items))
    first = cells(projection, "order_lines", ("1278295", 0))
    assert (first["Price"], first["Quantity"], first["Amount"]) == (None, 2, None)
    assert cells(projection, "catalog", SERUM)["Revenue"] == 0
    assert cells(projection, "catalog", SERUM)["Units sold"] == 2
    assert cells(projection, "catalog", MASK)["Revenue"] == 50000


@pytest.mark.parametrize(
    ("discount", "shown", "amount"),
    [
        ("20000", 20000, 930000),
        ("20.000", 20000, 930000),
        (None, None, 950000),
        ("", None, 950000),
        ("abc", None, None),
    ],
    ids=["text", "grouped", "null", "blank", "unreadable"],
)
def test_amount_is_price_times_quantity_less_discount(
    discount: Any, shown: int | None, amount: int | None
) -> None:
    body = order(items=[item(price="475000", quantity=2, discount=discount)])
    line = cells(fold(body), "order_lines", ("1278295", 0))
    assert (line["Discount"], line["Amount"]) == (shown, amount)


def test_missing_discount_counts_as_zero() -> None:
    entry = item(price="475000", quantity=2)
    del entry["discount"]
    line = cells(fold(order(items=[entry])), "order_lines", ("1278295", 0))
    assert (line["Discount"], line["Amount"]) == (None, 950000)


def test_position_gone_from_latest_version_keeps_a_bare_row() -> None:
    two = [item(), item(MASK, "Mặt nạ ngủ", quantity=2)]
    projection = fold(order(items=two), order(items=[item(quantity=4)]))
    rows = projection.rows("order_lines", "vi")
    assert len(rows) == 2
    assert rows[0][6] == 4
    assert rows[1] == ["1278295", at(1), None, None, None, None, None, None, None]
    assert cells(projection, "catalog", MASK)["Units sold"] == 0


def test_item_that_is_not_an_object_gets_no_line() -> None:
    projection = fold(order(items=["hàng tặng", item()]))
    assert projection.rows("order_lines", "vi")[0][2] == SERUM
    assert projection.position("order_lines", ("1278295", 1)) == 0


# Clients


@pytest.mark.parametrize(
    ("gender", "language", "shown"),
    [
        ("male", "vi", "Nam"),
        ("female", "vi", "Nữ"),
        ("male", "en", "male"),
        ("female", "en", "female"),
        ("khác", "vi", "khác"),
        ("unknown", "en", "unknown"),
    ],
    ids=lambda value: str(value),
)
def test_gender_shows_in_the_sheet_language(
    gender: str, language: str, shown: str
) -> None:
    projection = fold(client(gender=gender))
    assert cells(projection, "clients", MAI, language)["Gender"] == shown


@pytest.mark.parametrize(
    ("first", "source"),
    [
        (client(), ("Get started", "Bắt đầu")),
        (client("client:update"), ("Get started", "Bắt đầu")),
        (order(psid=MAI), ("Order", "Đơn hàng")),
        (activation("8C1kTrp0X", MAI), ("Backlink", "Backlink")),
    ],
    ids=["client-new", "client-update", "order", "backlink"],
)
def test_source_is_how_the_client_first_appeared(
    first: dict, source: tuple[str, str]
) -> None:
    projection = fold(first, client(), activation("x", MAI), order(psid=MAI))
    assert cells(projection, "clients", MAI, "en")["Source"] == source[0]
    assert cells(projection, "clients", MAI, "vi")["Source"] == source[1]
    assert cells(projection, "clients", MAI)["First seen"] == at(1)


def test_client_name_is_the_latest_any_event_gave() -> None:
    projection = fold(
        client(first_name="Cường", last_name="Nguyễn", gender="male"),
        order(psid=MAI, client={"psid": MAI, "first_name": "Cường Văn"}),
        client("client:update", last_name="Lê"),
    )
    row = cells(projection, "clients", MAI)
    assert (row["Name"], row["Gender"]) == ("Lê Cường Văn", "Nam")


def test_client_update_before_new_keeps_updated_fields() -> None:
    update = client("client:update", first_name="Cường", last_name="Phạm")
    new = client(first_name="Cuong", last_name="Nguyễn", gender="male")
    projection = fold(update, new)
    row = cells(projection, "clients", MAI)
    assert (row["Name"], row["Gender"], row["Source"]) == (
        "Phạm Cường",
        "Nam",
        "Bắt đầu",
    )


def test_last_order_is_first_time_of_newest_order() -> None:
    projection = fold(order("1"), order("2"), order("1", status="đã giao"))
    row = cells(projection, "clients", LAN)
    assert (row["Orders"], row["Last order"]) == (2, at(2))


def test_phone_comes_from_latest_order_that_has_one() -> None:
    projection = fold(
        order("1", phone="0344559823"),
        order("2", phone="0912345678"),
        order("3", phone=None),
    )
    assert cells(projection, "clients", LAN)["Phone"] == "0912345678"
    projection.fold(events_from([order("2", phone=None)], start=4))
    assert cells(projection, "clients", LAN)["Phone"] == "0344559823"


def test_first_backlink_is_the_first_activation() -> None:
    projection = fold(activation("dau-tien"), activation("thu-hai"))
    assert cells(projection, "clients", LAN)["First backlink"] == "dau-tien"


def test_client_without_orders_counts_zero() -> None:
    row = cells(fold(client()), "clients", MAI)
    assert (row["Orders"], row["Total spent"], row["Last order"]) == (0, 0, None)


# Catalog


def test_removed_catalog_item_keeps_its_row() -> None:
    projection = fold(
        catalog("category:new", title="Mặt nạ ngủ"),
        catalog("category:new", SERUM, title="Serum"),
        catalog("category:remove", title="Mặt nạ ngủ"),
    )
    row = cells(projection, "catalog", MASK, "en")
    assert projection.position("catalog", MASK) == 0
    assert (row["Status"], row["Removed"], row["Created"]) == ("removed", at(3), at(1))
    assert cells(projection, "catalog", MASK, "vi")["Status"] == "Đã xoá"


def test_catalog_update_after_remove_makes_it_active_again() -> None:
    projection = fold(
        catalog("category:new", title="Mặt nạ ngủ"),
        catalog("category:remove"),
        catalog("category:update", title="Mặt nạ ngủ mới"),
    )
    row = cells(projection, "catalog", MASK, "en")
    assert (row["Status"], row["Removed"], row["Updated"]) == ("active", None, at(3))
    assert row["Title"] == "Mặt nạ ngủ mới"


def test_catalog_update_before_new_keeps_update_title() -> None:
    projection = fold(
        catalog("category:update", title="Tên mới"),
        catalog("category:new", title="Tên cũ"),
    )
    row = cells(projection, "catalog", MASK, "en")
    assert (row["Title"], row["Status"]) == ("Tên mới", "active")
    assert (row["Created"], row["Updated"]) == (at(1), at(1))


@pytest.mark.parametrize(
    ("bodies", "kind"),
    [
        ([catalog("category:new", title="Mặt nạ")], "unknown"),
        ([catalog("product:new", title="Mặt nạ")], "product"),
        ([catalog("category:new"), order(items=[item(MASK)])], "product"),
        ([order(items=[item(MASK)]), catalog("category:update")], "product"),
    ],
    ids=["category-event", "product-event", "order-item-after", "order-item-first"],
)
def test_catalog_kind_is_product_once_an_order_names_it(
    bodies: list[dict], kind: str
) -> None:
    assert cells(fold(*bodies), "catalog", MASK, "en")["Kind"] == kind


def test_catalog_title_falls_back_to_latest_item_title() -> None:
    projection = fold(
        order("1", items=[item(MASK, "Mặt nạ")]),
        order("2", items=[item(MASK, "Mặt nạ ngủ")]),
    )
    assert cells(projection, "catalog", MASK)["Title"] == "Mặt nạ ngủ"
    projection.fold(events_from([catalog("category:update", title="Mặt nạ")], 3))
    assert cells(projection, "catalog", MASK)["Title"] == "Mặt nạ"


def test_catalog_id_seen_only_in_orders_is_active_product() -> None:
    row = cells(fold(order()), "catalog", SERUM, "en")
    assert (row["Kind"], row["Status"], row["Created"]) == ("product", "active", at(1))
    assert (row["Updated"], row["Removed"], row["Units sold"]) == (None, None, 1)


# Skipping what cannot be used


@pytest.mark.parametrize(
    "data",
    [None, [], "đơn", 42, {}, {"idorder": None}, {"idorder": "  "}],
    ids=repr,
)
def test_order_without_id_is_skipped_and_counted(data: Any) -> None:
    projection = fold({"event": "order:new", "data": data})
    for tab_id in ("orders", "order_lines", "clients", "catalog", "backlinks"):
        assert projection.rows(tab_id, "vi") == []
        assert projection.states[tab_id].skipped == 1


def test_unknown_event_name_is_ignored_and_counted() -> None:
    projection = fold({"event": "shop:close", "data": {"id": "1"}}, client())
    assert projection.ignored == 1
    assert len(projection.rows("clients", "vi")) == 1


@pytest.mark.parametrize(
    "payload",
    [b"{\xff", "", "[1, 2]", '"đơn hàng"', "[" * 100_000, '{"event": "order:new"}'],
    ids=["bad-utf8", "empty", "list", "string", "deeply-nested", "no-data"],
)
def test_body_without_data_object_gives_no_data(payload: str | bytes) -> None:
    event = event_from_record(1, "2026-12-03T03:15:01.001Z", "order:new", payload)
    assert event.data is None
    assert Projection().apply(event) == {}
