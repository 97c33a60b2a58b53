"""Generate realistic BotBanHang webhook traffic for a shop in Vietnam.

Bodies keep the sender's quirks: money as text, resends, updates before news.
"""

from __future__ import annotations

import bisect
import copy
import heapq
import itertools
import logging
import random
import unicodedata
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Category -> its products as (title, price in thousands of VND).
CATALOG: dict[str, tuple[tuple[str, int], ...]] = {
    "Chăm sóc da": (
        ("Sáng da bằng nhũ tương", 475), ("Sữa rửa mặt trà xanh", 129),
        ("Kem chống nắng SPF50 PA++++", 245), ("Serum vitamin C 20%", 389),
        ("Mặt nạ ngủ dưỡng ẩm", 159), ("Nước tẩy trang hoa hồng", 185),
        ("Toner rau má làm dịu da", 210), ("Kem dưỡng ẩm ban đêm", 320),
    ),
    "Trang điểm": (
        ("Son kem lì màu đỏ gạch", 199), ("Son dưỡng có màu hồng đào", 95),
        ("Phấn nước che khuyết điểm", 350), ("Mascara dày mi chống nước", 165),
        ("Bút kẻ mắt nước siêu mảnh", 120), ("Bảng phấn mắt 9 ô tông cam", 280),
    ),
    "Thời trang nữ": (
        ("Áo dài cách tân họa tiết sen", 650), ("Đầm maxi voan hoa nhí", 420),
        ("Áo sơ mi lụa tay phồng", 285), ("Chân váy chữ A xếp ly", 230),
        ("Quần jean ống rộng lưng cao", 345), ("Áo thun cotton cổ tròn", 135),
        ("Túi xách da mini đeo chéo", 390),
    ),
    "Thời trang nam": (
        ("Áo polo nam cotton cá sấu", 259), ("Quần kaki nam ống đứng", 310),
        ("Áo khoác gió hai lớp", 450), ("Dép quai ngang đế êm", 99),
        ("Thắt lưng da bò khóa tự động", 275), ("Áo sơ mi kẻ sọc công sở", 295),
    ),
    "Đồ ăn vặt": (
        ("Bánh tráng trộn Tây Ninh", 35), ("Khô gà lá chanh hũ 500g", 145),
        ("Mít sấy giòn túi 250g", 65), ("Hạt điều rang muối Bình Phước", 180),
        ("Chà bông heo hũ 300g", 120), ("Bánh pía sầu riêng Sóc Trăng", 90),
    ),
    "Đặc sản": (
        ("Cà phê phin Buôn Ma Thuột 500g", 160), ("Trà Shan tuyết Hà Giang", 250),
        ("Nước mắm Phú Quốc 40 độ đạm", 135), ("Mật ong rừng U Minh 1 lít", 380),
        ("Nem chua Thanh Hóa chục cái", 60), ("Mắm tôm chà Huế hũ 400g", 75),
        ("Bánh cốm Hàng Than hộp 10 cái", 85),
    ),
}  # fmt: skip
RENAME_TAGS = ("- hàng mới về", "(giảm 20%)", "[Freeship]", "- chính hãng")
NEW_PRODUCT_VARIANTS = ("loại 1", "combo 2 món", "size lớn", "hộp quà Tết")

