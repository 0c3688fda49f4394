#!/usr/bin/env python3
"""A small Bearer token issuer for docker-registry's `auth: token`, for tests on loopback.

Grants every scope it is asked for to anyone (anonymous), as Docker Hub does for public pulls,
except push to repositories under readonly/ (for missing-scope tests), and signs RS256 JWTs with
the key whose certificate the registry trusts. Standard library plus
the openssl CLI only.

    token-issuer.py DIR PORT      # DIR holds key.pem and cert.pem (made with openssl)
Logs one line per token to DIR/issuer.log: the scopes requested.
"""
import base64, hashlib, json, subprocess, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

DIR, PORT = sys.argv[1], int(sys.argv[2])
ISSUER, SERVICE = "hoist-test-issuer", "hoist-test-registry"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_id() -> str:
    """libtrust's key ID, which docker-registry matches against its trusted certificates' keys."""
    pem = subprocess.run(["openssl", "x509", "-in", f"{DIR}/cert.pem", "-pubkey", "-noout"], check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pem, check=True, capture_output=True).stdout
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


KID = key_id()


def token(scopes):
    access = []
    for scope in scopes:
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        granted = [a for a in actions.split(",") if a and not (a == "push" and name.startswith("readonly/"))]
        access.append({"type": kind, "name": name, "actions": granted})
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "kid": KID}
    claims = {"iss": ISSUER, "sub": "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now,
              "jti": str(uuid.uuid4()), "access": access}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{DIR}/key.pem"], input=signing_input.encode(),
                               check=True, capture_output=True).stdout
    return f"{signing_input}.{b64(signature)}"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path != "/token" or query.get("service") != [SERVICE]:
            self.send_response(400)
            self.end_headers()
            return
        scopes = query.get("scope", [])
        with open(f"{DIR}/issuer.log", "a") as log:
            log.write(" ".join(scopes) + "\n")
        body = json.dumps({"token": token(scopes), "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        """OAuth2 refresh grant (Docker's identity tokens): only the refresh token "hoist-identity-token"."""
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != ["hoist-identity-token"]:
            self.send_response(401)
            self.end_headers()
            return
        scopes = " ".join(form.get("scope", [])).split()
        with open(f"{DIR}/issuer.log", "a") as log:
            log.write("oauth2 " + " ".join(scopes) + "\n")
        body = json.dumps({"access_token": token(scopes), "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
