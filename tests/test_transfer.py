"""Export and import move the log as JSON lines without changing it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bbh_examples import EXAMPLES, example_bytes
from tests.servers import base_env, read_events, run_cli


def test_export_import_export_is_identical_but_for_seq(
    server, data_dir: Path, tmp_path: Path
) -> None:
    for _, body in EXAMPLES:
        server.post(example_bytes(body))
    first = run_cli(server.env, "export")
    assert first.returncode == 0, first.stderr
    exported = tmp_path / "log.jsonl"
    exported.write_text(first.stdout, encoding="utf-8")

    empty = base_env(tmp_path / "other")
    imported = run_cli(empty, "import", str(exported))
    second = run_cli(empty, "export")

    assert imported.returncode == 0, imported.stderr
    before = [json.loads(line) for line in first.stdout.splitlines()]
    after = [json.loads(line) for line in second.stdout.splitlines()]
    assert len(before) == len(EXAMPLES)
    for record in before + after:
        del record["seq"]
    assert after == before
    assert [row[0] for row in read_events(tmp_path / "other")] == list(
        range(1, len(EXAMPLES) + 1)
    )


def test_raw_bodies_are_imported_stamped_now(tmp_path: Path) -> None:
    lines = "".join(example_bytes(body).decode() + "\n" for _, body in EXAMPLES)
    source = tmp_path / "bodies.jsonl"
    source.write_text(lines + "\n", encoding="utf-8")
    env = base_env(tmp_path / "var")

    result = run_cli(env, "import", str(source))

    assert result.returncode == 0, result.stderr
    rows = read_events(tmp_path / "var")
    assert [row[3] for row in rows] == lines.splitlines()
    assert [row[2] for row in rows] == [body["event"] for _, body in EXAMPLES]


def test_bad_line_is_named_and_nothing_is_imported(tmp_path: Path) -> None:
    good = example_bytes(EXAMPLES[0][1]).decode()
    source = tmp_path / "bodies.jsonl"
    source.write_text(f'{good}\n{good}\n{{"event": 3}}\n{good}\n', encoding="utf-8")
    env = base_env(tmp_path / "var")

    result = run_cli(env, "import", str(source))

    assert result.returncode == 1
    assert (
        'Line 3: The body has no string "event" field; name the event, such as '
        '"order:new". Nothing was imported.'
    ) in result.stderr
    assert read_events(tmp_path / "var") == []


def test_record_with_a_bad_time_is_refused(tmp_path: Path) -> None:
    payload = example_bytes(EXAMPLES[0][1]).decode()
    record = {"seq": 1, "received_at": "yesterday", "name": "client:new"}
    source = tmp_path / "records.jsonl"
    source.write_text(json.dumps({**record, "payload": payload}) + "\n")

    result = run_cli(base_env(tmp_path / "var"), "import", str(source))

    assert result.returncode == 1
    assert "Line 1: received_at is not a time" in result.stderr
