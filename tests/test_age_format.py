"""Our age v1 writer and reader against the reference implementation (rage, through pyrage)."""

from __future__ import annotations

import io
import os

import pyrage
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.adapters.age_format import CHUNK, SLICE, AgeError, Identity, decrypt_stream, encrypt_stream

IDENTITY = Identity.generate()
REFERENCE = pyrage.x25519.Identity.from_str(IDENTITY.to_age_string())
BOUNDARIES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, SLICE - 1, SLICE, SLICE + 1, 3 * SLICE + 7]


def ours(data: bytes) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out.write, IDENTITY.public_raw(), lambda _: None)
    return out.getvalue()


def open_ours(blob: bytes, identity: Identity = IDENTITY) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(blob), out.write, identity)
    return out.getvalue()


def test_keys_round_trip_with_the_reference() -> None:
    assert str(REFERENCE.to_public()) == IDENTITY.recipient_string()
    assert Identity.from_age_string(IDENTITY.to_age_string()).raw() == IDENTITY.raw()
    assert Identity.from_age_string(str(pyrage.x25519.Identity.generate())).raw()


@pytest.mark.parametrize("size", BOUNDARIES)
def test_the_reference_reads_what_we_write_and_we_read_what_it_writes(size: int) -> None:
    data = os.urandom(size)
    assert pyrage.decrypt(ours(data), [REFERENCE]) == data
    assert open_ours(pyrage.encrypt(data, [REFERENCE.to_public()])) == data


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3 * CHUNK), st.data())
def test_any_altered_byte_or_cut_is_refused(data: bytes, choice: st.DataObject) -> None:
    blob = bytearray(ours(data))
    kind = choice.draw(st.sampled_from(["flip", "cut", "append"]))
    if kind == "flip":
        position = choice.draw(st.integers(0, len(blob) - 1))
        blob[position] ^= 1 << choice.draw(st.integers(0, 7))
    elif kind == "cut":
        blob = blob[: choice.draw(st.integers(0, len(blob) - 1))]
    else:
        blob += choice.draw(st.binary(min_size=1, max_size=100))
    with pytest.raises(AgeError):
        open_ours(bytes(blob))


def test_a_cut_exactly_at_a_chunk_boundary_is_refused() -> None:
    data = os.urandom(3 * CHUNK)
    blob = ours(data)
    header_and_nonce = len(blob) - 3 * (CHUNK + 16)
    for chunks in (1, 2):
        with pytest.raises(AgeError):
            open_ours(blob[: header_and_nonce + chunks * (CHUNK + 16)])


def test_another_identity_cannot_open_it() -> None:
    with pytest.raises(AgeError):
        open_ours(ours(b"secret"), Identity.generate())


def test_garbage_is_not_an_age_file() -> None:
    for garbage in (b"", b"hello\n", b"age-encryption.org/v1\n" + b"A" * 5000):
        with pytest.raises(AgeError):
            open_ours(garbage)
