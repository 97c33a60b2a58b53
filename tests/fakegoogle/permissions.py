"""Drive permissions on spreadsheets: who may read or write them."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.fakegoogle.spreadsheet import Spreadsheet

ROLE_RANK = {
    "reader": 1,
    "commenter": 2,
    "writer": 3,
    "fileOrganizer": 4,
    "organizer": 5,
    "owner": 6,
}
TYPES = ("user", "group", "domain", "anyone")


def can_write(role: str) -> bool:
    """Return whether a role may change the spreadsheet."""
    return ROLE_RANK.get(role, 0) >= ROLE_RANK["writer"]


def access_role(ss: Spreadsheet, email: str) -> str | None:
    """Return the strongest role `email` holds on the spreadsheet, if any."""
    domain = email.rpartition("@")[2].lower()
    best: str | None = None
    for permission in ss.permissions:
        kind = permission["type"]
        grantee = permission.get("emailAddress", "").lower()
        granted = (
            kind == "anyone"
            or (kind in ("user", "group") and grantee == email.lower())
            or (kind == "domain" and permission.get("domain", "").lower() == domain)
        )
        if granted and ROLE_RANK[permission["role"]] > ROLE_RANK.get(best or "", 0):
            best = permission["role"]
    return best


def permission_id(kind: str, value: str, with_link: bool) -> str:
    """Return a stable Drive-style id: digits for people, names for `anyone`."""
    if kind == "anyone":
        return "anyoneWithLink" if with_link else "anyone"
    digest = hashlib.sha256(f"{kind}:{value.lower()}".encode()).hexdigest()
    return str(int(digest[:16], 16)).rjust(20, "0")[:20]


def grant(
    ss: Spreadsheet,
    kind: str,
    role: str,
    email: str | None = None,
    domain: str | None = None,
    with_link: bool = False,
) -> dict[str, Any]:
    """Add or update a permission; Drive keeps one per grantee."""
    value = email or domain or ""
    pid = permission_id(kind, value, with_link)
    permission: dict[str, Any] = {
        "kind": "drive#permission",
        "id": pid,
        "type": kind,
        "role": role,
    }
    if email:
        permission["emailAddress"] = email
        permission["displayName"] = email.split("@")[0]
    if domain:
        permission["domain"] = domain
    if kind in ("anyone", "domain"):
        permission["allowFileDiscovery"] = not with_link
    permission["deleted"] = False
    ss.permissions[:] = [p for p in ss.permissions if p["id"] != pid] + [permission]
    return permission


def revoke(ss: Spreadsheet, pid: str) -> bool:
    """Remove a permission by id; return whether it existed."""
    kept = [p for p in ss.permissions if p["id"] != pid]
    found = len(kept) != len(ss.permissions)
    ss.permissions[:] = kept
    return found
