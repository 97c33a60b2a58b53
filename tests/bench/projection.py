"""Benchmark the projections: fold speed, a full replay, and a sync cycle.

Run with `python -m tests.bench projection`. On a log of generated traffic
it prints, one line each with its goal:

- fold: building the events from stored rows (`event_from_record`, which
  parses each payload) plus `Projection.fold`, against merely `json.loads`
  of the same payloads; the pure fold over built events is shown too;
- replay: `service.rebuild.replay` of the whole log into a workbook, and
  the part of it spent writing the file;
- cycle: the part of a sync cycle that folds 100 new events and finds the
  rows that differ from the mirror (`Projector.advance`, then converting
  the changed rows and comparing them with the mirror), on a small and a
  large log; a cycle should cost about the same whatever the log's size.
  The whole cycle with a target that discards what it receives is shown
  beside it.
"""

from __future__ import annotations

import functools
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from projections import Cell, Event, Projection, event_from_record
from service.rebuild import replay
from service.store import EventLog, format_time, utc_now
from service.sync import SyncEngine, dump_cells
from service.targets.base import Sheet, Target, WriteStats
from service.targets.workbook import WorkbookTarget
from service.traffic import generate_bodies

LOG_EVENTS = 100_000
SMALL_LOG_EVENTS = 1_000
NEW_EVENTS = 100
REPEATS = 15
FOLD_RUNS = 3
SEED = 2026
LANGUAGE = "vi"
SHOP_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FOLD_GOAL = 3.0
CYCLE_GOAL = 1.5
# A warm-up batch, then one batch per repetition, for each of two measures.
FRESH_EVENTS = (1 + 2 * REPEATS) * NEW_EVENTS
FIRST_MOMENT = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)

Record = tuple[str, str, str]
T = TypeVar("T")


class DiscardingTarget(Target):
    """An incremental target that accepts every write and keeps nothing.

    Cells are converted as for the workbook, so what a cycle costs here is
    the engine's own work: folding, rendering, comparing with the mirror
    and committing it.
    """

    name = "bench"
    incremental = True

    def __init__(self, zone: ZoneInfo) -> None:
        self.workbook = WorkbookTarget(Path("unused.xlsx"), zone)

    def convert(self, sheet: Sheet, row: Sequence[Cell]) -> list:
        return self.workbook.convert(sheet, row)

    def prepare(self, sheets: list[Sheet]) -> set[str]:
        return set()

    def write_full(self, sheets: list[Sheet]) -> WriteStats:
        rows = sum(len(sheet.rows) for sheet in sheets)
        return WriteStats(requests=1, rows=rows)

    def write_rows(
        self, sheets: list[Sheet], rows: dict[str, dict[int, list]]
    ) -> WriteStats:
        count = sum(len(by_position) for by_position in rows.values())
        return WriteStats(requests=1, rows=count)

    def read(self, sheets: list[Sheet]) -> dict[str, list[list]]:
        return {}


class TimedWorkbook(WorkbookTarget):
    """The workbook target, remembering how long writing the file took."""

    write_seconds = 0.0

    def write_full(self, sheets: list[Sheet]) -> WriteStats:
        started = time.perf_counter()
        stats = super().write_full(sheets)
        self.write_seconds += time.perf_counter() - started
        return stats


def make_records(count: int, seed: int) -> list[Record]:
    """Return generated bodies as log records, one second apart."""
    records = []
    for index, body in enumerate(generate_bodies(count, seed)):
        at = format_time(FIRST_MOMENT + timedelta(seconds=index))
        payload = json.dumps(body, ensure_ascii=False)
        records.append((at, body["event"], payload))
    return records


def open_log(folder: Path, records: Sequence[Record]) -> EventLog:
    log = EventLog(folder / "events.db")
    log.append_many(records)
    return log


def timed(action: Callable[[], T], collect: bool = True) -> tuple[float, T]:
    """Time `action`, by default after a collection so none lands inside."""
    if collect:
        gc.collect()
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def fold_all(events: list[Event]) -> Projection:
    projection = Projection()
    projection.fold(events)
    return projection


def bench_fold(log: EventLog) -> None:
    """Print fold speed, with and without parsing, against json.loads alone."""
    rows = [(e.seq, e.received_at, e.name, e.payload) for e in log.events()]
    payloads = [row[3] for row in rows]
    loads, parse, fold = [], [], []
    for _ in range(FOLD_RUNS):
        seconds, _ = timed(lambda: [json.loads(text) for text in payloads])
        loads.append(seconds)
        seconds, events = timed(lambda: [event_from_record(*r) for r in rows])
        parse.append(seconds)
        seconds, _ = timed(functools.partial(fold_all, events))
        fold.append(seconds)
    loads_s, parse_s, fold_s = map(statistics.median, (loads, parse, fold))
    total = parse_s + fold_s
    print(
        f"fold: {len(rows) / total:,.0f} events/s (event_from_record "
        f"{parse_s:.2f} s + Projection.fold {fold_s:.2f} s); json.loads "
        f"alone {loads_s:.2f} s; fold / json.loads = {total / loads_s:.2f} "
        f"(goal <= {FOLD_GOAL:g})",
        flush=True,
    )
    print(
        f"pure fold: {len(rows) / fold_s:,.0f} events/s over built events; "
        f"pure fold / json.loads = {fold_s / loads_s:.2f}",
        flush=True,
    )


