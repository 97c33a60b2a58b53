"""What was last written to each target: the mirror, the cursor and errors.

These tables live in the log's database, beside `events`, so the mirror and
the cursor commit together in one transaction after a target accepts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from service.store import EventLog, LogReadError, LogWriteError

# SQLite allows at most 999 variables in one statement on older builds.
_IN_CHUNK = 500


@dataclass(frozen=True)
class TargetState:
    """A target's sync cursor, last write and last error."""

    seq: int = 0
    written_at: str | None = None
    error: str | None = None
    error_at: str | None = None


class Mirror:
    """Cursor, tab fingerprints and last-written rows, per target."""

    def __init__(self, log: EventLog, create: bool = True) -> None:
        self.log = log
        self.conn = log.conn
        if not create:
            return
        try:
            self._create_schema()
        except sqlite3.Error as ex:
            raise LogWriteError(f"could not prepare the mirror: {ex}") from ex

    def _create_schema(self) -> None:
        db = self.log.db
        with self.log.writing():
            db["sync_targets"].create(
                {
                    "target": str,
                    "seq": int,
                    "written_at": str,
                    "error": str,
                    "error_at": str,
                },
                pk="target",
                if_not_exists=True,
            )
            db["mirror_tabs"].create(
                {"target": str, "tab": str, "title": str, "fingerprint": str},
                pk=("target", "tab"),
                if_not_exists=True,
            )
            db["mirror_rows"].create(
                {"target": str, "tab": str, "position": int, "cells": str},
                pk=("target", "tab", "position"),
                if_not_exists=True,
            )

    def state(self, target: str) -> TargetState:
        """Return the target's cursor and last outcome (zeros when new)."""
        rows = self._query(
            "SELECT seq, written_at, error, error_at FROM sync_targets "
            "WHERE target = ?",
            [target],
        )
        if not rows:
            return TargetState()
        seq, written_at, error, error_at = rows[0]
        return TargetState(seq or 0, written_at, error, error_at)

    def states(self) -> dict[str, TargetState]:
        rows = self._query(
            "SELECT target, seq, written_at, error, error_at FROM sync_targets", []
        )
        return {row[0]: TargetState(row[1] or 0, *row[2:]) for row in rows}

    def tabs(self, target: str) -> dict[str, tuple[str, str]]:
        """Return tab id -> (title, fingerprint) as last written."""
        rows = self._query(
            "SELECT tab, title, fingerprint FROM mirror_tabs WHERE target = ?",
            [target],
        )
        return {tab: (title, fingerprint) for tab, title, fingerprint in rows}

    def row_counts(self, target: str) -> dict[str, int]:
        """Return, per tab, how many data rows were last written."""
        rows = self._query(
            "SELECT tab, MAX(position) + 1 FROM mirror_rows WHERE target = ? "
            "GROUP BY tab",
            [target],
        )
        return dict(rows)

    def rows(self, target: str, tab: str, positions: Iterable[int]) -> dict[int, str]:
        """Return the last-written cells (JSON text) at these positions."""
        wanted = sorted(positions)
        found: dict[int, str] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                self._query(
                    "SELECT position, cells FROM mirror_rows WHERE target = ? "
                    f"AND tab = ? AND position IN ({marks})",
                    [target, tab, *chunk],
                )
            )
        return found

    def _query(self, sql: str, args: list) -> list:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as ex:
            raise LogReadError(str(ex)) from ex

    def commit(
        self,
        target: str,
        seq: int,
        written_at: str,
        tabs: dict[str, tuple[str, str]],
        rows: dict[str, dict[int, str]],
        replace: Iterable[str] = (),
    ) -> None:
        """Record a write the target accepted, all in one transaction.

        `replace` names tabs whose old mirror is dropped first, because
        they were written whole.
        """
        try:
            with self.log.writing():
                for tab in replace:
                    self.conn.execute(
                        "DELETE FROM mirror_rows WHERE target = ? AND tab = ?",
                        [target, tab],
                    )
                self.log.db["mirror_tabs"].upsert_all(
                    (
                        {"target": target, "tab": tab, "title": t, "fingerprint": f}
                        for tab, (t, f) in tabs.items()
                    ),
                    pk=("target", "tab"),
                )
                self.conn.executemany(
                    "INSERT OR REPLACE INTO mirror_rows VALUES (?, ?, ?, ?)",
                    (
                        (target, tab, position, cells)
                        for tab, by_position in rows.items()
                        for position, cells in by_position.items()
                    ),
                )
                self.log.db["sync_targets"].upsert(
                    {"target": target, "seq": seq, "written_at": written_at},
                    pk="target",
                )
        except sqlite3.Error as ex:
            raise LogWriteError(str(ex)) from ex

    def record_error(self, target: str, message: str, at: str) -> None:
        """Remember the latest failure, for the Status tab and /health."""
        try:
            with self.log.writing():
                self.log.db["sync_targets"].upsert(
                    {"target": target, "error": message, "error_at": at},
                    pk="target",
                )
        except sqlite3.Error as ex:
            raise LogWriteError(str(ex)) from ex
