"""Reading HTML forms safely: size limits and the session's CSRF token."""

from __future__ import annotations

import re
import secrets

from fastapi import HTTPException, Request

from recours.web.render import session_of

# The questionnaire's largest form is a few hundred bytes; refuse anything absurd.
MAX_FIELDS = 64


async def checked_form(request: Request) -> dict[str, list[str]]:
    """The posted fields, after checking the CSRF token of the session."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    session = session_of(request)
    sent = form.get("csrf_token")
    if (
        session is None
        or not isinstance(sent, str)
        or not secrets.compare_digest(sent.encode(), session.csrf_token.encode())
    ):
        raise HTTPException(status_code=403, detail="csrf")
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key != "csrf_token" and isinstance(value, str):
            fields.setdefault(key, []).append(value)
    return fields


def local_path(candidate: str | None, default: str = "/") -> str:
    """Only a path on this app may be a redirect target (no open redirect)."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//") and "\\" not in candidate:
        return candidate
    return default


def form_value(fields: dict[str, list[str]], name: str) -> str:
    """The last value sent for ``name`` ("" when absent)."""
    values = fields.get(name) or [""]
    return values[-1]


def form_day(value: str) -> str:
    """A YYYY-MM-DD day from a date field, or "" (a browser without a date picker may send text)."""
    return value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""
