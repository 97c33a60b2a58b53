"""Point a requests session (gspread's) at the fake without patching anything.

gspread binds Google's URLs as constants at import, so the test client mounts
this adapter on its session: it rewrites both Google hosts to the fake.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


class RedirectAdapter(HTTPAdapter):
    """Send requests for Google's API hosts to `base_url`, paths unchanged."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        """Rewrite the host, then send as usual."""
        url = request.url or ""
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                request.url = self.base_url + url[len(host) :]
                break
        return super().send(request, **kwargs)


def mount(session: requests.Session, base_url: str) -> None:
    """Mount the redirect for both Google hosts on `session`."""
    adapter = RedirectAdapter(base_url)
    for host in GOOGLE_HOSTS:
        session.mount(host + "/", adapter)