# Family name -> rough share of the population, in percent.
LAST_NAMES = {
    "Nguyễn": 38, "Trần": 11, "Lê": 9.5, "Phạm": 7, "Hoàng": 5, "Huỳnh": 4,
    "Phan": 4.5, "Vũ": 4, "Võ": 3, "Đặng": 2, "Bùi": 2, "Đỗ": 1.5,
    "Hồ": 1.3, "Ngô": 1.3, "Dương": 1, "Lý": 0.5,
}  # fmt: skip
MALE_NAMES = (
    "Cường", "Hùng", "Minh", "Tuấn", "Dũng", "Nam", "Phúc", "Quang",
    "Thắng", "Đức", "Khoa", "Huy", "Long", "Sơn", "Quốc Bảo", "Văn Toàn",
)  # fmt: skip
FEMALE_NAMES = (
    "Lan", "Hương", "Thảo", "Linh", "Trang", "Ngọc", "Mai", "Hạnh", "Nhung",
    "Yến", "Vy", "Nhi", "Thủy", "Phương", "Ánh", "Thu Hà", "Minh Anh",
)  # fmt: skip
# Province -> real districts, in the sender's two-level addresses.
PROVINCES = {
    "Hà Nội": (
        "Ba Đình", "Cầu Giấy", "Đống Đa", "Hoàn Kiếm", "Hai Bà Trưng",
        "Thanh Xuân", "Hoàng Mai", "Long Biên", "Tây Hồ", "Hà Đông",
    ),
    "Hồ Chí Minh": (
        "Quận 1", "Quận 3", "Quận 5", "Quận 7", "Quận 10", "Bình Thạnh",
        "Gò Vấp", "Phú Nhuận", "Tân Bình", "Tân Phú", "Thủ Đức",
    ),
    "Hải Phòng": ("Lê Chân", "Ngô Quyền", "Hồng Bàng", "Hải An"),
    "Đà Nẵng": ("Hải Châu", "Thanh Khê", "Sơn Trà", "Ngũ Hành Sơn"),
    "Cần Thơ": ("Ninh Kiều", "Cái Răng", "Bình Thủy"),
    "Thừa Thiên Huế": ("Huế", "Hương Thủy"),
    "Nghệ An": ("Vinh", "Cửa Lò"),
    "Khánh Hòa": ("Nha Trang", "Cam Ranh"),
    "Bình Dương": ("Thủ Dầu Một", "Dĩ An", "Thuận An"),
    "Đồng Nai": ("Biên Hòa", "Long Khánh"),
    "Lâm Đồng": ("Đà Lạt", "Bảo Lộc"),
    "Quảng Ninh": ("Hạ Long", "Cẩm Phả"),
}  # fmt: skip
STREETS = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Quang Trung",
    "Lý Thường Kiệt", "Nguyễn Trãi", "Phan Đình Phùng", "Điện Biên Phủ",
    "Võ Thị Sáu", "Lê Duẩn", "Hoàng Diệu", "Bạch Đằng", "Cách Mạng Tháng 8",
)  # fmt: skip
HOUSES = ("số {a}", "{a}/{b}", "số {a} ngõ {b}", "{a}A")
# Mobile prefixes of Viettel, Mobifone, Vinaphone and Vietnamobile.
PHONE_PREFIXES = (
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096",
    "097", "098", "070", "076", "077", "078", "079", "089", "090", "093",
    "081", "082", "083", "084", "085", "088", "091", "094", "056", "058",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "icloud.com")
# Buyers type notes freely; some look like formulas or numbers to a sheet.
NOTES = (
    "Giao giờ hành chính giúp em", "Gọi trước khi giao nhé shop",
    "Shop gói quà giúp mình, cảm ơn!", "Cho mình xem hàng trước khi nhận",
    "Lấy size M, màu đen", "Không giao thứ 7, chủ nhật",
    "+84 giao giờ hành chính", "-50k mã giảm giá của shop", "@bảo vệ nhận hộ",
    '=HYPERLINK("https://maps.app.goo.gl/x","Vị trí nhà")',
    "Giao tầng 3\nGọi số phụ nếu không nghe máy",
)  # fmt: skip
LATER_STATUSES = ("confirmed", "shipping", "done", "cancel")

