"""Pure projections of the event log into the spreadsheet's tabs.

Events in, rows out: nothing here reads a clock, a file, the network or the
environment, so the same events always give the same rows.
"""

from __future__ import annotations

import gc
from collections.abc import Hashable, Iterable
from typing import Any

from projections import backlinks, catalog, clients, order_lines, orders
from projections.columns import Cell, Column, Tab
from projections.events import Event, event_from_record

__all__ = [
    "TABS",
    "Cell",
    "Column",
    "Event",
    "Projection",
    "Tab",
    "event_from_record",
]

TABS: tuple[Tab, ...] = (
    orders.TAB,
    order_lines.TAB,
    clients.TAB,
    catalog.TAB,
    backlinks.TAB,
)


class Projection:
    """The states of all tabs, folded together.

    Events must be applied in seq order, each once. ``ignored`` counts the
    events whose name no tab reads; each state's ``skipped`` counts the
    events its tab reads but could not use.
    """

    def __init__(self, tabs: Iterable[Tab] = TABS) -> None:
        self.tabs: dict[str, Tab] = {tab.id: tab for tab in tabs}
        self.states: dict[str, Any] = {
            tab_id: tab.new_state() for tab_id, tab in self.tabs.items()
        }
        self.ignored = 0
        self._routes, self._fallback = self._plan()

    def _plan(self) -> tuple[dict[str, tuple], tuple]:
        """Route each event name straight to the handlers that read it."""
        # A tab without handlers sees every event through its apply.
        fallback = tuple(
            (tab.id, tab.apply, self.states[tab.id])
            for tab in self.tabs.values()
            if not tab.handlers
        )
        names = {name for tab in self.tabs.values() for name in tab.handlers}
        routes = {}
        for name in sorted(names):
            route = [
                (tab.id, tab.handlers[name], self.states[tab.id])
                for tab in self.tabs.values()
                if name in tab.handlers
            ]
            routes[name] = (*route, *fallback)
        return routes, fallback

    def apply(self, event: Event) -> dict[str, set[Hashable]]:
        """Fold one event in; return each changed tab's changed row keys."""
        route = self._routes.get(event.name)
        if route is None:
            self.ignored += 1
            route = self._fallback
        changed = {}
        for tab_id, handler, state in route:
            keys = set(handler(state, event))
            if keys:
                changed[tab_id] = keys
        return changed

    def fold(self, events: Iterable[Event]) -> None:
        """Fold many events in, discarding which rows changed."""
        # A fold builds many small objects that live on in the states, and
        # CPython's cycle collector would scan them again and again, about
        # doubling the time. The states hold no cycles: pause it meanwhile.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._fold(events)
        finally:
            if collecting:
                gc.enable()

    def _fold(self, events: Iterable[Event]) -> None:
        routes, fallback = self._routes, self._fallback
        ignored = 0
        for event in events:
            route = routes.get(event.name)
            if route is None:
                ignored += 1
                route = fallback
            for _, handler, state in route:
                handler(state, event)
        self.ignored += ignored

    def rows(self, tab_id: str, language: str) -> list[list[Cell]]:
        """Render all rows of a tab, in position order."""
        render, state = self.tabs[tab_id].row, self.states[tab_id]
        return [render(state, key, language) for key in state.positions]

    def row(self, tab_id: str, key: Hashable, language: str) -> list[Cell]:
        """Render the row of one key; raises KeyError for an unknown key."""
        return self.tabs[tab_id].row(self.states[tab_id], key, language)

    def position(self, tab_id: str, key: Hashable) -> int:
        """Return a key's 0-based row index; raises KeyError if unknown."""
        return self.states[tab_id].positions[key]
