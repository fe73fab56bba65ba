"""The letters in the browser: the kinds, then one page per letter with its fields (filled from
the vault, editable), a preview, and the downloads (.txt, .docx, .pdf).

Edits are POSTed and never stored: each request fills the values from the vault again and
applies the texts of the form (services/letters.py). Downloads answer the same POST, so no
case data ever goes into an address; file names are neutral (``lettre-plainte.pdf``).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from recours.adapters import signal_pack
from recours.adapters.law_data import load_law
from recours.adapters.letter_files import letter_html, load_letter_templates
from recours.domain.common import Lang
from recours.domain.letters import Letter, LetterTemplate, LetterValues, blanks, fill
from recours.errors import BadInput
from recours.services import letters as letters_svc
from recours.services.ports import EvidenceStore
from recours.web.printing import letter_renderer
from recours.web.render import lang_of, page
from recours.web.routes.forms import checked_form, form_value
from recours.web.routes.vault import now_of, to_vault_home, unlocked

router = APIRouter(include_in_schema=False)




@router.get("/coffre/lettres", response_class=HTMLResponse)
async def letters_page(request: Request) -> Response:
    if unlocked(request) is None:
        return to_vault_home()
    return page(request, "vault_letters.html", templates=load_letter_templates().templates)


@router.get("/coffre/lettres/{kind}", response_class=HTMLResponse)
async def letter_page(request: Request, kind: str) -> Response:
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    template = _template(kind)
    values = _vault_values(request, store, "fr")
    return _render(request, template, values, "fr", texts=None, problems={})


@router.post("/coffre/lettres/{kind}", response_class=HTMLResponse)
async def letter_post(request: Request, kind: str) -> Response:
    fields = await checked_form(request)
    store = unlocked(request)
    if store is None:
        return to_vault_home()
    template = _template(kind)
    letter_lang: Lang = "en" if form_value(fields, "letter_lang") == "en" else "fr"
    # A field the form did not send keeps the vault's value; one sent empty is cleared.
    texts = {f.name: form_value(fields, f.name) for f in letters_svc.fields_of(template) if f.name in fields}
    values, problems = letters_svc.edit(template, _vault_values(request, store, letter_lang), texts)
    lang = lang_of(request)
    found = {p.name: p.message.get(lang) for p in problems}
    if found:
        return _render(request, template, values, letter_lang, texts=texts, problems=found, status_code=422)
    action = form_value(fields, "action")
    chosen = next((f for f in letters_svc.LETTER_FORMATS if f == action), None)
    if chosen is None:
        return _render(request, template, values, letter_lang, texts=texts, problems={})
    data = letters_svc.draft(template, values, letter_lang, chosen, letter_renderer(), now_of(request))
    name = letters_svc.file_name(template.id, chosen)
    return Response(
        data,
        media_type=letters_svc.MEDIA_TYPES[chosen],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _template(kind: str) -> LetterTemplate:
    try:
        return letters_svc.template_for(load_letter_templates(), kind)
    except BadInput:
        raise HTTPException(status_code=404) from None


def _vault_values(request: Request, store: EvidenceStore, letter_lang: Lang) -> LetterValues:
    return letters_svc.values_from_vault(
        store, now_of(request), load_law(), signal_pack.load_signal_matcher(), letter_lang
    )


# The preview sits under the page's own <h1> and the "Aperçu" <h2>: the letter's headings
# move two levels down so that the page's outline stays in order. letter_html escapes every
# value (``<`` becomes ``&lt;``), so the only heading tags in the fragment are its own.
_HEADING = re.compile(r"<(/?)h([1-4])>")


def _preview(letter: Letter) -> str:
    return _HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 2}>", letter_html(letter, preview=True))


def _render(
    request: Request,
    template: LetterTemplate,
    values: LetterValues,
    letter_lang: Lang,
    *,
    texts: dict[str, str] | None,
    problems: dict[str, str],
    status_code: int = 200,
) -> Response:
    lang = lang_of(request)
    fields = letters_svc.fields_of(template)
    # The texts as sent (a wrong date stays there to be corrected), the others from the values.
    sent = texts or {}
    shown = {f.name: sent.get(f.name, letters_svc.field_text(values, f.name)) for f in fields}
    letter = fill(template, values, letter_lang)
    return page(
        request,
        "vault_letter.html",
        status_code,
        letter_template=template,
        fields=fields,
        shown=shown,
        problems=problems,
        letter_lang=letter_lang,
        preview=_preview(letter),
        blanks=blanks(letter),
        advice=[a.get(lang) for a in template.advice],
        formats=letters_svc.LETTER_FORMATS,
    )
