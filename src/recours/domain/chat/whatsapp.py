"""WhatsApp ``.txt`` exports (Android and iOS, 12 h and 24 h, many languages): bytes → records.

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

Two paths give the same records: a general one, message by message, which gives ChatEntry tuples
(the reference), and a fast one for files whose headers all share the shape of the first, which
gives columns, timestamps already written as text (see "The fast path" below); ParsedExport
turns either into the other on demand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import compress, repeat
from operator import add, contains
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from recours.domain.chat.model import (
    ENTRY_FIELDS,
    ChatEntry,
    Columns,
    DateOrder,
    EntryKind,
    ParsedExport,
    SystemKind,
    collector_paused,
)
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
    return _parse(data, tz, date_order, fast=True)


def _parse(raw: bytes, tz: str, date_order: DateOrder | None, *, fast: bool) -> ParsedExport:
    """The fast path when it can vouch for its result, else the general one (``fast=False``: the
    general one only, the reference the tests compare the fast path with)."""
    data, first = _start(raw)
    done = _fast(data, first, tz, date_order) if fast else None
    if done is not None:
        return done
    order = date_order or _date_order(data, first)
    with collector_paused():
        entries = _general_entries(data, first, _Builder(order, ZoneInfo(tz)))
    return ParsedExport(format="whatsapp", entries=entries, timezone=tz, date_order=order)


def _start(data: bytes) -> tuple[bytes, re.Match[bytes]]:
    """The text without BOM and CR, and its first header."""
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
    return data, first


def _general_entries(data: bytes, first: re.Match[bytes], build: _Builder) -> list[ChatEntry]:
    """The reference path: every header found by HEADER, one message at a time."""
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
    return entries


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


class _LineStart:
    """Lines of the data that start with a pattern.

    Same answers as ``^`` with re.MULTILINE, but sre would try that at every byte of the file;
    with "\\n" as a literal prefix it jumps from line to line (60 ms → 12 ms over 16 MB).
    """

    def __init__(self, pattern: bytes) -> None:
        self.pattern = pattern
        self.at_start = re.compile(pattern)
        self.after_newline = re.compile(rb"\n" + pattern)

    def first_line(self, data: bytes) -> int | None:
        """Where the first such line starts."""
        if self.at_start.match(data):
            return 0
        found = self.after_newline.search(data)
        return None if found is None else found.start() + 1

    def found_in(self, data: bytes) -> bool:
        return self.first_line(data) is not None


# A line whose first number is above 12 (day-first files) or whose second is (month-first).
_ABOVE_12 = rb"(?:1[3-9]|[2-9]\d|3[01])"
_FIRST_ABOVE_12 = _LineStart(_MARK + rb"\[?" + _ABOVE_12 + rb"[./-]\d{1,2}[./-]")
_SECOND_ABOVE_12 = _LineStart(_MARK + rb"\[?\d{1,2}[./-]" + _ABOVE_12 + rb"[./-]")
_EITHER_ABOVE_12 = _LineStart(
    _MARK + rb"\[?(?:" + _ABOVE_12 + rb"[./-]\d{1,2}|\d{1,2}[./-]" + _ABOVE_12 + rb")[./-]"
)


def _date_order(data: bytes, first: re.Match[bytes]) -> DateOrder:
    if _year_first(first):
        return "ymd"
    return _decide_order(first, _FIRST_ABOVE_12.found_in(data), _SECOND_ABOVE_12.found_in(data))


def _year_first(first: re.Match[bytes]) -> bool:
    return (first.start(1) != -1 and len(first.group(1)) == 4) or (
        first.start(9) != -1 and len(first.group(9)) == 4
    )


def _decide_order(first: re.Match[bytes], first_big: bool, second_big: bool) -> DateOrder:
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
        "Précisez-le : champ « Ordre des dates » dans l’application, ou option --date-order dmy ou mdy.",
        "Cannot tell whether dates are day/month or month/day (no day after the 12th). "
        "Say it: the “Date order” field in the app, or the option --date-order dmy or mdy.",
    )


def _calendar_day(order: DateOrder, a: bytes, b: bytes, c: bytes) -> tuple[int, int, int]:
    """Year, month, day from the three numbers of a header date, in the file's order."""
    if order == "ymd":
        year, month, day = int(a), int(b), int(c)
    elif order == "dmy":
        day, month, year = int(a), int(b), int(c)
    else:
        month, day, year = int(a), int(b), int(c)
    return year + 2000 if year < 100 else year, month, day


