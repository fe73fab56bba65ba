"""Home, urgent numbers, language switch, quick exit, what Recours protects, access refused."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from recours.i18n import gettext_for, parse_lang
from recours.services import directory as svc
from recours.web.render import WebConfig, lang_of, page, session_of
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


@router.get("/aide/{step}", response_class=HTMLResponse)
async def help_page(request: Request, step: str) -> Response:
    """One page of help per step of the journey, in plain words."""
    t = gettext_for(lang_of(request)).gettext
    pages = _help(t)
    if step not in pages:
        raise HTTPException(status_code=404)
    title, paragraphs, start, go = pages[step]
    return page(request, "help.html", title=title, paragraphs=paragraphs, start=start, go=go)


def _help(t: Callable[[str], str]) -> dict[str, tuple[str, list[str], str, str]]:
    return {
        "aide": (
            t("Aide : trouver de l’aide"),
            [
                t("Quelques questions sur votre situation : votre âge, ce qui se passe, en public ou en privé, ce que vous voulez faire."),
                t("Recours vous montre d’abord les numéros d’urgence si vous êtes en danger, puis les organismes qui peuvent vous aider, avec la raison et ce qu’il faut faire."),
                t("Vous pouvez sauter une question. Vos réponses restent sur cet ordinateur et sont oubliées quand vous quittez."),
            ],
            "/orientation",
            t("Commencer les questions"),
        ),
        "preuves": (
            t("Aide : garder mes preuves"),
            [
                t("Le coffre garde vos captures d’écran, photos, vidéos, courriels et notes, chiffrés sur cet ordinateur. Choisissez une phrase secrète longue et notez la clé de récupération sur papier."),
                t("Chaque fichier reçoit une empreinte dès son ajout : elle prouve qu’il n’a pas changé depuis. Ajoutez les fichiers tels quels, sans les retoucher."),
                t("Le journal des incidents sert à noter ce qui s’est passé : la date, la plateforme, le pseudo de l’auteur, les témoins."),
                t("Vous pouvez aussi importer l’export d’une discussion (WhatsApp, Instagram, Snapchat…)."),
            ],
            "/coffre",
            t("Aller à mes preuves"),
        ),
        "analyse": (
            t("Aide : analyser les discussions"),
            [
                t("Recours compte les messages de chaque personne, jour par jour, et repère les messages à vérifier : insultes, menaces, haine, incitation au suicide…"),
                t("La loi parle de harcèlement quand les messages se répètent, ou quand plusieurs personnes s’en prennent à la même personne. Les tableaux « Répétition » et « Acharnement collectif » le montrent."),
                t("Ce n’est pas un verdict : relisez chaque message dans son contexte. Marquez ceux qui comptent pour qu’ils figurent dans le dossier."),
            ],
            "/coffre/analyse",
            t("Analyser les discussions"),
        ),
        "dossier": (
            t("Aide : préparer le dossier et les lettres"),
            [
                t("Le dossier est un PDF à remettre à la police, à Pharos, au 3018, à l’établissement scolaire ou à un avocat, avec un lot de fichiers que chacun peut vérifier."),
                t("La version caviardée cache les noms des tiers. Vous pouvez aussi chiffrer le lot avec une phrase de passe avant de l’envoyer."),
                t("Les lettres (plainte, signalement, demande d’effacement, lettre à l’école, attestation de témoin) sont préremplies avec ce que contient le coffre. Relisez-les et complétez-les avant de les envoyer."),
                t("Les infractions et les délais indiqués sont des informations à vérifier avec un professionnel, pas un avis juridique."),
            ],
            "/coffre/dossier",
            t("Préparer le dossier"),
        ),
    }


@router.get("/protection", response_class=HTMLResponse)
async def protection(request: Request) -> Response:
    """What Recours protects and does not, in plain words (docs/threat-model.md for engineers)."""
    return page(request, "protection.html", autolock_minutes=request.app.state.autolock_seconds // 60)


@router.api_route("/acces-refuse", methods=["GET"], response_class=HTMLResponse)
async def access_refused(request: Request) -> Response:
    return page(request, "access_refused.html", 403)
