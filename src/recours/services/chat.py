"""Importing a chat export into the vault: the original kept as an item, its records stored and
covered by the custody log, a later export of the same chat merged without duplicates."""

from __future__ import annotations

import gc
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, repeat
from operator import eq
from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack

from recours.domain.chat import records
from recours.domain.chat.discord import looks_like_discord, parse_discord
from recours.domain.chat.mail import looks_like_email, parse_email
from recours.domain.chat.meta import looks_like_meta, parse_meta
from recours.domain.chat.model import DateOrder, ParsedExport
from recours.domain.chat.signal import looks_like_signal, parse_signal
from recours.domain.chat.sms import looks_like_sms_backup, parse_sms
from recours.domain.chat.snapchat import looks_like_snapchat, parse_snapchat
from recours.domain.chat.telegram import looks_like_telegram, parse_telegram
from recours.domain.chat.whatsapp import HEADER, parse_whatsapp
from recours.domain.chat.whatsapp_zip import ChatArchive, looks_like_zip, parse_whatsapp_zip
from recours.errors import BadInput, ChatParseError, VaultDamaged
from recours.services import vault as vault_svc
from recours.services.ports import EvidenceStore

# The steps of an import, in order, as ``on_step`` hears them ("check_media": zip exports only).
ImportStep = Literal["parse", "check_media", "store"]
IMPORT_STEPS: tuple[ImportStep, ...] = ("parse", "check_media", "store")

FORMATS = (
    "auto",
    "whatsapp",
    "instagram",
    "messenger",
    "telegram",
    "sms",
    "email",
    "snapchat",
    "discord",
    "signal",
)


@dataclass(frozen=True)
class ImportSummary:
    format: str
    item_id: str
    entries: int
    messages: int
    system_events: int
    authors: list[str]
    first: str | None
    last: str | None
    new: int
    already_present: int
    timezone: str
    me: str | None
    # Zip exports only: media files added to the vault, already kept there, named but absent.
    media: int = 0
    media_already_present: int = 0
    media_missing: int = 0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse(
    data: bytes, fmt: str, tz: str, date_order: DateOrder | None, me: str | None = None
) -> ParsedExport:
    """The export's records, in the format given or recognised; a file with none is an error
    (an import that keeps nothing would look like a success)."""
    parsed = _parse_format(data, fmt, tz, date_order, me)
    _refuse_empty(parsed)
    return parsed


def _refuse_empty(parsed: ParsedExport) -> None:
    if not parsed.columns()["timestamp"]:
        raise ChatParseError(
            "empty",
            "Ce fichier ne contient aucun message. Vérifiez que c’est bien l’export de la discussion.",
            "This file holds no message. Check that it is the chat's export.",
        )


def _parse_format(
    data: bytes, fmt: str, tz: str, date_order: DateOrder | None, me: str | None
) -> ParsedExport:
    if fmt not in FORMATS:
        raise BadInput(
            f"Format « {fmt} » pas encore pris en charge. Formats disponibles : {', '.join(FORMATS)}.",
            f"Format “{fmt}” is not supported yet. Available formats: {', '.join(FORMATS)}.",
        )
    if fmt == "email" or (
        fmt == "auto" and looks_like_email(data) and not HEADER.match(data.lstrip(b"\xef\xbb\xbf"))
    ):
        return parse_email(data, tz=tz)
    # Before SMS and Telegram, whose sniffing looks for words anywhere in the head ("<smses",
    # "chats"), which a message of these exports may hold; theirs need these formats' own keys
    # or first line, which no other format has.
    if fmt == "snapchat" or (fmt == "auto" and looks_like_snapchat(data)):
        return parse_snapchat(data, tz=tz, me=me)
    if fmt == "discord" or (fmt == "auto" and looks_like_discord(data)):
        return parse_discord(data, tz=tz, me=me)
    if fmt == "signal" or (fmt == "auto" and looks_like_signal(data)):
        return parse_signal(data, tz=tz)
    if fmt == "sms" or (fmt == "auto" and looks_like_sms_backup(data)):
        return parse_sms(data, tz=tz, me=me)
    if fmt == "telegram" or (fmt == "auto" and looks_like_telegram(data)):
        return parse_telegram(data, tz=tz)
    if fmt in ("instagram", "messenger") or (fmt == "auto" and looks_like_meta(data)):
        parsed = parse_meta(data, tz=tz)
        return parsed if fmt == "auto" else parsed.renamed(fmt)
    return parse_whatsapp(data, tz=tz, date_order=date_order)


