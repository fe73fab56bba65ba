"""WhatsApp ``.txt`` exports (Android and iOS, 12 h and 24 h, many languages): bytes → entries.

Pure and deterministic: the time zone is given (the export has none; default Europe/Paris),
nothing is read from the clock. Headers are matched on the original text, with the invisible
characters WhatsApp sprinkles in them (U+200E, U+202F, NBSP) allowed where they occur, so the
message text after the header stays exactly as written.

Header shapes (examples):

* Android: ``14/07/2026 09:05 - Léa: texte``, ``14/07/2026, 09:05 - …``, ``14/07/2026 à 09:05 - …``,
  ``14.07.26, 09:05 - …``, ``7/14/26, 9:05\u202fAM - …``
* iOS: ``[14/07/2026 09:05:12] Léa: texte``, ``[7/14/26, 9:05:12 AM] …``

Day-first or month-first is decided over the whole file (a day above 12 settles it); when no
line can tell, the caller must say (``date_order``), as the user is asked in the CLI.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from recours.domain.chat.model import ChatEntry, DateOrder, ParsedExport, SystemKind
from recours.errors import ChatParseError

# The header is matched on the raw bytes (the file is decoded message by message: a 16 MB
# export with one emoji would otherwise become a 64 MB UCS-4 string). Invisible characters are
# their UTF-8 sequences: U+200E/U+200F marks, U+00A0 and U+202F spaces, "à" in "14/07 à 09:05".
_SPACE = rb"(?: |\xc2\xa0|\xe2\x80\xaf)"
_MARK = rb"(?:\xe2\x80[\x8e\x8f])*"


def _date(separator_group: int) -> bytes:
    return rb"(\d{1,4})([./-])(\d{1,2})\%d(\d{2,4})" % separator_group


_TIME = rb"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:" + _SPACE + rb"?([AaPp])\.?" + _SPACE + rb"?[Mm]\.?)?"
_ANDROID = (
    _MARK
    + _date(2)
    + rb"(?:,|"
    + _SPACE
    + rb"+\xc3\xa0|"
    + _SPACE
    + rb"+um)?"
    + _SPACE
    + rb"+"
    + _TIME
    + _SPACE
    + rb"-"
    + _SPACE
)
_IOS = _MARK + rb"\[" + _date(10) + rb",?" + _SPACE + rb"+" + _TIME + rb"\]" + _SPACE
HEADER = re.compile(rb"^(?:" + _ANDROID + rb"|" + _IOS + rb")", re.MULTILINE)
# A header whose second number is above 12 (month-first files) or whose first is (day-first).
_SECOND_ABOVE_12 = re.compile(rb"^" + _MARK + rb"\[?\d{1,2}[./-](?:1[3-9]|[2-9]\d|3[01])[./-]", re.MULTILINE)
_FIRST_ABOVE_12 = re.compile(rb"^" + _MARK + rb"\[?(?:1[3-9]|[2-9]\d|3[01])[./-]\d{1,2}[./-]", re.MULTILINE)

MEDIA_OMITTED = frozenset(
    {
        "<Médias omis>",
        "<Media omitted>",
        "<Medien ausgeschlossen>",
        "<Multimedia omitido>",
        "<Media omessi>",
        "<Mídia oculta>",
        "<Arquivo de mídia oculto>",
        "image absente",
        "vidéo absente",
        "audio omis",
        "image omitted",
        "video omitted",
        "audio omitted",
        "sticker omitted",
        "GIF omitted",
        "document omitted",
    }
)
# Compared without a final period: versions differ on it.
DELETED = frozenset(
    text.rstrip(".")
    for text in {
        "Ce message a été supprimé",
        "Vous avez supprimé ce message",
        "This message was deleted",
        "You deleted this message",
        "Diese Nachricht wurde gelöscht.",
        "Du hast diese Nachricht gelöscht.",
        "Se eliminó este mensaje.",
        "Eliminaste este mensaje.",
        "Questo messaggio è stato eliminato",
        "Hai eliminato questo messaggio",
        "Mensagem apagada",
        "Você apagou esta mensagem",
        "Essa mensagem foi apagada",
        "Esta mensagem foi apagada",
    }
)
_ATTACHED = re.compile(
    r"^(?P<file>\S.*?\.\w{2,5}) \((?:fichier joint|file attached|Datei angehängt|archivo adjunto|"
    r"file allegato|arquivo anexado)\)",
)
_IOS_ATTACHED = re.compile(
    r"<\s?(?:pièce jointe|attached|Anhang|adjunto|allegato|anexo)\s?:\s?(?P<file>[^>]+?)\s?>"
)
# System lines (no "Author: "), recognised by their wording; anything else is "other".
_SYSTEM_WORDING: tuple[tuple[SystemKind, str], ...] = (
    (
        "encryption_notice",
        r"chiffrés de bout en bout|end-to-end encrypted|Ende-zu-Ende|cifrados de extremo a extremo|crittografia end-to-end|criptografia de ponta a ponta",
    ),
    (
        "disappearing_messages",
        r"messages éphémères|disappearing messages|selbstlöschende|mensajes temporales|messaggi effimeri|mensagens temporárias",
    ),
    (
        "security_code_changed",
        r"code de sécurité|security code|Sicherheitsnummer|código de seguridad|codice di sicurezza|código de segurança",
    ),
    (
        "group_created",
        r" a créé (le )?groupe| created group| hast? die Gruppe .* erstellt| creó el grupo| ha creato il gruppo| criou o grupo",
    ),
    (
        "group_renamed",
        r" a changé le nom du groupe| a modifié le sujet| changed the (group name|subject)| hat den Gruppennamen| cambió el (nombre|asunto)| ha cambiato il (nome|oggetto)| mudou o (nome|assunto)",
    ),
    (
        "group_icon_changed",
        r"(icône|image) du groupe| changed this group's icon| group icon|Gruppenbild| imagen del grupo| immagine del gruppo| imagem do grupo",
    ),
    (
        "group_description_changed",
        r"description du groupe| group description|Gruppenbeschreibung| descripción del grupo| descrizione del gruppo| descrição do grupo",
    ),
    (
        "member_added",
        r" a ajouté | added | hast? .* hinzugefügt| añadió | agregó | ha aggiunto | adicionou ",
    ),
    ("member_removed", r" a retiré | removed | hat .* entfernt| eliminó a | ha rimosso | removeu "),
    ("member_joined", r" a rejoint | joined using| ist .* beigetreten| se unió | si è unito| entrou "),
    (
        "member_left",
        r" est parti| left$| hat die Gruppe verlassen| ha abbandonato| salió del grupo|^.* salió$| è uscit| saiu$",
    ),
    ("call", r"[Aa]ppel (vocal|vidéo) manqué|[Mm]issed (voice|video) call"),
)
_SYSTEM = tuple((kind, re.compile(pattern)) for kind, pattern in _SYSTEM_WORDING)


def parse_whatsapp(
    data: bytes, *, tz: str = "Europe/Paris", date_order: DateOrder | None = None
) -> ParsedExport:
    """Parse a WhatsApp export, or raise :class:`ChatParseError` (never anything else)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    first = HEADER.search(data)
    if first is None:
        _decode(data, 1)  # an invalid file says so first
        raise ChatParseError(
            "not_whatsapp",
            "Ce fichier ne ressemble pas à un export WhatsApp (aucune ligne ne commence par une date).",
            "This file does not look like a WhatsApp export (no line starts with a date).",
        )
    order = date_order or _date_order(data, first)
    build = _Builder(order, ZoneInfo(tz))
    entries: list[ChatEntry] = []
    line = 1 + data.count(b"\n", 0, first.start())
    previous = first
    for match in HEADER.finditer(data, first.end()):
        raw = data[previous.end() : match.start() - 1]  # without the newline before the next header
        span = raw.count(b"\n")
        entries.append(build.entry(previous, _decode(raw, line), line, line + span))
        line += span + 1
        previous = match
    raw = data[previous.end() :].removesuffix(b"\n")
    entries.append(build.entry(previous, _decode(raw, line), line, line + raw.count(b"\n")))
    return ParsedExport(format="whatsapp", entries=entries, timezone=tz, date_order=order)


