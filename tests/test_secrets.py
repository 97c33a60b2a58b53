"""The token never reaches the service's output, whatever happens."""

from __future__ import annotations

import socket
from pathlib import Path

import requests

from tests.servers import TOKEN, Server, base_env, free_port, refuse_writes, run_cli


def send_raw(server: Server, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        sock.recv(4096)


def test_token_never_appears_in_output(server: Server, data_dir: Path) -> None:
    server.post('{"event": "client:new", "data": {"id": "1"}}')
    server.post(b"not json")
    requests.post(server.url + "/webhook/" + TOKEN + "x", data=b"{}")
    requests.get(server.webhook)
    # Malformed request lines that make gunicorn itself log what it read.
    send_raw(server, f"POST /webhook/{TOKEN} HTTP/9.9\r\n\r\n".encode())
    send_raw(server, f"POST /webhook/{TOKEN} BAD\r\n\r\n".encode())
    # Break the log under the running service so the handler fails.
    refuse_writes(data_dir)
    failed = server.post('{"event": "client:new", "data": {"id": "2"}}')
    server.stop()

    output = server.output()
    assert failed.status_code == 503
    assert "log unwritable" in output
    assert "event stored" in output
    assert TOKEN not in output


def test_generated_token_is_printed_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    first = Server(data_dir, token=None).start()
    first.stop()
    second = Server(data_dir, token=None).start()
    second.stop()

    token = (data_dir / "webhook_token").read_text().strip()
    assert f"/webhook/{token}" in first.output()
    assert first.output().count(token) == 1
    assert token not in second.output()
    assert (data_dir / "webhook_token").stat().st_mode & 0o077 == 0


def test_given_token_is_never_printed(tmp_path: Path) -> None:
    server = Server(tmp_path / "var").start()
    server.post('{"event": "client:new", "data": {"id": "1"}}')
    server.stop()

    assert TOKEN not in server.output()


def test_bad_setting_is_named_with_the_fix(tmp_path: Path) -> None:
    env = base_env(tmp_path, BBH_LANGUAGE="fr", BBH_BIND=f"127.0.0.1:{free_port()}")

    result = run_cli(env, "serve")

    assert result.returncode == 2
    assert "BBH_LANGUAGE is 'fr'; use 'vi' or 'en'." in result.stderr
