"""Columns and tabs: what each projected tab shows, in English and Vietnamese.

A tab couples its columns with the fold that fills them: a fresh state, an
``apply`` that folds one event in, and a ``row`` renderer for one key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from projections.events import Event

TEXT, INT, MONEY, TIME = "text", "int", "money", "time"
ENGLISH, VIETNAMESE = "en", "vi"

# None is an empty cell; TIME cells are aware UTC datetimes, INT and MONEY
# cells are int.
Cell = str | int | datetime | None

Handler = Callable[[Any, Event], Iterable[Hashable]]
Renderer = Callable[[Any, Hashable, str], list[Cell]]


def localize(language: str, english: str, vietnamese: str) -> str:
    """Pick the English or the Vietnamese word; Vietnamese is the default."""
    return english if language == ENGLISH else vietnamese


@dataclass(frozen=True, slots=True)
class Column:
    """One projected column: its header in both languages and its type."""

    en: str
    vi: str
    type: str

    def header(self, language: str) -> str:
        """Return the header text in ``language`` ("en" or "vi")."""
        return localize(language, self.en, self.vi)


@dataclass(frozen=True)
class Tab:
    """A projected tab: its columns and the fold that fills its rows.

    ``apply(state, event)`` returns the keys whose rows changed, new keys
    included; ``row(state, key, language)`` renders one row, one cell per
    column. ``handlers`` maps each event name the tab reads to the function
    ``apply`` calls for it, so a caller may skip the tab for other names.
    """

    id: str
    title_en: str
    title_vi: str
    columns: tuple[Column, ...]
    new_state: Callable[[], Any]
    apply: Handler
    row: Renderer
    handlers: Mapping[str, Handler] = field(default_factory=dict)

    def title(self, language: str) -> str:
        """Return the tab's title in ``language``."""
        return localize(language, self.title_en, self.title_vi)

    def fingerprint(self, language: str) -> str:
        """Return a stable hash of the tab's id, language, headers and types.

        When it changes, the tab's columns changed and the tab is
        rewritten whole.
        """
        shape = [
            self.id,
            language,
            [[column.header(language), column.type] for column in self.columns],
        ]
        text = json.dumps(shape, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def dispatch(handlers: Mapping[str, Handler]) -> Handler:
    """Return an ``apply`` that hands each event to its name's handler.

    Events of other names change nothing.
    """
    find = handlers.get

    def apply(state: Any, event: Event) -> Iterable[Hashable]:
        handler = find(event.name)
        return () if handler is None else handler(state, event)

    return apply


def add_position(positions: dict[Any, int], key: Hashable) -> None:
    """Give a key the next row, once; rows never move."""
    if key not in positions:
        positions[key] = len(positions)
