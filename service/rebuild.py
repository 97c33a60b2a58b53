"""Rebuild a target from the whole log, and check a target against the log."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime

from service.mirror import Mirror
from service.store import EventLog, utc_now
from service.sync import (
    Progress,
    Projector,
    build_status,
    dump_cells,
    mirror_cells,
)
from service.targets.base import Target, WriteStats, column_letter

# Cells that differ by less than this are equal: times travel as fractions
# of a day, which a round trip through a float may nudge.
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ReplayResult:
    """What a replay read and wrote."""

    events: int
    rows: dict[str, int]
    seconds: float
    stats: WriteStats


@dataclass(frozen=True)
class Difference:
    """One cell of a tab that differs from the log's projection."""

    tab: str
    cell: str
    expected: object
    found: object
    tab_id: str
    position: int


def project(
    log: EventLog,
    language: str,
    until: str | None = None,
    progress: Progress | None = None,
) -> Projector:
    """Fold the whole log (or up to a log time) into a fresh projector."""
    projector = Projector(language)
    projector.fold(log, until=until, progress=progress)
    return projector


def replay(
    log: EventLog,
    target: Target,
    language: str,
    until: str | None = None,
    progress: Progress | None = None,
    keep_mirror: bool = True,
) -> ReplayResult:
    """Rewrite every tab of the target from the log, in place.

    With `keep_mirror`, the mirror and cursor are replaced by what was
    written, so the sync loop carries on from there.
    """
    started = time.monotonic()
    projector = project(log, language, until, progress)
    mirror = Mirror(log)
    written_at = utc_now()
    sheets = [
        *projector.sheets(),
        build_status(
            log, mirror, target.name, projector, written_at, projector.last_received_at
        ),
    ]
    counts = mirror.row_counts(target.name)
    for sheet in sheets:
        sheet.previous_rows = counts.get(sheet.id, 0)
    target.prepare(sheets)
    stats = target.write_full(sheets)
    if keep_mirror:
        mirror.commit(
            target.name,
            projector.seq,
            written_at,
            {sheet.id: (sheet.title, sheet.fingerprint) for sheet in sheets},
            # Only a target written row by row compares with the mirror.
            {sheet.id: mirror_cells(target, sheet) for sheet in sheets}
            if target.incremental
            else {},
            replace=[sheet.id for sheet in sheets],
        )
    return ReplayResult(
        events=projector.events,
        rows={sheet.title: len(sheet.rows) for sheet in sheets},
        seconds=time.monotonic() - started,
        stats=stats,
    )


def verify(log: EventLog, target: Target, language: str) -> list[Difference]:
    """List every projected cell of the target that differs from the log."""
    sheets = project(log, language).sheets()
    found = target.read(sheets)
    differences = []
    for sheet in sheets:
        rows = found.get(sheet.id, [])
        for position, row in enumerate(sheet.rows):
            expected = target.convert(sheet, row)
            got = rows[position] if position < len(rows) else []
            for column, want in enumerate(expected):
                have = got[column] if column < len(got) else None
                if not same_cell(want, have):
                    cell = f"{column_letter(column)}{position + 2}"
                    differences.append(
                        Difference(sheet.title, cell, want, have, sheet.id, position)
                    )
    return differences


def repair(
    log: EventLog, target: Target, language: str, differences: list[Difference]
) -> WriteStats:
    """Write back the rows that hold differing cells.

    A target rewritten whole is simply replayed.
    """
    if not target.incremental:
        return replay(log, target, language).stats
    sheets = project(log, language).sheets()
    by_id = {sheet.id: sheet for sheet in sheets}
    # A tab removed by hand is added again and written whole.
    created = target.prepare(sheets)
    stats = WriteStats()
    if created:
        stats = target.write_full([by_id[tab_id] for tab_id in created])
    rows: dict[str, dict[int, list]] = {}
    for difference in differences:
        if difference.tab_id in created:
            continue
        sheet = by_id[difference.tab_id]
        row = sheet.rows[difference.position]
        rows.setdefault(sheet.id, {})[difference.position] = target.convert(sheet, row)
    if rows:
        stats += target.write_rows(sheets, rows)
    written = {
        tab: {p: dump_cells(cells) for p, cells in by_position.items()}
        for tab, by_position in rows.items()
    }
    for tab_id in created:
        written[tab_id] = mirror_cells(target, by_id[tab_id])
    mirror = Mirror(log)
    mirror.commit(
        target.name,
        mirror.state(target.name).seq,
        utc_now(),
        {},
        written,
        replace=created,
    )
    return stats


def same_cell(expected: object, found: object) -> bool:
    """Tell whether a cell read back holds what was meant to be written."""
    if expected in (None, "") and found in (None, ""):
        return True
    if isinstance(expected, datetime) and isinstance(found, datetime):
        return abs((expected - found).total_seconds()) < 1
    numbers = (int, float)
    if isinstance(expected, numbers) and isinstance(found, numbers):
        if isinstance(expected, bool) or isinstance(found, bool):
            return expected is found
        return math.isclose(expected, found, rel_tol=0, abs_tol=_TOLERANCE)
    return expected == found
