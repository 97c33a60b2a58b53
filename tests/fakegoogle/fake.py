"""FakeGoogle: the server's lifecycle, its state and the API tests drive."""

from __future__ import annotations

import datetime as dt
import secrets
import string
import threading
from collections.abc import Iterable
from typing import Any

from tests.fakegoogle import errors, permissions
from tests.fakegoogle.auth import ServiceAccount, TokenIssuer
from tests.fakegoogle.inspection import Inspection
from tests.fakegoogle.server import _Server, make_server
from tests.fakegoogle.sheetops import new_sheet_properties
from tests.fakegoogle.spreadsheet import Sheet, Spreadsheet
from tests.fakegoogle.traffic import Quota, Recorder, Switches

_ID_CHARS = string.ascii_letters + string.digits + "-_"
DEFAULT_OWNER = "owner@example.com"


class FakeGoogle(Inspection):
    """A local stand-in for Sheets v4, the OAuth token endpoint and Drive sharing.

    Usage: `with FakeGoogle() as fake: ...`, or `start()` and `stop()`.
    """

    def __init__(
        self,
        quota_per_minute: int = 60,
        minute_seconds: float = 60.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host = host
        self.port = port
        self._lock = threading.RLock()
        self._spreadsheets: dict[str, Spreadsheet] = {}
        self._issuer = TokenIssuer()
        self._quota = Quota(quota_per_minute, minute_seconds)
        self._switches = Switches()
        self._recorder = Recorder()
        self._disabled: set[tuple[int, str]] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> FakeGoogle:
        """Bind the port and serve in a daemon thread; return self."""
        if self._server is None:
            self._server = make_server(self, self.host, self.port)
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="fakegoogle", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Return the base URL, e.g. `http://127.0.0.1:PORT` (after start)."""
        return f"http://{self.host}:{self.port}"

    # Accounts and access

    def add_service_account(
        self,
        email: str = "bbh@fake-project.iam.gserviceaccount.com",
        project_number: int = 1234,
        project_id: str | None = None,
    ) -> ServiceAccount:
        """Create a service account with a fresh RSA key and trust its public half."""
        account = ServiceAccount(email, project_number, lambda: self.url, project_id)
        self._issuer.register(account)
        return account

    def revoke_tokens(self) -> None:
        """Invalidate every access token; clients must fetch new ones."""
        self._issuer.revoke_all()

    def disable_api(
        self, project_number: int, service: str = errors.SHEETS_SERVICE
    ) -> None:
        """Answer 403 SERVICE_DISABLED to accounts of this project."""
        self._disabled.add((project_number, service))

    def enable_api(
        self, project_number: int, service: str = errors.SHEETS_SERVICE
    ) -> None:
        """Undo `disable_api`."""
        self._disabled.discard((project_number, service))

    def share(self, spreadsheet_id: str, email: str, role: str = "writer") -> None:
        """Give `email` a role on the spreadsheet, as the owner would."""
        with self._lock:
            ss = self._spreadsheets[spreadsheet_id]
            permissions.grant(ss, "user", role, email=email)

    def unshare(self, spreadsheet_id: str, email: str) -> None:
        """Take away every role `email` holds on the spreadsheet."""
        with self._lock:
            ss = self._spreadsheets[spreadsheet_id]
            ss.permissions[:] = [
                p for p in ss.permissions if p.get("emailAddress") != email
            ]

    def permissions(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """Return the spreadsheet's Drive permissions."""
        with self._lock:
            return [dict(p) for p in self._spreadsheets[spreadsheet_id].permissions]

    # Spreadsheets

    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        spreadsheet_id: str | None = None,
        share_with: Iterable[str] = (),
        owner: str = DEFAULT_OWNER,
        sheets: list[dict[str, Any]] | None = None,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
    ) -> str:
        """Create a spreadsheet with `Sheet1` (sheetId 0, 1000x26); return its id.

        `share_with` accounts get the writer role; `sheets` replaces the default
        tab with sheets built from these properties.
        """
        spreadsheet_id = spreadsheet_id or "1" + "".join(
            secrets.choice(_ID_CHARS) for _ in range(43)
        )
        properties = {
            "title": title,
            "locale": locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": time_zone,
        }
        ss = Spreadsheet(spreadsheet_id, properties)
        ss.created = ss.modified = _now()
        for given in sheets or [{"sheetId": 0, "title": "Sheet1"}]:
            ss.sheets.append(Sheet(new_sheet_properties(ss, given)))
        ss.reindex()
        if owner:
            permissions.grant(ss, "user", "owner", email=owner)
        for email in share_with:
            permissions.grant(ss, "user", "writer", email=email)
        with self._lock:
            if spreadsheet_id in self._spreadsheets:
                raise ValueError(f"Spreadsheet {spreadsheet_id} already exists.")
            self._spreadsheets[spreadsheet_id] = ss
        return spreadsheet_id

    def delete_spreadsheet(self, spreadsheet_id: str) -> None:
        """Remove a spreadsheet; later calls get 404."""
        with self._lock:
            del self._spreadsheets[spreadsheet_id]

    def _touch(self, ss: Spreadsheet) -> None:
        """Note a change for Drive's modifiedTime."""
        ss.modified = _now()

    # Traffic

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Return a copy of every recorded request, oldest first."""
        return self._recorder.snapshot()

    def requests_matching(self, **wanted: Any) -> list[dict[str, Any]]:
        """Return records whose fields equal the given ones.

        Fields: method, path, status, account, kind (read, write, token), api
        (sheets, drive, oauth), spreadsheet_id; `path_contains` matches a part.
        """
        return self._recorder.matching(**wanted)

    def write_count(self, spreadsheet_id: str | None = None) -> int:
        """Return how many Sheets write requests arrived (any outcome)."""
        found = self.requests_matching(
            api="sheets", kind="write", spreadsheet_id=spreadsheet_id
        )
        return len(found)

    def read_count(self, spreadsheet_id: str | None = None) -> int:
        """Return how many Sheets read requests arrived (any outcome)."""
        found = self.requests_matching(
            api="sheets", kind="read", spreadsheet_id=spreadsheet_id
        )
        return len(found)

    def status_count(self, status: int, api: str | None = None) -> int:
        """Return how many requests were answered with `status`."""
        return len(self.requests_matching(status=status, api=api))

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self._recorder.clear()

    # Switches

    def fail_next(
        self, status: int, count: int = 1, path_contains: str | None = None
    ) -> None:
        """Fail the next `count` Sheets/Drive requests with Google's body for
        `status`; 0 drops the connection without an answer."""
        self._switches.fail_next(status, count, path_contains)

    def fail_for(
        self, status: int, seconds: float, path_contains: str | None = None
    ) -> None:
        """Fail every Sheets/Drive request with `status` for `seconds`."""
        self._switches.fail_for(status, seconds, path_contains)

    def set_delay(
        self, seconds: float, count: int | None = None, path_contains: str | None = None
    ) -> None:
        """Hold Sheets/Drive requests `seconds` before answering."""
        self._switches.set_delay(seconds, count, path_contains)

    def reset_switches(self) -> None:
        """Remove failures and delays."""
        self._switches.reset()

    def set_quota(
        self, per_minute: int | None = None, minute_seconds: float | None = None
    ) -> None:
        """Change the per-user quota or the length of its minute; counters restart."""
        if per_minute is not None:
            self._quota.per_minute = per_minute
        if minute_seconds is not None:
            self._quota.minute_seconds = minute_seconds
        self._quota.reset()

    def reset_quota(self) -> None:
        """Start every quota window afresh."""
        self._quota.reset()


def _now() -> str:
    """Return the current UTC time as Drive writes it."""
    moment = dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


__all__ = ["FakeGoogle", "ServiceAccount"]