def bench_replay(log: EventLog, folder: Path) -> None:
    """Print how long a full replay into a workbook takes, and its write."""
    target = TimedWorkbook(folder / "sheets.xlsx", SHOP_ZONE)
    gc.collect()
    result = replay(log, target, LANGUAGE, keep_mirror=False)
    rows = sum(result.rows.values())
    megabytes = result.stats.bytes / 1e6
    writing = target.write_seconds
    print(
        f"replay to a workbook: {result.seconds:.1f} s for {result.events:,} "
        f"events; writing {rows:,} rows ({megabytes:.1f} MB) took "
        f"{writing:.1f} s ({rows / writing:,.0f} rows/s)",
        flush=True,
    )


class CycleBench:
    """A log of some size, written to the mirror, and an engine on it.

    Each measured cycle first appends NEW_EVENTS of `fresh`, the events
    that follow the log's own in the generated traffic.
    """

    def __init__(
        self, folder: Path, records: Sequence[Record], fresh: Sequence[Record]
    ) -> None:
        self.log = open_log(folder, records)
        target = DiscardingTarget(SHOP_ZONE)
        replay(self.log, target, LANGUAGE)
        self.engine = SyncEngine(self.log, target, LANGUAGE)
        # The first cycle folds the log up to the replay's cursor.
        self.engine.cycle()
        self.batches = iter(
            [fresh[at : at + NEW_EVENTS] for at in range(0, len(fresh), NEW_EVENTS)]
        )
        self.parts: list[float] = []
        self.wholes: list[float] = []

    def warm_up(self) -> None:
        # No collection is forced between cycles: a full collection
        # untracks the state's large dicts, and the next new key tracks
        # them again in the youngest generation, so each measured cycle
        # would traverse the whole state; the running loop pays that only
        # after its rare full collections. This cycle pays it, untimed.
        self.log.append_many(next(self.batches))
        self.engine.cycle()

    def time_whole_cycle(self) -> None:
        self.log.append_many(next(self.batches))
        self.wholes.append(timed(self.engine.cycle, collect=False)[0])

    def time_cycle_part(self) -> None:
        self.parts.append(measure_part(self.engine, next(self.batches)))


def measure_part(engine: SyncEngine, batch: Sequence[Record]) -> float:
    """Time folding a batch and finding the rows that differ from the mirror.

    The differing rows are then committed to the mirror, untimed, as the
    cycle would after the target accepted them.
    """
    engine.log.append_many(batch)
    differing: dict[str, dict[int, list]] = {}

    def fold_and_compare() -> None:
        changed = engine.projector.advance(engine.log, limit=NEW_EVENTS)
        sheets = {sheet.id: sheet for sheet in engine.projector.sheets()}
        for tab_id, positions in changed.items():
            differing[tab_id] = engine._differing(sheets[tab_id], positions)

    seconds, _ = timed(fold_and_compare, collect=False)
    rows = {
        tab_id: {position: dump_cells(cells) for position, cells in by.items()}
        for tab_id, by in differing.items()
    }
    seq = engine.projector.seq
    engine.mirror.commit(engine.target.name, seq, utc_now(), {}, rows)
    return seconds


def bench_cycle(folder: Path, records: Sequence[Record]) -> None:
    """Print the cycle part's cost on a small and a large log, and the ratio.

    Repetitions alternate between the two logs, so a busy machine slows
    both alike and their ratio holds. Both live in one process, so the
    ratio shows the work that grows with the log, not the slower memory
    access of a larger heap.
    """
    benches = [
        CycleBench(
            folder / f"log-{size}",
            records[:size],
            records[size : size + FRESH_EVENTS],
        )
        for size in (SMALL_LOG_EVENTS, LOG_EVENTS)
    ]
    gc.collect()
    for bench in benches:
        bench.warm_up()
    for _ in range(REPEATS):
        for bench in benches:
            bench.time_whole_cycle()
    # Measured last: it commits the mirror itself, behind the engine's back.
    for _ in range(REPEATS):
        for bench in benches:
            bench.time_cycle_part()
    small_part, large_part = (statistics.median(b.parts) for b in benches)
    small_whole, large_whole = (statistics.median(b.wholes) for b in benches)
    for bench in benches:
        bench.log.close()
    print(
        f"cycle, fold {NEW_EVENTS} new events and find changed rows "
        f"(median of {REPEATS}): {SMALL_LOG_EVENTS:,}-event log "
        f"{small_part * 1000:.1f} ms, {LOG_EVENTS:,}-event log "
        f"{large_part * 1000:.1f} ms; ratio = {large_part / small_part:.2f} "
        f"(goal <= {CYCLE_GOAL:g})",
        flush=True,
    )
    print(
        f"whole cycle, target discarding writes (median of {REPEATS}): "
        f"{small_whole * 1000:.1f} ms, {large_whole * 1000:.1f} ms; "
        f"ratio = {large_whole / small_whole:.2f}",
        flush=True,
    )


def main() -> None:
    """Generate the log once, then print every figure of this benchmark."""
    started = time.perf_counter()
    records = make_records(LOG_EVENTS + FRESH_EVENTS, SEED)
    print(
        f"log: {LOG_EVENTS:,} generated events (seed {SEED}), made in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bbh-bench-") as temporary:
        folder = Path(temporary)
        log = open_log(folder / "log", records[:LOG_EVENTS])
        bench_fold(log)
        bench_replay(log, folder)
        log.close()
        bench_cycle(folder, records)
