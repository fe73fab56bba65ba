"""« Mon dossier » in the browser: the organisations contacted, and the dossier made in the
background (PDF + verifiable bundle), then downloaded. Nothing is written to disk: the files
stay in the session's memory until they are downloaded, the vault locks or the session ends.
Options are POSTed: no dates, names or tags in the address bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from recours.adapters import signal_pack
from recours.adapters.bundle_files import PassphraseRecipient, bundle_in_memory
from recours.adapters.law_data import load_law
from recours.domain.common import Lang
from recours.domain.dossier import Selection
from recours.errors import BadInput
from recours.i18n import gettext_for
from recours.services import dossier as dossier_svc
from recours.services.ports import EvidenceStore
from recours.web import jobs
from recours.web.printing import DossierPdf, chronology_label
from recours.web.render import lang_of, page, session_of
from recours.web.routes.forms import checked_form, form_day, form_value
from recours.web.routes.vault import now_of, to_vault_home, unlocked

router = APIRouter(include_in_schema=False)
MIN_BUNDLE_PASSPHRASE = 12


@dataclass(frozen=True)
class Files:
    """What a dossier job leaves for the browser to download."""

    pdf: bytes | None  # None when the bundle is encrypted: the PDF is inside it only
    bundle: bytes
    encrypted: bool
    files: int
    withheld: int


@router.get("/coffre/dossier", response_class=HTMLResponse)
async def dossier_page(request: Request) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    return _render(request, store)


@router.post("/coffre/dossier", response_class=HTMLResponse)
async def dossier_start(request: Request) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    session = session_of(request)
    if store is None or session is None:
        return to_vault_home()
    lang = lang_of(request)
    if session.job is not None and session.job.running:
        if session.job.kind == "dossier":
            return _render(request, store)
        busy = gettext_for(lang).gettext("Un import est en cours. Attendez qu’il soit terminé pour préparer le dossier.")
        return _render(request, store, error=busy, status_code=409)
    try:
        request_, recipient = _options(fields, lang)
    except BadInput as problem:
        return _render(request, store, error=problem.message(lang), status_code=422)
    now = now_of(request)
    law = load_law()
    scanner = signal_pack.load_signal_matcher()

    def work(report: Callable[[str], None]) -> Files:
        built = dossier_svc.build(
            store, request_, now, scanner, chronology_label(lang), law, DossierPdf(law), report
        )
        bundle, manifest = bundle_in_memory(
            built.members,
            vault_id=built.dossier.vault_id,
            generated_at=built.generated_at,
            custody=built.dossier.head,
            recipient=recipient,
        )
        dossier_svc.record_export(store, built, manifest, now)
        return Files(
            pdf=None if recipient else built.pdf,
            bundle=bundle,
            encrypted=recipient is not None,
            files=len(manifest.files),
            withheld=sum(item.withheld for item in built.dossier.items),
        )

    session.job = jobs.start("dossier", work)
    return Response(status_code=303, headers={"Location": "/coffre/dossier"})


@router.get("/coffre/dossier/fichier/{which}")
async def dossier_download(request: Request, which: str) -> Response:
    store = unlocked(request)
    session = session_of(request)
    if store is None or session is None:
        return to_vault_home()
    job = session.job
    files = job.result if job is not None and isinstance(job.result, Files) else None
    if files is None or which not in ("pdf", "lot"):
        return Response(status_code=404)
    if which == "pdf":
        if files.pdf is None:
            return Response(status_code=404)
        content, name, mime = files.pdf, "dossier.pdf", "application/pdf"
    else:
        name = "recours-lot.zip.age" if files.encrypted else "recours-lot.zip"
        content, mime = files.bundle, "application/octet-stream" if files.encrypted else "application/zip"
    # A neutral file name, always a download: the PDF is not opened inside the app.
    return Response(content, media_type=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/coffre/dossier/contact", response_class=HTMLResponse)
async def contact_add(request: Request) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    lang = lang_of(request)
    day = form_day(form_value(fields, "on").strip())
    try:
        if not day:
            raise BadInput("Indiquez la date du contact.", "Give the date of the contact.")
        dossier_svc.add_contact(
            store,
            now_of(request),
            organisation=form_value(fields, "organisation")[:600],
            on=date.fromisoformat(day),
            reference=form_value(fields, "reference")[:600],
            note=form_value(fields, "note")[:600],
        )
    except BadInput as problem:
        return _render(request, store, contact_error=problem.message(lang), status_code=422)
    status = gettext_for(lang).gettext("Contact noté.")
    return _render(request, store, status=status)


def _options(fields: dict[str, list[str]], lang: Lang) -> tuple[dossier_svc.DossierRequest, PassphraseRecipient | None]:
    since, until = form_day(form_value(fields, "since")), form_day(form_value(fields, "until"))
    selection = Selection(
        since=date.fromisoformat(since) if since else None,
        until=date.fromisoformat(until) if until else None,
        tag=form_value(fields, "tag").strip()[:64] or None,
    )
    if selection.since and selection.until and selection.since > selection.until:
        raise BadInput(
            "La date de début est après la date de fin.", "The start date is after the end date."
        )
    secret = form_value(fields, "bundle_passphrase")
    if secret and len(secret) < MIN_BUNDLE_PASSPHRASE:
        raise BadInput(
            f"La phrase de passe du lot doit compter au moins {MIN_BUNDLE_PASSPHRASE} caractères.",
            f"The bundle passphrase must be at least {MIN_BUNDLE_PASSPHRASE} characters long.",
        )
    request = dossier_svc.DossierRequest(
        selection=selection,
        redact=form_value(fields, "redact") == "yes",
        person=form_value(fields, "person").strip()[:200],
        lang=lang,
    )
    return request, PassphraseRecipient(secret) if secret else None


def _render(
    request: Request,
    store: EvidenceStore,
    *,
    error: str | None = None,
    contact_error: str | None = None,
    status: str | None = None,
    status_code: int = 200,
) -> Response:
    session = session_of(request)
    job = session.job if session is not None and session.job is not None and session.job.kind == "dossier" else None
    lang = lang_of(request)
    job_error = None
    if job is not None and job.error is not None:
        job_error = job.error.message(lang)
    elif job is not None and job.failed:
        job_error = gettext_for(lang).gettext(
            "Le dossier n’a pas pu être produit, à cause d’une erreur de Recours. Vos preuves n’ont pas changé."
        )
    return page(
        request,
        "vault_dossier.html",
        status_code,
        job=job,
        job_error=job_error,
        contacts=dossier_svc.contacts(store),
        error=error,
        contact_error=contact_error,
        status=status,
        today=now_of(request).date().isoformat(),
    )
