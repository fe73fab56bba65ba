"""The vault in the browser: create, unlock, add, list, show, download, delete, the journal,
verification, the receipt, lock and quick delete. Same services as the CLI."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse

from recours.adapters import signal_pack
from recours.adapters.clock import parse_instant
from recours.domain.chat.model import DateOrder
from recours.errors import BadInput, ItemNotFound, RecoursError, WrongPassphrase
from recours.services import chat as chat_svc
from recours.services import vault as svc
from recours.services.ports import EvidenceStore, VaultFactory
from recours.web import jobs
from recours.web.render import lang_of, page, session_of
from recours.web.routes.forms import checked_form, form_day, form_value
from recours.web.sessions import Session
from recours.web.uploads import UploadRefused, stream_form

router = APIRouter(include_in_schema=False)

# Raster images a browser can show without running anything (never SVG: it may hold script).
SAFE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}


def _vaults(request: Request) -> VaultFactory:
    vaults: VaultFactory = request.app.state.vaults
    return vaults


def _path(request: Request) -> Path:
    path: Path = request.app.state.vault_path
    return path


def now_of(request: Request) -> datetime:
    """The app's clock (fixed in tests)."""
    moment: datetime = request.app.state.clock()
    return moment


def unlocked(request: Request) -> EvidenceStore | None:
    """The session's open vault, unless it must lock now (idle too long, or asked to)."""
    session = session_of(request)
    if session is None or session.vault is None:
        return None
    idle = time.time() - session.vault_used_at
    if idle > request.app.state.autolock_seconds or _vaults(request).lock_requested_since(
        _path(request), session.vault_opened_at
    ):
        session.lock()
        return None
    session.vault_used_at = time.time()
    store: EvidenceStore = session.vault
    return store


def to_vault_home() -> Response:
    return RedirectResponse("/coffre", status_code=303)


def _session(request: Request) -> Session:
    session = session_of(request)
    if session is None:
        raise HTTPException(status_code=403)
    return session


# Items per page of the evidence list: a vault of 10,000 items is shown a hundred at a time
# (the page number is the only thing in the address; filters are POSTed).
PAGE_SIZE = 100


