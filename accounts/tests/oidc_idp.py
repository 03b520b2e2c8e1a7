"""A small OpenID Connect identity provider for tests, served by pytest-httpserver.

It plays the national gateway's side of the authorization-code flow with PKCE:

    idp = FakeIdP(httpserver, client_id="payam", client_secret="s3cret")
    idp.claims = {"sub": "gw-1", "national_code": "0012345679"}
    code, state = idp.authorize(response["Location"])   # the person signs in there
    client.get(callback, {"code": code, "state": state})  # and is sent back to us

It serves the discovery document, the token endpoint (which checks the client,
the redirect URI and the PKCE verifier before issuing an access token and an
RS256-signed ID token), the userinfo endpoint and the JWKS.
"""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PREFIX = "/gateway"


@dataclass
class Grant:
    """What the authorize step handed out: a code bound to one client, redirect
    URI, PKCE challenge and the claims of the person who signed in."""

    redirect_uri: str
    code_challenge: str
    nonce: str | None
    claims: dict[str, Any]


@dataclass
class FakeIdP:
    server: HTTPServer
    client_id: str
    client_secret: str
    claims: dict[str, Any] = field(default_factory=dict)
    # Changes to the ID token only (e.g. {"aud": "someone-else"}); None removes a claim.
    id_token_changes: dict[str, Any] = field(default_factory=dict)
    # Changes to the userinfo response only.
    userinfo_changes: dict[str, Any] = field(default_factory=dict)
    token_status: int = 200
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "gateway-test-key"
        self._grants: dict[str, Grant] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        routes = {
            "/.well-known/openid-configuration": self._discovery,
            "/token": self._token,
            "/userinfo": self._userinfo,
            "/jwks": self._jwks,
        }
        for path, handler in routes.items():
            self.server.expect_request(PREFIX + path).respond_with_handler(handler)

    @property
    def issuer(self) -> str:
        """Also the `server_url` our settings point at."""
        return self.server.url_for(PREFIX)

    @property
    def authorization_endpoint(self) -> str:
        return self.issuer + "/authorize"

    def authorize(self, url: str) -> tuple[str, str]:
        """What the gateway's sign-in page does once the person has signed in:
        check the request our site redirected the browser with, and return the
        (code, state) it sends the browser back with."""
        assert url.startswith(self.authorization_endpoint + "?"), url
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        assert query["response_type"] == "code"
        assert query["client_id"] == self.client_id
        assert "openid" in query["scope"].split()
        assert query["code_challenge_method"] == "S256"
        assert query["code_challenge"]
        code = secrets.token_urlsafe(16)
        self._grants[code] = Grant(
            redirect_uri=query["redirect_uri"],
            code_challenge=query["code_challenge"],
            nonce=query.get("nonce"),
            claims=dict(self.claims),
        )
        return code, query["state"]

    # --- endpoints ---------------------------------------------------------

    def _discovery(self, request: Request) -> Response:
        return self._json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.authorization_endpoint,
                "token_endpoint": self.issuer + "/token",
                "userinfo_endpoint": self.issuer + "/userinfo",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def _token(self, request: Request) -> Response:
        form = request.form.to_dict()
        self.token_requests.append(form)
        if self.token_status != 200:
            return Response("gateway error", status=self.token_status)
        grant = self._grants.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
            or form.get("redirect_uri") != grant.redirect_uri
            or _s256(form.get("code_verifier", "")) != grant.code_challenge
        ):
            return self._json({"error": "invalid_grant"}, status=400)
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = grant.claims
        return self._json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            }
        )

    def _userinfo(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        claims = self._access_tokens.get(token) if scheme == "Bearer" else None
        if claims is None:
            return self._json({"error": "invalid_token"}, status=401)
        return self._json(_changed(claims, self.userinfo_changes))

    def _jwks(self, request: Request) -> Response:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return self._json({"keys": [jwk | {"kid": self.kid, "alg": "RS256", "use": "sig"}]})

    # --- helpers -----------------------------------------------------------

    def _id_token(self, grant: Grant) -> str:
        now = int(time.time())
        payload = grant.claims | {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
        }
        if grant.nonce:
            payload["nonce"] = grant.nonce
        payload = _changed(payload, self.id_token_changes)
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})

    @staticmethod
    def _json(data: dict[str, Any], status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, content_type="application/json")


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _changed(claims: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = claims | changes
    return {key: value for key, value in merged.items() if value is not None}
