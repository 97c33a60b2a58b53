"""Routes for https://www.googleapis.com/drive/v3/files/...: file metadata,
the spreadsheet list and permissions (what gspread's `share` sends)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.fakegoogle import masks, permissions
from tests.fakegoogle.errors import drive_error
from tests.fakegoogle.sheets_api import Call
from tests.fakegoogle.spreadsheet import Spreadsheet

if TYPE_CHECKING:
    from tests.fakegoogle.fake import FakeGoogle

PREFIX = "/drive/v3/files"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
_PATH = re.compile(r"^/drive/v3/files(?:/([^/]+))?(?:/permissions(?:/([^/]+))?)?/?$")
_NAME_CLAUSE = re.compile(r"name\s*=\s*'((?:[^'\\]|\\.)*)'")


def handle(fake: FakeGoogle, call: Call) -> tuple[int, dict[str, Any] | None]:
    """Serve one Drive call; return (status, JSON body or None for 204)."""
    match = _PATH.match(call.path)
    if match is None:
        raise drive_error(404, "Not Found", "notFound")
    file_id, pid = (unquote(g) if g else None for g in match.groups())
    on_permissions = "/permissions" in call.path
    if file_id is None:
        if call.method == "GET":
            return 200, _list_files(fake, call)
        raise drive_error(405, "Method not allowed.", "methodNotAllowed")
    ss = fake._spreadsheets.get(file_id)
    role = permissions.access_role(ss, call.email or "") if ss else None
    if ss is None or role is None:
        # Drive hides files the caller cannot see: 404, never 403.
        raise drive_error(404, f"File not found: {file_id}.", "notFound", "fileId")
    if not on_permissions and call.method == "GET":
        return 200, _select(call, _file(ss))
    if not on_permissions:
        raise drive_error(405, "Method not allowed.", "methodNotAllowed")
    if call.method == "GET" and pid is None:
        listing = {"kind": "drive#permissionList", "permissions": list(ss.permissions)}
        return 200, _select(call, listing)
    if not permissions.can_write(role):
        raise drive_error(
            403,
            "The user does not have sufficient permissions for this file.",
            "insufficientFilePermissions",
        )
    if call.method == "POST" and pid is None:
        return 200, _create_permission(ss, call)
    if call.method == "DELETE" and pid is not None:
        if not permissions.revoke(ss, pid):
            raise drive_error(
                404, f"Permission not found: {pid}.", "notFound", "permissionId"
            )
        return 204, None
    raise drive_error(405, "Method not allowed.", "methodNotAllowed")


def _create_permission(ss: Spreadsheet, call: Call) -> dict[str, Any]:
    """permissions.create: record it; readers and writers gain access at once."""
    body = call.json()
    body = body if isinstance(body, dict) else {}
    kind, role = body.get("type"), body.get("role")
    if kind not in permissions.TYPES:
        raise drive_error(400, "The permission type field is required.", "required")
    if role not in permissions.ROLE_RANK:
        raise drive_error(
            400, f"The value of the parameter 'role' is invalid: {role}.", "invalid"
        )
    if role == "owner" and not call.flag("transferOwnership"):
        raise drive_error(
            403,
            "The transferOwnership parameter must be enabled when the permission "
            "role is 'owner'.",
            "forbidden",
        )
    email = body.get("emailAddress")
    if kind in ("user", "group") and not email:
        raise drive_error(
            400, "The permission emailAddress field is required.", "required"
        )
    domain = body.get("domain") if kind == "domain" else None
    permission = permissions.grant(
        ss, kind, role, email=email, domain=domain, with_link=bool(body.get("withLink"))
    )
    reply = {key: permission[key] for key in ("kind", "id", "type", "role")}
    if "allowFileDiscovery" in permission:
        reply["allowFileDiscovery"] = permission["allowFileDiscovery"]
    return _select(call, reply) if call.param("fields") else reply


def _file(ss: Spreadsheet) -> dict[str, Any]:
    """Return the Drive file resource of a spreadsheet."""
    return {
        "kind": "drive#file",
        "id": ss.spreadsheet_id,
        "name": ss.properties["title"],
        "mimeType": SPREADSHEET_MIME,
        "createdTime": ss.created,
        "modifiedTime": ss.modified,
    }


def _list_files(fake: FakeGoogle, call: Call) -> dict[str, Any]:
    """files.list over spreadsheets the caller can see; `name = '...'` filters."""
    query = call.param("q") or ""
    name = _NAME_CLAUSE.search(query)
    wanted = name.group(1).replace("\\'", "'") if name else None
    files = [
        _file(ss)
        for ss in fake._spreadsheets.values()
        if permissions.access_role(ss, call.email or "")
        and (wanted is None or ss.properties["title"] == wanted)
    ]
    listing = {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
    return _select(call, listing)


def _select(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """Trim a response to the `fields` parameter."""
    fields = call.param("fields")
    if not fields:
        return body
    try:
        return masks.select(body, masks.parse(fields))
    except masks.MaskSyntaxError:
        raise drive_error(
            400, f"Invalid field selection {fields}", "invalidParameter"
        ) from None
