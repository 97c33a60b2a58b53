"""The webhook over real HTTP: what is stored, what is refused and how."""

from __future__ import annotations

import copy
import json
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
import requests

from tests.bbh_examples import EXAMPLES, example_bytes
from tests.servers import TOKEN, Server, read_events, read_rejected, refuse_writes

ONE_MIB = 1024 * 1024


def order_body() -> dict:
    """Return a copy of the example order, free to change."""
    order = next(body for _, body in EXAMPLES if body["event"] == "order:new")
    return copy.deepcopy(order)


def body_of_size(size: int) -> bytes:
    """Return a valid order body padded through its note to `size` bytes."""
    body = order_body()
    body["data"]["note"] = ""
    bare = len(example_bytes(body))
    body["data"]["note"] = "x" * (size - bare)
    raw = example_bytes(body)
    assert len(raw) == size
    return raw


@pytest.mark.parametrize(
    "body", [body for _, body in EXAMPLES], ids=[name for name, _ in EXAMPLES]
)
def test_example_is_stored_byte_for_byte(server: Server, body: dict) -> None:
    raw = example_bytes(body)

    response = server.post(raw)

    assert response.status_code == 200
    seq = response.json()["seq"]
    [(stored_seq, received_at, name, payload)] = read_events(server.data_dir)
    assert (stored_seq, name) == (seq, body["event"])
    assert payload.encode("utf-8") == raw
    assert received_at.endswith("Z") and len(received_at) == 24


def test_token_in_header_is_accepted(server: Server) -> None:
    raw = example_bytes(EXAMPLES[0][1])

    response = requests.post(
        server.url + "/webhook", data=raw, headers={"X-Webhook-Token": TOKEN}
    )

    assert response.status_code == 200
    assert len(read_events(server.data_dir)) == 1


def test_any_content_type_is_accepted_for_json(server: Server) -> None:
    raw = example_bytes(EXAMPLES[0][1])

    response = server.post(raw, headers={"Content-Type": "text/plain"})

    assert response.status_code == 200


def test_body_of_exactly_one_mib_is_accepted(server: Server) -> None:
    response = server.post(body_of_size(ONE_MIB))

    assert response.status_code == 200
    assert len(read_events(server.data_dir)[0][3].encode()) == ONE_MIB


NESTED = b'{"event": "x", "data": {"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}}"
BAD_BODIES = {
    "not-utf8": b'{"event": "client:new", "data": {"name": "\xff"}}',
    "not-json": b'{"event": "client:new", "data": {',
    "empty": b"",
    "array": b'[{"event": "client:new", "data": {}}]',
    "no-event": b'{"data": {}}',
    "event-not-string": b'{"event": 12, "data": {}}',
    "event-empty": b'{"event": "", "data": {}}',
    "event-too-long": json.dumps({"event": "e" * 101, "data": {}}).encode(),
    "no-data": b'{"event": "client:new"}',
    "data-not-object": b'{"event": "client:new", "data": []}',
    "nan": b'{"event": "client:new", "data": {"x": NaN}}',
    "nested-too-deep": NESTED,
}


@pytest.mark.parametrize("raw", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_body_is_refused_and_kept_aside(server: Server, raw: bytes) -> None:
    response = server.post(raw)

    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"title", "description"}
    assert error["description"].endswith(".")
    assert read_events(server.data_dir) == []
    [(reason, body)] = read_rejected(server.data_dir)
    assert reason == error["description"]
    assert body == raw


def test_bad_body_description_names_the_problem(server: Server) -> None:
    response = server.post(BAD_BODIES["data-not-object"])

    assert response.json() == {
        "title": "Bad event body",
        "description": 'The body has no object "data" field; send the event\'s '
        'fields inside "data": {...}.',
    }


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/webhook/wrong-token-0123456789", {}),
        ("/webhook", {}),
        ("/webhook", {"X-Webhook-Token": "wrong-token-0123456789"}),
        ("/webhook/" + TOKEN[:-1], {}),
    ],
    ids=["wrong-in-path", "missing", "wrong-in-header", "prefix-of-token"],
)
def test_wrong_token_is_refused_and_nothing_stored(
    server: Server, path: str, headers: dict
) -> None:
    raw = example_bytes(EXAMPLES[0][1])

    response = requests.post(server.url + path, data=raw, headers=headers)

    assert response.status_code == 401
    assert set(response.json()) == {"title", "description"}
    assert read_events(server.data_dir) == []
    assert read_rejected(server.data_dir) == []


def test_body_over_one_mib_is_refused(server: Server) -> None:
    response = server.post(body_of_size(ONE_MIB + 1))

    assert response.status_code == 413
    assert "1048576 bytes" in response.json()["description"]
    assert read_events(server.data_dir) == []


def test_huge_body_is_refused_without_reading_it(server: Server) -> None:
    # Announce 1 GiB and send only the headers: the answer must come anyway.
    head = (
        f"POST /webhook/{TOKEN} HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: application/json\r\nContent-Length: {1 << 30}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = sock.recv(4096).decode()

    assert answer.startswith("HTTP/1.1 413")
    assert read_events(server.data_dir) == []


def test_chunked_body_over_one_mib_is_refused(server: Server) -> None:
    raw = body_of_size(ONE_MIB + 10)
    chunks = (raw[i : i + 65536] for i in range(0, len(raw), 65536))

    response = requests.post(server.webhook, data=chunks)

    assert response.status_code == 413
    assert read_events(server.data_dir) == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_not_allowed(server: Server, method: str) -> None:
    response = requests.request(method, server.webhook)

    assert response.status_code == 405
    assert set(response.json()) == {"title", "description"}


def test_unknown_path_gets_the_error_shape(server: Server) -> None:
    response = requests.get(server.url + "/nothing-here")

    assert response.status_code == 404
    assert set(response.json()) == {"title", "description"}


def test_health_counts_the_log(server: Server) -> None:
    for _, body in EXAMPLES[:3]:
        response = server.post(example_bytes(body))
        assert response.status_code == 200, server.output()

    response = requests.get(server.url + "/health")

    assert response.status_code == 200
    assert response.json()["events"] == 3
    assert response.json()["last_seq"] == 3


def test_write_lock_held_too_long_gives_503_and_stores_nothing(
    server: Server,
) -> None:
    holder = sqlite3.connect(server.data_dir / "events.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = server.post(example_bytes(EXAMPLES[0][1]))
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "retry" in response.json()["description"]
    assert read_events(server.data_dir) == []


def test_unwritable_log_gives_503(server: Server, data_dir: Path) -> None:
    refuse_writes(data_dir)

    response = server.post(example_bytes(EXAMPLES[0][1]))

    assert response.status_code == 503
    assert read_events(data_dir) == []


def test_unreadable_log_gives_503_on_health(server: Server, data_dir: Path) -> None:
    with sqlite3.connect(data_dir / "events.db") as conn:
        conn.execute("ALTER TABLE events RENAME TO events_moved")

    response = requests.get(server.url + "/health")

    assert response.status_code == 503
    assert set(response.json()) == {"title", "description"}


def test_posts_while_lock_is_briefly_held_all_succeed(server: Server) -> None:
    holder = sqlite3.connect(
        server.data_dir / "events.db", isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(1.0, lambda: holder.execute("ROLLBACK"))
    timer.start()

    response = server.post(example_bytes(EXAMPLES[0][1]))

    timer.join()
    holder.close()
    assert response.status_code == 200
