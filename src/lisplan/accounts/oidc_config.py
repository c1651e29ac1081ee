"""OpenID Connect providers from the environment (read by settings.py; no Django imports)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Provider:
    key: str  # "helseid", "entra_unn", …: the name in LISPLAN_OIDC_PROVIDERS
    label: str  # shown on the sign-in button
    issuer: str
    client_id: str
    client_secret: str = ""
    private_key_file: str = ""
    scopes: tuple[str, ...] = ("openid", "profile")
    use_par: bool = False
    extra_params: dict = field(default_factory=dict)

    @property
    def client_auth(self) -> str:
        return "private_key_jwt" if self.private_key_file else "client_secret_post"


def _env(key: str, name: str, default: str = "") -> str:
    return os.environ.get(f"LISPLAN_OIDC_{key.upper()}_{name}", default).strip()


def providers_from_env() -> dict[str, Provider]:
    """`LISPLAN_OIDC_PROVIDERS=helseid,entra_unn` and per provider `LISPLAN_OIDC_<KEY>_…`:
    ISSUER, CLIENT_ID, CLIENT_SECRET or PRIVATE_KEY_FILE, SCOPES, LABEL, PAR (1/0; on for
    HelseID), RESOURCE (HelseID API resource, optional)."""
    out = {}
    for key in [
        k.strip().lower()
        for k in os.environ.get("LISPLAN_OIDC_PROVIDERS", "").split(",")
        if k.strip()
    ]:
        helseid = key.startswith("helseid")
        issuer = _env(key, "ISSUER")
        client_id = _env(key, "CLIENT_ID")
        if not issuer or not client_id:
            raise RuntimeError(
                f"LISPLAN_OIDC_{key.upper()}_ISSUER and _CLIENT_ID must be set "
                f"(provider {key!r} is listed in LISPLAN_OIDC_PROVIDERS)."
            )
        default_scopes = (
            "openid profile helseid://scopes/identity/pid helseid://scopes/hpr/hpr_number"
            if helseid
            else "openid profile email"
        )
        extra = {}
        if _env(key, "RESOURCE"):
            extra["resource"] = _env(key, "RESOURCE")
        out[key] = Provider(
            key=key,
            label=_env(key, "LABEL", "HelseID" if helseid else "Entra ID"),
            issuer=issuer.rstrip("/"),
            client_id=client_id,
            client_secret=_env(key, "CLIENT_SECRET"),
            private_key_file=_env(key, "PRIVATE_KEY_FILE"),
            scopes=tuple(_env(key, "SCOPES", default_scopes).split()),
            use_par=_env(key, "PAR", "1" if helseid else "0") in {"1", "true", "yes", "on"},
            extra_params=extra,
        )
    return out
