"""Google's error bodies: one exception type that knows how to render itself."""

from __future__ import annotations

import json
from typing import Any

SHEETS_SERVICE = "sheets.googleapis.com"
DRIVE_SERVICE = "drive.googleapis.com"
SERVICE_TITLES = {
    SHEETS_SERVICE: "Google Sheets API",
    DRIVE_SERVICE: "Google Drive API",
}

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: (
        "Request had invalid authentication credentials. Expected OAuth 2 access "
        "token, login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    408: "Request timed out.",
    409: "The operation was aborted.",
    500: "Internal error encountered.",
    501: "Operation is not implemented, or supported, or enabled.",
    503: "The service is currently unavailable.",
    504: "Deadline expired before operation could complete.",
}

# Google's front end answers 502 with an HTML page, not JSON; clients that
# parse every error body as JSON trip over exactly this.
BAD_GATEWAY_HTML = (
    "<!DOCTYPE html>\n<html lang=en>\n<meta charset=utf-8>\n"
    "<title>Error 502 (Server Error)!!1</title>\n"
    "<p><b>502.</b> <ins>That's an error.</ins>\n"
    "<p>The server encountered a temporary error and could not complete your "
    "request.<p>Please try again in 30 seconds. <ins>That's all we know.</ins>\n"
)

CELL_LIMIT = 10_000_000
CELL_LIMIT_MESSAGE = (
    "This action would increase the number of cells in the workbook above the "
    f"limit of {CELL_LIMIT} cells."
)
CELL_CHARS = 50_000
CELL_CHARS_MESSAGE = (
    f"Your input contains more than the maximum of {CELL_CHARS} characters in a "
    "single cell."
)


class ApiError(Exception):
    """A refusal the server sends as Google would: status, JSON body, headers."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        details: list[dict[str, Any]] | None = None,
        *,
        status: str | None = None,
        body: dict[str, Any] | None = None,
        html: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES.get(code)
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details
        self.custom_body = body
        self.html = html
        self.headers = headers or {}
        super().__init__(f"{code} {self.message}")

    def body(self) -> dict[str, Any]:
        """Return the JSON body, `{"error": {code, message, status, details?}}`."""
        if self.custom_body is not None:
            return self.custom_body
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message or "",
            "status": self.status,
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}

    def payload(self) -> tuple[bytes, str]:
        """Return the encoded body and its content type."""
        if self.html is not None:
            return self.html.encode(), "text/html; charset=UTF-8"
        return json.dumps(self.body()).encode(), "application/json; charset=UTF-8"

    def prefixed(self, prefix: str) -> ApiError:
        """Return a copy whose message starts with `prefix`."""
        return ApiError(
            self.code, prefix + (self.message or ""), self.details, status=self.status
        )


def invalid(message: str) -> ApiError:
    """Return a 400 INVALID_ARGUMENT with `message`."""
    return ApiError(400, message)


def invalid_value(field: str, value: Any) -> ApiError:
    """Return the 400 protobuf sends when `values` is not a list of lists."""
    message = (
        f"Invalid value at '{field}' (type.googleapis.com/google.protobuf.ListValue), "
        + json.dumps(value, ensure_ascii=False)
    )
    violation = {"field": field, "description": message}
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [violation],
        }
    ]
    return ApiError(400, message, details)


def unauthenticated(missing: bool) -> ApiError:
    """Return Google's 401 for a missing or an unknown/expired token."""
    if missing:
        message = (
            "Request is missing required authentication credential. Expected OAuth 2 "
            "access token, login cookie or other valid authentication credential. "
            "See https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
        reason = "CREDENTIALS_MISSING"
    else:
        message = DEFAULT_MESSAGES[401]
        reason = "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": SHEETS_SERVICE, "method": "google.apps.sheets.v4"},
    }
    headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
    return ApiError(401, message, [info], headers=headers)


def insufficient_scopes(service: str) -> ApiError:
    """Return the 403 for a token whose scopes do not cover the call."""
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "domain": "googleapis.com",
        "metadata": {"service": service},
    }
    return ApiError(403, "Request had insufficient authentication scopes.", [info])


def service_disabled(project_number: int, service: str = SHEETS_SERVICE) -> ApiError:
    """Return the 403 SERVICE_DISABLED for an API off in the caller's project."""
    title = SERVICE_TITLES.get(service, service)
    url = (
        f"https://console.developers.google.com/apis/api/{service}/overview"
        f"?project={project_number}"
    )
    # Limitation: Google appends "If you enabled this API recently, wait a few
    # minutes..."; the fake stops at "then retry." so tests can match it whole.
    message = (
        f"{title} has not been used in project {project_number} before or it is "
        f"disabled. Enable it by visiting {url} then retry."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "SERVICE_DISABLED",
            "domain": "googleapis.com",
            "metadata": {
                "service": service,
                "consumer": f"projects/{project_number}",
                "activationUrl": url,
                "serviceTitle": title,
                "containerInfo": str(project_number),
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
            "locale": "en-US",
            "message": message,
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {"description": "Google developers console API activation", "url": url}
            ],
        },
    ]
    return ApiError(403, message, details)


def quota_exceeded(kind: str, project_number: int, limit: int) -> ApiError:
    """Return the 429 for the per-user read or write quota of `kind`."""
    word = "Read" if kind == "read" else "Write"
    message = (
        f"Quota exceeded for quota metric '{word} requests' and limit "
        f"'{word} requests per minute per user' of service '{SHEETS_SERVICE}' "
        f"for consumer 'project_number:{project_number}'."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_location": "global",
                "quota_metric": f"{SHEETS_SERVICE}/{word.lower()}_requests",
                "quota_limit": f"{word}RequestsPerMinutePerUser",
                "quota_limit_value": str(limit),
                "consumer": f"projects/{project_number}",
                "service": SHEETS_SERVICE,
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                }
            ],
        },
    ]
    return ApiError(429, message, details)


def canned(code: int, kind: str, project_number: int, limit: int) -> ApiError:
    """Return the body Google sends for `code`, for injected failures."""
    if code == 429:
        return quota_exceeded(kind, project_number, limit)
    if code == 502:
        return ApiError(502, html=BAD_GATEWAY_HTML)
    if code == 401:
        return unauthenticated(missing=False)
    return ApiError(code)


def drive_error(code: int, message: str, reason: str, location: str = "") -> ApiError:
    """Return a Drive v3 error, which still carries the legacy `errors[]` list."""
    item: dict[str, Any] = {"message": message, "domain": "global", "reason": reason}
    if location:
        item.update(locationType="parameter", location=location)
    body = {"error": {"code": code, "message": message, "errors": [item]}}
    return ApiError(code, message, body=body)