def _clock(hour: bytes, minute: bytes, second: bytes | None, meridiem: bytes | None) -> tuple[int, int, int]:
    """Hour (0-23 when valid), minute, second from a header time, 12 h or 24 h."""
    hours = int(hour)
    if meridiem:
        hours = hours % 12 + (12 if meridiem in b"Pp" else 0)
    return hours, int(minute), int(second) if second else 0


# ChatEntry's fields from ``author`` to ``deleted``: what the body of a message says.
_FIELDS = ChatEntry._fields[1:8]
_Fields = tuple[str | None, EntryKind, SystemKind | None, str, tuple[str, ...], bool, bool]


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
            a, b, c, hour, minute, second, meridiem = match.group(1, 3, 4, 5, 6, 7, 8)
        else:
            a, b, c, hour, minute, second, meridiem = match.group(9, 11, 12, 13, 14, 15, 16)
        try:
            # fold=0: in the hour repeated when clocks go back, the first occurrence is meant.
            moment = datetime(
                *_calendar_day(self.order, a, b, c), *_clock(hour, minute, second, meridiem), tzinfo=self.zone
            )
        except ValueError:
            raise ChatParseError(
                "bad_date", f"Date impossible à la ligne {line}.", f"Impossible date on line {line}."
            ) from None
        self.last_header, self.last_time = header, moment
        return moment

    def entry(self, match: re.Match[bytes], body: str, first: int, last: int) -> ChatEntry:
        return self.record(self.timestamp(match, first), body, first, last)

    def record(self, timestamp: datetime, body: str, first: int, last: int) -> ChatEntry:
        """The entry for a body (all that follows the header)."""
        return ChatEntry(timestamp, *self.fields(body), first, last)

    def fields(self, body: str) -> _Fields:
        """What a body (all that follows the header) says, whichever path found it: ChatEntry's
        fields from ``author`` to ``deleted``."""
        if body.startswith("\u200e"):
            body = body[1:]
        separator = body.find(": ")
        first_line_end = body.find("\n")
        if separator < 0 or (first_line_end != -1 and separator > first_line_end):
            if body.endswith(":") and first_line_end == -1 and " " not in body:
                separator = len(body) - 1  # "Léa:" — a message with no text
            else:
                return None, "system", _system_kind(body), body, (), False, False
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
                    return None, "system", kind, text, (), False, False
        return author, "message", None, text, attachments, media_omitted, deleted


def _system_kind(text: str) -> SystemKind:
    for kind, pattern in _SYSTEM:
        if pattern.search(text):
            return kind
    return "other"


# The fast path ---------------------------------------------------------------------------------
#
# A real export writes every header alike (same separators, same padding, 12 h or 24 h). From the
# first header, a regex is made for that one shape; it splits the file at its headers, one C call
# per block of the file, and captures date, time and author on the way. Most records are then
# "author wrote text" and are built column by column: one C-level `map` per field, not a Python
# loop per message, and the result is the columns themselves (the import stores columns: no
# ChatEntry tuple is made). The few others (system lines, media and deletion markers, attachments,
# U+200E marks) are flagged by cheap, generous tests and read by `_Builder.fields`, the reference
# code.
# Whatever the fast path cannot vouch for (a header of another shape, an impossible date, invalid
# UTF-8, a doubtful date order) makes it give up, and the general path parses the whole file: the
# result and the errors are always the reference ones.


class _Diverge(Exception):
    """This file is not for the fast path: parse it with the general one."""


# Blocks of about 256 KiB bound the temporary per-block lists (about 3,000 messages): a few MB of
# peak memory less than 1 MiB blocks, for the same speed.
_BLOCK = 1 << 18

