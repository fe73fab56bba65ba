"""The one exception tree of Recours.

Every error a user can meet is a :class:`RecoursError`. It carries the message the
user sees, in French and English, and the exit code the CLI returns. Entry points
(``cli``, ``web``) translate it at the edge; nothing else catches it. No traceback
ever reaches a user: anything that is not a ``RecoursError`` is an internal error,
logged without case data and shown as a plain apology.

Tree::

    RecoursError                 exit 2 — could not run
    ├── BadInput                 exit 2 — the user's input cannot be used
    │   ├── InvalidAnswers       orientation answers missing or malformed
    │   ├── InvalidDateTime      a date or time that cannot be read
    │   ├── UnknownResource      no directory entry has this id
    │   └── ChatParseError       a chat export that cannot be read (``code`` says why)
    ├── KnowledgeError           exit 2 — a packaged data file is invalid (a bug)
    ├── VaultError               exit 2 — the vault cannot be used as asked
    │   ├── VaultNotFound        no vault at this place
    │   ├── VaultExists          creating a vault where one already is
    │   ├── WrongPassphrase      neither the passphrase nor the recovery key opens it
    │   ├── VaultDamaged         the vault's own files cannot be read (see ``verify``)
    │   ├── ItemNotFound         no item with this id
    │   ├── RefusedEvidence      Recours must not keep this (intimate images of a minor)
    │   └── StorageFailure       disk full, I/O or permission error; nothing was changed
    └── ProblemFound             exit 1 — the command ran and found a problem

Exit codes (ARCHITECTURE.md, conventions): 0 success, 1 a problem was found,
2 could not run or bad input.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_CANNOT_RUN = 2


class RecoursError(Exception):
    """Base of every error shown to a user."""

    exit_code = EXIT_CANNOT_RUN

    def __init__(self, fr: str, en: str, *, details: list[str] | None = None) -> None:
        super().__init__(en)
        self.fr = fr
        self.en = en
        self.details = details or []

    def message(self, lang: str) -> str:
        """The message in the user's language (French unless English is asked)."""
        return self.en if lang == "en" else self.fr


class BadInput(RecoursError):
    """The user's input cannot be used as it is."""


class InvalidAnswers(BadInput):
    """Orientation answers are missing, malformed or contradictory."""


class InvalidDateTime(BadInput):
    """A date or date-time given by the user cannot be read."""


class UnknownResource(BadInput):
    """No entry of the directory has the id the user asked for."""


class ChatParseError(BadInput):
    """A chat export that cannot be read; ``code`` is a stable reason for tests and the API."""

    def __init__(self, code: str, fr: str, en: str, *, details: list[str] | None = None) -> None:
        super().__init__(fr, en, details=details)
        self.code = code


class KnowledgeError(RecoursError):
    """A data file shipped with Recours failed validation: a bug, never the user's fault."""


class VaultError(RecoursError):
    """The vault cannot be used as asked."""


class VaultNotFound(VaultError):
    """No vault at the given place."""


class VaultExists(VaultError):
    """A vault already exists where one was to be created."""


class WrongPassphrase(VaultError):
    """Neither the passphrase nor the recovery key opens the vault."""


class VaultDamaged(VaultError):
    """The vault's own files cannot be read; ``recours verify`` says more."""


class ItemNotFound(VaultError):
    """No item of the vault has this id."""


class RefusedEvidence(VaultError):
    """Recours must not keep this item (intimate images of a minor)."""


class StorageFailure(VaultError):
    """Disk full, I/O or permission error. The operation was undone; the vault is intact."""


class ProblemFound(RecoursError):
    """The command ran and found a problem (e.g. an integrity failure)."""

    exit_code = EXIT_PROBLEM
