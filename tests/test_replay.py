"""`bbh-sheets replay` rebuilds a workbook from the log, now or as of a time."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest

from service.times import parse_as_of
from service.traffic import generate_bodies
from tests.bbh_examples import EXAMPLES, example_bytes, received_at
from tests.servers import Server, base_env, read_events, run_cli
from tests.test_sync_workbook import (
    CONVERGE_TIMEOUT,
    SYNC_INTERVAL,
    Poster,
    converged,
    wait_for,
    workbook_matches_log,
)
from tests.test_workbook import (
    TITLES,
    import_events,
    projected_tabs,
    read_tabs,
    status_values,
    timed_examples,
)

HANOI, UTC_ZONE = ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("UTC")
WRITTEN = "Lần ghi thành công gần nhất"
# Sync intervals after which a loop with nothing new has stopped writing.
IDLE_INTERVALS = 3
CLIENTS = "Khách hàng"
# Receive times around the shop's midnights (Hanoi is UTC+7), one new
# client each, so the Clients tab shows which events a replay counted.
MOMENTS = {
    "a": "2026-12-02T16:59:59.999Z",  # 2026-12-02 23:59:59.999 in Hanoi
    "b": "2026-12-02T17:00:00.000Z",  # 2026-12-03 00:00:00.000
    "c": "2026-12-03T03:15:00.000Z",  # 2026-12-03 10:15:00.000
    "d": "2026-12-03T16:59:59.999Z",  # 2026-12-03 23:59:59.999
    "e": "2026-12-03T17:00:00.000Z",  # 2026-12-04 00:00:00.000
}
PSIDS = {name: f"100000000000000{i}" for i, name in enumerate(MOMENTS, 1)}


def client_body(name: str) -> dict:
    data = {"id": PSIDS[name], "first_name": name, "last_name": "Trần"}
    return {"event": "client:new", "data": {**data, "gender": "female"}}


def traffic(count: int, seed: int) -> list[tuple[str, dict]]:
    """Return generated bodies with test receive times after the examples."""
    first = len(EXAMPLES) + 1
    bodies = generate_bodies(count, seed)
    return [(received_at(seq), body) for seq, body in enumerate(bodies, first)]


def replay(env: dict[str, str], *args: str) -> str:
    result = run_cli(env, "replay", *args, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture
def env(data_dir: Path, tmp_path: Path) -> dict[str, str]:
    """A data directory holding the examples and 200 generated events."""
    env = base_env(data_dir)
    timed = timed_examples() + traffic(200, seed=5)
    import_events(env, tmp_path / "log.jsonl", timed)
    return env


@pytest.fixture(scope="module")
def timed_clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with one new client at each of MOMENTS."""
    root = tmp_path_factory.mktemp("as-of")
    timed = [(at, client_body(name)) for name, at in MOMENTS.items()]
    import_events(base_env(root / "var"), root / "clients.jsonl", timed)
    return root / "var"


def test_replay_rewrites_the_workbook_and_names_its_totals(
    env: dict[str, str], data_dir: Path
) -> None:
    stale = data_dir / "sheets.xlsx"
    stale.write_bytes(b"not a workbook")

    output = replay(env)

    assert workbook_matches_log(data_dir)
    tabs = read_tabs(data_dir / "sheets.xlsx")
    counts = ", ".join(f"{title} {len(rows) - 1}" for title, rows in tabs.items())
    closing = output.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"Replayed 209 events into the workbook.* in \d+\.\d s; "
        rf"rows per tab: {re.escape(counts)}\.",
        closing,
    ), closing


def test_replaying_twice_gives_identical_cells(
    env: dict[str, str], data_dir: Path
) -> None:
    replay(env)
    first = read_tabs(data_dir / "sheets.xlsx")

    replay(env)
    second = read_tabs(data_dir / "sheets.xlsx")

    # Only the time of the write itself may differ.
    for tabs in (first, second):
        status = tabs[TITLES["vi"][-1]]
        status[:] = [row for row in status if row[0] != WRITTEN]
    assert second == first