# What str.strip() removes (str.isspace()); tests/test_whatsapp.py checks it against Python's own.
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
_SPACES += "\u2028\u2029\u202f\u205f\u3000"
# A record is not plain "author wrote text" only if its text starts with a space or U+200E
# (strip() or the mark removal change it), if its first line ends with a space, ")" or ">"
# (attachments) or "." (deletion markers take any number of periods), or if that line is a
# media or deletion marker. The header regex looks for all of these on the bytes, generously:
# any character that starts (ends) with the same byte as one of these is flagged too ("é" ends
# like U+2029), and str.strip(_EDGES), which returns the very same object when there is nothing
# to strip, clears the few extra ones afterwards.
_EDGES = _SPACES + ").>"
_FIRST_BYTES = rb"[" + re.escape(bytes(sorted({c.encode()[0] for c in _SPACES + "\u200e"}))) + rb"]"
_LAST_BYTES = rb"[" + re.escape(bytes(sorted({c.encode()[-1] for c in _EDGES}))) + rb"]"


def _trie(words: list[bytes]) -> bytes:
    """A regex for exactly these words, factored by their first bytes: sre tries alternatives one
    after the other, and this way most texts are dismissed after a byte or two."""
    tails: dict[bytes, list[bytes]] = {}
    for word in sorted(set(words)):
        tails.setdefault(word[:1], []).append(word[1:])
    branches = [
        re.escape(head) + (re.escape(rest[0]) if len(rest) == 1 else rb"(?:" + _trie(rest) + rb")")
        for head, rest in tails.items()
        if head
    ]
    return b"|".join(branches) + (b"|" if b"" in tails else b"")


# "Author: " is the body up to its first ": ", on the first line, if the text after it neither
# starts with one of _FIRST_BYTES nor is a marker (followed by periods, it ends with "."). Other
# body (no author, ":" or U+200E at the start of the author part, which the reference removes
# first) is left to the reference: its first line (never empty, but at the very end of a block)
# is captured to flag it.
_BODY = (
    rb"(?:(?!\xe2\x80\x8e)([^:\n]*+): (?!"
    + _FIRST_BYTES
    + rb"|(?:"
    + _trie([marker.encode() for marker in MEDIA_OMITTED | DELETED])
    + rb")(?:\n|\Z))|(?=([^\n]*+\n?)))"
)
# Before a header: the last byte of the previous message when it is one of _LAST_BYTES (a
# single byte: CPython hands out the same object each time, nothing is allocated).
_AFTER = rb"\n(?:(?<=(" + _LAST_BYTES + rb")\n))?"


def _fast(data: bytes, first: re.Match[bytes], tz: str, date_order: DateOrder | None) -> ParsedExport | None:
    """The records by the fast path, as columns, or None if it cannot vouch for them."""
    try:
        return _FastPath(data, first, tz, date_order).run()
    except _Diverge:
        return None


def _specialised(data: bytes, first: re.Match[bytes]) -> re.Pattern[bytes]:
    """A header regex for the shape of ``first`` only: a subset of HEADER that ends where it ends.

    Digit counts are relaxed only where HEADER allows it (a day or hour of 1 or 2 digits), and so
    are spaces (HEADER takes a space, NBSP or U+202F wherever it takes one, and exports mix them);
    every other byte is the first header's own (separators, "à", brackets, periods); a 12 h marker
    keeps only its letters free (AM/PM, a. m./p. m.). Captures: the previous message's end flag,
    date, hour and minutes, the rest of the time (seconds, AM/PM: "" in most Android exports),
    author, flag; the text follows (what split returns after them).
    """
    ios = first.start(9) != -1
    a, separator, _, c, _ = first.group(*(range(9, 14) if ios else range(1, 6)))
    separator = re.escape(separator)
    date = _digits(a) + separator + rb"[0-9]{1,2}" + separator + rb"[0-9]{%d}" % len(c)
    time_start = first.start(13 if ios else 5)
    joiner = data[first.end(12 if ios else 4) : time_start]
    parts = _groups(_TIME_AND_TAIL, data, time_start, first.end())
    time, tail = parts[0], parts[-1]  # the whole time, and what closes the header
    hour_minute, rest = _groups(_HOUR_MINUTE, time)
    return re.compile(
        _AFTER
        + rb"(?:\xe2\x80[\x8e\x8f])*+"  # _MARK, possessive: a mark is never a digit nor "["
        + (rb"\[" if ios else b"")
        + rb"("
        + date
        + rb")"
        + _shape(joiner)
        + rb"("
        + _shape(hour_minute, clock=True, hour=True)
        + rb")("
        + _shape(rest, clock=True)
        + rb")"
        + _shape(tail)
        + _BODY
    )


