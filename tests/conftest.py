"""Shared fixtures: a data directory and a running service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import Server

# Fixtures of the Google tests, registered here so that pytest rewrites
# their asserts before any test module imports them.
pytest_plugins = ["tests.google_fixtures", "tests.fakegoogle_fixtures"]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "var"
    path.mkdir()
    return path


@pytest.fixture
def server(data_dir: Path) -> Iterator[Server]:
    running = Server(data_dir).start()
    yield running
    running.stop()
