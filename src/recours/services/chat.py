"""Importing a chat export into the vault: the original kept as an item, its records stored and
covered by the custody log, a later export of the same chat merged without duplicates."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from recours.domain.chat.mail import looks_like_email, parse_email
from recours.domain.chat.meta import looks_like_meta, parse_meta
from recours.domain.chat.model import DateOrder, ParsedExport, entry_key, records_digest
from recours.domain.chat.sms import looks_like_sms_backup, parse_sms
from recours.domain.chat.telegram import looks_like_telegram, parse_telegram
from recours.domain.chat.whatsapp import HEADER, parse_whatsapp
from recours.errors import BadInput
from recours.services import vault as vault_svc
from recours.services.ports import EvidenceStore

FORMATS = ("auto", "whatsapp", "instagram", "messenger", "telegram", "sms", "email")


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

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse(
    data: bytes, fmt: str, tz: str, date_order: DateOrder | None, me: str | None = None
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
    if fmt == "sms" or (fmt == "auto" and looks_like_sms_backup(data)):
        return parse_sms(data, tz=tz, me=me)
    if fmt == "telegram" or (fmt == "auto" and looks_like_telegram(data)):
        return parse_telegram(data, tz=tz)
    if fmt in ("instagram", "messenger") or (fmt == "auto" and looks_like_meta(data)):
        parsed = parse_meta(data, tz=tz)
        return parsed if fmt == "auto" else replace(parsed, format=fmt)
    return parse_whatsapp(data, tz=tz, date_order=date_order)


def import_export(
    vault: EvidenceStore,
    path: Path,
    now: datetime,
    *,
    fmt: str = "auto",
    tz: str = "Europe/Paris",
    date_order: DateOrder | None = None,
    me: str | None = None,
) -> ImportSummary:
    """Parse first (a file that cannot be read changes nothing), then keep the original and the
    records that the vault does not already hold."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(
            f"Impossible de lire {path} : {exc.strerror}", f"Cannot read {path}: {exc.strerror}"
        ) from None
    return import_bytes(vault, path.name, data, now, fmt=fmt, tz=tz, date_order=date_order, me=me)


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
) -> ImportSummary:
    """Same as :func:`import_export`, for an export received as bytes (a web upload)."""
    parsed = parse(data, fmt, tz, date_order, me)
    records = [entry.as_json() for entry in parsed.entries]
    known = {entry_key(r) for stored in vault.chat_records().values() for r in stored}
    fresh = [r for r in records if entry_key(r) not in known]
    original = vault_svc.add_stream(
        vault, io.BytesIO(data), kind="file", name=name, now=now, tags=["export:" + parsed.format]
    )
    item_id = original.record.id
    vault.add_chat_records(
        item_id,
        fresh,
        {
            "action": "import",
            "at": vault_svc.iso(now),
            "item": item_id,
            "format": parsed.format,
            "timezone": tz,
            "date_order": parsed.date_order,
            "me": me,
            "parsed": len(records),
            "stored": len(fresh),
            "records_sha256": records_digest(fresh),
        },
    )
    messages = [e for e in parsed.entries if e.kind == "message"]
    return ImportSummary(
        format=parsed.format,
        item_id=item_id,
        entries=len(records),
        messages=len(messages),
        system_events=len(records) - len(messages),
        authors=sorted({e.author for e in messages if e.author}),
        first=records[0]["timestamp"] if records else None,
        last=records[-1]["timestamp"] if records else None,
        new=len(fresh),
        already_present=len(records) - len(fresh),
        timezone=tz,
        me=me,
    )