_TIME_AND_TAIL = re.compile(rb"(" + _TIME + rb")(" + _SPACE + rb"-" + _SPACE + rb"|\]" + _SPACE + rb")")
_HOUR_MINUTE = re.compile(rb"(\d{1,2}[:.]\d{2})(.*)", re.DOTALL)
# What follows the minutes in a header time: seconds, AM/PM (its letters and whatever else).
_REST_OF_TIME = re.compile(rb"(?:[:.](\d{2}))?[^AaPp]*([AaPp])?.*", re.DOTALL)


def _groups(
    pattern: re.Pattern[bytes], text: bytes, start: int = 0, end: int | None = None
) -> tuple[Any, ...]:
    """The groups of a pattern that HEADER or the specialised regex guarantee to match."""
    found = pattern.fullmatch(text, start, len(text) if end is None else end)
    if found is None:
        raise _Diverge  # cannot happen
    return found.groups()


_TOKENS = re.compile(rb"\d+|[AaPpMm]|" + _SPACE + rb"|.", re.DOTALL)
_ONE_SPACE = re.compile(_SPACE)


def _digits(number: bytes) -> bytes:
    return rb"[0-9]{1,2}" if len(number) <= 2 else rb"[0-9]{%d}" % len(number)


def _shape(text: bytes, *, clock: bool = False, hour: bool = False) -> bytes:
    """The regex for a header piece written like ``text``: ``clock``, a piece of the time (its
    digits and AM/PM letters vary; ``hour``: it starts with the hour), or the bytes around it."""
    shape: list[bytes] = []
    for token in _TOKENS.findall(text):
        if clock and token.isdigit():  # the hour has 1 or 2 digits, minutes and seconds 2
            shape.append(rb"[0-9]{1,2}" if hour and not shape else rb"[0-9]{2}")
        elif clock and token in (b"A", b"a", b"P", b"p"):
            shape.append(rb"[AaPp]")
        elif clock and token in (b"M", b"m"):
            shape.append(rb"[Mm]")
        elif _ONE_SPACE.fullmatch(token):
            shape.append(_SPACE)
        else:
            shape.append(re.escape(token))
    return b"".join(shape)


def _quick_date_order(data: bytes, first: re.Match[bytes]) -> tuple[DateOrder, _LineStart | None]:
    """The date order _date_order finds, without reading the file twice to the end.

    The first line that passes either "above 12" test says which one the file passes; the other
    must then pass on no line at all, which the fast path checks as it reads (returned here).
    """
    if _year_first(first):
        return "ymd", None
    line = _EITHER_ABOVE_12.first_line(data)
    first_big = line is not None and _FIRST_ABOVE_12.at_start.match(data, line) is not None
    second_big = line is not None and _SECOND_ABOVE_12.at_start.match(data, line) is not None
    try:
        order = _decide_order(first, first_big, second_big)
    except ChatParseError:
        raise _Diverge from None  # the general path raises it
    if first_big:
        return order, _SECOND_ABOVE_12
    if second_big:
        return order, _FIRST_ABOVE_12
    return order, None  # no line passes either (dotted dates)


_K = TypeVar("_K")
_V = TypeVar("_V")


class _Memo(dict[_K, _V]):
    """A dict that computes a missing value once; its (C) ``__getitem__`` can be ``map``-ped."""

    def __init__(self, compute: Callable[[_K], _V]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: _K) -> _V:
        value = self[key] = self.compute(key)
        return value


_DATE_NUMBERS = re.compile(rb"(\d+)[./-](\d+)[./-](\d+)")
_HOUR_MINUTE_NUMBERS = re.compile(rb"(\d+)[:.](\d+)")


