"""A small OpenID Connect provider for the browser tests, on 127.0.0.1.

Authorization-code flow with RS256 id tokens signed by joserfc (Authlib's JOSE library), the same way a real provider
(Google, Entra, Okta, Keycloak) answers Streamlit's ``st.login``: discovery document, a sign-in
form that asks for an email (no password: whoever types an email is that person), a token
endpoint that checks the client's secret and the code, the signing keys, and userinfo.

What the token says about the email is the test's to choose: ``email_verified`` true by default;
``Provider(email_verified=False)`` says false, ``Provider(email_verified=None)`` is a provider that never
sends the claim. The sign-in form can override it per sign-in ("Verified": true, false, or no claim),
and an empty email field signs in an account whose token has no email claim at all.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

NO_CLAIM = "no claim"  # the sign-in form's choice: the token carries no email_verified


class Provider:
    def __init__(self, client_id: str = "sales-dashboard", client_secret: str | None = None,
                 email_verified: bool | None = True):
        self.client_id = client_id
        self.email_verified = email_verified  # None: the claim is never sent
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"}, private=True)
        self.codes: dict[str, dict] = {}  # code → what the token endpoint hands out for it
        self.tokens: dict[str, dict] = {}  # access token → the claims it stands for
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                provider._get(self)

            def do_POST(self) -> None:  # noqa: N802
                provider._post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------ endpoints

    def _get(self, req: BaseHTTPRequestHandler) -> None:
        url = urllib.parse.urlsplit(req.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            _json(req, {
                "issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                "userinfo_endpoint": f"{self.url}/userinfo", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})
        elif url.path == "/jwks":
            _json(req, {"keys": [self.key.as_dict(private=False)]})
        elif url.path == "/authorize":
            if query.get("client_id") != self.client_id or query.get("response_type") != "code":
                return _json(req, {"error": "invalid_request"}, 400)
            hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                             for k, v in query.items())
            _send(req, 200, "text/html; charset=utf-8", f"""<!doctype html><meta charset="utf-8">
                <title>Test sign-in</title>
                <form method="post" action="/authorize">{hidden}
                <label>Email <input name="email" type="text" autofocus></label>
                <label>Verified <select name="email_verified">
                  <option value="">as this provider says</option><option>true</option><option>false</option>
                  <option>{NO_CLAIM}</option></select></label>
                <button type="submit">Continue</button></form>""".encode())
        elif url.path == "/userinfo":
            token = req.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in self.tokens:
                return _json(req, {"error": "invalid_token"}, 401)
            _json(req, self.tokens[token])
        else:
            _send(req, 404, "text/plain", b"not found")

    def _post(self, req: BaseHTTPRequestHandler) -> None:
        body = req.rfile.read(int(req.headers.get("Content-Length") or 0)).decode()
        form = dict(urllib.parse.parse_qsl(body))
        if req.path == "/authorize":  # the person typed an email: back to the app with a one-time code
            code = secrets.token_urlsafe(16)
            chosen = form.get("email_verified") or ""
            verified = {"": self.email_verified, "true": True, "false": False, NO_CLAIM: None}[chosen]
            self.codes[code] = {"claims": _claims(form.get("email", ""), verified), "nonce": form.get("nonce"),
                                "redirect_uri": form["redirect_uri"]}
            target = form["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": form.get("state", "")})
            req.send_response(302)
            req.send_header("Location", target)
            req.end_headers()
        elif req.path == "/token":
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
            basic = req.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                pair = base64.b64decode(basic[6:]).decode()
                client_id, client_secret = (urllib.parse.unquote(p) for p in pair.split(":", 1))
            grant = self.codes.pop(form.get("code", ""), None)
            if (client_id, client_secret) != (self.client_id, self.client_secret):
                return _json(req, {"error": "invalid_client"}, 401)
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                return _json(req, {"error": "invalid_grant"}, 400)
            now = int(time.time())
            claims = {**grant["claims"], "iss": self.url, "aud": self.client_id, "iat": now,
                      "exp": now + 3600, **({"nonce": grant["nonce"]} if grant["nonce"] else {})}
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
            access = secrets.token_urlsafe(16)
            self.tokens[access] = grant["claims"]
            _json(req, {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "id_token": id_token,
                        "scope": "openid email profile"})
        else:
            _send(req, 404, "text/plain", b"not found")


def _claims(email: str, verified: bool | None) -> dict:
    """An account's claims: no ``email`` when none was typed, no ``email_verified`` when ``verified`` is None."""
    if not email:
        return {"sub": "account-" + secrets.token_hex(4), "name": "No Email"}
    return {"sub": email.lower(), "email": email, "name": email.split("@")[0],
            **({} if verified is None else {"email_verified": verified})}


def _json(req: BaseHTTPRequestHandler, data: dict, status: int = 200) -> None:
    _send(req, status, "application/json", json.dumps(data).encode())


def _send(req: BaseHTTPRequestHandler, status: int, kind: str, body: bytes) -> None:
    req.send_response(status)
    req.send_header("Content-Type", kind)
    req.send_header("Content-Length", str(len(body)))
    req.send_header("Cache-Control", "no-store")
    req.end_headers()
    req.wfile.write(body)
