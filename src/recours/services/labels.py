"""Words for states and dates, shared by the CLI and the web pages."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime, format_time

from recours.domain.common import Lang
from recours.domain.hours import OpenState
from recours.i18n import gettext_for

_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def when(moment: datetime, now: datetime, lang: Lang) -> str:
    """ "à 23:00" today, "demain à 09:00", else "lundi 30 novembre à 09:00"."""
    _ = gettext_for(lang).gettext
    locale = _LOCALES[lang]
    local_now = now.astimezone(moment.tzinfo)
    clock = format_time(moment, format="HH:mm", locale=locale)
    days = (moment.date() - local_now.date()).days
    if days == 0:
        return _("à {time}").format(time=clock)
    if days == 1:
        return _("demain à {time}").format(time=clock)
    day = format_datetime(moment, format="EEEE d MMMM", locale=locale)
    return _("{day} à {time}").format(day=day, time=clock)


def state_label(state: OpenState, now: datetime, lang: Lang) -> str:
    _ = gettext_for(lang).gettext
    if state.open_now is None:
        return _("Pas d’horaires : accessible à tout moment, sans réponse en direct")
    if state.open_now and state.closes_at is None:
        return _("Ouvert 24 h sur 24")
    if state.open_now and state.closes_at is not None:
        return _("Ouvert maintenant, ferme {when}").format(when=when(state.closes_at, now, lang))
    if state.next_opening is not None:
        return _("Fermé maintenant, ouvre {when}").format(when=when(state.next_opening, now, lang))
    return _("Fermé maintenant")


def status_label(status: str, lang: Lang) -> str:
    _ = gettext_for(lang).gettext
    labels = {
        "active": _("actif"),
        "superseded": _("remplacé"),
        "no_public_contact": _("pas de contact public"),
        "unverified": _("non vérifié"),
    }
    return labels[status]


# Item metadata keys, as a reader of the item page or the dossier understands them. A key not
# listed is shown as it is stored (an EXIF tag name is still searchable).
_METADATA_LABELS: dict[str, tuple[str, str]] = {
    "width": ("Largeur (pixels)", "Width (pixels)"),
    "height": ("Hauteur (pixels)", "Height (pixels)"),
    "image_format": ("Format de l’image", "Image format"),
    "exif_DateTimeOriginal": ("Prise de vue (selon l’appareil)", "Taken on (per the device)"),
    "exif_DateTime": ("Modifiée le (selon l’appareil)", "Modified on (per the device)"),
    "exif_DateTimeDigitized": ("Numérisée le (selon l’appareil)", "Digitised on (per the device)"),
    "exif_OffsetTimeOriginal": ("Fuseau de la prise de vue", "Time zone of the shot"),
    "exif_OffsetTime": ("Fuseau (selon l’appareil)", "Time zone (per the device)"),
    "exif_Orientation": ("Orientation", "Orientation"),
    "exif_LensModel": ("Objectif", "Lens"),
    "exif_Make": ("Appareil : marque", "Device: make"),
    "exif_Model": ("Appareil : modèle", "Device: model"),
    "exif_Software": ("Logiciel", "Software"),
    "exif_gps_latitude": ("Position GPS : latitude", "GPS position: latitude"),
    "exif_gps_longitude": ("Position GPS : longitude", "GPS position: longitude"),
    "url": ("Adresse", "Address"),
    "final_url": ("Adresse après redirections", "Address after redirects"),
    "status": ("Réponse du site (code HTTP)", "Site response (HTTP code)"),
    "note": ("Note", "Note"),
    "file_modified_at": ("Fichier modifié le (selon l’ordinateur)", "File modified on (per the computer)"),
    "pdq": ("Empreinte d’image PDQ", "PDQ image hash"),
    "pdq_quality": ("Qualité de l’empreinte PDQ", "PDQ hash quality"),
    "derived_from": ("Dérivé de l’élément", "Derived from item"),
    "incident": ("Incident lié", "Linked incident"),
}


def metadata_label(key: str, lang: Lang) -> str:
    labels = _METADATA_LABELS.get(key)
    return key if labels is None else labels[1 if lang == "en" else 0]