class _FastPath:
    """The fast path over one file: its header regex, its date order, what it parsed once."""

    def __init__(self, data: bytes, first: re.Match[bytes], tz: str, date_order: DateOrder | None) -> None:
        self.data = data
        self.first = first
        self.tz = tz
        self.pattern = _specialised(data, first)
        self.order, self.unseen = (date_order, None) if date_order else _quick_date_order(data, first)
        try:
            zone = ZoneInfo(tz)
        except Exception:
            raise _Diverge from None  # the general path raises it, after the date errors
        self.build = _Builder(self.order, zone)
        # A line inside a message must not be a header (the general path would start a message
        # there) nor pass that "above 12" test.
        self.forbidden_line = re.compile(
            rb"\n(?:"
            + _ANDROID
            + rb"|"
            + _IOS
            + (b"" if self.unseen is None else rb"|" + self.unseen.pattern)
            + rb")"
        )
        # A few hundred days, 1,440 hours and minutes, 120 seconds and AM/PM, a few authors: each
        # is parsed once (a whole time with seconds would be, for most messages).
        ios = 8 if first.start(9) != -1 else 0  # HEADER's iOS groups come 8 after Android's
        self.twelve_hour = first.start(8 + ios) != -1
        # Without seconds nor AM/PM (most Android exports), the rest of the time is always "".
        self.rest_free = first.start(7 + ios) == -1 and not self.twelve_hour
        self.days: _Memo[bytes, str] = _Memo(self.day)
        # Filled by day(), keyed by its text: each day's UTC offset and midnight, and the days
        # when the clocks change.
        self.offsets: dict[str, str] = {}
        self.midnights: dict[str, datetime] = {}
        self.changing: set[str] = set()
        self.minutes: _Memo[bytes, timedelta] = _Memo(self.minute)
        self.rests: _Memo[bytes, timedelta] = _Memo(self.rest)
        # The text of a time ("09:05:00"), and for each UTC offset, the text of a time then that
        # offset ("09:05:00+02:00"); keyed by the header's hour and minutes (``rest_free``), or
        # when there is more to the time, by the time.
        self.clock_texts: _Memo[bytes | timedelta, str] = _Memo(lambda time: _clock_text(self.time(time)))
        self.clocks: dict[str, _Memo[bytes | timedelta, str]] = {}
        self.names: _Memo[bytes | None, str | None] = _Memo(self.name)

    # A timestamp's text is what ``datetime(…, tzinfo=zone).isoformat()`` writes (fold 0: in the
    # hour repeated when clocks go back, the first occurrence is meant): the day, "T", the time,
    # then the UTC offset of that wall time. The offset is the same all day long but on the day
    # the clocks change: it is read once per day, at its first and last second; on a day when
    # they differ, each time is written by isoformat itself (see _FastPath.stamps). No zone in
    # the tz database changes its offset twice within two days (tests/test_whatsapp.py checks
    # it over every zone), so equal offsets at both ends of a day mean no change in between.
    def day(self, text: bytes) -> str:
        """The text of a header date ("2026-07-14T"); its offset and midnight are kept aside."""
        # The "above 12" test that must pass nowhere need not run on header lines: there it looks
        # at the number in the month's place (second in day-first files, first in month-first
        # ones), and a month above 12 is an impossible date already.
        a, b, c = _groups(_DATE_NUMBERS, text)
        try:
            midnight = datetime(*_calendar_day(self.order, a, b, c), tzinfo=self.build.zone)
            written = midnight.isoformat()
            day = written[:11]
            if midnight.replace(hour=23, minute=59, second=59).utcoffset() != midnight.utcoffset():
                self.changing.add(day)
        except (ValueError, OverflowError):
            raise _Diverge from None  # the general path says on which line
        self.offsets[day] = written[19:]  # after "YYYY-MM-DDT00:00:00"
        self.midnights[day] = midnight
        return day

    # The day's midnight (aware) + hour and minutes + the rest is the value and fold (0) of
    # datetime(…, tzinfo=zone), as arithmetic on aware datetimes is wall-clock arithmetic, and
    # _clock's sum (hour % 12 from the first, + 12 for PM from the second).
    def minute(self, text: bytes) -> timedelta:
        hour, minute = _groups(_HOUR_MINUTE_NUMBERS, text)
        hours, minutes, _ = _clock(hour, minute, None, b"A" if self.twelve_hour else None)
        if hours > 23 or minutes > 59:
            raise _Diverge
        return timedelta(hours=hours, minutes=minutes)

    def rest(self, text: bytes) -> timedelta:
        hours, _, seconds = _clock(b"0", b"0", *_groups(_REST_OF_TIME, text))
        if seconds > 59:
            raise _Diverge
        return timedelta(hours=hours, seconds=seconds)

    def name(self, text: bytes | None) -> str | None:
        if text is None:
            return None
        try:
            name = text.decode()
        except UnicodeDecodeError:
            raise _Diverge from None
        return self.build.authors.setdefault(name, name)

    def run(self) -> ParsedExport:
        """All records as columns, a block at a time."""
        data, start = self.data, self.first.start()
        if self.unseen is not None and self.unseen.found_in(data[:start]):
            raise _Diverge  # a line before the first header passes it
        built = _Built()
        line = 1 + data.count(b"\n", 0, start)
        # Each block starts with the newline before a header (one is added for a header on line 1)
        # and ends before the newline of a later header, so that every header is matched alike.
        # Blocks are views of the data, not copies (the regex gives bytes all the same).
        begin = start - 1
        with memoryview(data) as view:
            while True:
                boundary = self.pattern.search(data, begin + _BLOCK)
                end = len(data) if boundary is None else boundary.start()
                block = view[begin:end] if begin >= 0 else b"\n" + data[:end]
                line = self.block(block, line, built, final=boundary is None)
                if boundary is None:
                    break
                begin = end
        return ParsedExport(
            format="whatsapp", columns=built.columns(), timezone=self.tz, date_order=self.order
        )

    def block(self, block: bytes | memoryview, line: int, built: _Built, *, final: bool) -> int:
        """Add the block's records; returns the line of the next message."""
        parts = self.pattern.split(block)
        if parts[0]:
            raise _Diverge  # cannot happen: a block starts with a header
        # After parts[0], for each message: the previous one's end flag, date, hour and minutes,
        # rest of the time, author, flag, text.
        dates, raws = parts[2::7], parts[7::7]
        if final:
            raws[-1] = raws[-1].removesuffix(b"\n")
        try:
            texts = list(map(bytes.decode, raws))
        except UnicodeDecodeError:
            raise _Diverge from None
        multi = list(compress(range(len(texts)), map(contains, texts, repeat("\n"))))
        self.check_continuations(raws, multi)
        firsts, lasts, line = _line_numbers(raws, multi, line)
        authors = list(map(self.names.__getitem__, parts[5::7]))
        offset = len(built.text)
        for i in _flagged(texts, parts[6::7], parts[8::7], multi):
            author = authors[i]
            body = texts[i] if author is None else author + ": " + texts[i]
            built.patches.append((offset + i, self.build.fields(body)))
        built.timestamp += self.stamps(dates, parts[3::7], [] if self.rest_free else parts[4::7])
        built.author += authors
        built.text += texts
        built.first_line += firsts
        built.last_line += lasts
        return line

    def stamps(self, dates: list[bytes], hour_minutes: list[bytes], rests: list[bytes]) -> list[str]:
        """The timestamps' texts: day + time + the day's offset (see day())."""
        days = list(map(self.days.__getitem__, dates))
        times: list[bytes] | list[timedelta] = (
            hour_minutes if self.rest_free else list(self.times(hour_minutes, rests))
        )
        seen = set(days)  # a few objects: one per date of the block
        offsets = {self.offsets[day] for day in seen}
        if len(offsets) == 1 and seen.isdisjoint(self.changing):  # most blocks
            return list(map(add, days, map(self.clocks_at(offsets.pop()).__getitem__, times)))
        clocks = map(self.clock_texts.__getitem__, times)
        stamps = list(map(add, map(add, days, clocks), map(self.offsets.__getitem__, days)))
        for i in compress(range(len(days)), map(self.changing.__contains__, days)):
            stamps[i] = (self.midnights[days[i]] + self.time(times[i])).isoformat()
        return stamps

    def clocks_at(self, offset: str) -> _Memo[bytes | timedelta, str]:
        """Time → its text then ``offset``."""
        clocks = self.clocks.get(offset)
        if clocks is None:
            clocks = self.clocks[offset] = _Memo(lambda time: self.clock_texts[time] + offset)
        return clocks

    def time(self, time: bytes | timedelta) -> timedelta:
        """The time of a header: its hour and minutes (``rest_free``), or the time itself."""
        return self.minutes[time] if isinstance(time, bytes) else time

    def times(self, hour_minutes: list[bytes], rests: list[bytes]) -> Iterator[timedelta]:
        times = map(self.minutes.__getitem__, hour_minutes)
        return times if self.rest_free else map(add, times, map(self.rests.__getitem__, rests))

    def check_continuations(self, raws: list[bytes], multi: list[int]) -> None:
        """The lines after the first of each message: none may be a header of another shape, nor
        pass the "above 12" test that must pass nowhere."""
        for i in multi:
            if self.forbidden_line.search(raws[i]):
                raise _Diverge