def test_replay_to_another_workbook_leaves_the_configured_one_alone(
    env: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    configured = data_dir / "sheets.xlsx"
    configured.write_bytes(b"the workbook staff have open")
    elsewhere = tmp_path / "báo cáo" / "đối chiếu.xlsx"

    replay(env, "--workbook", str(elsewhere))

    assert configured.read_bytes() == b"the workbook staff have open"
    expected = projected_tabs(read_events(data_dir), "vi")
    written = read_tabs(elsewhere)
    assert {title: written[title] for title in expected} == expected


@pytest.mark.parametrize(
    ("as_of", "counted"),
    [
        ("2026-12-03", "abcd"),
        ("2026-12-03T10:15", "abc"),
        ("2026-12-03T03:14:59.999Z", "ab"),
    ],
    ids=["date-is-the-end-of-that-day", "local-time", "utc-time"],
)
def test_as_of_shows_events_received_at_or_before_the_time(
    timed_clients: Path, tmp_path: Path, as_of: str, counted: str
) -> None:
    path = tmp_path / "as-of.xlsx"

    output = replay(base_env(timed_clients), "--as-of", as_of, "--workbook", str(path))

    psids = [row[0] for row in read_tabs(path)[CLIENTS][1:]]
    assert psids == [PSIDS[name] for name in counted]
    assert f"Replayed {len(counted)} events" in output


@pytest.mark.parametrize(
    ("as_of", "zone", "log_time"),
    [
        ("2026-12-03", HANOI, "2026-12-03T16:59:59.999Z"),
        ("20261203", HANOI, "2026-12-03T16:59:59.999Z"),
        ("2026-12-03", UTC_ZONE, "2026-12-03T23:59:59.999Z"),
        ("2026-12-03T10:15", HANOI, "2026-12-03T03:15:00.000Z"),
        ("2026-12-03 00:00:00", HANOI, "2026-12-02T17:00:00.000Z"),
        ("2026-12-03T10:14:59.999", HANOI, "2026-12-03T03:14:59.999Z"),
        ("2026-12-03T03:15:00Z", HANOI, "2026-12-03T03:15:00.000Z"),
        ("2026-12-04T00:00+07:00", UTC_ZONE, "2026-12-03T17:00:00.000Z"),
    ],
    ids=[
        "date-is-the-end-of-that-day",
        "basic-format-date-is-the-end-of-that-day",
        "date-in-another-shop-zone",
        "local-time",
        "local-midnight-with-a-space",
        "local-time-with-milliseconds",
        "utc-time",
        "offset-time-in-another-shop-zone",
    ],
)
def test_as_of_time_is_read_in_the_shop_zone(
    as_of: str, zone: ZoneInfo, log_time: str
) -> None:
    assert parse_as_of(as_of, zone) == log_time


@pytest.mark.parametrize(
    "as_of",
    ["yesterday", "2026-13-01", "03/12/2026", "2026-12-03T25:00"],
    ids=["word", "month-13", "day-first", "hour-25"],
)
def test_bad_as_of_names_the_expected_form(as_of: str) -> None:
    with pytest.raises(click.BadParameter) as raised:
        parse_as_of(as_of, HANOI)

    assert raised.value.format_message() == (
        f"Invalid value for --as-of: {as_of!r} is not a time; use ISO 8601 "
        "such as 2026-12-01 or 2026-12-01T18:30."
    )


@pytest.mark.parametrize("as_of", ["yesterday", ""], ids=["word", "empty"])
def test_bad_as_of_is_a_usage_error(
    timed_clients: Path, tmp_path: Path, as_of: str
) -> None:
    path = tmp_path / "as-of.xlsx"

    result = run_cli(
        base_env(timed_clients), "replay", "--as-of", as_of, "--workbook", str(path)
    )

    assert result.returncode == 2
    assert (
        f"Error: Invalid value for --as-of: {as_of!r} is not a time; use ISO 8601 "
        "such as 2026-12-01 or 2026-12-01T18:30."
    ) in result.stderr
    assert not path.exists()


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00", "0001-01-01T06:59:59"], ids=["midnight", "dawn"]
)
def test_as_of_before_year_one_in_utc_is_not_a_crash(as_of: str) -> None:
    # A local time on the first day of year 1 in Hanoi falls in year 0 in
    # UTC, which Python cannot represent.
    try:
        log_time = parse_as_of(as_of, HANOI)
    except click.BadParameter:
        return
    assert log_time < "2026"


@pytest.fixture
def syncing_server(data_dir: Path) -> Iterator[Server]:
    running = Server(data_dir, BBH_SYNC_INTERVAL=str(SYNC_INTERVAL)).start()
    yield running
    running.stop()


def test_replay_while_the_service_runs_is_safe(syncing_server: Server) -> None:
    server = syncing_server
    for _, body in EXAMPLES:
        server.post(example_bytes(body))
    poster = Poster(server, 250, seed=31)
    poster.start()

    outputs = [replay(server.env) for _ in range(2)]
    poster.join(timeout=120)

    for output in outputs:
        closing = output.strip().splitlines()[-1]
        assert re.match(r"Replayed \d+ events into the workbook", closing), output
    wait_for(lambda: converged(server), CONVERGE_TIMEOUT, "the workbook catching up")
    status = status_values(read_tabs(server.data_dir / "sheets.xlsx"))
    assert status["Sự kiện đang chờ ghi"] == 0


def test_as_of_never_leaves_the_live_workbook_in_the_past(
    syncing_server: Server,
) -> None:
    server = syncing_server
    for _, body in EXAMPLES:
        server.post(example_bytes(body))
    wait_for(lambda: converged(server), CONVERGE_TIMEOUT, "the first sync")
    # Let the loop fall idle: with no event arriving, only the replay can
    # make it write again.
    time.sleep(IDLE_INTERVALS * SYNC_INTERVAL)

    result = run_cli(server.env, "replay", "--as-of", "2000-01-01")

    # Either the past is refused for the live sheet, or the loop restores
    # the present promptly.
    if result.returncode == 0:
        wait_for(
            lambda: converged(server),
            CONVERGE_TIMEOUT,
            "the live workbook showing the whole log again",
        )
    else:
        assert "--workbook" in result.stderr
        assert workbook_matches_log(server.data_dir)
