"""The log keeps every acknowledged event exactly once, whatever happens."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.servers import Server, read_events

THREADS = 16
EVENTS = 2000


def client_body(number: int) -> bytes:
    data = {"id": f"{number:016d}", "first_name": "Cường", "last_name": "Nguyễn"}
    return json.dumps({"event": "client:new", "data": data}).encode()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE events SET name = 'x'", "DELETE FROM events"],
    ids=["update", "delete"],
)
def test_events_refuse_update_and_delete(server: Server, statement: str) -> None:
    server.post(client_body(1))

    conn = sqlite3.connect(server.data_dir / "events.db")
    with conn, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(statement)
    conn.close()

    assert len(read_events(server.data_dir)) == 1


def test_log_uses_wal_and_full_sync(server: Server) -> None:
    with sqlite3.connect(server.data_dir / "events.db") as conn:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]

    assert mode == "wal"


def test_concurrent_posts_are_each_stored_once(server: Server) -> None:
    def post(number: int) -> tuple[int, int]:
        response = requests.post(server.webhook, data=client_body(number), timeout=60)
        seq = response.json().get("seq", -1) if response.ok else -1
        return response.status_code, seq

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(post, range(EVENTS)))

    statuses = [status for status, _ in answers]
    assert statuses.count(200) == EVENTS
    rows = read_events(server.data_dir)
    assert len(rows) == EVENTS
    assert sorted(seq for _, seq in answers) == [row[0] for row in rows]
    stored = sorted(json.loads(row[3])["data"]["id"] for row in rows)
    assert stored == [f"{n:016d}" for n in range(EVENTS)]
    assert "database is locked" not in server.output()


def test_acknowledged_events_survive_sigkill(data_dir: Path) -> None:
    server = Server(data_dir).start()
    acknowledged = []
    for number in range(50):
        response = server.post(client_body(number))
        assert response.status_code == 200
        acknowledged.append(response.json()["seq"])

    server.kill()
    restarted = Server(data_dir).start()
    try:
        health = requests.get(restarted.url + "/health").json()
    finally:
        restarted.stop()

    assert [row[0] for row in read_events(data_dir)] == acknowledged
    assert health["events"] == 50
