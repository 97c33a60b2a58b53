"""The HTTP side: one threaded server, and the pipeline every request takes.

Order per API call: recorded, delayed, injected failure, 401, scopes,
disabled API, quota, then the route. Token calls skip the switches and quota.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakegoogle import drive, errors, sheets_api
from tests.fakegoogle.auth import unverified
from tests.fakegoogle.errors import ApiError
from tests.fakegoogle.sheets_api import Call
from tests.fakegoogle.traffic import DROP_CONNECTION

if TYPE_CHECKING:
    from tests.fakegoogle.fake import FakeGoogle

_AUTH = "https://www.googleapis.com/auth/"
_SHEETS_WRITE = {_AUTH + s for s in ("spreadsheets", "drive", "drive.file")}
_SHEETS_READ = _SHEETS_WRITE | {
    _AUTH + "spreadsheets.readonly",
    _AUTH + "drive.readonly",
}
_DRIVE_WRITE = {_AUTH + "drive", _AUTH + "drive.file"}
_DRIVE_READ = _DRIVE_WRITE | {
    _AUTH + "drive.readonly",
    _AUTH + "drive.metadata.readonly",
}
JSON_TYPE = "application/json; charset=UTF-8"
# Google also accepts credentials as query parameters; never record them.
_SECRET_PARAMS = frozenset({"access_token", "key"})


@dataclass
class Reply:
    """What to send back; `drop` closes the connection without an answer."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def json_reply(status: int, body: Any) -> Reply:
    """Return a JSON reply."""
    return Reply(status, json.dumps(body, ensure_ascii=False).encode())


def error_reply(error: ApiError) -> Reply:
    """Return the reply for an ApiError."""
    body, content_type = error.payload()
    return Reply(error.code, body, content_type, dict(error.headers))


def api_of(path: str) -> str:
    """Return which API a path belongs to: oauth, sheets, drive or other."""
    if path == "/token":
        return "oauth"
    if path.startswith(sheets_api.PREFIX):
        return "sheets"
    if path.startswith(drive.PREFIX):
        return "drive"
    return "other"


def dispatch(
    fake: FakeGoogle, method: str, target: str, headers: Any, body: bytes
) -> Reply:
    """Serve one HTTP request and record it."""
    started = time.time()
    split = urlsplit(target)
    path = split.path
    query = parse_qs(split.query, keep_blank_values=True)
    api = api_of(path)
    call = Call(method, path, query, body)
    bearer = (headers.get("Authorization") or "").partition(" ")
    token = fake._issuer.lookup(bearer[2]) if bearer[0].lower() == "bearer" else None
    call.email = token.email if token else None
    if api == "oauth":
        reply = _token(fake, call)
    elif api == "other":
        reply = error_reply(ApiError(404, "Method not found."))
    else:
        reply = _api(fake, call, api, token, has_header=bool(bearer[2]))
    fake._recorder.add(
        {
            "method": method,
            "path": path,
            "query": {
                k: v[0] if len(v) == 1 else v
                for k, v in query.items()
                if k not in _SECRET_PARAMS
            },
            "body_size": len(body),
            "status": DROP_CONNECTION if reply.drop else reply.status,
            "account": call.email,
            "kind": _kind(api, method),
            "api": api,
            "spreadsheet_id": _file_id(api, path),
            "time": started,
            "duration": time.time() - started,
        }
    )
    return reply


def _kind(api: str, method: str) -> str:
    """Return read, write or token; quotas count Sheets reads and writes."""
    if api == "oauth":
        return "token"
    return "read" if method == "GET" else "write"


def _file_id(api: str, path: str) -> str | None:
    """Return the spreadsheet id named in a Sheets or Drive path."""
    if api == "sheets":
        return sheets_api.spreadsheet_id_of(path)
    if api == "drive":
        parts = path[len(drive.PREFIX) :].split("/")
        return unquote(parts[1]) if len(parts) > 1 and parts[1] else None
    return None


def _token(fake: FakeGoogle, call: Call) -> Reply:
    """POST /token: the JWT-bearer exchange."""
    if call.method != "POST":
        return error_reply(ApiError(404, "Method not found."))
    form = {k: v[-1] for k, v in parse_qs(call.body.decode("utf-8", "replace")).items()}
    try:
        call.email = str(unverified(form.get("assertion", ""))[1].get("iss"))
    except ValueError:
        call.email = None
    status, body = fake._issuer.exchange(form)
    return json_reply(status, body)


def _api(fake: FakeGoogle, call: Call, api: str, token: Any, has_header: bool) -> Reply:
    """Run the switches, auth, quota and the route for a Sheets or Drive call."""
    delay = fake._switches.delay(call.path)
    if delay:
        time.sleep(delay)
    kind = _kind(api, call.method)
    account = fake._issuer.accounts.get(call.email or "")
    project = account.project_number if account else 0
    failure = fake._switches.failure(call.path)
    if failure is not None:
        if failure == DROP_CONNECTION:
            return Reply(0, drop=True)
        return error_reply(
            errors.canned(failure, kind, project, fake._quota.per_minute)
        )
    try:
        if token is None or account is None:
            raise errors.unauthenticated(missing=not has_header)
        service = errors.SHEETS_SERVICE if api == "sheets" else errors.DRIVE_SERVICE
        allowed = {
            ("sheets", "read"): _SHEETS_READ,
            ("sheets", "write"): _SHEETS_WRITE,
            ("drive", "read"): _DRIVE_READ,
            ("drive", "write"): _DRIVE_WRITE,
        }[(api, kind)]
        if not token.scopes & allowed:
            raise errors.insufficient_scopes(service)
        if (project, service) in fake._disabled:
            raise errors.service_disabled(project, service)
        if api == "sheets" and not fake._quota.admit(account.email, kind):
            raise errors.quota_exceeded(kind, project, fake._quota.per_minute)
        with fake._lock:
            if api == "sheets":
                return json_reply(200, sheets_api.handle(fake, call))
            status, body = drive.handle(fake, call)
        if body is None:
            return Reply(status, b"", "")
        return json_reply(status, body)
    except ApiError as error:
        return error_reply(error)


class _Handler(BaseHTTPRequestHandler):
    """Hands each request to `dispatch`; keeps connections alive like Google."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits
    # for the client's delayed ACK and every call costs about 40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        """Read the request, dispatch it and write the reply."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            reply = dispatch(
                self.server.fake, self.command, self.path, self.headers, body
            )
        except Exception:
            # A bug in the fake must not pass for a network failure in tests.
            traceback.print_exc(file=sys.stderr)
            reply = error_reply(ApiError(500))
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: paths and queries are the test's business."""


class _Server(ThreadingHTTPServer):
    """A threaded server that knows its fake and ignores client hang-ups."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeGoogle) -> None:
        super().__init__(address, _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore errors from clients that went away mid-request."""


def make_server(fake: FakeGoogle, host: str, port: int) -> _Server:
    """Bind a server for `fake`; port 0 picks a free one."""
    return _Server((host, port), fake)
