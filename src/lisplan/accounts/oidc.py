"""OpenID Connect sign-in: HelseID and Entra ID (decision 0008).

The protocol lives here, without views: configuration from the environment (`providers()`),
the authorization request (`begin`: PKCE S256, and for HelseID a pushed authorization request
so the browser redirect carries only `client_id` and `request_uri`), the code exchange with
client authentication (`private_key_jwt` from a key file, or a client secret), and the ID-token
checks (`validate_id_token`: signature against the provider's JWKS, issuer, audience, expiry,
nonce). JOSE is joserfc; HTTP is requests.

Users are keyed on (issuer, subject) (`ExternalIdentity`); the HPR number is linked when the
provider gives it; the national identity number (`pid`) is read by nobody and stored nowhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, import_key

from lisplan.accounts.oidc_config import Provider

# Claims HelseID uses for the HPR number; Entra ID has none.
HPR_CLAIMS = ("helseid://claims/hpr/hpr_number", "hpr_number")
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]
LEEWAY_SECONDS = 60
HTTP_TIMEOUT = 10


class OIDCError(Exception):
    """A sign-in that must be refused; `reason` is a short code for the security log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def providers() -> dict[str, Provider]:
    return getattr(settings, "LISPLAN_OIDC_PROVIDERS", {})


def get_provider(key: str) -> Provider | None:
    return providers().get(key)


# --- provider metadata and keys ------------------------------------------------------------


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise OIDCError("provider_unreachable", f"{url}: {type(exc).__name__}") from exc


def metadata(provider: Provider) -> dict:
    key = f"oidc-meta:{provider.issuer}"
    data = cache.get(key)
    if data is None:
        data = _get_json(provider.issuer + "/.well-known/openid-configuration")
        if data.get("issuer", "").rstrip("/") != provider.issuer:
            raise OIDCError("issuer_mismatch", "discovery document names another issuer")
        cache.set(key, data, 3600)
    return data


def jwks(provider: Provider, refresh: bool = False) -> KeySet:
    key = f"oidc-jwks:{provider.issuer}"
    data = None if refresh else cache.get(key)
    if data is None:
        data = _get_json(metadata(provider)["jwks_uri"])
        cache.set(key, data, 3600)
    return KeySet.import_key_set(data)


def private_key(provider: Provider):
    """The client's signing key, from the file named by PRIVATE_KEY_FILE (a JWK or PEM)."""
    text = Path(provider.private_key_file).read_text()
    if text.lstrip().startswith("{"):
        return import_key(json.loads(text))
    return import_key(text, "RSA" if "RSA" in text or "BEGIN PRIVATE KEY" in text else "EC")


# --- requests to the provider --------------------------------------------------------------


def client_assertion(provider: Provider, audience: str) -> str:
    """`private_key_jwt` (RFC 7523): a short-lived JWT signed with the client's key."""
    key = private_key(provider)
    now = int(time.time())
    header = {"alg": "RS256" if key.key_type == "RSA" else "ES256", "typ": "JWT"}
    if key.kid:
        header["kid"] = key.kid
    claims = {
        "iss": provider.client_id,
        "sub": provider.client_id,
        "aud": audience,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + 60,
    }
    return jwt.encode(header, claims, key)


def _client_auth(provider: Provider) -> dict:
    if provider.client_auth == "private_key_jwt":
        return {
            "client_id": provider.client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(provider, provider.issuer),
        }
    return {"client_id": provider.client_id, "client_secret": provider.client_secret}


def _post(url: str, data: dict, reason: str) -> dict:
    try:
        response = requests.post(
            url, data=data, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"}
        )
    except requests.RequestException as exc:
        raise OIDCError("provider_unreachable", f"{url}: {type(exc).__name__}") from exc
    if response.status_code >= 400:
        try:
            error = response.json().get("error", "")
        except ValueError:
            error = ""
        raise OIDCError(reason, f"HTTP {response.status_code} {error}"[:200])
    try:
        return response.json()
    except ValueError as exc:
        raise OIDCError(reason, "not JSON") from exc


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def begin(provider: Provider, redirect_uri: str) -> tuple[str, dict]:
    """The URL to send the browser to, and what to keep in the session for the callback."""
    meta = metadata(provider)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    params = {
        "client_id": provider.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": " ".join(provider.scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **provider.extra_params,
    }
    if provider.use_par:
        endpoint = meta.get("pushed_authorization_request_endpoint")
        if not endpoint:
            raise OIDCError("par_unsupported", "no pushed_authorization_request_endpoint")
        pushed = _post(endpoint, {**params, **_client_auth(provider)}, "par_refused")
        if not pushed.get("request_uri"):
            raise OIDCError("par_refused", "no request_uri")
        # Only these two travel through the browser (HelseID's requirement).
        query = {"client_id": provider.client_id, "request_uri": pushed["request_uri"]}
    else:
        query = params
    pending = {
        "provider": provider.key,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "started": time.time(),
    }
    return meta["authorization_endpoint"] + "?" + urlencode(query), pending


def exchange_code(provider: Provider, code: str, pending: dict) -> dict:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": pending["redirect_uri"],
        "code_verifier": pending["verifier"],
        **_client_auth(provider),
    }
    tokens = _post(metadata(provider)["token_endpoint"], data, "token_refused")
    if not tokens.get("id_token"):
        raise OIDCError("no_id_token")
    return tokens


def validate_id_token(provider: Provider, id_token: str, nonce: str) -> dict:
    """The ID token's claims after checking signature, issuer, audience, expiry and nonce."""
    try:
        header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
    except (ValueError, IndexError) as exc:
        raise OIDCError("bad_token", "unreadable header") from exc
    if header.get("alg") not in SIGNING_ALGORITHMS:  # never "none", never HMAC
        raise OIDCError("bad_signature", f"algorithm {header.get('alg')!r}")
    keys = jwks(provider)
    if header.get("kid") and not any(k.kid == header["kid"] for k in keys.keys):
        keys = jwks(provider, refresh=True)  # the provider rotated its keys
    try:
        token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
    except JoseError as exc:
        raise OIDCError("bad_signature", type(exc).__name__) from exc
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        claim = getattr(exc, "claim", "") or ""
        reason = {
            "iss": "bad_issuer",
            "aud": "bad_audience",
            "exp": "expired",
            "nonce": "bad_nonce",
            "iat": "bad_iat",
            "sub": "no_subject",
        }.get(claim)
        if reason is None:
            reason = "expired" if "expired" in type(exc).__name__.lower() else "bad_claims"
        raise OIDCError(reason, type(exc).__name__) from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise OIDCError("bad_audience", "azp")
    return claims


def person(claims: dict) -> dict:
    """What lisplan keeps from the claims: names, e-mail and the HPR number — not `pid`."""
    hpr = next((str(claims[c]) for c in HPR_CLAIMS if claims.get(c)), "")
    return {
        "first_name": str(claims.get("given_name", ""))[:150],
        "last_name": str(claims.get("family_name", ""))[:150],
        "name": str(claims.get("name", ""))[:300],
        "email": str(claims.get("email", "") or claims.get("preferred_username", ""))[:254]
        if "@" in str(claims.get("email", "") or claims.get("preferred_username", ""))
        else "",
        "hpr_number": hpr if hpr.isdigit() and len(hpr) <= 9 else "",
    }
