"""Check a Google setup in plain words, and share the spreadsheet with staff."""

from __future__ import annotations

import re

from projections import TABS
from service.settings import Settings
from service.status import TITLES as STATUS_TITLES
from service.targets.base import TargetError
from service.targets.google import GoogleTarget

ROLES = ("reader", "writer")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def google_target(settings: Settings) -> GoogleTarget:
    """Return the Google target, or say which setting is missing."""
    if not settings.spreadsheet:
        raise TargetError(
            "BBH_SPREADSHEET is not set, so the service writes the local "
            "workbook; set it to the spreadsheet's URL to use Google Sheets.",
            retryable=False,
        )
    # One retry at most: a command should answer within seconds.
    return GoogleTarget.from_settings(settings, max_retries=1)


def check(settings: Settings) -> list[str]:
    """Reach the spreadsheet as the service would; return what was found.

    Raises TargetError with the first problem and its fix.
    """
    target = google_target(settings)
    titles = target.titles()
    book = target.spreadsheet()
    # Reading works for viewers too: write the title back, changing nothing,
    # to learn whether the service account may edit.
    unchanged = {
        "updateSpreadsheetProperties": {
            "properties": {"title": book.title},
            "fields": "title",
        }
    }
    target.call(lambda: book.batch_update({"requests": [unchanged]}))
    ours = [tab.title(settings.language) for tab in TABS]
    ours.append(STATUS_TITLES[settings.language])
    lines = [
        f"Spreadsheet: {book.title}",
        f"URL: {book.url}",
        f"Service account: {target.client_email}",
        "Tabs it writes: "
        + ", ".join(f"{t} (exists)" if t in titles else f"{t} (new)" for t in ours),
    ]
    return lines


def share(settings: Settings, email: str, role: str) -> None:
    """Share the spreadsheet with a team member as reader or writer."""
    if not _EMAIL.fullmatch(email):
        raise TargetError(
            f"{email!r} is not an email address; give the Google account's "
            "address, such as lan@gmail.com.",
            retryable=False,
        )
    target = google_target(settings)
    book = target.spreadsheet()
    target.call(lambda: book.share(email, perm_type="user", role=role))
