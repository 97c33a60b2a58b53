"""Service accounts and the OAuth token endpoint (JWT-bearer grant)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth always signs for Google's token URL, whatever token_uri says.
TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
TOKEN_LIFETIME = 3599
MAX_ASSERTION_SECONDS = 3600
SHORT_LIVED = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
    "reasonable timeframe. Check your iat and exp values in the JWT claim."
)


class ServiceAccount:
    """A service account the fake knows: its key pair and its key file."""

    def __init__(
        self,
        email: str,
        project_number: int,
        base_url: Callable[[], str],
        project_id: str | None = None,
    ) -> None:
        self.email = email
        self.project_number = project_number
        self.project_id = project_id or email.split("@")[-1].split(".")[0]
        self.private_key_id = secrets.token_hex(20)
        self.client_id = str(secrets.randbelow(10**20) + 10**20)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.public_pem = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            .decode()
        )
        self._base_url = base_url

    @property
    def info(self) -> dict[str, str]:
        """Return the service-account key JSON, token_uri pointing at the fake."""
        quoted = self.email.replace("@", "%40")
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": self.private_key_id,
            "private_key": self.private_key_pem,
            "client_email": self.email,
            "client_id": self.client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self._base_url() + "/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": (
                f"https://www.googleapis.com/robot/v1/metadata/x509/{quoted}"
            ),
            "universe_domain": "googleapis.com",
        }

    def write_key_file(self, path: str | Path) -> Path:
        """Write the key JSON to `path` and return the path."""
        path = Path(path)
        path.write_text(json.dumps(self.info, indent=2) + "\n", encoding="utf-8")
        return path


@dataclass(frozen=True)
class Token:
    """An issued access token."""

    email: str
    scopes: frozenset[str]
    expires_at: float


class TokenIssuer:
    """Checks JWT assertions against registered keys and issues access tokens."""

    def __init__(self) -> None:
        self.accounts: dict[str, ServiceAccount] = {}
        self.tokens: dict[str, Token] = {}
        self.lock = threading.Lock()

    def register(self, account: ServiceAccount) -> None:
        """Make an account's public key trusted."""
        with self.lock:
            self.accounts[account.email] = account

    def lookup(self, value: str) -> Token | None:
        """Return the live token with this value, None if unknown or expired."""
        with self.lock:
            token = self.tokens.get(value)
        if token is None or token.expires_at <= time.time():
            return None
        return token

    def revoke_all(self) -> None:
        """Forget every issued token, so the next API call gets a 401."""
        with self.lock:
            self.tokens.clear()

    def exchange(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer a token request: (status, JSON body) as Google's endpoint does."""
        grant = form.get("grant_type", "")
        if grant != JWT_BEARER:
            return 400, _oauth_error(
                "unsupported_grant_type", f"Invalid grant_type: {grant}"
            )
        assertion = form.get("assertion", "")
        try:
            header, claims = unverified(assertion)
        except ValueError:
            return 400, _oauth_error("invalid_grant", "Invalid JWT Signature.")
        account = self.accounts.get(str(claims.get("iss")))
        if account is None:
            return 400, _oauth_error(
                "invalid_grant", "Invalid grant: account not found"
            )
        if header.get("kid") not in (None, account.private_key_id):
            return 400, _oauth_error("invalid_grant", "Invalid JWT Signature.")
        refusal = _verify(assertion, account)
        if refusal:
            return 400, _oauth_error("invalid_grant", refusal)
        scopes = frozenset(str(claims.get("scope", "")).split())
        if not scopes:
            return 400, _oauth_error(
                "invalid_scope", "Invalid OAuth scope or ID token audience provided."
            )
        value = "ya29." + secrets.token_urlsafe(48)
        with self.lock:
            self.tokens[value] = Token(
                account.email, scopes, time.time() + TOKEN_LIFETIME
            )
        body = {
            "access_token": value,
            "expires_in": TOKEN_LIFETIME,
            "token_type": "Bearer",
        }
        return 200, body


def _verify(assertion: str, account: ServiceAccount) -> str | None:
    """Return why Google would refuse the assertion, None if it is good."""
    try:
        claims = jwt.decode(
            assertion, certs=account.public_pem, audience=TOKEN_AUDIENCE
        )
    except ValueError as error:
        text = str(error).lower()
        if "audience" in text:
            return (
                "Invalid JWT: Failed audience check. The right audience is "
                + TOKEN_AUDIENCE
            )
        if "expired" in text or "early" in text or "iat" in text or "exp" in text:
            return SHORT_LIVED
        return "Invalid JWT Signature."
    if int(claims.get("exp", 0)) - int(claims.get("iat", 0)) > MAX_ASSERTION_SECONDS:
        return SHORT_LIVED
    return None


def unverified(assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the JWT header and claims without checking the signature."""
    parts = assertion.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    try:
        header, claims = (
            json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            for part in parts[:2]
        )
    except (ValueError, TypeError) as error:
        raise ValueError("not a JWT") from error
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("not a JWT")
    return header, claims


def _oauth_error(code: str, description: str) -> dict[str, str]:
    """Return the token endpoint's error body."""
    return {"error": code, "error_description": description}
