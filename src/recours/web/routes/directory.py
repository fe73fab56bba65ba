"""The directory pages: a searchable list and one page per organisation."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from recours.services import directory as svc
from recours.web.render import WebConfig, page
from recours.web.routes.forms import checked_form

router = APIRouter(include_in_schema=False)


def _listing(request: Request, query: str) -> Response:
    config: WebConfig = request.app.state.config
    now = request.app.state.clock()
    items = svc.list_resources(config.knowledge.directory, now, query)
    contactable = [i for i in items if i.resource.contactable]
    others = [i for i in items if not i.resource.contactable]
    template = "directory_results.html" if request.headers.get("hx-request") else "directory.html"
    return page(request, template, query=query, contactable=contactable, others=others, now=now)


@router.get("/organismes", response_class=HTMLResponse)
async def directory_list(request: Request) -> Response:
    return _listing(request, "")


# Search is a POST so that what a person looks for never lands in the address bar or the
# browser history (ARCHITECTURE.md: no case data in URLs).
@router.post("/organismes", response_class=HTMLResponse)
async def directory_search(request: Request) -> Response:
    fields = await checked_form(request)
    return _listing(request, (fields.get("q") or [""])[-1][:200])


@router.get("/organismes/{resource_id}", response_class=HTMLResponse)
async def resource_page(request: Request, resource_id: str) -> Response:
    config: WebConfig = request.app.state.config
    directory = config.knowledge.directory
    if resource_id not in directory.ids():
        raise HTTPException(status_code=404)
    now = request.app.state.clock()
    item = svc.view(directory.get(resource_id), now)
    names = {r.id: r.short_name for r in directory.resources}
    return page(request, "resource.html", item=item, names=names, now=now)
