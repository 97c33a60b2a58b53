"""Request recording, per-minute quotas and test switches (failures, delays)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

DROP_CONNECTION = 0


class Recorder:
    """Keeps one dict per request; never the Authorization header or bodies."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        """Append one request's record."""
        with self.lock:
            self.entries.append(entry)

    def snapshot(self) -> list[dict[str, Any]]:
        """Return a copy of the records so far."""
        with self.lock:
            return list(self.entries)

    def clear(self) -> None:
        """Forget all records."""
        with self.lock:
            self.entries.clear()

    def matching(self, **wanted: Any) -> list[dict[str, Any]]:
        """Return records whose fields equal `wanted`; `path_contains` is a substring.

        None values are ignored, so callers can pass optional filters through.
        """
        part = wanted.pop("path_contains", None)
        out = []
        for entry in self.snapshot():
            if part is not None and part not in entry["path"]:
                continue
            if all(v is None or entry.get(k) == v for k, v in wanted.items()):
                out.append(entry)
        return out


class Quota:
    """Per-minute request counters per (account, read|write).

    Each counter's window opens with its first request and lasts one "minute"
    of `minute_seconds`, so tests can scale time down.
    """

    def __init__(self, per_minute: int, minute_seconds: float) -> None:
        self.per_minute = per_minute
        self.minute_seconds = minute_seconds
        self.windows: dict[tuple[str, str], tuple[float, int]] = {}
        self.lock = threading.Lock()

    def admit(self, email: str, kind: str) -> bool:
        """Count one request; return False once the window's quota is used up."""
        now = time.monotonic()
        with self.lock:
            start, used = self.windows.get((email, kind), (now, 0))
            if now - start >= self.minute_seconds:
                start, used = now, 0
            if used >= self.per_minute:
                self.windows[(email, kind)] = (start, used)
                return False
            self.windows[(email, kind)] = (start, used + 1)
            return True

    def reset(self) -> None:
        """Start every counter afresh."""
        with self.lock:
            self.windows.clear()


@dataclass
class _Rule:
    """One switch: applies to matching requests, a number of times or until."""

    value: float
    remaining: int | None
    until: float | None
    path_contains: str | None

    def matches(self, path: str, now: float) -> bool:
        """Return whether the rule is live and covers `path`."""
        if self.until is not None and now >= self.until:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        return self.path_contains is None or self.path_contains in path


class Switches:
    """Injected failures and delays for Sheets and Drive requests."""

    def __init__(self) -> None:
        self.failures: list[_Rule] = []
        self.delays: list[_Rule] = []
        self.lock = threading.Lock()

    def fail_next(self, status: int, count: int, path_contains: str | None) -> None:
        """Fail the next `count` matching requests with `status`."""
        with self.lock:
            self.failures.append(_Rule(status, count, None, path_contains))

    def fail_for(self, status: int, seconds: float, path_contains: str | None) -> None:
        """Fail every matching request with `status` for `seconds`."""
        with self.lock:
            until = time.monotonic() + seconds
            self.failures.append(_Rule(status, None, until, path_contains))

    def set_delay(
        self, seconds: float, count: int | None, path_contains: str | None
    ) -> None:
        """Delay matching requests by `seconds`, `count` times or until reset."""
        with self.lock:
            self.delays.append(_Rule(seconds, count, None, path_contains))

    def reset(self) -> None:
        """Remove every switch."""
        with self.lock:
            self.failures.clear()
            self.delays.clear()

    def failure(self, path: str) -> int | None:
        """Return the status to fail this request with, consuming one use."""
        return self._take(self.failures, path)

    def delay(self, path: str) -> float:
        """Return how long to stall this request, consuming one use."""
        return self._take(self.delays, path) or 0.0

    def _take(self, rules: list[_Rule], path: str) -> Any:
        """Return the first live matching rule's value, counting the use."""
        now = time.monotonic()
        with self.lock:
            for rule in rules:
                if rule.matches(path, now):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return int(rule.value) if rules is self.failures else rule.value
            rules[:] = [r for r in rules if r.until is None or now < r.until]
        return None
