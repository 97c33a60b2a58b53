"""`bbh-sheets simulate` fills a running service as a new user would see."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.servers import TOKEN, Server, base_env, free_port, run_cli


def test_simulate_posts_every_event_to_the_running_service(tmp_path: Path) -> None:
    # A generated token, as after `make run`: simulate reads it from the data
    # directory it shares with the service.
    server = Server(tmp_path / "var", token=None).start()
    try:
        result = run_cli(
            server.env, "simulate", "--events", "200", "--rate", "0", "--seed", "3"
        )
        health = requests.get(server.url + "/health", timeout=10).json()
    finally:
        server.stop()

    assert result.returncode == 0, result.stderr
    assert "Posted 200 events in" in result.stderr
    assert "200 accepted, 0 refused, 0 failed." in result.stderr
    assert health["events"] == 200
    token = (tmp_path / "var" / "webhook_token").read_text().strip()
    assert token not in result.stdout + result.stderr


def test_simulate_without_a_service_says_how_to_start_it(tmp_path: Path) -> None:
    port = free_port()
    env = base_env(
        tmp_path / "var", BBH_BIND=f"127.0.0.1:{port}", BBH_WEBHOOK_TOKEN=TOKEN
    )

    result = run_cli(env, "simulate", "--events", "5")

    assert result.returncode == 1
    assert (
        f"Could not reach the service at http://127.0.0.1:{port}; start it with "
        "'make run' and try again."
    ) in result.stderr


def test_simulate_before_the_first_start_makes_no_token(tmp_path: Path) -> None:
    env = base_env(tmp_path / "var", BBH_BIND=f"127.0.0.1:{free_port()}")

    result = run_cli(env, "simulate", "--events", "5")

    assert result.returncode == 1
    assert "There is no webhook token in" in result.stderr
    assert not (tmp_path / "var" / "webhook_token").exists()
