"""Vault keys: a random master key, wrapped in key slots kept in ``vault.toml``.

Key hierarchy (ARCHITECTURE.md, "The vault"):

* a random 256-bit **master key**, never stored in clear;
* **key slots** wrap it with AES-256-GCM: one under a key derived from the passphrase with
  Argon2id (RFC 9106 second recommended option: 64 MiB, 3 passes, 4 lanes — about 0.1–0.4 s
  here), one under the **recovery key** (256 random bits shown once, so HKDF suffices);
  the slot's AAD binds the vault id and the slot kind, so a slot cannot be moved to
  another vault or another role;
* from the master key, HKDF-SHA256 derives the SQLCipher key of ``index.db`` and the key
  that wraps the vault's age X25519 identity, which encrypts every blob.

Changing the passphrase rewrites one slot and nothing else. Quick delete destroys
``vault.toml``: without a slot, the master key and everything under it are gone
(crypto-erasure, research B.9 D6).
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from recours.errors import VaultDamaged

FORMAT = "recours-vault"
VERSION = 1


@dataclass(frozen=True)
class KdfCost:
    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4


STRONG = KdfCost()


@dataclass(frozen=True)
class Slot:
    kind: str  # "passphrase" | "recovery"
    salt: bytes
    nonce: bytes
    wrapped: bytes
    cost: KdfCost | None = None


@dataclass(frozen=True)
class KeyFile:
    """The content of ``vault.toml``: no secret in clear."""

    vault_id: str
    created_at: str
    slots: tuple[Slot, ...]
    identity_nonce: bytes
    identity_wrapped: bytes

    def slot(self, kind: str) -> Slot:
        for slot in self.slots:
            if slot.kind == kind:
                return slot
        raise VaultDamaged(
            f"Le fichier de clés du coffre n’a pas d’emplacement « {kind} ».",
            f"The vault’s key file has no “{kind}” slot.",
        )


def new_master_key() -> bytes:
    return secrets.token_bytes(32)


def derived(master: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"recours/{purpose}/v1".encode()
    ).derive(master)


def passphrase_key(passphrase: str, salt: bytes, cost: KdfCost) -> bytes:
    kdf = Argon2id(
        salt=salt, length=32, iterations=cost.iterations, lanes=cost.lanes, memory_cost=cost.memory_kib
    )
    return kdf.derive(passphrase.encode("utf-8"))


def recovery_kek(recovery: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"recours/recovery-slot/v1").derive(
        recovery
    )


def _aad(vault_id: str, kind: str) -> bytes:
    return f"{FORMAT}/{VERSION}/{vault_id}/{kind}".encode()


def wrap_passphrase_slot(master: bytes, vault_id: str, passphrase: str, cost: KdfCost) -> Slot:
    salt, nonce = os.urandom(16), os.urandom(12)
    kek = passphrase_key(passphrase, salt, cost)
    wrapped = AESGCM(kek).encrypt(nonce, master, _aad(vault_id, "passphrase"))
    return Slot("passphrase", salt, nonce, wrapped, cost)


def wrap_recovery_slot(master: bytes, vault_id: str, recovery: bytes) -> Slot:
    salt, nonce = os.urandom(16), os.urandom(12)
    wrapped = AESGCM(recovery_kek(recovery, salt)).encrypt(nonce, master, _aad(vault_id, "recovery"))
    return Slot("recovery", salt, nonce, wrapped)


def unwrap(
    key_file: KeyFile, *, passphrase: str | None = None, recovery: bytes | None = None
) -> bytes | None:
    """The master key, or None when the secret given does not open the slot."""
    if passphrase is not None:
        slot = key_file.slot("passphrase")
        assert slot.cost is not None  # noqa: S101 - parse_key_file guarantees it
        kek = passphrase_key(passphrase, slot.salt, slot.cost)
    elif recovery is not None:
        slot = key_file.slot("recovery")
        kek = recovery_kek(recovery, slot.salt)
    else:
        return None
    try:
        return AESGCM(kek).decrypt(slot.nonce, slot.wrapped, _aad(key_file.vault_id, slot.kind))
    except InvalidTag:
        return None


def wrap_identity(master: bytes, vault_id: str, identity: str) -> tuple[bytes, bytes]:
    nonce = os.urandom(12)
    return nonce, AESGCM(derived(master, "identity")).encrypt(
        nonce, identity.encode(), _aad(vault_id, "identity")
    )


def unwrap_identity(master: bytes, key_file: KeyFile) -> str:
    try:
        plain = AESGCM(derived(master, "identity")).decrypt(
            key_file.identity_nonce, key_file.identity_wrapped, _aad(key_file.vault_id, "identity")
        )
    except InvalidTag as exc:
        raise VaultDamaged(
            "La clé de chiffrement des fichiers du coffre est endommagée.",
            "The key that encrypts the vault’s files is damaged.",
        ) from exc
    return plain.decode()


# ---------------------------------------------------------------------------------------
# Recovery key as text: 52 base32 letters in groups of four, easy to copy by hand.


def recovery_text(recovery: bytes) -> str:
    letters = base64.b32encode(recovery).decode().rstrip("=")
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def parse_recovery(text: str) -> bytes | None:
    letters = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"[A-Z2-7]{52}", letters):
        return None
    return base64.b32decode(letters + "====")


# ---------------------------------------------------------------------------------------
# vault.toml


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def render_key_file(key_file: KeyFile) -> bytes:
    lines = [
        "# Recours vault: format, id and wrapped keys. No secret is stored in clear here.",
        "# Deleting this file makes the vault unreadable for ever (that is how quick delete works).",
        f'format = "{FORMAT}"',
        f"version = {VERSION}",
        f'vault_id = "{key_file.vault_id}"',
        f'created_at = "{key_file.created_at}"',
        "",
        "[identity]",
        f'nonce = "{_b64(key_file.identity_nonce)}"',
        f'wrapped = "{_b64(key_file.identity_wrapped)}"',
    ]
    for slot in key_file.slots:
        lines += [
            "",
            "[[slots]]",
            f'kind = "{slot.kind}"',
            f'salt = "{_b64(slot.salt)}"',
            f'nonce = "{_b64(slot.nonce)}"',
            f'wrapped = "{_b64(slot.wrapped)}"',
        ]
        if slot.cost is not None:
            lines += [
                'kdf = "argon2id"',
                f"memory_kib = {slot.cost.memory_kib}",
                f"iterations = {slot.cost.iterations}",
                f"lanes = {slot.cost.lanes}",
            ]
        else:
            lines += ['kdf = "hkdf-sha256"']
    return ("\n".join(lines) + "\n").encode()


def parse_key_file(data: bytes) -> KeyFile:
    try:
        raw: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
        if raw["format"] != FORMAT or raw["version"] != VERSION:
            raise ValueError("format")
        slots = tuple(
            Slot(
                kind=str(s["kind"]),
                salt=base64.b64decode(s["salt"], validate=True),
                nonce=base64.b64decode(s["nonce"], validate=True),
                wrapped=base64.b64decode(s["wrapped"], validate=True),
                cost=KdfCost(int(s["memory_kib"]), int(s["iterations"]), int(s["lanes"]))
                if s["kdf"] == "argon2id"
                else None,
            )
            for s in raw["slots"]
        )
        if not any(s.kind == "passphrase" and s.cost for s in slots):
            raise ValueError("no passphrase slot")
        return KeyFile(
            vault_id=str(raw["vault_id"]),
            created_at=str(raw["created_at"]),
            slots=slots,
            identity_nonce=base64.b64decode(raw["identity"]["nonce"], validate=True),
            identity_wrapped=base64.b64decode(raw["identity"]["wrapped"], validate=True),
        )
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise VaultDamaged(
            "Le fichier de clés du coffre (vault.toml) est illisible ou modifié. Sans lui, le coffre ne "
            "peut pas être ouvert.",
            "The vault’s key file (vault.toml) is unreadable or was changed. Without it, the vault cannot "
            "be opened.",
        ) from exc


def replace_slot(key_file: KeyFile, slot: Slot) -> KeyFile:
    slots = tuple(slot if s.kind == slot.kind else s for s in key_file.slots)
    return KeyFile(
        key_file.vault_id, key_file.created_at, slots, key_file.identity_nonce, key_file.identity_wrapped
    )
