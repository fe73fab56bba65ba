"""Printed documents: the dossier and the letters as PDF, from the same Jinja environment and
translations as the web pages (ARCHITECTURE.md: one i18n pipeline). The CLI and the web routes
both call this module; the service receives :class:`DossierPdf` as its renderer."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_date, format_datetime

from recours.adapters import media
from recours.adapters.charts import analysis_charts
from recours.adapters.letter_files import letter_docx, letter_html
from recours.adapters.pdf import PdfAttachment, render_pdf
from recours.adapters.signal_pack import load_signal_pack
from recours.domain.common import Lang, Text, code_point_label
from recours.domain.custody import receipt_text
from recours.domain.dossier import ChronologyKind
from recours.domain.law import LawBook
from recours.domain.letters import Letter
from recours.i18n import gettext_for
from recours.services.dossier import Dossier
from recours.services.labels import metadata_label
from recours.services.letters import LetterRenderer
from recours.web.render import ENV

DOSSIER_TITLE: Text = Text(fr="Dossier de preuves", en="Evidence dossier")
def _kind_words(t: Callable[[str], str]) -> dict[ChronologyKind, str]:
    """The words that introduce each kind of dated fact (``t``: the translator)."""
    return {
        "incident": t("Incident"),
        "evidence": t("Preuve ajoutée :"),
        "message": t("Message"),
        "raid": t("Acharnement collectif possible :"),
        "contact": t("Démarche :"),
    }


def chronology_label(lang: Lang) -> Callable[[ChronologyKind], str]:
    """The words that introduce each kind of dated fact, in ``lang``."""
    words = _kind_words(gettext_for(lang).gettext)
    return lambda kind: words[kind]


@dataclass(frozen=True)
class DossierPdf:
    """The service's renderer (services.dossier.DossierRenderer)."""

    law: LawBook

    def pdf(self, dossier: Dossier, manifest: bytes) -> bytes:
        lang = dossier.request.lang
        html = dossier_html(dossier, manifest, self.law)
        return render_pdf(
            html,
            lang=lang,
            title=DOSSIER_TITLE.get(lang),
            created=datetime.fromisoformat(dossier.generated_at),
            attachments=[
                PdfAttachment(
                    "manifest.json",
                    manifest,
                    DOSSIER_MANIFEST.get(lang),
                    "application/json",
                )
            ],
        )

    def without_metadata(self, data: bytes) -> bytes | None:
        return media.without_metadata(data)


DOSSIER_MANIFEST: Text = Text(
    fr="Manifeste : empreinte SHA-256, taille et date d’ajout de chaque fichier remis",
    en="Manifest: SHA-256, size and intake time of every file handed over",
)


def dossier_html(dossier: Dossier, manifest: bytes, law: LawBook) -> str:
    lang = dossier.request.lang
    translate = _ = gettext_for(lang).gettext
    aliases = dossier.aliases
    pack = load_signal_pack()
    analysis = dossier.analysis
    charts = None
    if analysis is not None and analysis.days:
        charts = {name: _data_uri("image/svg+xml", svg) for name, svg in analysis_charts(
            analysis.days, analysis.hours, translate
        ).items()}
    context: dict[str, Any] = {
        "d": dossier,
        "charts": charts,
        "thumbnails": {
            item.record.id: _data_uri("image/jpeg", media.jpeg_for_print(item.thumbnail))
            for item in dossier.items
            if item.thumbnail
        },
        "who": lambda name: reveal(str(aliases.name(name))) if name is not None else "—",
        "said": lambda text: reveal(aliases.apply(text)),
        "text": lambda value: value.get(lang),
        "texts": lambda values: " ; ".join(value.get(lang) for value in values),
        "names": lambda names: ", ".join(reveal(str(aliases.name(name))) for name in names),
        "days": lambda stamps: ", ".join(_day(stamp, lang) for stamp in stamps),
        "day": lambda stamp: _day(stamp, lang),
        "moment": lambda stamp: _moment(stamp, lang),
        "size": lambda size: _size(size, lang),
        "metadata_label": lambda key: metadata_label(key, lang),
        "kind_label": lambda kind: _kind_words(translate)[kind].rstrip(" :"),
        "category_label": lambda name: (
            pack.categories[name].label.get(lang) if name in pack.categories else name
        ),
        "law_disclaimer": law.disclaimer.get(lang),
        "receipt": receipt_text(dossier.vault_id, dossier.head),
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
    }
    return ENV.get_template("pdf/dossier.html").render(
        _=translate,
        lang=lang,
        title=DOSSIER_TITLE.get(lang),
        running_footer=_("Dossier établi le {when} — reçu du journal : {count} entrées").format(
            when=_day(dossier.generated_at, lang), count=dossier.head.count
        ),
        **context,
    )


def letter_pdf(letter: Letter, created: datetime) -> bytes:
    """A letter as PDF/A, as it is sent: without the title the web preview shows."""
    page = ENV.get_template("pdf/letter.html").render(
        _=gettext_for(letter.lang).gettext,
        lang=letter.lang,
        title=letter.title,
        running_footer="",
        letter_fragment=letter_html(letter, preview=False),
    )
    return render_pdf(page, lang=letter.lang, title=letter.title, created=created)


def letter_renderer() -> LetterRenderer:
    """The DOCX and PDF makers the letters service receives (CLI and web)."""
    return LetterRenderer(docx=letter_docx, pdf=letter_pdf)


# Characters a reader cannot see but that change what they read: bidi controls (a file named
# "facture\u202egpj.exe" shows as "factureexe.jpg", Unicode TR #9; CVE-2021-42574 "Trojan
# Source"), zero-width characters, the BOM. In a dossier they are shown by their code point.
# Invisible and direction-changing characters, and lone surrogates (half an emoji, in some JSON
# exports: they have no UTF-8 form, so no PDF or web page can hold them as they are).
_HIDDEN = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]")


def reveal(text: str) -> str:
    """``text`` with each invisible or direction-changing character, and each lone surrogate,
    shown as ⟨U+XXXX⟩."""
    return _HIDDEN.sub(lambda m: code_point_label(m[0]), text)


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _day(stamp: str, lang: Lang) -> str:
    if not stamp:
        return "—"
    try:
        return format_date(datetime.fromisoformat(stamp[:10]).date(), "long", locale=lang)
    except ValueError:
        return stamp


def _moment(stamp: str, lang: Lang) -> str:
    """A timestamp in its own time zone (the one the evidence was written in), with its offset."""
    if not stamp:
        return "—"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if len(stamp) <= 10:
        return _day(stamp, lang)
    shown = format_datetime(moment, "d MMMM y, HH:mm", locale=lang, tzinfo=moment.tzinfo)
    offset = moment.strftime("%z")
    return f"{shown} (UTC{offset[:3]}:{offset[3:]})" if offset else shown


def _size(size: int, lang: Lang) -> str:
    units = ("octets", "Ko", "Mo", "Go") if lang == "fr" else ("bytes", "KB", "MB", "GB")
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.0f} {unit}" if unit == units[0] else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)
