"""Keep a target equal to the log's projection: cycles, replay and verify."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field

from projections import TABS, Event, Projection, event_from_record
from service.mirror import Mirror
from service.status import STATUS_ID, WRITTEN_ROW, StatusFacts, status_sheet
from service.store import EventLog, StoredEvent, utc_now
from service.targets.base import Sheet, Target, WriteStats

logger = logging.getLogger(__name__)

# Events folded in one cycle at most, so one cycle's memory and write stay
# bounded while a large backlog is worked off over several cycles.
CYCLE_EVENTS = 20000

Progress = Callable[[int], None]


def dump_cells(cells: list) -> str:
    """Serialise converted cells the way the mirror keeps them."""
    # ASCII escapes keep a lone surrogate from the sender storable in SQLite.
    return json.dumps(cells, default=str, separators=(",", ":"))


def mirror_cells(target: Target, sheet: Sheet) -> dict[int, str]:
    """Return every row of a tab as the mirror keeps it, by position."""
    return {
        position: dump_cells(target.convert(sheet, row))
        for position, row in enumerate(sheet.rows)
    }


class Projector:
    """The log's projection kept current in memory, with every row rendered."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.projection = Projection()
        self.seq = 0
        self.events = 0
        self.last_received_at: str | None = None
        self.rows: dict[str, list] = {tab.id: [] for tab in TABS}

    def advance(self, log: EventLog, limit: int | None = None) -> dict[str, set[int]]:
        """Fold the events after `seq`; return the changed row positions."""
        apply = self.projection.apply
        changed: dict[str, set[Hashable]] = {}
        for stored in log.events(after=self.seq, limit=limit):
            event = event_from_record(*_fields(stored))
            for tab_id, keys in apply(event).items():
                changed.setdefault(tab_id, set()).update(keys)
            self.seq, self.last_received_at = stored.seq, stored.received_at
            self.events += 1
        return self._render(changed)

    def fold(
        self,
        log: EventLog,
        through: int | None = None,
        until: str | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Fold events fast, without tracking changes, then render all rows."""
        self.projection.fold(self._events(log, through, until, progress))
        for tab in TABS:
            self.rows[tab.id] = self.projection.rows(tab.id, self.language)

    def _events(
        self,
        log: EventLog,
        through: int | None,
        until: str | None,
        progress: Progress | None,
    ) -> Iterator[Event]:
        count = 0
        for stored in log.events(after=self.seq, until=until, through=through):
            yield event_from_record(*_fields(stored))
            self.seq, self.last_received_at = stored.seq, stored.received_at
            self.events += 1
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
        if progress:
            progress(count % 1000)

    def _render(self, changed: dict[str, set[Hashable]]) -> dict[str, set[int]]:
        positions: dict[str, set[int]] = {}
        for tab_id, keys in changed.items():
            state = self.projection.states[tab_id]
            rows = self.rows[tab_id]
            rows.extend([None] * (len(state.positions) - len(rows)))
            for key in keys:
                position = state.positions[key]
                rows[position] = self.projection.row(tab_id, key, self.language)
            positions[tab_id] = {state.positions[key] for key in keys}
        return positions

    def sheets(self) -> list[Sheet]:
        """Return the projected tabs, in order, over the rendered rows."""
        language = self.language
        return [
            Sheet(
                id=tab.id,
                title=tab.title(language),
                headers=[column.header(language) for column in tab.columns],
                types=[column.type for column in tab.columns],
                fingerprint=tab.fingerprint(language),
                rows=self.rows[tab.id],
            )
            for tab in TABS
        ]


def _fields(stored: StoredEvent) -> tuple[int, str, str, str]:
    return stored.seq, stored.received_at, stored.name, stored.payload


def build_status(
    log: EventLog,
    mirror: Mirror,
    target_name: str,
    projector: Projector,
    written_at: str,
    last_received_at: str | None,
) -> Sheet:
    """Build the Status tab for a write of the projector's rows."""
    state = mirror.state(target_name)
    facts = StatusFacts(
        last_received_at=last_received_at,
        written_at=written_at,
        waiting=max(0, log.last_seq() - projector.seq),
        rejected=log.rejected_count(),
        error=state.error,
        error_at=state.error_at,
    )
    return status_sheet(facts, projector.language)


@dataclass
class CycleResult:
    """What one sync cycle did."""

    events: int = 0
    rows: int = 0
    requests: int = 0
    bytes: int = 0
    wrote: bool = False
    changed: dict[str, set[int]] = field(default_factory=dict)


class SyncEngine:
    """Bring one target up to the log, a cycle at a time."""

    def __init__(self, log: EventLog, target: Target, language: str) -> None:
        self.log = log
        self.mirror = Mirror(log)
        self.target = target
        self.language = language
        self.projector = Projector(language)
        self._status_written: list | None = None
        # Rows changed since the last committed write; kept across a failed
        # cycle so its changes are written by the next one.
        self._pending: dict[str, set[int]] = {}
        # The cursor this engine last committed; None before the start.
        self._cursor: int | None = None

    def start(self, cursor: int) -> None:
        """Fold the log up to the target's cursor without writing anything."""
        self.projector = Projector(self.language)
        self.projector.fold(self.log, through=cursor)
        self._pending = {}
        self._status_written = None
        self._cursor = cursor

    def cycle(self) -> CycleResult:
        """Fold new events and write what changed; commit after the write."""
        cursor = self.mirror.state(self.target.name).seq
        if cursor != self._cursor:
            # First cycle, or a replay rewrote the target meanwhile: start
            # again from what the target now holds.
            self.start(cursor)
        first_count = self.projector.events
        for tab_id, positions in self.projector.advance(
            self.log, limit=CYCLE_EVENTS
        ).items():
            self._pending.setdefault(tab_id, set()).update(positions)
        changed = self._pending
        result = CycleResult(
            events=self.projector.events - first_count, changed=changed
        )
        written_at = utc_now()
        sheets = [*self.projector.sheets(), self._status(written_at)]
        if self.target.incremental:
            stats, rows, whole = self._write_changes(sheets, changed)
        else:
            stats, rows, whole = self._write_whole(sheets, changed)
        tabs = {sheet.id: (sheet.title, sheet.fingerprint) for sheet in sheets}
        self.mirror.commit(
            self.target.name,
            self.projector.seq,
            written_at if stats.requests else self._last_written(),
            tabs,
            rows,
            replace=whole,
        )
        self._pending = {}
        self._cursor = self.projector.seq
        result.rows, result.requests = stats.rows, stats.requests
        result.bytes, result.wrote = stats.bytes, stats.requests > 0
        return result

    @property
    def behind(self) -> bool:
        """Tell whether the target lags the log, or was rewritten meanwhile."""
        if self.log.last_seq() > self.projector.seq:
            return True
        return self.mirror.state(self.target.name).seq != self._cursor

    def _last_written(self) -> str | None:
        return self.mirror.state(self.target.name).written_at

    def _status(self, written_at: str) -> Sheet:
        return build_status(
            self.log,
            self.mirror,
            self.target.name,
            self.projector,
            written_at,
            self._last_received(),
        )

    def _last_received(self) -> str | None:
        if self.log.last_seq() == self.projector.seq:
            return self.projector.last_received_at
        return self.log.last_received_at()

    def _write_whole(
        self, sheets: list[Sheet], changed: dict[str, set[int]]
    ) -> tuple[WriteStats, dict, set[str]]:
        """Rewrite every tab, when anything but the write time changed."""
        status = sheets[-1]
        shown = [row for i, row in enumerate(status.rows) if i != WRITTEN_ROW]
        if not changed and shown == self._status_written:
            return WriteStats(), {}, set()
        stats = self.target.write_full(sheets)
        self._status_written = shown
        return stats, {}, set()

    def _write_changes(
        self, sheets: list[Sheet], changed: dict[str, set[int]]
    ) -> tuple[WriteStats, dict[str, dict[int, str]], set[str]]:
        """Send only rows that differ from the mirror; whole tabs when new."""
        created = self.target.prepare(sheets)
        known = self.mirror.tabs(self.target.name)
        whole = [
            sheet
            for sheet in sheets
            if sheet.id in created
            or known.get(sheet.id) != (sheet.title, sheet.fingerprint)
        ]
        whole_ids = {sheet.id for sheet in whole}
        counts = self.mirror.row_counts(self.target.name) if whole else {}
        for sheet in whole:
            sheet.previous_rows = counts.get(sheet.id, 0)
        updates: dict[str, dict[int, list]] = {}
        for sheet in sheets:
            if sheet.id in whole_ids:
                continue
            wanted = changed.get(sheet.id, set())
            if sheet.id == STATUS_ID:
                wanted = set(range(len(sheet.rows)))
            updates[sheet.id] = self._differing(sheet, wanted)
        data_changed = any(rows for tab, rows in updates.items() if tab != STATUS_ID)
        status_changed = set(updates.get(STATUS_ID, {})) - {WRITTEN_ROW}
        if not (whole or data_changed or status_changed):
            return WriteStats(), {}, set()
        stats = WriteStats()
        if whole:
            stats += self.target.write_full(whole)
        updates = {tab: rows for tab, rows in updates.items() if rows}
        if updates:
            stats += self.target.write_rows(sheets, updates)
        mirror_rows = {
            tab: {position: dump_cells(cells) for position, cells in rows.items()}
            for tab, rows in updates.items()
        }
        for sheet in whole:
            mirror_rows[sheet.id] = mirror_cells(self.target, sheet)
        return stats, mirror_rows, whole_ids

    def _differing(self, sheet: Sheet, positions: set[int]) -> dict[int, list]:
        """Return converted rows at these positions that the mirror lacks."""
        if not positions:
            return {}
        last = self.mirror.rows(self.target.name, sheet.id, positions)
        rows = {}
        for position in positions:
            cells = self.target.convert(sheet, sheet.rows[position])
            if last.get(position) != dump_cells(cells):
                rows[position] = cells
        return rows

    def record_error(self, message: str) -> None:
        """Remember a failed cycle for the Status tab and /health."""
        self.mirror.record_error(self.target.name, message, utc_now())
