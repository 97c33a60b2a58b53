"""Settings read once from the environment and passed down as one object."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("vi", "en")
TOKEN_FILE = "webhook_token"
DATABASE_FILE = "events.db"
WORKBOOK_FILE = "sheets.xlsx"

# A spreadsheet id is what Google puts between /d/ and the next slash of the
# URL staff copy from the browser.
_SPREADSHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_SPREADSHEET_ID = re.compile(r"[A-Za-z0-9_-]{10,}")
_API_URL = re.compile(r"https?://[^/\s]+")


class SettingsError(Exception):
    """A setting in the environment is missing or has a wrong value."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    data_dir: Path
    webhook_token: str | None
    bind: str
    spreadsheet: str | None
    credentials: Path
    sheets_api_url: str | None
    language: str
    timezone: ZoneInfo
    sync_interval: float

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_FILE

    @property
    def workbook(self) -> Path:
        return self.data_dir / WORKBOOK_FILE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every BBH_* variable; raise SettingsError on a bad one."""
        env = os.environ if env is None else env
        token = env.get("BBH_WEBHOOK_TOKEN") or None
        if token is not None and not _is_usable_token(token):
            raise SettingsError(
                "BBH_WEBHOOK_TOKEN must be 16 to 200 letters, digits, '-' or '_'; "
                "set another value or unset it to have one generated."
            )
        return cls(
            data_dir=Path(env.get("BBH_DATA_DIR") or "var"),
            webhook_token=token,
            bind=_read_bind(env.get("BBH_BIND") or "127.0.0.1:8000"),
            spreadsheet=_read_spreadsheet(env.get("BBH_SPREADSHEET") or None),
            credentials=Path(env.get("BBH_CREDENTIALS") or "credentials.json"),
            sheets_api_url=_read_api_url(env.get("BBH_SHEETS_API_URL") or None),
            language=_read_language(env.get("BBH_LANGUAGE") or "vi"),
            timezone=_read_timezone(env.get("BBH_TIMEZONE") or "Asia/Ho_Chi_Minh"),
            sync_interval=_read_interval(env.get("BBH_SYNC_INTERVAL") or "2"),
        )


def _is_usable_token(token: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_-]{16,200}", token) is not None


def _read_bind(value: str) -> str:
    host, _, port = value.rpartition(":")
    if value.startswith("unix:") or (host and port.isdigit() and int(port) < 65536):
        return value
    raise SettingsError(
        f"BBH_BIND is {value!r}; use HOST:PORT such as '127.0.0.1:8000'."
    )


def _read_spreadsheet(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    found = _SPREADSHEET_URL.search(value)
    if found:
        return found.group(1)
    if _SPREADSHEET_ID.fullmatch(value):
        return value
    raise SettingsError(
        f"BBH_SPREADSHEET is {value!r}; use the spreadsheet's URL as the browser "
        "shows it, or the id between /d/ and the next slash."
    )


def _read_api_url(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.rstrip("/")
    if _API_URL.fullmatch(value):
        return value
    raise SettingsError(
        f"BBH_SHEETS_API_URL is {value!r}; use scheme://host:port with no path, "
        "such as 'http://127.0.0.1:8081'."
    )


def _read_language(value: str) -> str:
    if value in LANGUAGES:
        return value
    raise SettingsError(f"BBH_LANGUAGE is {value!r}; use 'vi' or 'en'.")


def _read_timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as ex:
        raise SettingsError(
            f"BBH_TIMEZONE is {value!r}; use an IANA time zone such as "
            "'Asia/Ho_Chi_Minh'."
        ) from ex


def _read_interval(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if 0 < seconds <= 3600:
        return seconds
    raise SettingsError(
        f"BBH_SYNC_INTERVAL is {value!r}; use a number of seconds between 0 and "
        "3600, such as 2."
    )


def read_token(settings: Settings) -> str | None:
    """Return the token given or kept in the data directory, if any."""
    if settings.webhook_token is not None:
        return settings.webhook_token
    path = settings.data_dir / TOKEN_FILE
    if not path.exists():
        return None
    token = path.read_text(encoding="ascii").strip()
    return token if _is_usable_token(token) else None


def ensure_token(settings: Settings) -> tuple[str, bool]:
    """Return the webhook token and whether it was generated just now.

    A token given in BBH_WEBHOOK_TOKEN wins; otherwise the one kept in the
    data directory is used, or a new one is generated there, readable only
    by the owner.
    """
    token = read_token(settings)
    if token is not None:
        return token, False
    path = settings.data_dir / TOKEN_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(token + "\n")
    return token, True


def webhook_url(settings: Settings, token: str) -> str:
    """Return the local URL BotBanHang should post to."""
    host, _, port = settings.bind.rpartition(":")
    if host in ("0.0.0.0", "::", "[::]", ""):
        host = "127.0.0.1"
    return f"http://{host}:{port}/webhook/{token}"