class ImportOptions(TypedDict, total=False):
    """How to read an export and what the person says of it (see :func:`import_bytes`)."""

    fmt: str
    tz: str
    date_order: DateOrder | None
    me: str | None
    intimate: bool
    on_step: Callable[[ImportStep], None] | None


def import_export(
    vault: EvidenceStore, path: Path, now: datetime, **options: Unpack[ImportOptions]
) -> ImportSummary:
    """Parse first (a file that cannot be read changes nothing), then keep the original and the
    records that the vault does not already hold."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(
            f"Impossible de lire {path} : {exc.strerror}", f"Cannot read {path}: {exc.strerror}"
        ) from None
    return import_bytes(vault, path.name, data, now, **options)


def import_bytes(
    vault: EvidenceStore,
    name: str,
    data: bytes,
    now: datetime,
    *,
    fmt: str = "auto",
    tz: str = "Europe/Paris",
    date_order: DateOrder | None = None,
    me: str | None = None,
    intimate: bool = False,
    on_step: Callable[[ImportStep], None] | None = None,
) -> ImportSummary:
    """Same as :func:`import_export`, for an export received as bytes (a web upload).

    ``intimate``: the person says the export's media include intimate images; for a minor the
    whole zip is then refused, before anything is written (the same rule as for added files).
    ``on_step`` hears each step as it starts (a progress display for large exports).
    """
    step = on_step or (lambda _: None)
    step("parse")
    if looks_like_zip(data) and fmt in ("auto", "whatsapp"):
        chat = parse_whatsapp_zip(data, tz=tz, date_order=date_order)
        if chat.media_names:
            vault_svc.refuse_minor_intimate_image(vault, intimate=intimate, minor=False)
        # Every media file the chat names is decompressed and hashed now, in full: one that lies
        # about its size or fails its CRC is refused here, before anything is written.
        step("check_media")
        media = _Media(chat, {member: chat.archive.digest(member)[0] for member in chat.media_names})
        step("store")
        return _keep(vault, name, data, now, chat.parsed, tz=tz, me=me, media=media)
    parsed = parse(data, fmt, tz, date_order, me)
    step("store")
    return _keep(vault, name, data, now, parsed, tz=tz, me=me)


@dataclass(frozen=True)
class _Media:
    """The media files of a zip export, checked, ready to be stored."""

    chat: ChatArchive
    sha256: dict[str, str]  # archive member → SHA-256 of its content


def _keep(
    vault: EvidenceStore,
    name: str,
    data: bytes,
    now: datetime,
    parsed: ParsedExport,
    *,
    tz: str,
    me: str | None,
    media: _Media | None = None,
) -> ImportSummary:
    """Store the original, then the media (zip exports), then the records not already held.

    The records are read as columns, as stored: no ChatEntry is built for them (the WhatsApp
    parser gives columns directly)."""
    with bulk_work():
        columns = records.of_export(parsed)
        known = _known_keys(vault)
        fresh = columns
        if known:
            kept = [n for n, key in enumerate(records.keys(columns)) if key not in known]
            if len(kept) < records.count(columns):
                fresh = records.take(columns, kept)
    original = vault_svc.add_stream(
        vault, io.BytesIO(data), kind="file", name=name, now=now, tags=["export:" + parsed.format]
    )
    item_id = original.record.id
    media_counts: dict[str, int] = {}
    if media is not None:
        item_of_member, added = _store_media(vault, media, item_id, now)
        _link_records(fresh, media.chat, item_of_member)
        media_counts = {
            "media": added,
            "media_already_present": len(item_of_member) - added,
            "media_missing": len(media.chat.missing),
        }
    document = records.encode(fresh)
    total, stored = records.count(columns), records.count(fresh)
    vault.add_chat_records(
        item_id,
        stored,
        document,
        {
            "action": "import",
            "at": vault_svc.iso(now),
            "item": item_id,
            "format": parsed.format,
            "timezone": tz,
            "date_order": parsed.date_order,
            "me": me,
            "parsed": total,
            "stored": stored,
            "records_sha256": records.digest(document),
            **media_counts,
        },
    )
    kinds = columns["kind"]
    messages = kinds.count("message")
    authors = set(compress(columns["author"], map(eq, kinds, repeat("message"))))
    return ImportSummary(
        format=parsed.format,
        item_id=item_id,
        entries=total,
        messages=messages,
        system_events=total - messages,
        authors=sorted(author for author in authors if author),
        first=columns["timestamp"][0] if total else None,
        last=columns["timestamp"][-1] if total else None,
        new=stored,
        already_present=total - stored,
        timezone=tz,
        me=me,
        **media_counts,
    )


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector while hundreds of thousands of small objects are built:
    they hold no cycles, and each collection would walk them all again (it trebles the time
    of loading a 200,000-message chat)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def stored_columns(
    vault: EvidenceStore, import_items: Sequence[str] | None = None, names: Sequence[str] | None = None
) -> dict[str, records.Columns]:
    """The stored records of each import (all, or of ``import_items``), as columns (all, or
    only ``names``)."""

    def decoded(document: str) -> records.Columns:
        return records.decode(document) if names is None else records.decode_columns(document, names)

    with bulk_work():
        try:
            return {item: decoded(text) for item, text in vault.chat_documents(import_items).items()}
        except ValueError:
            raise VaultDamaged(
                "Les messages importés d’une discussion sont illisibles : la base du coffre a été altérée.",
                "The imported messages of a chat are unreadable: the vault database was altered.",
            ) from None


def stored_records(vault: EvidenceStore) -> dict[str, list[dict[str, Any]]]:
    """The stored records of each import, one dict per record (for display and tests)."""
    return {item: records.as_dicts(columns) for item, columns in stored_columns(vault).items()}


def _known_keys(vault: EvidenceStore) -> set[tuple[str, str | None, str]]:
    """The keys of every record already in the vault: a later export of a chat adds only the rest."""
    known: set[tuple[str, str | None, str]] = set()
    for columns in stored_columns(vault).values():
        known.update(records.keys(columns))
    return known


def _store_media(
    vault: EvidenceStore, media: _Media, export_item: str, now: datetime
) -> tuple[dict[str, str], int]:
    """Archive member → id of the vault item holding its content, and how many were added: a
    file the vault already keeps (same SHA-256: a re-import, or a photo added by hand) is linked
    to, not stored twice."""
    kept = vault_svc.live_items_by_sha256(vault)
    item_of_member: dict[str, str] = {}
    added = 0
    for member, sha256 in media.sha256.items():
        if sha256 not in kept:
            with media.chat.archive.open(member) as source:
                stored = vault_svc.add_stream(
                    vault,
                    source,
                    kind="file",
                    name=member,
                    now=now,
                    tags=["export-media:" + export_item],
                    item_metadata={"export_item": export_item, "archive_name": member},
                )
            kept[sha256] = stored.record.id
            added += 1
        item_of_member[member] = kept[sha256]
    return item_of_member, added


def _link_records(fresh: records.Columns, chat: ChatArchive, item_of_member: dict[str, str]) -> None:
    """Give each record naming attachments the vault item of each one the archive holds (an
    empty mapping says the archive had none of them). Not part of the record's key: a record
    first imported from a .txt is the same message when its .zip comes later."""
    links = fresh["attachment_items"]
    for n, attachments in enumerate(fresh["attachments"]):
        if attachments:
            links[n] = {
                attachment: item_of_member[chat.media[attachment]]
                for attachment in attachments
                if attachment in chat.media
            }
