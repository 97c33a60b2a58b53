"""Run `bbh-sheets` as users do: a real process on a free port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import requests

TOKEN = "test-token-0123456789abcdef"
START_TIMEOUT = 30.0


def free_port() -> int:
    """Return a port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Return an environment for the command line, free of outside BBH_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BBH_")}
    env["BBH_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def run_cli(
    env: Mapping[str, str], *args: str, input: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `bbh-sheets ARGS` to the end and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=dict(env),
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


class Server:
    """`bbh-sheets serve` in its own process group, output kept in a file."""

    def __init__(self, data_dir: Path, token: str | None = TOKEN, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        extra = {"BBH_BIND": f"127.0.0.1:{self.port}", **env}
        if token is not None:
            extra["BBH_WEBHOOK_TOKEN"] = token
        self.env = base_env(data_dir, **extra)
        self.token = token
        self.url = f"http://127.0.0.1:{self.port}"
        self.output_path = data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhook/{self.token}"

    def start(self) -> Server:
        with open(self.output_path, "ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.output()}")
            try:
                health = requests.get(self.url + "/health", timeout=1)
                # Another program may hold the port for a moment: wait for
                # our own answer.
                if health.status_code == 200 and "events" in health.json():
                    return
            except (requests.ConnectionError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not answer in time:\n{self.output()}")

    def output(self) -> str:
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    def post(self, body: bytes | str, **kwargs: object) -> requests.Response:
        if isinstance(body, str):
            body = body.encode()
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        return requests.post(
            self.webhook, data=body, headers=headers, timeout=30, **kwargs
        )

    def kill(self) -> None:
        """End the whole process group at once, as a power cut would."""
        self._signal_group(signal.SIGKILL)

    def stop(self) -> None:
        """Stop gracefully, as an administrator would."""
        self._signal_group(signal.SIGTERM)

    def _signal_group(self, sig: int) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def read_events(data_dir: Path) -> list[tuple]:
    """Return every row of the log, read with plain sqlite3."""
    with contextlib.closing(sqlite3.connect(data_dir / "events.db")) as conn:
        return conn.execute(
            "SELECT seq, received_at, name, payload FROM events ORDER BY seq"
        ).fetchall()


def read_rejected(data_dir: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(data_dir / "events.db")) as conn:
        return conn.execute("SELECT reason, body FROM rejected ORDER BY id").fetchall()


def refuse_writes(data_dir: Path) -> None:
    """Make the log refuse every new event, as a failing disk would."""
    with sqlite3.connect(data_dir / "events.db") as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON events "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
