"""Server-side sessions, in memory, for the one person using this local app.

The cookie holds only a random id. Answers to the questionnaire live here, never in URLs
or in the browser's storage; the quick exit deletes the session. Nothing survives a
restart of the app, by design: a local app that forgets is safer for a watched person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from recours.domain.common import Lang

COOKIE = "recours_session"


@dataclass
class Session:
    lang: Lang
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    answers: dict[str, list[str]] = field(default_factory=dict)
    # The unlocked vault of this session (its keys live only in memory) and when it was
    # last used, for the auto-lock.
    vault: Any = None
    vault_opened_at: float = 0.0
    vault_used_at: float = 0.0
    # Long work started from a page (a dossier), run in the background: web/jobs.py. Its
    # results stay in memory, in this session only, and go with it.
    job: Any = None

    def lock(self) -> None:
        if self.vault is not None:
            self.vault.close()
        self.vault = None
        self.job = None


class SessionStore:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}

    def create(self, lang: Lang) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        session = Session(lang=lang)
        self._sessions[session_id] = session
        return session_id, session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        return self._sessions.get(session_id)

    def delete(self, session_id: str | None) -> None:
        if session_id:
            session = self._sessions.pop(session_id, None)
            if session is not None:
                session.lock()
