"""Fixtures for the fake Google tests: one server, one account, gspread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gspread
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError

from tests.fakegoogle import FakeGoogle, ServiceAccount
from tests.fakegoogle.adapter import mount

EMAIL = "bbh@fake-project.iam.gserviceaccount.com"
PROJECT = 1234
TITLE = "Đơn hàng shop"
SCOPES = list(gspread.auth.DEFAULT_SCOPES)
ROOT = Path(__file__).resolve().parent.parent


def connect(fake: FakeGoogle, info: dict[str, Any]) -> gspread.Client:
    """Return a gspread client whose Google hosts point at the fake."""
    client = gspread.service_account_from_dict(info)
    mount(client.http_client.session, fake.url)
    return client


def other_private_key() -> str:
    """Return a PEM key the fake has never seen."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def error_of(info: pytest.ExceptionInfo[APIError]) -> dict[str, Any]:
    """Return the `error` object of an APIError's body."""
    return info.value.response.json()["error"]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogle]:
    # The shared server gets a quota this suite cannot reach; the quota test
    # runs its own server with a small one.
    with FakeGoogle(quota_per_minute=100_000) as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(fake: FakeGoogle) -> Iterator[None]:
    yield
    fake.reset_switches()


@pytest.fixture(scope="module")
def account(fake: FakeGoogle) -> ServiceAccount:
    return fake.add_service_account(email=EMAIL, project_number=PROJECT)


@pytest.fixture(scope="module")
def gc(
    fake: FakeGoogle, account: ServiceAccount, tmp_path_factory: pytest.TempPathFactory
) -> gspread.Client:
    key_file = account.write_key_file(tmp_path_factory.mktemp("keys") / "key.json")
    client = gspread.service_account(filename=str(key_file))
    mount(client.http_client.session, fake.url)
    return client


@pytest.fixture
def sheet_id(fake: FakeGoogle, account: ServiceAccount) -> str:
    return fake.create_spreadsheet(TITLE, share_with=[account.email])


@pytest.fixture
def sh(gc: gspread.Client, sheet_id: str) -> gspread.Spreadsheet:
    return gc.open_by_key(sheet_id)


@pytest.fixture
def ws(sh: gspread.Spreadsheet) -> gspread.Worksheet:
    return sh.sheet1


@pytest.fixture
def http(fake: FakeGoogle, account: ServiceAccount) -> AuthorizedSession:
    creds = Credentials.from_service_account_info(account.info, scopes=SCOPES)
    return AuthorizedSession(creds)