@router.get("/coffre", response_class=HTMLResponse)
async def vault_home(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        template = "vault_unlock.html" if _vaults(request).exists(_path(request)) else "vault_create.html"
        return page(request, template, error=None)
    return _list_page(request, store, query="", tag="", number=_page_number(request.query_params.get("page")))


def _page_number(text: str | None) -> int:
    return int(text) if text is not None and text.isascii() and text.isdigit() and 0 < int(text) < 10**6 else 1


def _list_page(
    request: Request,
    store: EvidenceStore,
    *,
    query: str,
    tag: str,
    since: str = "",
    until: str = "",
    error: str | None = None,
    status_code: int = 200,
    number: int = 1,
) -> Response:
    filtered = bool(query or tag or since or until)
    if filtered:
        # A search reads every item (its words are looked for in Python, case folded).
        views = svc.list_items(store, text=query, tag=tag or None, since=since or None, until=until or None)
        listed = svc.ItemPage.of(views, number, PAGE_SIZE)
    else:
        listed = svc.page_of_items(store, number, PAGE_SIZE)
    shown = listed.views
    return page(
        request,
        "vault_list.html",
        status_code,
        views=shown,
        total=listed.total,
        number=listed.number,
        pages=listed.pages,
        filtered=filtered,
        query=query,
        tag=tag,
        since=since,
        until=until,
        tags=svc.live_tags(store),
        error=error,
        minor=svc.person_is_minor(store),
        thumbnails=svc.thumbnails(store, [v.record.id for v in shown]),
        # Near-duplicates among the items of this page (consecutive screenshots are added together).
        similar=svc.similar_images(shown),
        names={v.record.id: v.record.name for v in shown},
    )


def _list_error(request: Request, store: EvidenceStore, message: str, status_code: int = 422) -> Response:
    return _list_page(request, store, query="", tag="", status_code=status_code, error=message)


@router.post("/coffre", response_class=HTMLResponse)
async def vault_filter(request: Request) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    since, until = form_day(form_value(fields, "since")), form_day(form_value(fields, "until"))
    return _list_page(
        request,
        store,
        query=form_value(fields, "q")[:200],
        tag=form_value(fields, "tag")[:64],
        since=since,
        until=until,
        number=_page_number(form_value(fields, "page") or None),
    )


@router.post("/coffre/creer", response_class=HTMLResponse)
async def vault_create(request: Request) -> Response:
    fields = await checked_form(request)
    session = _session(request)
    passphrase, again = form_value(fields, "passphrase"), form_value(fields, "passphrase_again")
    if passphrase != again:
        return page(
            request,
            "vault_create.html",
            422,
            error=_t(request, "Les deux phrases ne sont pas identiques.", "The two passphrases differ."),
        )
    try:
        store, recovery = svc.create(
            _vaults(request),
            _path(request),
            passphrase,
            now_of(request),
            minor=form_value(fields, "minor") == "yes",
        )
    except BadInput as error:
        return page(request, "vault_create.html", 422, error=error.message(lang_of(request)))
    _remember(session, store)
    # Shown once, in the answer to this POST: never stored, never reachable again.
    return page(request, "vault_recovery.html", recovery=recovery)


@router.post("/coffre/ouvrir", response_class=HTMLResponse)
async def vault_unlock(request: Request) -> Response:
    fields = await checked_form(request)
    session = _session(request)
    try:
        store = _vaults(request).open(_path(request), form_value(fields, "passphrase"))
    except WrongPassphrase as error:
        return page(request, "vault_unlock.html", 422, error=error.message(lang_of(request)))
    _remember(session, store)
    signal_pack.prepare_matcher()  # for the analysis pages, while the vault's pages are read
    return to_vault_home()


def _remember(session: Session, store: EvidenceStore) -> None:
    session.lock()
    session.vault = store
    session.vault_opened_at = session.vault_used_at = time.time()


@router.post("/coffre/verrouiller")
async def vault_lock(request: Request) -> Response:
    await checked_form(request)
    _session(request).lock()
    return to_vault_home()


async def _stream_files(
    request: Request,
    store: EvidenceStore,
    handle: Callable[[str, Any, dict[str, list[str]]], Any],
    check_more: Callable[[dict[str, list[str]]], None] | None = None,
) -> list[Any] | Response:
    """Run a streamed multipart upload: the form token and ``check_more`` are checked before the
    first byte of a file is stored; ``handle(name, source, fields)`` runs for each file. Returns
    the results, or the page to show when nothing could be stored."""
    session = _session(request)
    collected: dict[str, list[str]] = {}

    def check(fields: dict[str, list[str]]) -> None:
        if not secrets.compare_digest(form_value(fields, "csrf_token").encode(), session.csrf_token.encode()):
            raise UploadRefused("csrf")
        if check_more is not None:
            check_more(fields)
        collected.update(fields)

    try:
        form = await stream_form(request, check, lambda name, source: handle(name, source, collected))
    except UploadRefused as refused:
        if str(refused) == "csrf":
            raise HTTPException(status_code=403) from None
        interrupted = _t(
            request,
            "L’envoi a été interrompu : rien n’a été enregistré.",
            "The upload was interrupted: nothing was saved.",
        )
        return _list_error(request, store, interrupted, 400)
    except RecoursError as error:  # refused evidence (minors), an unreadable export, a full disk…
        return _list_error(request, store, error.message(lang_of(request)))
    if not form.results:
        return _list_error(
            request, store, _t(request, "Choisissez au moins un fichier.", "Choose at least one file.")
        )
    return form.results


@router.post("/coffre/ajouter", response_class=HTMLResponse)
async def vault_upload(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    now = now_of(request)

    def refuse(fields: dict[str, list[str]]) -> None:
        svc.refuse_minor_intimate_image(
            store,
            intimate=form_value(fields, "intimate") == "yes",
            minor=form_value(fields, "minor") == "yes",
        )

    def store_file(name: str, source: Any, fields: dict[str, list[str]]) -> svc.Added:
        note = form_value(fields, "note").strip()
        return svc.add_stream(
            store,
            source,
            kind="file",
            name=name,
            now=now,
            tags=_tags(fields),
            item_metadata={"note": note} if note else {},
        )

    results = await _stream_files(request, store, store_file, refuse)
    if isinstance(results, Response):
        return results
    return page(request, "vault_added.html", added=results)


# A chat export (text, or a WhatsApp .zip with its media) is parsed in memory: the zip is checked
# before anything is decompressed (domain.chat.archive). Larger uploads are refused with a message.
MAX_EXPORT = 256 * 1024 * 1024


@dataclass(frozen=True)
class _Upload:
    name: str
    data: bytes
    date_order: DateOrder | None
    me: str | None
    intimate: bool


@router.post("/coffre/importer", response_class=HTMLResponse)
async def vault_import(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    session = _session(request)
    if session.job is not None and session.job.running:
        return _list_error(request, store, _t(request, *_BUSY), 409)
    now = now_of(request)

    def receive(name: str, source: Any, fields: dict[str, list[str]]) -> _Upload:
        data = source.read(MAX_EXPORT + 1)
        if len(data) > MAX_EXPORT:
            raise BadInput(
                "Cet export est trop gros pour être importé ici (plus de 256 Mo).",
                "This export is too large to be imported here (over 256 MB).",
            )
        raw_order = form_value(fields, "date_order")
        order: DateOrder | None = "dmy" if raw_order == "dmy" else "mdy" if raw_order == "mdy" else None
        me = form_value(fields, "me").strip() or None
        return _Upload(name, data, order, me, form_value(fields, "intimate") == "yes")

    uploads = await _stream_files(request, store, receive)
    if isinstance(uploads, Response):
        return uploads

    def work(report: Callable[[str], None]) -> list[chat_svc.ImportSummary]:
        return [
            chat_svc.import_bytes(
                store,
                upload.name,
                upload.data,
                now,
                date_order=upload.date_order,
                me=upload.me,
                intimate=upload.intimate,
                on_step=report,
            )
            for upload in uploads
        ]

    # Parsed, checked and stored in the background: a zip of a few hundred megabytes of media
    # takes a while. The next page shows where it is, and reloads itself until it is done.
    session.job = jobs.start("import", work)
    return RedirectResponse("/coffre/importer", status_code=303)


@router.get("/coffre/travail", response_class=HTMLResponse)
async def job_step(request: Request) -> Response:
    """The step of the session's background job, for its progress page to show (htmx); once
    the job is done, the page is asked to reload and show what it produced."""
    job = _session(request).job
    if request.headers.get("hx-request") != "true":  # opened as a page: the job's own page
        return RedirectResponse(_JOB_PAGES.get(job.kind, "/coffre") if job else "/coffre", status_code=303)
    if unlocked(request) is None or job is None or not job.running:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return page(request, "job_step.html", job=job)


_JOB_PAGES = {"import": "/coffre/importer", "dossier": "/coffre/dossier"}


_BUSY = (
    "Un import ou un dossier est en cours de préparation. Attendez qu’il soit terminé.",
    "An import or a dossier is being prepared. Wait until it is done.",
)
# How long a page waits for a job to end before showing its progress: a small export is then
# shown imported at once, without a progress page in between.
_WAIT_FOR_JOB = 1.5


@router.get("/coffre/importer", response_class=HTMLResponse)
async def vault_import_progress(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    job = _session(request).job
    if job is None or job.kind != "import":
        return to_vault_home()
    await jobs.wait(job, _WAIT_FOR_JOB)
    if job.running:
        return page(request, "vault_importing.html", job=job)
    if job.error is not None:
        return _list_error(request, store, job.error.message(lang_of(request)))
    if job.failed:
        failure = (
            "L’import n’a pas pu se terminer, à cause d’une erreur de Recours. Vos preuves n’ont pas changé.",
            "The import could not finish, because of an error in Recours. Your evidence has not changed.",
        )
        return _list_error(request, store, _t(request, *failure), 500)
    return page(request, "vault_imported.html", summaries=job.result)


async def _add_from_form(
    request: Request, add: Callable[[EvidenceStore, dict[str, list[str]]], svc.Added]
) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    try:
        added = add(store, fields)
    except BadInput as error:
        return _list_error(request, store, error.message(lang_of(request)))
    return page(request, "vault_added.html", added=[added])


@router.post("/coffre/note", response_class=HTMLResponse)
async def vault_note(request: Request) -> Response:
    now = now_of(request)
    return await _add_from_form(
        request, lambda store, f: svc.add_note(store, form_value(f, "note"), now, tags=_tags(f))
    )


@router.post("/coffre/adresse", response_class=HTMLResponse)
async def vault_url(request: Request) -> Response:
    now = now_of(request)
    return await _add_from_form(
        request, lambda store, f: svc.add_url(store, form_value(f, "url"), now, tags=_tags(f))
    )


@router.get("/coffre/element/{item_id}", response_class=HTMLResponse)
async def item_page(request: Request, item_id: str) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return _item_page(request, store, _item(store, item_id))


def _item_page(
    request: Request,
    store: EvidenceStore,
    view: svc.ItemView,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    incidents = [r for r in svc.list_incidents(store) if view.record.id in r.items]
    return page(
        request,
        "vault_item.html",
        status_code,
        view=view,
        preview=svc.read_text_preview(store, view),
        incidents=incidents,
        thumbnail=svc.thumbnails(store, [view.record.id]).get(view.record.id),
        error=error,
    )


@router.get("/coffre/element/{item_id}/apercu")
async def item_image(request: Request, item_id: str) -> Response:
    store = unlocked(request)
    if store is None:
        raise HTTPException(status_code=404)
    view = _item(store, item_id)
    if view.record.mime not in SAFE_IMAGES:
        raise HTTPException(status_code=404)
    _, stream = svc.iter_item(store, view.record.id)
    return StreamingResponse(stream, media_type=view.record.mime, headers={"Content-Disposition": "inline"})


@router.get("/coffre/element/{item_id}/fichier")
async def item_download(request: Request, item_id: str) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    view, stream = svc.iter_item(store, _item(store, item_id).record.id)
    # Always a download of opaque bytes: evidence is never rendered by the browser.
    disposition = f"attachment; filename*=UTF-8''{quote(view.record.name, safe='')}"
    return StreamingResponse(
        stream, media_type="application/octet-stream", headers={"Content-Disposition": disposition}
    )


@router.post("/coffre/element/{item_id}/etiquettes")
async def item_tags(request: Request, item_id: str) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    view = _item(store, item_id)
    try:
        svc.set_tags(store, view.record.id, _tags(fields), now_of(request))
    except BadInput as error:
        return _item_page(request, store, view, error.message(lang_of(request)), 422)
    return RedirectResponse(f"/coffre/element/{view.record.id}", status_code=303)


@router.post("/coffre/element/{item_id}/supprimer")
async def item_delete(request: Request, item_id: str) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    view = _item(store, item_id)
    if form_value(fields, "confirm") != "yes":
        return RedirectResponse(f"/coffre/element/{view.record.id}", status_code=303)
    svc.delete_item(store, view.record.id, now_of(request))
    return to_vault_home()


@router.get("/coffre/journal", response_class=HTMLResponse)
async def journal(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return _journal_page(request, store)


def _journal_page(
    request: Request, store: EvidenceStore, error: str | None = None, status_code: int = 200
) -> Response:
    names = {v.record.id: v.record.name for v in svc.list_items(store)}
    return page(
        request,
        "vault_journal.html",
        status_code,
        incidents=svc.list_incidents(store),
        names=names,
        error=error,
    )


@router.post("/coffre/journal", response_class=HTMLResponse)
async def journal_add(request: Request) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    try:
        when = form_value(fields, "occurred_at")
        svc.add_incident(
            store,
            now_of(request),
            occurred_at=parse_instant(when) if when else now_of(request),
            description=form_value(fields, "description"),
            platform=form_value(fields, "platform"),
            author_handle=form_value(fields, "author_handle"),
            author_url=form_value(fields, "author_url"),
            witnesses=[w for w in form_value(fields, "witnesses").splitlines() if w.strip()],
            items=fields.get("items", []),
        )
    except BadInput as error:
        return _journal_page(request, store, error.message(lang_of(request)), 422)
    return RedirectResponse("/coffre/journal", status_code=303)


@router.get("/coffre/verification", response_class=HTMLResponse)
async def verification(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return page(request, "vault_verify.html", report=svc.verify(store), read_data=False)


@router.post("/coffre/verification", response_class=HTMLResponse)
async def verification_full(request: Request) -> Response:
    await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return page(request, "vault_verify.html", report=svc.verify(store, read_data=True), read_data=True)


@router.get("/coffre/recu", response_class=HTMLResponse)
async def receipt(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return page(request, "vault_receipt.html", receipt=svc.receipt(store))


@router.get("/coffre/recu.txt")
async def receipt_text(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return PlainTextResponse(
        svc.receipt(store), headers={"Content-Disposition": "attachment; filename=recu-recours.txt"}
    )


@router.get("/coffre/effacer", response_class=HTMLResponse)
async def panic_page(request: Request) -> Response:
    if not _vaults(request).exists(_path(request)):
        return to_vault_home()
    return page(request, "vault_panic.html", error=None)


@router.post("/coffre/effacer", response_class=HTMLResponse)
async def panic(request: Request) -> Response:
    fields = await checked_form(request)
    if form_value(fields, "confirm").strip().upper() not in ("EFFACER", "ERASE"):
        return page(
            request,
            "vault_panic.html",
            422,
            error=_t(
                request,
                "Tapez EFFACER pour confirmer. Rien n’a été effacé.",
                "Type ERASE to confirm. Nothing was erased.",
            ),
        )
    _session(request).lock()
    svc.panic(_vaults(request), _path(request))
    return page(request, "vault_erased.html")


def _item(store: EvidenceStore, item_id: str) -> svc.ItemView:
    try:
        return svc.get_item(store, item_id)
    except ItemNotFound:
        raise HTTPException(status_code=404) from None


def _tags(fields: dict[str, list[str]]) -> list[str]:
    return [t for t in form_value(fields, "tags").split(",") if t.strip()]


def _t(request: Request, fr: str, en: str) -> str:
    return en if lang_of(request) == "en" else fr
