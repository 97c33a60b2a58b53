"""Tests of the synthetic traffic: its shapes, and posting it over HTTP."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.simulate import (
    TOKEN_REFUSED,
    SimulationError,
    SimulationResult,
    post_bodies,
)
from service.traffic import (
    CATALOG,
    LAST_NAMES,
    MEDIA_URL,
    PROVINCES,
    SHIPPING_FEES,
    generate_bodies,
)

SEED = 11
COUNT = 20_000
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def bodies() -> list[dict]:
    return list(generate_bodies(COUNT, SEED))


def _events(bodies: list[dict], name: str) -> list[dict]:
    return [body["data"] for body in bodies if body["event"] == name]


def _quantities(order: dict) -> list[int]:
    return [item["quantity"] for item in order["orders"]]


def _counts(result: SimulationResult) -> tuple[int, int, int, int]:
    return result.sent, result.accepted, result.refused, result.failed


def test_same_seed_gives_the_same_bodies() -> None:
    assert list(generate_bodies(3000, 5)) == list(generate_bodies(3000, 5))


def test_different_seeds_give_different_bodies() -> None:
    assert list(generate_bodies(3000, 5)) != list(generate_bodies(3000, 6))


@pytest.mark.parametrize("count", [0, 1, 10, 500])
def test_count_is_exact(count: int) -> None:
    assert sum(1 for _ in generate_bodies(count, SEED)) == count


def test_every_body_is_an_event_object_that_survives_json(
    bodies: list[dict],
) -> None:
    for body in bodies:
        assert set(body) == {"event", "data"}
        assert isinstance(body["event"], str)
        assert isinstance(body["data"], dict)
        assert json.loads(json.dumps(body, ensure_ascii=False)) == body


def test_catalog_comes_first_with_categories_and_products(
    bodies: list[dict],
) -> None:
    opening = len(CATALOG) + sum(len(items) for items in CATALOG.values())
    first = bodies[:opening]
    assert {body["event"] for body in first} == {"category:new"}
    titles = [body["data"]["title"] for body in first]
    assert set(CATALOG) <= set(titles)
    assert "Sáng da bằng nhũ tương" in titles


def test_mix_has_all_five_kinds_in_rough_shares(bodies: list[dict]) -> None:
    names = Counter(body["event"] for body in bodies[60:])
    assert set(names) == {
        "order:new",
        "client:new",
        "backlink:active",
        "category:new",
        "category:update",
        "category:remove",
    }
    total = sum(names.values())
    catalog = sum(n for name, n in names.items() if name.startswith("category:"))
    assert names["order:new"] / total == pytest.approx(0.45, abs=0.03)
    assert names["client:new"] / total == pytest.approx(0.25, abs=0.03)
    assert names["backlink:active"] / total == pytest.approx(0.15, abs=0.03)
    assert catalog / total == pytest.approx(0.15, abs=0.03)


def test_ids_look_like_botbanhang_ids(bodies: list[dict]) -> None:
    for client in _events(bodies, "client:new"):
        assert re.fullmatch(r"[1-9]\d{15}", client["id"])
    for name in ("category:new", "category:update", "category:remove"):
        for item in _events(bodies, name):
            assert re.fullmatch(r"[0-9a-f]{24}", item["id"])


def test_order_ids_are_seven_digits_and_increase(bodies: list[dict]) -> None:
    first_seen = list(dict.fromkeys(o["idorder"] for o in _events(bodies, "order:new")))
    assert all(re.fullmatch(r"\d{7}", order_id) for order_id in first_seen)
    numbers = [int(order_id) for order_id in first_seen]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)


def test_phones_are_ten_digit_text_starting_with_zero(bodies: list[dict]) -> None:
    phones = [order["ship"]["phone"] for order in _events(bodies, "order:new")]
    assert phones
    assert all(re.fullmatch(r"0\d{9}", phone) for phone in phones)


def test_names_carry_vietnamese_diacritics(bodies: list[dict]) -> None:
    clients = _events(bodies, "client:new")
    clients += [order["client"] for order in _events(bodies, "order:new")]
    last_names = {client["last_name"] for client in clients}
    assert last_names <= set(LAST_NAMES)
    assert {"Nguyễn", "Trần", "Đặng", "Huỳnh"} <= last_names
    full = [f"{c['last_name']} {c['first_name']}" for c in clients]
    assert sum(not name.isascii() for name in full) > 0.8 * len(full)
    assert {client["gender"] for client in clients} == {"male", "female"}


def test_addresses_use_real_provinces_and_districts(bodies: list[dict]) -> None:
    for order in _events(bodies, "order:new"):
        ship = order["ship"]
        assert ship["district"] in PROVINCES[ship["province"]]
        suffix = f" - {ship['district']} - {ship['province']}"
        assert ship["address"].endswith(suffix)
        assert ship["address"] != suffix.removeprefix(" - ")


def test_total_cost_is_item_sum_plus_shipping(bodies: list[dict]) -> None:
    for order in _events(bodies, "order:new"):
        items = order["orders"]
        assert 1 <= len(items) <= 4
        amounts = [
            int(item["price"]) * item["quantity"] - int(item["discount"])
            for item in items
        ]
        assert all(amount > 0 for amount in amounts)
        assert int(order["total_cost"]) - sum(amounts) in (0, *SHIPPING_FEES)
        assert order["total_quantity"] == "0"
        assert order["status"]


def test_order_items_are_products_never_categories(bodies: list[dict]) -> None:
    catalog = _events(bodies, "category:new") + _events(bodies, "category:update")
    known = {item["id"] for item in catalog}
    categories = {i["id"] for i in catalog if i["title"] in CATALOG}
    for order in _events(bodies, "order:new"):
        for item in order["orders"]:
            assert item["id"] in known
            assert item["id"] not in categories
            assert isinstance(item["quantity"], int)
            assert re.fullmatch(r"[1-9]\d*000", item["price"])
            assert item["images_url"][0].startswith(MEDIA_URL + "/")


def test_notes_include_empty_and_formula_looking_text(bodies: list[dict]) -> None:
    notes = {order["note"] for order in _events(bodies, "order:new")}
    assert "" in notes
    assert any(note.startswith("=") for note in notes)
    assert any(note.startswith("+84") for note in notes)


def test_backlinks_use_a_few_ref_codes(bodies: list[dict]) -> None:
    activations = _events(bodies, "backlink:active")
    codes = {a["backlink"] for a in activations}
    assert 2 <= len(codes) <= 5
    assert all(re.fullmatch(r"[A-Za-z0-9]{9}", code) for code in codes)
    assert {a["is_new_client"] for a in activations} == {True, False}


def test_repeat_buyers_and_buyers_never_announced(bodies: list[dict]) -> None:
    announced = {c["id"] for c in _events(bodies, "client:new")}
    orders = {o["idorder"]: o for o in _events(bodies, "order:new")}.values()
    per_client = Counter(order["client"]["psid"] for order in orders)
    assert per_client.most_common(1)[0][1] >= 5
    assert sum(n > 1 for n in per_client.values()) > 0.2 * len(per_client)
    assert set(per_client) - announced


def test_some_bodies_are_delivered_twice_in_a_row(bodies: list[dict]) -> None:
    twins = sum(a == b for a, b in zip(bodies, bodies[1:], strict=False))
    assert 0.005 * COUNT < twins < 0.02 * COUNT


def test_an_update_can_arrive_before_its_new(bodies: list[dict]) -> None:
    first: dict[tuple[str, str], int] = {}
    for seq, body in enumerate(bodies):
        if body["event"] in ("category:new", "category:update"):
            first.setdefault((body["event"], body["data"]["id"]), seq)
    early = [
        item_id
        for (name, item_id), seq in first.items()
        if name == "category:update" and seq < first.get(("category:new", item_id), -1)
    ]
    assert len(early) >= 5


def test_an_order_is_resent_later_with_changes(bodies: list[dict]) -> None:
    versions: dict[str, list[dict]] = {}
    for order in _events(bodies, "order:new"):
        versions.setdefault(order["idorder"], []).append(order)
    changed = [v for v in versions.values() if any(o != v[0] for o in v)]
    assert changed
    assert any(o["status"] != "order" for v in changed for o in v)
    assert any(_quantities(o) != _quantities(v[0]) for v in changed for o in v)


def test_hundred_thousand_bodies_generate() -> None:
    assert sum(1 for _ in generate_bodies(100_000, SEED)) == 100_000


class _Webhook(ThreadingHTTPServer):
    """Record bodies; answer each request with the next scripted status."""

    def __init__(self, statuses: list[int]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses = statuses
        self.requests: list[tuple[str, str, bytes]] = []
        self.stored: list[bytes] = []
        self.lock = threading.Lock()


StartWebhook = Callable[..., _Webhook]


class _Handler(BaseHTTPRequestHandler):
    server: _Webhook

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            kind = self.headers.get("Content-Type", "")
            self.server.requests.append((self.path, kind, raw))
            statuses = self.server.statuses
            status = statuses.pop(0) if statuses else 200
            if status == 200:
                self.server.stored.append(raw)
            answer = json.dumps({"seq": len(self.server.stored)}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet


@pytest.fixture
def start_webhook() -> Iterator[StartWebhook]:
    servers: list[_Webhook] = []

    def start(*statuses: int) -> _Webhook:
        server = _Webhook(list(statuses))
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _url(server: _Webhook) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/webhook/{TOKEN}"


def test_bodies_arrive_in_order_after_a_retried_503(
    start_webhook: StartWebhook,
) -> None:
    webhook = start_webhook(503)
    sent = list(generate_bodies(80, SEED))
    progress: list[int] = []
    result = post_bodies(_url(webhook), sent, rate=None, on_progress=progress.append)

    assert [json.loads(raw) for raw in webhook.stored] == sent
    assert len(webhook.requests) == len(sent) + 1
    assert {path for path, _, _ in webhook.requests} == {f"/webhook/{TOKEN}"}
    assert {kind for _, kind, _ in webhook.requests} == {"application/json"}
    assert all(b"\\u" not in raw for raw in webhook.stored)
    assert "Sáng da".encode() in webhook.stored[1]
    assert _counts(result) == (80, 80, 0, 0)
    assert progress == list(range(1, 81))


def test_refused_and_failed_answers_are_counted(start_webhook: StartWebhook) -> None:
    webhook = start_webhook(400, 500, 413)
    result = post_bodies(_url(webhook), generate_bodies(10, SEED), rate=0)
    assert _counts(result) == (10, 7, 2, 1)


def test_a_503_that_persists_counts_as_failed(start_webhook: StartWebhook) -> None:
    webhook = start_webhook(503, 503, 503, 503)
    result = post_bodies(_url(webhook), generate_bodies(2, SEED), rate=None)
    assert (result.accepted, result.failed) == (1, 1)
    assert len(webhook.requests) == 5


def test_rate_spaces_the_sends(start_webhook: StartWebhook) -> None:
    webhook = start_webhook()
    result = post_bodies(_url(webhook), generate_bodies(11, SEED), rate=50)
    assert result.accepted == 11
    assert result.seconds >= 10 / 50


def test_a_refused_token_stops_with_advice(start_webhook: StartWebhook) -> None:
    webhook = start_webhook(200, 200, 401)
    with pytest.raises(SimulationError) as caught:
        post_bodies(_url(webhook), generate_bodies(10, SEED), rate=None)
    assert str(caught.value) == TOKEN_REFUSED
    assert caught.value.result is not None
    assert caught.value.result.accepted == 2
    assert len(webhook.requests) == 3


def test_an_unreachable_service_is_named_without_the_token() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/webhook/{TOKEN}"
    with pytest.raises(SimulationError) as caught:
        post_bodies(url, generate_bodies(3, SEED), rate=None)
    assert str(caught.value) == (
        f"Could not reach the service at http://127.0.0.1:{port}; "
        "start it with 'make run' and try again."
    )
    assert TOKEN not in str(caught.value)
    assert caught.value.result is not None
    assert caught.value.result.sent == 0
