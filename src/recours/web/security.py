"""The security baseline of every response (ARCHITECTURE.md, "Security baseline").

One ASGI middleware, in this order:

1. **Host check** against DNS rebinding: only ``127.0.0.1:<port>`` and ``localhost:<port>``.
2. **Launch token**, as in Jupyter since notebook 4.3 (research/aesthetics-reliability.md
   §B.7): the URL printed at start carries a random token; presenting it creates a
   session (HttpOnly, SameSite=Strict cookie) and redirects to the same page without it.
   Without a session, every page but the quick exit and static files answers 403. Scripts
   may send ``Authorization: Bearer <token>`` instead.
3. **Cross-origin check** on unsafe methods (model: datasette ``csrf.py``): a request that
   a browser marks as coming from another site (``Sec-Fetch-Site`` or ``Origin``) is
   refused. HTML forms also carry the session's CSRF token, checked by the routes.
4. **Headers** on every response: strict CSP without inline script or style,
   ``frame-ancestors 'none'``, ``no-referrer``, ``no-store``, ``nosniff``.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from recours.domain.common import Lang
from recours.web.sessions import COOKIE, SessionStore

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
# Reachable without a session: the quick exit must always work; static files hold no data.
PUBLIC_PATHS = frozenset({"/sortie"})
PUBLIC_PREFIXES = ("/static/",)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        launch_token: str,
        allowed_hosts: set[str],
        sessions: SessionStore,
        default_lang: Lang,
    ) -> None:
        self.app = app
        self.launch_token = launch_token
        self.allowed_hosts = allowed_hosts
        self.sessions = sessions
        self.default_lang = default_lang

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                headers = [(k, v) for k, v in message.get("headers", []) if k not in names]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("host", "") not in self.allowed_hosts:
            await _plain(send_with_headers, 400, "Adresse non autorisée. / Host not allowed.")
            return
        if scope["method"] in UNSAFE_METHODS and _cross_site(headers):
            await _plain(
                send_with_headers,
                403,
                "Requête d’un autre site refusée. / Cross-site request refused.",
            )
            return

        path: str = scope["path"]
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        presented = dict(query).get("token")
        if presented is not None:
            await self._exchange_token(presented, path, query, headers, send_with_headers)
            return

        session_id = _cookie(headers, COOKIE)
        session = self.sessions.get(session_id)
        bearer = headers.get("authorization", "")
        token_ok = bearer.startswith("Bearer ") and secrets.compare_digest(
            bearer.removeprefix("Bearer ").encode(), self.launch_token.encode()
        )
        if session is None and token_ok:
            _, session = self.sessions.create(self.default_lang)
        if session is None and path not in PUBLIC_PATHS and not path.startswith(PUBLIC_PREFIXES):
            scope["recours.session"] = None
            await self.app({**scope, "path": "/acces-refuse", "method": "GET"}, receive, send_with_headers)
            return
        scope["recours.session"] = session
        scope["recours.session_id"] = session_id
        await self.app(scope, receive, send_with_headers)

    async def _exchange_token(
        self,
        presented: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        send: Send,
    ) -> None:
        if not secrets.compare_digest(presented.encode(), self.launch_token.encode()):
            await _plain(send, 403, "Lien de lancement non valable. / Invalid launch link.")
            return
        session_id = _cookie(headers, COOKIE)
        if session_id is None or self.sessions.get(session_id) is None:
            session_id, _ = self.sessions.create(self.default_lang)
        rest = urlencode([(k, v) for k, v in query if k != "token"])
        location = path + ("?" + rest if rest else "")
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1")),
                    (b"set-cookie", session_cookie(session_id).encode("latin-1")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def session_cookie(session_id: str) -> str:
    return f"{COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Strict"


def expired_cookie() -> str:
    return f"{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"


def _cross_site(headers: dict[str, str]) -> bool:
    """True when the browser says the request comes from another site.

    ``Sec-Fetch-Site`` is sent by every current browser and cannot be forged by a page.
    Without it, a foreign ``Origin`` is refused. ``Origin: null`` alone proves nothing:
    Chromium sends it for our own forms because of ``Referrer-Policy: no-referrer``; the
    SameSite=Strict session cookie and the form token still stop a forged request.
    """
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return False
    return origin.split("://", 1)[-1] != headers.get("host")


def _cookie(headers: dict[str, str], name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:  # a malformed cookie header is just no session
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


async def _plain(send: Send, status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})
