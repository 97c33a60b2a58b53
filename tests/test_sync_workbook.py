"""The sync loop keeps sheets.xlsx equal to the log, whatever happens to it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests

from service.traffic import generate_bodies
from tests.bbh_examples import EXAMPLES, example_bytes
from tests.servers import Server, base_env, read_events, run_cli
from tests.test_workbook import (
    TITLES,
    import_events,
    projected_tabs,
    read_tabs,
    shown,
    status_values,
    timed_examples,
)

SYNC_INTERVAL = 1.0
# Bounded waits: one interval for the debounce, the rest for a slow machine.
CONVERGE_TIMEOUT = SYNC_INTERVAL + 10
LOOP_HELD_MESSAGE = (
    "Another sync loop runs for this data directory (is the service running?); "
    "stop it first, or use 'sync --once'."
)
WAITING, REJECTED = "Sự kiện đang chờ ghi", "Nội dung bị từ chối"
BAD_BODY = b'{"event": 3, "data": {}}'


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `check` until it holds; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.2)


def workbook_matches_log(data_dir: Path, language: str = "vi") -> bool:
    """Tell whether every projected tab of sheets.xlsx equals the log's."""
    path = data_dir / "sheets.xlsx"
    if not path.exists():
        return False
    tabs = read_tabs(path)
    expected = projected_tabs(read_events(data_dir), language)
    return all(tabs.get(title) == rows for title, rows in expected.items())


def health(server: Server) -> dict:
    response = requests.get(server.url + "/health", timeout=5)
    assert response.status_code == 200
    return response.json()


def caught_up(server: Server) -> bool:
    """Tell whether /health says the workbook holds every stored event."""
    report = health(server)
    workbook = report["targets"]["workbook"]
    return workbook == {"synced_seq": report["last_seq"], "lag": 0}


def converged(server: Server) -> bool:
    return caught_up(server) and workbook_matches_log(server.data_dir)


class Poster(threading.Thread):
    """Post generated bodies one by one until done or the service is gone."""

    def __init__(self, server: Server, count: int, seed: int) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.bodies = list(generate_bodies(count, seed))
        self.acknowledged: list[int] = []

    def run(self) -> None:
        with requests.Session() as session:
            for body in self.bodies:
                try:
                    response = session.post(
                        self.server.webhook, data=example_bytes(body), timeout=10
                    )
                except requests.RequestException:
                    # The service was killed: nothing more can be posted.
                    return
                if response.status_code == 200:
                    self.acknowledged.append(response.json()["seq"])


@pytest.fixture
def start_server(data_dir: Path) -> Iterator[Callable[[], Server]]:
    """Start services on the data directory; stop them all at the end."""
    started: list[Server] = []

    def start() -> Server:
        server = Server(data_dir, BBH_SYNC_INTERVAL=str(SYNC_INTERVAL)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One service shared by tests that only add events and wait for them."""
    data_dir = tmp_path_factory.mktemp("shared") / "var"
    data_dir.mkdir()
    running = Server(data_dir, BBH_SYNC_INTERVAL=str(SYNC_INTERVAL)).start()
    yield running
    running.stop()


def test_served_events_reach_the_workbook_and_health_shows_no_lag(
    service: Server,
) -> None:
    first = health(service)["last_seq"]
    for _, body in EXAMPLES:
        assert service.post(example_bytes(body)).status_code == 200
    poster = Poster(service, 150, seed=11)
    poster.start()
    poster.join(timeout=120)

    wait_for(lambda: converged(service), CONVERGE_TIMEOUT, "the workbook catching up")

    report = health(service)
    last = first + len(EXAMPLES) + 150
    assert report["last_seq"] == last
    assert report["targets"]["workbook"] == {"synced_seq": last, "lag": 0}


def test_status_tab_counts_rejected_bodies_and_no_waiting_events(
    service: Server,
) -> None:
    for _, body in EXAMPLES:
        service.post(example_bytes(body))

    assert service.post(BAD_BODY).status_code == 400

    def status_shows_the_rejection() -> bool:
        if not converged(service):
            return False
        status = status_values(read_tabs(service.data_dir / "sheets.xlsx"))
        return status[REJECTED] == 1

    wait_for(status_shows_the_rejection, CONVERGE_TIMEOUT, "the Status update")
    status = status_values(read_tabs(service.data_dir / "sheets.xlsx"))
    assert status[WAITING] == 0
    assert status["Lỗi gần nhất"] == "Không có"
    last_received = datetime.fromisoformat(read_events(service.data_dir)[-1][1])
    assert status["Sự kiện mới nhất nhận lúc"] == shown(last_received)


def test_second_sync_loop_is_refused_while_the_service_runs(
    service: Server,
) -> None:
    service.post(example_bytes(EXAMPLES[0][1]))
    wait_for(lambda: converged(service), CONVERGE_TIMEOUT, "a sync")

    result = run_cli(service.env, "sync", timeout=30)

    assert result.returncode == 1
    assert LOOP_HELD_MESSAGE in result.stderr


def test_sync_once_writes_the_workbook_and_prints_a_summary(
    data_dir: Path, tmp_path: Path
) -> None:
    env = base_env(data_dir)
    import_events(env, tmp_path / "log.jsonl", timed_examples())

    result = run_cli(env, "sync", "--once", timeout=60)

    assert result.returncode == 0, result.stderr
    tabs = read_tabs(data_dir / "sheets.xlsx")
    rows = sum(len(tab) - 1 for tab in tabs.values())
    summary = re.search(
        r"Synced (\d+) events to the workbook.*: (\d+) rows in (\d+) writes?\.",
        result.stderr,
    )
    assert summary, result.stderr
    assert summary.groups() == (str(len(EXAMPLES)), str(rows), "1")
    assert workbook_matches_log(data_dir)
    assert list(tabs) == TITLES["vi"]


def test_second_sync_command_is_refused_while_one_runs(
    data_dir: Path, tmp_path: Path
) -> None:
    env = base_env(data_dir, BBH_SYNC_INTERVAL=str(SYNC_INTERVAL))
    import_events(env, tmp_path / "log.jsonl", timed_examples())
    first = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(lambda: workbook_matches_log(data_dir), 30, "the first sync")

        second = run_cli(env, "sync", timeout=30)

        assert second.returncode == 1
        assert LOOP_HELD_MESSAGE in second.stderr
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=20) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def test_workbook_converges_after_the_service_is_killed_mid_traffic(
    start_server: Callable[[], Server], data_dir: Path
) -> None:
    server = start_server()
    poster = Poster(server, 3000, seed=23)
    poster.start()
    wait_for(lambda: len(poster.acknowledged) >= 150, 60, "150 stored events")
    wait_for(
        lambda: (data_dir / "sheets.xlsx").exists(), CONVERGE_TIMEOUT, "a first write"
    )

    server.kill()
    poster.join(timeout=30)
    restarted = start_server()
    for _, body in EXAMPLES:
        assert restarted.post(example_bytes(body)).status_code == 200

    wait_for(lambda: converged(restarted), 30, "the workbook catching up")
    stored = {row[0] for row in read_events(data_dir)}
    assert set(poster.acknowledged) <= stored
    assert len(poster.acknowledged) < len(poster.bodies)
