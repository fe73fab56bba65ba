"""Metadata read from the first bytes of a non-image original (images: adapters/media.py)."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import default
from typing import Any

_EMAIL_HEADERS = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "Return-Path")


def describe_head(mime: str, head: bytes) -> dict[str, Any]:
    """For an e-mail (.eml), its main headers as written; nothing for other types."""
    if mime != "message/rfc822":
        return {}
    message = BytesHeaderParser(policy=default).parsebytes(head)
    found: dict[str, Any] = {}
    for name in _EMAIL_HEADERS:
        value = message.get(name)
        if value is not None:
            found[f"email_{name.lower().replace('-', '_')}"] = str(value)[:1000]
    return found