MEDIA_URL = "https://media.botbanhang.vn/uploads"
SHIPPING_FEES = (20000, 30000)
FREE_SHIPPING_FROM = 1_000_000
DISCOUNTS = (10000, 20000, 50000)
# Value -> weight: units in a line, lines in an order, steps of each kind.
QUANTITIES = {1: 70, 2: 20, 3: 7, 5: 3}
ITEM_COUNTS = {1: 55, 2: 25, 3: 12, 4: 8}
MIX = {"order:new": 45, "client:new": 25, "backlink:active": 15, "catalog": 15}
BACKLINK_WEIGHTS = (50, 25, 12, 8, 5)  # one ref code per weight
FIRST_ORDER_ID = 1278295
FIRST_OBJECT_TIME = 0x5C7B7788  # Mongo ids start with a timestamp: March 2019
DUPLICATE_SHARE = 0.01
RESEND_SHARE = 0.005
EARLY_UPDATE_SHARE = 0.3  # of new products: the update overtakes the new
UNSEEN_CLIENT_SHARE = 0.1  # of orders: from a client:new we never received
REPEAT_BUYER_SHARE = 0.5  # of orders: buyer drawn in proportion to past orders
NEW_VIA_BACKLINK_SHARE = 0.3
MIN_PRODUCTS = 25
MIN_CATEGORIES = 4
RECENT_ORDERS = 200


class _Weighted(Generic[T]):
    """Draw from fixed weighted values, cheaper than Random.choices."""

    def __init__(self, weights: dict[T, float]) -> None:
        self.values = tuple(weights)
        self.cumulative = tuple(itertools.accumulate(weights.values()))

    def draw(self, rng: random.Random) -> T:
        point = rng.random() * self.cumulative[-1]
        return self.values[bisect.bisect(self.cumulative, point)]


_LAST_NAME = _Weighted(LAST_NAMES)
_QUANTITY = _Weighted(QUANTITIES)
_ITEM_COUNT = _Weighted(ITEM_COUNTS)
_KIND = _Weighted(MIX)
_BASE_TITLES = tuple(title for items in CATALOG.values() for title, _ in items)
_PLACES = tuple((p, d) for p, districts in PROVINCES.items() for d in districts)


@dataclass(slots=True)
class _Item:
    id: str
    base: str  # the title before renames
    title: str
    price: int = 0
    image: str = ""


@dataclass(slots=True)
class _Client:
    psid: str
    first_name: str
    last_name: str
    gender: str
    phone: str = ""
    email: str = ""
    address: tuple[str, str, str] = ("", "", "")  # street, district, province


def generate_bodies(count: int, seed: int) -> Iterator[dict]:
    """Yield count webhook bodies of a shop's traffic, the same for a seed.

    The catalog comes first as category:new events, then orders, clients,
    backlinks and catalog changes, with the sender's resends and overtakes.
    """
    yield from itertools.islice(_Shop(random.Random(seed)).bodies(), count)


