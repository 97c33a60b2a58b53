"""Benchmark the Google Sheets target against the fake Google over HTTP.

Run with `python -m tests.bench google`. It prints, one line each with its
goal where there is one:

- burst: 300 new orders posted at once to a running service (`serve`,
  gunicorn and its sync loop) whose spreadsheet is on the fake, with
  Google's quota of 60 writes per minute per service account but a minute
  scaled down to a few seconds: write requests, 429 answers and seconds
  until the Orders tab holds every order and the log is synced;
- hand-rolled: the same 300 orders written the way webhooks are often
  wired to Sheets, one gspread `append_row` per event through gspread's
  back-off client (which sleeps 2, 4, ... s for real after a 429), against
  the same scaled quota; then both ratios, ours over hand-rolled;
- replay: a 100,000-event log rebuilt into the fake with the normal quota
  by `service.rebuild.replay` and the Google target: write requests,
  megabytes sent and seconds.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gspread
import requests
from gspread.http_client import BackOffHTTPClient

from projections import TABS
from service.rebuild import replay
from service.store import EventLog, format_time
from service.targets.google import GoogleTarget
from service.traffic import generate_bodies
from tests.fakegoogle import FakeGoogle
from tests.fakegoogle.adapter import mount
from tests.servers import Server, run_cli

ORDERS = 300
ORDER_SEED = 7
REPLAY_EVENTS = 100_000
REPLAY_SEED = 2026
# Google's write quota per service account, with its minute scaled down so
# the bench shows the effect of the quota in seconds, not minutes.
QUOTA_PER_MINUTE = 60
SCALED_MINUTE = 6.0
LANGUAGE = "vi"
SHOP_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ACCOUNT = "bbh-bench@shop.iam.gserviceaccount.com"
# Goals: the loop debounces a burst into a few writes; a replay's requests
# stay under Google's recommended 2 MB each.
BURST_WRITES_GOAL = 10
REQUEST_MB_GOAL = 2.0
POSTING_THREADS = 8
CONVERGE_SECONDS = 180.0
FIRST_MOMENT = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
ORDERS_TITLE = next(tab for tab in TABS if tab.id == "orders").title(LANGUAGE)


def new_orders(count: int, seed: int) -> list[dict]:
    """Return the first `count` order:new bodies of generated traffic.

    Resends of an order already taken are skipped, so each body is a
    different order and both integrations should end with `count` rows.
    """
    seen: set[str] = set()
    found = []
    for body in generate_bodies(50 * count, seed):
        order_id = body["data"].get("idorder")
        if body["event"] == "order:new" and order_id not in seen:
            seen.add(order_id)
            found.append(body)
            if len(found) == count:
                break
    return found


@contextmanager
def fake_sheet(
    folder: Path, per_minute: int, minute_seconds: float
) -> Iterator[tuple[FakeGoogle, str, Path]]:
    """Run a fake Google holding one spreadsheet shared with a new key."""
    with FakeGoogle(per_minute, minute_seconds) as fake:
        account = fake.add_service_account(email=ACCOUNT)
        spreadsheet_id = fake.create_spreadsheet(
            title="Bench shop", share_with=[account.email]
        )
        key_file = account.write_key_file(folder / "key.json")
        yield fake, spreadsheet_id, key_file


def wait_for(check: Callable[[], bool], timeout: float) -> bool:
    """Poll `check` until true; return False if `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def order_rows(fake: FakeGoogle, spreadsheet_id: str, title: str) -> int:
    """Return how many data rows below the header hold something."""
    if title not in fake.sheet_titles(spreadsheet_id):
        return 0
    return sum(1 for row in fake.cells(spreadsheet_id, title)[1:] if row)


def synced(server: Server, events: int) -> bool:
    answer = requests.get(server.url + "/health", timeout=10).json()
    return answer["events"] == events and answer["targets"]["google"]["lag"] == 0


def bench_service(folder: Path, orders: list[dict]) -> tuple[int, float]:
    """Post the orders at once to the service; print and return its cost."""
    with fake_sheet(folder, QUOTA_PER_MINUTE, SCALED_MINUTE) as (fake, sid, key):
        env = {
            "BBH_SPREADSHEET": sid,
            "BBH_CREDENTIALS": str(key),
            "BBH_SHEETS_API_URL": fake.url,
            "BBH_LANGUAGE": LANGUAGE,
        }
        (folder / "var").mkdir()
        server = Server(folder / "var", **env).start()
        try:
            # The service makes its tabs on start; the burst comes after.
            wait_for(lambda: ORDERS_TITLE in fake.sheet_titles(sid), 60)
            time.sleep(1.0)
            fake.reset_quota()
            fake.clear_requests()
            bodies = [json.dumps(b, ensure_ascii=False).encode() for b in orders]
            started = time.monotonic()
            with ThreadPoolExecutor(POSTING_THREADS) as pool:
                codes = [r.status_code for r in pool.map(server.post, bodies)]
            posted = time.monotonic() - started
            done = wait_for(
                lambda: (
                    synced(server, len(orders))
                    and order_rows(fake, sid, ORDERS_TITLE) == len(orders)
                ),
                CONVERGE_SECONDS,
            )
            seconds = time.monotonic() - started
            writes, refused = fake.write_count(), fake.status_count(429)
            verify = run_cli(server.env, "verify")
        finally:
            server.kill()
    accepted = codes.count(200)
    outcome = "converged" if done else "NOT converged"
    print(
        f"burst, our service: {len(orders)} orders posted in {posted:.1f} s "
        f"({accepted} accepted), tabs {outcome} after {seconds:.1f} s with "
        f"{writes} write requests (goal <= {BURST_WRITES_GOAL}), "
        f"{refused} answered 429; verify exit code {verify.returncode}",
        flush=True,
    )
    return writes, seconds


def order_row(body: dict) -> list[Any]:
    """Flatten an order the way a hand-written webhook handler would."""
    data = body["data"]
    client, ship = data.get("client", {}), data.get("ship", {})
    items = "; ".join(f"{i['title']} × {i['quantity']}" for i in data["orders"])
    return [
        data["idorder"],
        datetime.now(SHOP_ZONE).strftime("%Y-%m-%d %H:%M:%S"),
        data.get("status", ""),
        f"{client.get('last_name', '')} {client.get('first_name', '')}",
        client.get("psid", ""),
        items,
        sum(int(i["quantity"]) for i in data["orders"]),
        int(data["total_cost"]),
        ship.get("name", ""),
        ship.get("phone", ""),
        ship.get("email", ""),
        ship.get("address", ""),
        ship.get("district", ""),
        ship.get("province", ""),
        data.get("note", ""),
    ]


def bench_hand_rolled(folder: Path, orders: list[dict]) -> tuple[int, float]:
    """Append one row per order with gspread; print and return its cost."""
    with fake_sheet(folder, QUOTA_PER_MINUTE, SCALED_MINUTE) as (fake, sid, key):
        client = gspread.service_account(
            filename=str(key), http_client=BackOffHTTPClient
        )
        mount(client.http_client.session, fake.url)
        worksheet = client.open_by_key(sid).sheet1
        header = [[f"Cột {n}" for n in range(1, 16)]]
        fake.set_values(sid, worksheet.title, "A1", header)
        fake.reset_quota()
        fake.clear_requests()
        started = time.monotonic()
        for body in orders:
            worksheet.append_row(
                order_row(body), value_input_option="RAW", table_range="A1"
            )
        seconds = time.monotonic() - started
        writes, refused = fake.write_count(), fake.status_count(429)
        rows = order_rows(fake, sid, worksheet.title)
    print(
        f"burst, hand-rolled append_row: {rows} of {len(orders)} orders after "
        f"{seconds:.1f} s with {writes} write requests, {refused} answered 429",
        flush=True,
    )
    return writes, seconds


def make_log(path: Path, count: int, seed: int) -> EventLog:
    """Store `count` generated events, one second apart, in a new log."""
    records = []
    for index, body in enumerate(generate_bodies(count, seed)):
        at = format_time(FIRST_MOMENT + timedelta(seconds=index))
        payload = json.dumps(body, ensure_ascii=False)
        records.append((at, body["event"], payload))
    log = EventLog(path)
    log.append_many(records)
    return log


def bench_replay(folder: Path) -> None:
    """Replay a large log into the fake with the normal quota; print it."""
    started = time.monotonic()
    log = make_log(folder / "events.db", REPLAY_EVENTS, REPLAY_SEED)
    made = time.monotonic() - started
    with fake_sheet(folder, QUOTA_PER_MINUTE, 60.0) as (fake, sid, key):
        target = GoogleTarget(sid, key, SHOP_ZONE, api_url=fake.url)
        result = replay(log, target, LANGUAGE, keep_mirror=False)
        writes = fake.requests_matching(api="sheets", kind="write")
        refused = fake.status_count(429)
    log.close()
    sent = sum(entry["body_size"] for entry in writes)
    largest = max(entry["body_size"] for entry in writes)
    rows = sum(result.rows.values())
    print(
        f"replay into Google: {REPLAY_EVENTS:,} events (log made in "
        f"{made:.1f} s), {rows:,} rows in {result.seconds:.1f} s with "
        f"{len(writes)} write requests, {sent / 1e6:.1f} MB sent, largest "
        f"{largest / 1e6:.2f} MB (goal < {REQUEST_MB_GOAL:g}), "
        f"{refused} answered 429",
        flush=True,
    )


def main() -> None:
    """Print the burst comparison, then the large replay."""
    orders = new_orders(ORDERS, ORDER_SEED)
    print(
        f"quota: {QUOTA_PER_MINUTE} writes per 'minute' of {SCALED_MINUTE:g} s "
        f"per service account, for both burst runs",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bbh-bench-google-") as temporary:
        folder = Path(temporary)
        (folder / "service").mkdir()
        (folder / "hand").mkdir()
        (folder / "replay").mkdir()
        ours = bench_service(folder / "service", orders)
        theirs = bench_hand_rolled(folder / "hand", orders)
        print(
            f"ours / hand-rolled: write requests {ours[0] / theirs[0]:.3f}, "
            f"seconds {ours[1] / theirs[1]:.2f}",
            flush=True,
        )
        bench_replay(folder / "replay")


if __name__ == "__main__":
    main()
