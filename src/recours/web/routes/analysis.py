"""The analysis of the imported chats in the browser, and marking messages for the dossier.

Filters are POSTed, like the directory search: names and dates stay out of the address bar.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from recours.adapters import signal_pack
from recours.adapters.charts import analysis_charts
from recours.domain.chat.analysis import NO_FILTERS, Analysis, Filters
from recours.domain.common import Lang
from recours.errors import BadInput, ItemNotFound
from recours.i18n import gettext_for
from recours.services import analysis as analysis_svc
from recours.services.ports import EvidenceStore
from recours.web.render import lang_of, page
from recours.web.routes.forms import checked_form, form_day, form_value
from recours.web.routes.vault import now_of, to_vault_home, unlocked

router = APIRouter(include_in_schema=False)

# Messages to check listed on the page; the rest are counted (the CLI's --json has them all).
SHOWN_SIGNALS = 200
FILTER_FIELDS = ("chat", "author", "since", "until", "signal", "me")


@router.get("/coffre/analyse", response_class=HTMLResponse)
async def analysis_page(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return await _render(request, store, {})


@router.post("/coffre/analyse", response_class=HTMLResponse)
async def analysis_filtered(request: Request) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return await _render(request, store, {name: form_value(fields, name).strip()[:200] for name in FILTER_FIELDS})


@router.post("/coffre/analyse/marquer", response_class=HTMLResponse)
async def analysis_highlight(request: Request) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    chosen = {name: form_value(fields, name).strip()[:200] for name in FILTER_FIELDS}
    remove = form_value(fields, "remove") == "yes"
    ref = form_value(fields, "ref")
    try:
        analysis_svc.set_highlight(
            store, ref, now_of(request), None if remove else form_value(fields, "note")[:2000]
        )
    except (BadInput, ItemNotFound) as error:
        return await _render(request, store, chosen, error=error.message(lang_of(request)), status_code=422)
    translate = gettext_for(lang_of(request)).gettext
    done = (
        translate("Marque retirée : {ref}") if remove else translate("Message marqué pour le dossier : {ref}")
    )
    return await _render(request, store, chosen, status=done.format(ref=ref))


async def _render(request: Request, store: EvidenceStore, chosen: dict[str, str], **shown: Any) -> Response:
    """The analysis page (``shown``: an error, a status, the status code), computed in a worker
    thread: a chat of 200,000 messages takes a second, and the server answers other pages
    meanwhile (a quick exit above all)."""
    return await run_in_threadpool(_analysis_page, request, store, chosen, **shown)


def _analysis_page(
    request: Request,
    store: EvidenceStore,
    chosen: dict[str, str],
    *,
    error: str | None = None,
    status: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = lang_of(request)
    pack = signal_pack.load_signal_pack()
    scanner = signal_pack.load_signal_matcher()
    chats = analysis_svc.chats(store)
    if not chats:
        return page(
            request, "vault_analysis.html", chats=[], result=None, chosen=chosen, error=error, status=None
        )
    filters = NO_FILTERS
    try:
        filters = _filters(chosen, list(pack.categories))
        result = analysis_svc.run(
            store, scanner, chat=chosen.get("chat") or None, me=chosen.get("me") or None, filters=filters
        )
    except (BadInput, ItemNotFound) as problem:
        error, status_code = problem.message(lang), 422
        result = analysis_svc.run(store, scanner)
    return page(
        request,
        "vault_analysis.html",
        status_code,
        chats=chats,
        chosen=chosen,
        result=result,
        filters=filters,
        shown=result.signals[:SHOWN_SIGNALS],
        labels={name: info.label.get(lang) for name, info in pack.categories.items()},
        charts=_charts(result, lang) if result.messages else None,
        authors=sorted({a.author for a in result.authors}, key=str.casefold),
        error=error,
        status=status,
    )


def _filters(chosen: dict[str, str], categories: list[str]) -> Filters:
    category = chosen.get("signal") or None
    if category is not None and category not in categories:
        raise BadInput("Type de signal inconnu.", "Unknown signal type.")
    since, until = form_day(chosen.get("since", "")), form_day(chosen.get("until", ""))
    return Filters(
        author=chosen.get("author") or None,
        since=date.fromisoformat(since) if since else None,
        until=date.fromisoformat(until) if until else None,
        category=category,
    )


def _charts(result: Analysis, lang: Lang) -> dict[str, str]:
    """The two charts as data: URLs (img-src allows data:; an SVG in <img> never runs script)."""
    charts = analysis_charts(result.days, result.hours, gettext_for(lang).gettext)
    return {
        name: "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        for name, svg in charts.items()
    }
