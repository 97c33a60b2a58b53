"""Run the fake alone: `python -m tests.fakegoogle [--port P] [--quota N]`.

It creates a service account and a shared spreadsheet, writes the key file
and prints the settings that point bbh-sheets at it, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from tests.fakegoogle import FakeGoogle


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command-line options."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakegoogle")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--quota", type=int, default=60, help="requests per minute")
    parser.add_argument("--minute-seconds", type=float, default=60.0)
    parser.add_argument("--key-file", default="fake-credentials.json")
    parser.add_argument("--email", default="bbh@fake-project.iam.gserviceaccount.com")
    parser.add_argument("--title", default="Đơn hàng shop")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Start the fake, print how to use it and serve until interrupted."""
    args = parse_args(argv)
    fake = FakeGoogle(
        quota_per_minute=args.quota,
        minute_seconds=args.minute_seconds,
        host=args.host,
        port=args.port,
    ).start()
    account = fake.add_service_account(email=args.email)
    key_file = account.write_key_file(Path(args.key_file).resolve())
    spreadsheet_id = fake.create_spreadsheet(args.title, share_with=[account.email])
    print(f"Fake Google listening on {fake.url}")
    print(f"BBH_SHEETS_API_URL={fake.url}")
    print(f"BBH_CREDENTIALS={key_file}")
    print(f"BBH_SPREADSHEET={spreadsheet_id}")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