def _clock_text(time: timedelta) -> str:
    """A time of day as isoformat writes it (whole seconds)."""
    minutes, seconds = divmod(time.seconds, 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}"


# What every plain message has; the other fields are columns, or take ChatEntry's default (as
# ChatEntry(...) would give them, whatever fields it gains).
_PLAIN = {"kind": "message", "system": None, "attachments": (), "media_omitted": False, "deleted": False}


class _Built:
    """The columns the fast path has made so far: the fields that vary from message to message,
    and the records that are not plain "author wrote text" (index, their fields from ``author``
    to ``deleted``)."""

    def __init__(self) -> None:
        self.timestamp: list[str] = []
        self.author: list[str | None] = []
        self.text: list[str] = []
        self.first_line: list[int] = []
        self.last_line: list[int] = []
        self.patches: list[tuple[int, _Fields]] = []

    def columns(self) -> Columns:
        count = len(self.text)
        constants = {**ChatEntry._field_defaults, **_PLAIN}
        columns: Columns = {
            name: getattr(self, name) if name in _VARYING else [constants[name]] * count
            for name in ENTRY_FIELDS
        }
        for index, fields in self.patches:
            for name, value in zip(_FIELDS, fields, strict=True):
                columns[name][index] = value
        return columns


_VARYING = frozenset({"timestamp", "author", "text", "first_line", "last_line"})


