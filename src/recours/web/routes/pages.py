"""Home, urgent numbers, language switch, quick exit, what Recours protects, access refused."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from recours.i18n import parse_lang
from recours.services import directory as svc
from recours.web.render import WebConfig, page, session_of
from recours.web.routes.forms import checked_form, local_path
from recours.web.security import expired_cookie

router = APIRouter(include_in_schema=False)

# Emergency and crisis numbers shown on the "I am in danger now" page, in this order
# (research/domain.md §6.1, E1–E5).
URGENT_IDS = ("17", "112", "114", "15", "3114", "119", "3919")


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    return page(request, "home.html")


@router.get("/urgence", response_class=HTMLResponse)
async def urgent(request: Request) -> Response:
    config: WebConfig = request.app.state.config
    directory = config.knowledge.directory
    now = request.app.state.clock()
    items = [svc.view(directory.get(i), now) for i in URGENT_IDS]
    return page(request, "urgent.html", items=items, now=now)


@router.post("/langue")
async def switch_language(request: Request) -> Response:
    fields = await checked_form(request)
    session = session_of(request)
    lang = parse_lang((fields.get("lang") or [""])[-1])
    if session is not None and lang is not None:
        session.lang = lang
    next_path = (fields.get("next") or ["/"])[-1]
    return RedirectResponse(local_path(next_path), status_code=303)


@router.get("/sortie")
async def quick_exit(request: Request) -> Response:
    """Leave at once for a neutral site, forgetting the session.

    ``Clear-Site-Data`` asks the browser to drop this site's cache, cookies and storage
    (ASVS 14.3.1); it cannot erase the browser history, which the explanation page says.
    """
    config: WebConfig = request.app.state.config
    request.app.state.sessions.delete(request.scope.get("recours.session_id"))
    response = RedirectResponse(config.exit_url, status_code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.headers["Set-Cookie"] = expired_cookie()
    return response


@router.get("/sortie-rapide", response_class=HTMLResponse)
async def quick_exit_explained(request: Request) -> Response:
    return page(request, "quick_exit.html")


@router.get("/protection", response_class=HTMLResponse)
async def protection(request: Request) -> Response:
    """What Recours protects and does not, in plain words (docs/threat-model.md for engineers)."""
    return page(request, "protection.html", autolock_minutes=request.app.state.autolock_seconds // 60)


@router.api_route("/acces-refuse", methods=["GET"], response_class=HTMLResponse)
async def access_refused(request: Request) -> Response:
    return page(request, "access_refused.html", 403)
