"""A fake OpenID Connect provider for the tests: a real HTTP server on 127.0.0.1 with its own
signing keys (JWKS), discovery, pushed authorization requests (PAR), the authorization
endpoint, and the token endpoint — checking PKCE S256 and the client's `private_key_jwt` or
secret like HelseID and Entra ID do. `tamper` makes it issue a bad ID token of one kind."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class FakeProvider:
    def __init__(
        self, client_id: str, client_public_key=None, client_secret: str = "", par: bool = True
    ) -> None:
        self.client_id = client_id
        self.client_public_key = client_public_key
        self.client_secret = client_secret
        self.par = par
        self.key = RSAKey.generate_key(2048, parameters={"kid": "op-1", "use": "sig"})
        self.claims: dict = {"sub": "subject-123", "given_name": "Hanne", "family_name": "Helse"}
        self.tamper = ""
        self.pushed: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}
        self.authorize_queries: list[dict] = []
        self.assertions: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- what the endpoints do ----------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "jwks_uri": self.url + "/jwks",
            "pushed_authorization_request_endpoint": self.url + "/par",
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"],
        }

    def check_client(self, form: dict) -> str | None:
        """None when the client authenticated, else an OAuth error code."""
        if form.get("client_id") != self.client_id:
            return "invalid_client"
        if self.client_public_key is not None:
            if (
                form.get("client_assertion_type")
                != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ):
                return "invalid_client"
            try:
                token = jwt.decode(form.get("client_assertion", ""), self.client_public_key)
                jwt.JWTClaimsRegistry(
                    iss={"essential": True, "value": self.client_id},
                    sub={"essential": True, "value": self.client_id},
                    aud={"essential": True, "value": self.url},
                    exp={"essential": True},
                    jti={"essential": True},
                ).validate(token.claims)
            except Exception:
                return "invalid_client"
            self.assertions.append(token.claims)
            return None
        return None if form.get("client_secret") == self.client_secret else "invalid_client"

    def par_endpoint(self, form: dict):
        error = self.check_client(form)
        if error:
            return 401, {"error": error}
        uri = "urn:ietf:params:oauth:request_uri:" + secrets.token_urlsafe(16)
        self.pushed[uri] = form
        return 201, {"request_uri": uri, "expires_in": 60}

    def authorize(self, query: dict):
        self.authorize_queries.append(query)
        if self.par:
            params = self.pushed.pop(query.get("request_uri", ""), None)
            if params is None or query.get("client_id") != self.client_id:
                return 400, {"error": "invalid_request_uri"}
        else:
            params = query
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return 400, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        self.codes[code] = params
        location = (
            params["redirect_uri"] + "?" + urlencode({"code": code, "state": params["state"]})
        )
        return 302, location

    def token(self, form: dict):
        error = self.check_client(form)
        if error:
            return 401, {"error": error}
        params = self.codes.pop(form.get("code", ""), None)
        if params is None or params["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        challenge = (
            base64.urlsafe_b64encode(
                hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            )
            .rstrip(b"=")
            .decode()
        )
        if challenge != params["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        return 200, {
            "access_token": "at-" + secrets.token_urlsafe(8),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(params["nonce"]),
        }

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "auth_time": now,
            **self.claims,
        }
        key = self.key
        if self.tamper == "bad_signature":  # same kid, another key
            key = RSAKey.generate_key(2048, parameters={"kid": "op-1"})
        elif self.tamper == "bad_issuer":
            claims["iss"] = "https://evil.example"
        elif self.tamper == "bad_audience":
            claims["aud"] = "someone-else"
        elif self.tamper == "expired":
            claims["exp"], claims["iat"] = now - 3600, now - 7200
        elif self.tamper == "bad_nonce":
            claims["nonce"] = "not-the-nonce"
        elif self.tamper == "alg_none":
            header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=")
            body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
            return (header + b"." + body + b".").decode()
        return jwt.encode({"alg": "RS256", "kid": "op-1"}, claims, key)

    def _handler(self):
        op = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status, body):
                if status == 302:
                    self.send_response(302)
                    self.send_header("Location", body)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    self._send(200, op.discovery())
                elif parts.path == "/jwks":
                    self._send(200, KeySet([op.key]).as_dict(private=False))
                elif parts.path == "/authorize":
                    self._send(*op.authorize(query))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path == "/par":
                    self._send(*op.par_endpoint(form))
                elif self.path == "/token":
                    self._send(*op.token(form))
                else:
                    self._send(404, {"error": "not_found"})

        return Handler