def _line_numbers(raws: list[bytes], multi: list[int], line: int) -> tuple[list[int], list[int], int]:
    """First and last line of each message (``multi``: those of several lines), and the next line."""
    spans = [raws[i].count(b"\n") for i in multi]
    firsts: list[int] = []
    start = 0  # the first message not numbered yet
    for i, span in zip(multi, spans, strict=True):
        firsts += range(line, line + i - start + 1)
        line += i - start + 1 + span
        start = i + 1
    firsts += range(line, line + len(raws) - start)
    line += len(raws) - start
    lasts = firsts.copy()  # the same int objects for one-line messages
    for i, span in zip(multi, spans, strict=True):
        lasts[i] = firsts[i] + span
    return firsts, lasts, line


def _flagged(
    texts: list[str], unusual: list[bytes | None], ends: list[bytes | None], multi: list[int]
) -> set[int]:
    """The messages that may not be plain "author wrote text" (a generous superset): ``unusual``
    and ``ends`` are the regex's flags (``ends[i]``: message i's last line)."""
    everything = range(len(texts))
    flagged = set(compress(everything, unusual))
    flagged.update(i for i in compress(everything, ends) if texts[i].strip(_EDGES) is not texts[i])
    for i in multi:  # ``ends`` saw the end of the last line: look at the first one
        first_line = texts[i].partition("\n")[0]
        if first_line.strip(_EDGES) is not first_line:
            flagged.add(i)
    # The last message of a block too: its end flag would be in the next block (and the file's
    # very last message may have no body at all).
    flagged.add(len(texts) - 1)
    return flagged
