"""Connect gspread to Google, or to a stand-in, and word its errors for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gspread
import requests
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials
from gspread.http_client import BackOffHTTPClient, HTTPClient

from service.targets.base import TargetError

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
)
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
# Seconds to wait for one answer from Google.
REQUEST_TIMEOUT = 60
_REQUIRED_KEY_FIELDS = ("client_email", "private_key", "token_uri")


class _Rewrite(requests.adapters.HTTPAdapter):
    """Send requests meant for Google's hosts to another base URL."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        for host in GOOGLE_HOSTS:
            if request.url.startswith(host):
                request.url = self.base + request.url[len(host) :]
        return super().send(request, **kwargs)


class BoundedBackOffClient(BackOffHTTPClient):
    """gspread's back-off client, giving up after `max_retries` retries.

    gspread's own client retries 429 and 5xx with growing sleeps and never
    stops; the sync loop has its own back-off, and a command must end.
    """

    max_retries = 3

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        if self._NR_BACKOFF >= self.max_retries:
            self._NR_BACKOFF = 0
            return HTTPClient.request(self, *args, **kwargs)
        try:
            return super().request(*args, **kwargs)
        except gspread.exceptions.APIError:
            # gspread resets its count only after a success; an error it does
            # not retry would otherwise shorten the next outage's retries.
            self._NR_BACKOFF = 0
            raise


def read_key(path: Path) -> dict:
    """Read a service-account key file, or raise TargetError saying why not."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as ex:
        raise TargetError(
            f"The service-account key {path} does not exist; download a JSON "
            "key for the service account and point BBH_CREDENTIALS to it.",
            retryable=False,
        ) from ex
    except (OSError, ValueError) as ex:
        raise TargetError(
            f"The service-account key {path} is not a JSON key file; download "
            "the key again as JSON from the Google Cloud console.",
            retryable=False,
        ) from ex
    missing = [
        f for f in _REQUIRED_KEY_FIELDS if not isinstance(info, dict) or not info.get(f)
    ]
    if missing or info.get("type") != "service_account":
        raise TargetError(
            f"The key {path} is not a service-account key (missing "
            f"{', '.join(missing) or 'type service_account'}); create a key of "
            "type JSON for a service account.",
            retryable=False,
        )
    return info


def open_client(
    info: dict, api_url: str | None, max_retries: int = 3
) -> gspread.Client:
    """Return a gspread client for the key, talking to `api_url` if given."""
    try:
        credentials = Credentials.from_service_account_info(info, scopes=SCOPES)
    except (ValueError, GoogleAuthError) as ex:
        raise TargetError(
            "The service-account key's private key cannot be read; download a "
            "new JSON key from the Google Cloud console.",
            retryable=False,
        ) from ex
    session = AuthorizedSession(credentials)
    if api_url:
        for host in GOOGLE_HOSTS:
            session.mount(host + "/", _Rewrite(api_url))
    client_class = type(
        "BackOffClient", (BoundedBackOffClient,), {"max_retries": max_retries}
    )
    client = gspread.Client(credentials, session=session, http_client=client_class)
    client.set_timeout(REQUEST_TIMEOUT)
    return client


def explain(ex: Exception, info: dict, spreadsheet: str) -> TargetError:
    """Turn a gspread, google-auth or network error into a sentence to act on."""
    email = info.get("client_email", "the service account")
    # gspread answers a 403 on opening with a bare PermissionError.
    if isinstance(ex, PermissionError) and isinstance(
        ex.__cause__, gspread.exceptions.APIError
    ):
        ex = ex.__cause__
    if isinstance(ex, gspread.exceptions.SpreadsheetNotFound):
        return TargetError(
            f"Spreadsheet {spreadsheet} was not found; check BBH_SPREADSHEET "
            "against the spreadsheet's URL.",
            retryable=False,
        )
    if isinstance(ex, gspread.exceptions.APIError):
        return _explain_api(ex, email, spreadsheet)
    if isinstance(ex, RefreshError):
        return TargetError(
            f"Google refused the service-account key of {email} ({_first(ex)}); "
            "create a new key for the service account and point BBH_CREDENTIALS "
            "to it.",
            retryable=False,
        )
    if isinstance(ex, requests.RequestException | TransportError):
        return TargetError(
            "Google could not be reached; check the network, and the sheet "
            "will catch up by itself.",
            retryable=True,
        )
    return TargetError(f"Google Sheets failed: {ex}", retryable=True)


def _first(ex: Exception) -> str:
    return str(ex.args[0]) if ex.args else type(ex).__name__


def _explain_api(
    ex: gspread.exceptions.APIError, email: str, spreadsheet: str
) -> TargetError:
    code = ex.code
    error = ex.error if isinstance(ex.error, dict) else {}
    message = str(error.get("message", ""))
    reasons = {d.get("reason") for d in error.get("details", []) if isinstance(d, dict)}
    if code == 403 and (
        "SERVICE_DISABLED" in reasons or "has not been used" in message
    ):
        return TargetError(
            "The Google Sheets API is disabled for the service account's "
            "project; enable it in the Google Cloud console (APIs & Services) "
            "and retry.",
            retryable=False,
        )
    if code == 403:
        return TargetError(
            f"The spreadsheet is not shared with {email}; share it with that "
            "address as Editor.",
            retryable=False,
        )
    if code == 404:
        return TargetError(
            f"Spreadsheet {spreadsheet} was not found; check BBH_SPREADSHEET "
            "against the spreadsheet's URL.",
            retryable=False,
        )
    if code == 401:
        return TargetError(
            f"Google refused the credentials of {email}; create a new key for "
            "the service account and point BBH_CREDENTIALS to it.",
            retryable=False,
        )
    if code in (408, 429) or code >= 500:
        return TargetError(
            f"Google Sheets is busy or unavailable (HTTP {code}); the sheet will "
            "catch up by itself.",
            retryable=True,
        )
    return TargetError(
        f"Google Sheets refused a write (HTTP {code}: {message}); run "
        "'bbh-sheets check', and replay once the cause is fixed.",
        retryable=True,
    )
