"""`bbh-sheets check` and `share` against the fake Google, as staff run them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakegoogle_fixtures import other_private_key
from tests.google_fixtures import (
    EMAIL,
    PROJECT_NUMBER,
    SPREADSHEET_TITLE,
    GoogleSheet,
)
from tests.servers import free_port, run_cli

MISSING_SHEET = "1NoSuchSpreadsheetAnywhere0000000000"
STRANGER = "someone-else@other-project.iam.gserviceaccount.com"
NOT_SHARED = (
    f"The spreadsheet is not shared with {EMAIL}; share it with that address as Editor."
)
API_DISABLED = (
    "The Google Sheets API is disabled for the service account's project; "
    "enable it in the Google Cloud console (APIs & Services) and retry."
)
NO_SPREADSHEET = (
    "BBH_SPREADSHEET is not set, so the service writes the local workbook; "
    "set it to the spreadsheet's URL to use Google Sheets."
)
TAB_TITLES = {
    "vi": [
        "Đơn hàng",
        "Chi tiết đơn",
        "Khách hàng",
        "Sản phẩm & danh mục",
        "Backlink",
        "Trạng thái",
    ],
    "en": ["Orders", "Order lines", "Clients", "Catalog", "Backlinks", "Status"],
}

# A broken setup: it changes the sheet or the environment, and returns the
# sentence `check` must print.
Env = dict[str, str]
Breakage = Callable[[GoogleSheet, Env, Path], str]


def write_key(env: Env, folder: Path, content: str) -> Path:
    """Write a key file and point BBH_CREDENTIALS to it."""
    path = folder / "key-under-test.json"
    path.write_text(content, encoding="utf-8")
    env["BBH_CREDENTIALS"] = str(path)
    return path


def no_key_file(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    path = folder / "credentials.json"
    env["BBH_CREDENTIALS"] = str(path)
    return (
        f"The service-account key {path} does not exist; download a JSON key "
        "for the service account and point BBH_CREDENTIALS to it."
    )


def key_not_json(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    path = write_key(env, folder, "client_email = bbh@shop\n")
    return (
        f"The service-account key {path} is not a JSON key file; download the "
        "key again as JSON from the Google Cloud console."
    )


def user_key(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    oauth_client = {
        "type": "authorized_user",
        "client_id": "1234.apps.googleusercontent.com",
        "client_secret": "not-a-service-account",
        "refresh_token": "1//refresh",
    }
    path = write_key(env, folder, json.dumps(oauth_client))
    return (
        f"The key {path} is not a service-account key (missing client_email, "
        "private_key, token_uri); create a key of type JSON for a service account."
    )


def key_json_list(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    path = write_key(env, folder, json.dumps([sheet.account.info]))
    return (
        f"The key {path} is not a service-account key (missing client_email, "
        "private_key, token_uri); create a key of type JSON for a service account."
    )


def key_of_other_type(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    info = {**sheet.account.info, "type": "external_account"}
    path = write_key(env, folder, json.dumps(info))
    return (
        f"The key {path} is not a service-account key (missing type "
        "service_account); create a key of type JSON for a service account."
    )


def unreadable_private_key(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    broken = "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n"
    info = {**sheet.account.info, "private_key": broken}
    write_key(env, folder, json.dumps(info))
    return (
        "The service-account key's private key cannot be read; download a new "
        "JSON key from the Google Cloud console."
    )


def key_refused(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    info = {**sheet.account.info, "private_key": other_private_key()}
    write_key(env, folder, json.dumps(info))
    return (
        f"Google refused the service-account key of {EMAIL} (invalid_grant: "
        "Invalid JWT Signature.); create a new key for the service account and "
        "point BBH_CREDENTIALS to it."
    )


def account_unknown(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    info = {
        **sheet.account.info,
        "client_email": STRANGER,
        "private_key": other_private_key(),
    }
    write_key(env, folder, json.dumps(info))
    return (
        f"Google refused the service-account key of {STRANGER} (invalid_grant: "
        "Invalid grant: account not found); create a new key for the service "
        "account and point BBH_CREDENTIALS to it."
    )


def spreadsheet_missing(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    env["BBH_SPREADSHEET"] = MISSING_SHEET
    return (
        f"Spreadsheet {MISSING_SHEET} was not found; check BBH_SPREADSHEET "
        "against the spreadsheet's URL."
    )


def not_shared(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    sheet.fake.unshare(sheet.spreadsheet_id, EMAIL)
    return NOT_SHARED


def shared_as_viewer(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    sheet.fake.unshare(sheet.spreadsheet_id, EMAIL)
    sheet.fake.share(sheet.spreadsheet_id, EMAIL, role="reader")
    return NOT_SHARED


def google_unreachable(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    env["BBH_SHEETS_API_URL"] = f"http://127.0.0.1:{free_port()}"
    return (
        "Google could not be reached; check the network, and the sheet will "
        "catch up by itself."
    )


def api_disabled(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    sheet.fake.disable_api(PROJECT_NUMBER)
    return API_DISABLED


def spreadsheet_unset(sheet: GoogleSheet, env: Env, folder: Path) -> str:
    del env["BBH_SPREADSHEET"]
    return NO_SPREADSHEET


BREAKAGES: list[Breakage] = [
    no_key_file,
    key_not_json,
    user_key,
    key_json_list,
    key_of_other_type,
    unreadable_private_key,
    key_refused,
    account_unknown,
    spreadsheet_missing,
    not_shared,
    shared_as_viewer,
    api_disabled,
    google_unreachable,
    spreadsheet_unset,
]


@pytest.mark.parametrize(
    "breakage", BREAKAGES, ids=[b.__name__.replace("_", "-") for b in BREAKAGES]
)
def test_check_says_what_is_wrong_and_how_to_fix_it(
    sheet: GoogleSheet, data_dir: Path, tmp_path: Path, breakage: Breakage
) -> None:
    env = sheet.env(data_dir)
    message = breakage(sheet, env, tmp_path)

    result = run_cli(env, "check")

    assert result.returncode == 1
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_check_names_the_spreadsheet_its_url_and_the_tabs_it_writes(
    sheet: GoogleSheet, data_dir: Path, language: str
) -> None:
    sid = sheet.spreadsheet_id
    existing, *missing = TAB_TITLES[language]
    sheet.fake.add_sheet(sid, existing)

    result = run_cli(sheet.env(data_dir, BBH_LANGUAGE=language), "check")

    assert result.returncode == 0, result.stderr
    tabs = [f"{existing} (exists)"] + [f"{title} (new)" for title in missing]
    assert result.stdout.splitlines() == [
        f"Spreadsheet: {SPREADSHEET_TITLE}",
        f"URL: https://docs.google.com/spreadsheets/d/{sid}",
        f"Service account: {EMAIL}",
        "Tabs it writes: " + ", ".join(tabs),
        "All is well: the service can write this spreadsheet.",
    ]


def test_check_takes_the_spreadsheet_url_from_the_browser(
    sheet: GoogleSheet, data_dir: Path
) -> None:
    sid = sheet.spreadsheet_id
    url = f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0"

    result = run_cli(sheet.env(data_dir, BBH_SPREADSHEET=url), "check")

    assert result.returncode == 0, result.stderr
    assert f"Spreadsheet: {SPREADSHEET_TITLE}" in result.stdout.splitlines()


@pytest.mark.parametrize("role", ["writer", "reader"])
def test_share_gives_a_team_member_a_role(
    sheet: GoogleSheet, data_dir: Path, role: str
) -> None:
    result = run_cli(
        sheet.env(data_dir), "share", "lan.nguyen@gmail.com", "--role", role
    )

    assert result.returncode == 0, result.stderr
    assert (
        result.stdout
        == f"Shared the spreadsheet with lan.nguyen@gmail.com as {role}.\n"
    )
    granted = {
        p["emailAddress"]: p["role"]
        for p in sheet.fake.permissions(sheet.spreadsheet_id)
        if p["type"] == "user"
    }
    assert granted["lan.nguyen@gmail.com"] == role


def test_share_is_a_reader_role_unless_told(sheet: GoogleSheet, data_dir: Path) -> None:
    result = run_cli(sheet.env(data_dir), "share", "hung.tran@gmail.com")

    assert result.returncode == 0, result.stderr
    roles = [
        p["role"]
        for p in sheet.fake.permissions(sheet.spreadsheet_id)
        if p.get("emailAddress") == "hung.tran@gmail.com"
    ]
    assert roles == ["reader"]


@pytest.mark.parametrize("email", ["lan", "lan nguyen@gmail.com"])
def test_share_refuses_what_is_not_an_email_address(
    sheet: GoogleSheet, data_dir: Path, email: str
) -> None:
    before = sheet.fake.permissions(sheet.spreadsheet_id)

    result = run_cli(sheet.env(data_dir), "share", email, "--role", "writer")

    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {email!r} is not an email address; give the Google account's "
        "address, such as lan@gmail.com.\n"
    )
    assert sheet.fake.permissions(sheet.spreadsheet_id) == before
    assert sheet.fake.requests_matching(api="drive") == []


def test_share_refuses_an_unknown_role(sheet: GoogleSheet, data_dir: Path) -> None:
    result = run_cli(sheet.env(data_dir), "share", "lan@gmail.com", "--role", "owner")

    assert result.returncode == 2
    assert "'owner' is not one of 'reader', 'writer'" in result.stderr
    assert sheet.fake.requests == []
