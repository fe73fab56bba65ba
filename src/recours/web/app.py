"""Build the FastAPI app: security middleware, routes, error pages, static files."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from recours.adapters.clock import now as clock_now
from recours.adapters.knowledge import load_knowledge
from recours.adapters.vault_store import LocalVaults
from recours.domain.common import Lang
from recours.errors import RecoursError
from recours.services.ports import VaultFactory
from recours.settings import Settings
from recours.web.render import WebConfig, lang_of, page
from recours.web.routes import analysis, api, directory, dossier, letters, orientation, pages, vault
from recours.web.security import SecurityMiddleware
from recours.web.sessions import SessionStore

log = logging.getLogger("recours.web")


def new_launch_token() -> str:
    return secrets.token_urlsafe(32)


def create_app(
    *,
    settings: Settings,
    launch_token: str,
    port: int,
    lang: Lang = "fr",
    extra_hosts: set[str] | None = None,
    clock: Callable[[], datetime] | None = None,
    vaults: VaultFactory | None = None,
    vault_path: Path | None = None,
) -> FastAPI:
    app = FastAPI(
        title="Recours",
        version="0.1.0",
        summary="Orientation des victimes de cyberharcèlement — API locale.",
        # The interactive docs pages load scripts from a CDN, which our CSP forbids and a
        # local-first app must not do; the schema itself stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    knowledge = load_knowledge()
    app.state.config = WebConfig(
        knowledge=knowledge,
        exit_url=settings.exit_url,
        default_lang=settings.lang or lang,
        neutral_tab=settings.neutral_tab,
    )
    app.state.clock = clock or (lambda: clock_now(settings.fixed_time))
    sessions = SessionStore()
    app.state.sessions = sessions
    app.state.vaults = vaults or LocalVaults()
    app.state.vault_path = vault_path or settings.vault_path()
    app.state.autolock_seconds = settings.autolock_minutes * 60
    static = resources.files("recours.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module in (pages, directory, orientation, vault, analysis, dossier, letters, api):
        app.include_router(module.router)
    _error_pages(app)
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}"} | (extra_hosts or set())
    app.add_middleware(
        SecurityMiddleware,
        launch_token=launch_token,
        allowed_hosts=hosts,
        sessions=sessions,
        default_lang=settings.lang or lang,
    )
    return app


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(RecoursError)
    async def recours_error(request: Request, error: RecoursError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": error.message(lang_of(request)), "details": error.details}, 400)
        return page(
            request,
            "error.html",
            400,
            message=error.message(lang_of(request)),
            details=error.details,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(error.detail)}, error.status_code)
        return page(
            request,
            "error.html",
            error.status_code,
            message=None,
            details=[],
            status=error.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "invalid input", "details": details}, 422)
        return page(request, "error.html", 400, message=None, details=[], status=400)

    @app.exception_handler(Exception)
    async def internal(request: Request, error: Exception) -> Response:
        log.debug("internal error on %s", request.url.path, exc_info=error)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "internal error"}, 500)
        return HTMLResponse(
            "<!doctype html><html lang=fr><title>Erreur — Recours</title>"
            "<p>Erreur interne de Recours. Rien de ce que vous avez enregistré n’est perdu.</p>"
            '<p><a href="/">Retour à l’accueil</a></p></html>',
            500,
        )