class _Shop:
    """Hold a shop's state and turn random draws into webhook bodies."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.id_time = FIRST_OBJECT_TIME
        self.id_machine = rng.getrandbits(40)
        self.id_counter = itertools.count(rng.getrandbits(20))
        self.shop_id = self._object_id()
        codes = [_ref_code(rng) for _ in BACKLINK_WEIGHTS]
        self.refs = _Weighted(dict(zip(codes, BACKLINK_WEIGHTS, strict=True)))
        self.products: list[_Item] = []
        self.categories: list[_Item] = []
        self.clients: list[_Client] = []
        self.buyers: list[_Client] = []  # one entry per order placed
        self.orders: deque[tuple[dict, int]] = deque(maxlen=RECENT_ORDERS)
        self.order_id = FIRST_ORDER_ID
        self.step = 0
        self.delayed: list[tuple[int, int, dict]] = []  # heap by due step
        self.tickets = itertools.count()

    def bodies(self) -> Iterator[dict]:
        """Yield bodies forever, some twice as the sender retries."""
        for body in itertools.chain(self._opening(), self._traffic()):
            duplicate = self.rng.random() < DUPLICATE_SHARE
            twin = copy.deepcopy(body) if duplicate else None
            yield body
            if twin is not None:
                yield twin

    def _opening(self) -> Iterator[dict]:
        for category, products in CATALOG.items():
            item = _Item(self._object_id(), category, category)
            self.categories.append(item)
            yield _catalog_body("category:new", item)
            for title, thousands in products:
                product = self._add_product(title, thousands * 1000)
                yield _catalog_body("category:new", product)

    def _traffic(self) -> Iterator[dict]:
        makers = {
            "order:new": self._order,
            "client:new": self._new_client,
            "backlink:active": self._backlink,
        }
        while True:
            self.step += 1
            while self.delayed and self.delayed[0][0] <= self.step:
                yield heapq.heappop(self.delayed)[2]
            if self.rng.random() < RESEND_SHARE and self.orders:
                yield self._resent_order()
            kind = _KIND.draw(self.rng)
            if kind == "catalog":
                yield from self._catalog_change()
            else:
                yield makers[kind]()

    def _object_id(self) -> str:
        self.id_time += self.rng.randint(1, 600)
        counter = next(self.id_counter) % 0x1000000
        return f"{self.id_time:08x}{self.id_machine:010x}{counter:06x}"

    def _add_product(self, title: str, price: int) -> _Item:
        name = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        image = f"{MEDIA_URL}/{self.shop_id}/{name}.jpg"
        product = _Item(self._object_id(), title, title, price, image)
        self.products.append(product)
        return product

    def _catalog_change(self) -> Iterator[dict]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            variant = rng.choice(NEW_PRODUCT_VARIANTS)
            title = f"{rng.choice(_BASE_TITLES)} {variant}"
            product = self._add_product(title, rng.randrange(30, 900) * 1000)
            news = _catalog_body("category:new", product)
            if rng.random() >= EARLY_UPDATE_SHARE:
                yield news
                return
            # The sender does not order its deliveries: a quick edit's update
            # can arrive before the product's new.
            product.title = f"{title} {rng.choice(RENAME_TAGS)}"
            yield _catalog_body("category:update", product)
            due = self.step + rng.randint(1, 5)
            heapq.heappush(self.delayed, (due, next(self.tickets), news))
        elif roll < 0.12 and len(self.products) > MIN_PRODUCTS:
            product = self.products.pop(rng.randrange(len(self.products)))
            yield _catalog_body("category:remove", product)
        elif roll < 0.125 and len(self.categories) > MIN_CATEGORIES:
            category = self.categories.pop(rng.randrange(len(self.categories)))
            yield _catalog_body("category:remove", category)
        else:
            item = rng.choice(self.categories if roll > 0.9 else self.products)
            item.title = f"{item.base} {rng.choice(RENAME_TAGS)}"
            yield _catalog_body("category:update", item)

    def _make_client(self) -> _Client:
        rng = self.rng
        gender = rng.choice(("male", "female"))
        first = rng.choice(MALE_NAMES if gender == "male" else FEMALE_NAMES)
        psid = str(rng.randrange(10**15, 10**16))
        client = _Client(psid, first, _LAST_NAME.draw(rng), gender)
        self.clients.append(client)
        return client

    def _new_client(self) -> dict:
        client = self._make_client()
        data = {
            "id": client.psid,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "gender": client.gender,
        }
        return {"event": "client:new", "data": data}

    def _backlink(self) -> dict:
        is_new = self.rng.random() < NEW_VIA_BACKLINK_SHARE or not self.clients
        client = self._make_client() if is_new else self.rng.choice(self.clients)
        code = self.refs.draw(self.rng)
        data = {"backlink": code, "client": client.psid, "is_new_client": is_new}
        return {"event": "backlink:active", "data": data}

    def _pick_buyer(self) -> _Client:
        roll = self.rng.random()
        if roll < UNSEEN_CLIENT_SHARE or not self.clients:
            client = self._make_client()
        elif roll < UNSEEN_CLIENT_SHARE + REPEAT_BUYER_SHARE and self.buyers:
            # Drawing in proportion to past orders makes a few loyal buyers
            # place most of the orders, as in a real shop.
            client = self.rng.choice(self.buyers)
        else:
            client = self.rng.choice(self.clients)
        self.buyers.append(client)
        return client

    def _order(self) -> dict:
        rng = self.rng
        client = self._pick_buyer()
        products = rng.sample(self.products, _ITEM_COUNT.draw(rng))
        lines = [self._line(product) for product in products]
        subtotal = _subtotal(lines)
        fee = 0 if subtotal >= FREE_SHIPPING_FROM else rng.choice(SHIPPING_FEES)
        self.order_id += rng.randint(1, 4)  # other shops share the sequence
        buyer = {
            "first_name": client.first_name,
            "last_name": client.last_name,
            "psid": client.psid,
            "gender": client.gender,
        }
        data = {
            "idorder": str(self.order_id),
            "orders": lines,
            "status": "order",
            "note": rng.choice(NOTES) if rng.random() < 0.6 else "",
            "client": buyer,
            "total_cost": str(subtotal + fee),
            "total_quantity": "0",  # the sender always sends "0"
            "ship": self._ship(client),
        }
        body = {"event": "order:new", "data": data}
        self.orders.append((body, fee))
        return body

    def _line(self, product: _Item) -> dict:
        quantity = _QUANTITY.draw(self.rng)
        discount = 0
        if self.rng.random() < 0.2:
            cap = product.price * quantity // 2000 * 1000
            discount = min(self.rng.choice(DISCOUNTS), cap)
        return {
            "id": product.id,
            "title": product.title,
            "price": str(product.price),
            "discount": str(discount),
            "images_url": [product.image],
            "quantity": quantity,
        }

    def _ship(self, client: _Client) -> dict:
        rng = self.rng
        # Repeat buyers mostly keep their phone and address.
        if not client.phone or rng.random() < 0.05:
            client.phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**7):07d}"
            handle = _ascii(client.last_name + client.first_name)
            email = f"{handle}{rng.randint(80, 2005)}@{rng.choice(EMAIL_DOMAINS)}"
            client.email = email if rng.random() < 0.75 else ""
        if not client.address[0] or rng.random() < 0.1:
            province, district = rng.choice(_PLACES)
            house = rng.choice(HOUSES).format(
                a=rng.randint(1, 300), b=rng.randint(1, 99)
            )
            client.address = (f"{house}, {rng.choice(STREETS)}", district, province)
        name = f"{client.last_name} {client.first_name}"
        if rng.random() < 0.15:  # a gift, sent to someone else
            name = f"{_LAST_NAME.draw(rng)} {rng.choice(FEMALE_NAMES)}"
        street, district, province = client.address
        return {
            "name": name,
            "email": client.email,
            "phone": client.phone,
            "address": f"{street} - {district} - {province}",
            "province": province,
            "district": district,
        }

    def _resent_order(self) -> dict:
        original, fee = self.rng.choice(self.orders)
        body = copy.deepcopy(original)
        data = body["data"]
        if self.rng.random() < 0.6:
            data["status"] = self.rng.choice(LATER_STATUSES)
        else:
            line = self.rng.choice(data["orders"])
            change = self.rng.choice((-1, 1)) if line["quantity"] > 1 else 1
            line["quantity"] += change
            data["total_cost"] = str(_subtotal(data["orders"]) + fee)
        self.orders.append((body, fee))
        return body


def _catalog_body(event: str, item: _Item) -> dict:
    return {"event": event, "data": {"id": item.id, "title": item.title}}


def _subtotal(lines: list[dict]) -> int:
    # The discount is an amount off the whole line, not off each unit.
    amounts = (int(x["price"]) * x["quantity"] - int(x["discount"]) for x in lines)
    return sum(amounts)


def _ref_code(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(alphabet) for _ in range(9))


def _ascii(text: str) -> str:
    # NFD splits most marks off their letter, but đ is a letter of its own.
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode()
    return bare.replace(" ", "").lower()
