"""The nine example bodies of BotBanHang's webhook documentation.

Exactly as documented, without the ``//`` comments, in document order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from projections import Event, event_from_record

# Receive times in tests: one second and a few milliseconds apart per seq.
_FIRST_MOMENT = datetime(2026, 12, 3, 3, 15, tzinfo=UTC)

CLIENT_NEW = {
    "event": "client:new",
    "data": {
        "id": "2215616798496070",
        "first_name": "Cường",
        "last_name": "Nguyễn",
        "gender": "male",
    },
}

ORDER_NEW = {
    "event": "order:new",
    "data": {
        "idorder": "1278295",
        "orders": [
            {
                "id": "5c7b77887bce6d001244ec89",
                "title": "Sáng da bằng nhũ tương",
                "price": "475000",
                "discount": "0",
                "images_url": [
                    "https://media.botbanhang.vn/uploads/5b9736ad54d5555160df33f8/"
                    "3b397d77-62f0-41dc-b28e-6e949fa99947.jpg"
                ],
                "quantity": 1,
            }
        ],
        "status": "order",
        "note": "đây là ghi chú",
        "client": {
            "first_name": "TriÂn",
            "last_name": "HộpThư",
            "psid": "2874888275870129",
            "gender": "male",
        },
        "total_cost": "495000",
        "total_quantity": "0",
        "ship": {
            "name": "Trần Hùng",
            "email": "tranhun@gmail.com",
            "phone": "0344559823",
            "address": "TINHTUTONG - Lê Chân - Hải Phòng",
            "province": "Hải Phòng",
            "district": "Lê Chân",
        },
    },
}

PRODUCT_NEW = {
    "event": "category:new",
    "data": {"id": "5c7ea4bcaa5c99001118e04f", "title": "tieudesanpham"},
}

CATEGORY_NEW = {
    "event": "category:new",
    "data": {"id": "5c7ea7387d81870011918db9", "title": "tên danh mục"},
}

PRODUCT_UPDATE = {
    "event": "category:update",
    "data": {"id": "5c7ea4bcaa5c99001118e04f", "title": "ten san pham"},
}

CATEGORY_UPDATE = {
    "event": "category:update",
    "data": {"id": "5c7ea7387d81870011918db9", "title": "ten danh muc"},
}

PRODUCT_REMOVE = {
    "event": "category:remove",
    "data": {"id": "5c7ea669baa7f200115730f9", "title": "ten san pham"},
}

CATEGORY_REMOVE = {
    "event": "category:remove",
    "data": {"id": "5c7ea7387d81870011918db9", "title": "ten danh muc"},
}

BACKLINK_ACTIVE = {
    "event": "backlink:active",
    "data": {
        "backlink": "8C1kTrp0X",
        "client": "2874888275870129",
        "is_new_client": False,
    },
}

EXAMPLES: list[tuple[str, dict]] = [
    ("client-new", CLIENT_NEW),
    ("order-new", ORDER_NEW),
    ("product-new", PRODUCT_NEW),
    ("category-new", CATEGORY_NEW),
    ("product-update", PRODUCT_UPDATE),
    ("category-update", CATEGORY_UPDATE),
    ("product-remove", PRODUCT_REMOVE),
    ("category-remove", CATEGORY_REMOVE),
    ("backlink-active", BACKLINK_ACTIVE),
]


def example_bytes(body: dict) -> bytes:
    """Encode a body as the sender does: UTF-8 JSON, non-ASCII kept."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def at(seq: int) -> datetime:
    """Return the time cell of the test event with this seq."""
    return _FIRST_MOMENT + timedelta(seconds=seq, milliseconds=seq % 1000)


def received_at(seq: int) -> str:
    """Return the stored receive time of the test event with this seq."""
    return at(seq).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def events_from(bodies: Iterable[object], start: int = 1) -> list[Event]:
    """Store bodies as the log would, with seqs from ``start``, and read them."""
    events = []
    for seq, body in enumerate(bodies, start=start):
        # The store keeps only bodies whose event is text; others get "".
        name = body.get("event") if isinstance(body, dict) else None
        name = name if isinstance(name, str) else ""
        payload = json.dumps(body, ensure_ascii=False)
        events.append(event_from_record(seq, received_at(seq), name, payload))
    return events