def _decode(raw: bytes, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ChatParseError(
            "not_utf8",
            f"Le fichier n’est pas du texte UTF-8 valable (vers la ligne {line}). Exportez à nouveau la "
            "discussion depuis WhatsApp, sans la modifier.",
            f"The file is not valid UTF-8 text (near line {line}). Export the chat again from WhatsApp, "
            "without editing it.",
        ) from None


def _date_order(data: bytes, first: re.Match[bytes]) -> DateOrder:
    if (first.start(1) != -1 and len(first.group(1)) == 4) or (
        first.start(9) != -1 and len(first.group(9)) == 4
    ):
        return "ymd"
    first_big = _FIRST_ABOVE_12.search(data) is not None
    second_big = _SECOND_ABOVE_12.search(data) is not None
    if first_big and not second_big:
        return "dmy"
    if second_big and not first_big:
        return "mdy"
    if first_big and second_big:
        raise ChatParseError(
            "inconsistent_dates",
            "Les dates de ce fichier sont incohérentes (jour et mois à la fois au-delà de 12).",
            "The dates of this file are inconsistent (both day and month above 12).",
        )
    if b"." in (first.group(2) or first.group(10) or b""):
        return "dmy"  # dotted dates are only written day first (de, ru, …)
    raise ChatParseError(
        "ambiguous_date_order",
        "Impossible de savoir si les dates sont écrites jour/mois ou mois/jour (aucun jour après le 12). "
        "Précisez-le avec --date-order dmy ou mdy.",
        "Cannot tell whether dates are day/month or month/day (no day after the 12th). "
        "Say it with --date-order dmy or mdy.",
    )


class _Builder:
    """Turns one header and its body into an entry; caches what repeats (times, author names)."""

    def __init__(self, order: DateOrder, zone: ZoneInfo) -> None:
        self.order = order
        self.zone = zone
        # Consecutive messages often share their minute: reuse the previous timestamp then.
        self.last_header = b""
        self.last_time: datetime | None = None
        self.authors: dict[str, str] = {}

    def timestamp(self, match: re.Match[bytes], line: int) -> datetime:
        header = match.group(0)
        if header == self.last_header and self.last_time is not None:
            return self.last_time
        if match.start(1) != -1:
            a, b, c, hour_text, minute, second, meridiem = match.group(1, 3, 4, 5, 6, 7, 8)
        else:
            a, b, c, hour_text, minute, second, meridiem = match.group(9, 11, 12, 13, 14, 15, 16)
        if self.order == "ymd":
            year, month, day = int(a), int(b), int(c)
        elif self.order == "dmy":
            day, month, year = int(a), int(b), int(c)
        else:
            month, day, year = int(a), int(b), int(c)
        hour = int(hour_text)
        if meridiem:
            hour = hour % 12 + (12 if meridiem in b"Pp" else 0)
        try:
            # fold=0: in the hour repeated when clocks go back, the first occurrence is meant.
            moment = datetime(
                year + 2000 if year < 100 else year,
                month,
                day,
                hour,
                int(minute),
                int(second) if second else 0,
                tzinfo=self.zone,
            )
        except ValueError:
            raise ChatParseError(
                "bad_date", f"Date impossible à la ligne {line}.", f"Impossible date on line {line}."
            ) from None
        self.last_header, self.last_time = header, moment
        return moment

    def entry(self, match: re.Match[bytes], body: str, first: int, last: int) -> ChatEntry:
        timestamp = self.timestamp(match, first)
        if body.startswith("\u200e"):
            body = body[1:]
        separator = body.find(": ")
        first_line_end = body.find("\n")
        if separator < 0 or (first_line_end != -1 and separator > first_line_end):
            if body.endswith(":") and first_line_end == -1 and " " not in body:
                separator = len(body) - 1  # "Léa:" — a message with no text
            else:
                return ChatEntry(
                    timestamp, None, "system", _system_kind(body), body, (), False, False, first, last
                )
        author = body[:separator]
        author = self.authors.setdefault(author, author)
        text = body[separator + 2 :]
        marked = text.startswith("\u200e")
        if marked:
            text = text[1:]
        attachments: tuple[str, ...] = ()
        media_omitted = deleted = False
        first_line = text.split("\n", 1)[0] if "\n" in text else text
        if len(first_line) < 160:
            stripped = first_line.strip()
            media_omitted = stripped in MEDIA_OMITTED
            deleted = stripped.rstrip(".") in DELETED
            if stripped.endswith((")", ">")):
                found = _ATTACHED.match(stripped) or _IOS_ATTACHED.search(stripped)
                if found:
                    attachments = (found.group("file").strip(),)
            # iOS writes notices as "[date] Chat name: \u200enotice": a system line, not a message.
            if marked and not (attachments or media_omitted or deleted) and "\n" not in text:
                kind = _system_kind(text)
                if kind != "other":
                    return ChatEntry(timestamp, None, "system", kind, text, (), False, False, first, last)
        return ChatEntry(
            timestamp, author, "message", None, text, attachments, media_omitted, deleted, first, last
        )


def _system_kind(text: str) -> SystemKind:
    for kind, pattern in _SYSTEM:
        if pattern.search(text):
            return kind
    return "other"
