"""The fuzz targets (issue 6): one per input format, each a function of the raw bytes.

A target returns normally when the input gave a result or the typed error of its reader
(``ChatParseError`` for the chat parsers and the zip reader, ``CannotCheck`` for the bundle
reader); anything else it raises is a crash. A result is also read in full (its columns and
entries, the media of an archive), as the import does: a parser that hands back records which
cannot be read back is a bug too.

Each target has its seeds: the golden files of its format (``tests/golden/<format>/``, the
expected JSON left out), and, for the archives, the zip exports and the bundle the tests build.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from recours import verify_bundle
from recours.domain.chat.archive import open_archive
from recours.domain.chat.discord import parse_discord
from recours.domain.chat.mail import parse_email
from recours.domain.chat.meta import parse_meta
from recours.domain.chat.model import ParsedExport
from recours.domain.chat.signal import parse_signal
from recours.domain.chat.sms import parse_sms
from recours.domain.chat.snapchat import parse_snapchat
from recours.domain.chat.telegram import parse_telegram
from recours.domain.chat.whatsapp import parse_whatsapp
from recours.domain.chat.whatsapp_zip import parse_whatsapp_zip
from recours.errors import ChatParseError
from recours.services.chat import parse

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
TZ = "Europe/Paris"


def _read_back(parsed: ParsedExport) -> None:
    """Both forms of the records, as the import (columns) and the analysis (entries) read them."""
    columns = parsed.columns()
    assert len(parsed.entries) == len(columns["timestamp"])


def _parser(function: Callable[[bytes], ParsedExport]) -> Callable[[bytes], None]:
    def one_input(data: bytes) -> None:
        try:
            parsed = function(data)
        except ChatParseError:
            return
        _read_back(parsed)

    return one_input


def _whatsapp(data: bytes) -> None:
    try:
        parsed = parse_whatsapp(data, tz=TZ)
    except ChatParseError as exc:
        if exc.code != "ambiguous_date_order":
            return
        # The person is then asked for the order of the dates: read it as they would answer.
        try:
            parsed = parse_whatsapp(data, tz=TZ, date_order="mdy")
        except ChatParseError:
            return
    _read_back(parsed)


def _whatsapp_zip(data: bytes) -> None:
    try:
        chat = parse_whatsapp_zip(data, tz=TZ, date_order="dmy")
        _read_back(chat.parsed)
        for member in chat.media_names:  # what the import checks before storing anything
            chat.archive.digest(member)
    except ChatParseError:
        return


def _zip_archive(data: bytes) -> None:
    try:
        archive = open_archive(data)
        for name in archive.names:
            archive.head(name, 64)
            archive.digest(name)
            with archive.open(name) as stream:
                while stream.read(1 << 16):
                    pass
    except ChatParseError:
        return


def _auto(data: bytes) -> None:
    """The import's own entry point: the format recognised, an empty export refused."""
    try:
        parsed = parse(data, "auto", TZ, None)
    except ChatParseError:
        return
    _read_back(parsed)


class _BundleFile:
    """One file per process, rewritten for each input: verify() reads a path."""

    path: str | None = None

    @classmethod
    def write(cls, data: bytes) -> str:
        if cls.path is None:
            handle, cls.path = tempfile.mkstemp(prefix="recours-fuzz-", suffix=".zip")
            os.close(handle)
        with open(cls.path, "wb") as out:
            out.write(data)
        return cls.path


def _bundle(data: bytes) -> None:
    path = _BundleFile.write(data)
    try:
        report = verify_bundle.verify(path)
    except verify_bundle.CannotCheck:
        return
    except RecursionError:  # main() reports it as "not a readable ZIP" (exit 2)
        return
    with contextlib.redirect_stdout(io.StringIO()):  # the lines a recipient reads
        verify_bundle._show(report, "fr")
        verify_bundle._show(report, "en")


# -- seeds ------------------------------------------------------------------------------------------


def _golden(*formats: str) -> Iterator[tuple[str, bytes]]:
    for fmt in formats:
        for path in sorted((GOLDEN / fmt).iterdir()):
            if path.is_file() and not path.name.endswith(".expected.json") and path.name != "README.md":
                yield f"{fmt}-{path.name}", path.read_bytes()


def _zip_seeds() -> Iterator[tuple[str, bytes]]:
    from tests.test_chat_zip import android_zip, build_zip, ios_zip

    yield "android.zip", android_zip()
    yield "ios.zip", ios_zip()
    chat = (GOLDEN / "whatsapp" / "android-fr-24h.txt").read_bytes()
    yield "stored.zip", build_zip([("Discussion WhatsApp avec Léa.txt", chat)], method=0)


def _bundle_seeds() -> Iterator[tuple[str, bytes]]:
    from tests.test_bundle import build

    yield "bundle.zip", build()
    yield from _zip_seeds()


@dataclass(frozen=True)
class Target:
    one_input: Callable[[bytes], None]
    seeds: Callable[[], Iterator[tuple[str, bytes]]]


TARGETS: dict[str, Target] = {
    "whatsapp": Target(_whatsapp, lambda: _golden("whatsapp")),
    "whatsapp_zip": Target(_whatsapp_zip, _zip_seeds),
    "zip_archive": Target(_zip_archive, _zip_seeds),
    "meta": Target(_parser(lambda d: parse_meta(d, tz=TZ)), lambda: _golden("meta")),
    "snapchat": Target(_parser(lambda d: parse_snapchat(d, tz=TZ)), lambda: _golden("snapchat")),
    "discord": Target(_parser(lambda d: parse_discord(d, tz=TZ)), lambda: _golden("discord")),
    "signal": Target(_parser(lambda d: parse_signal(d, tz=TZ)), lambda: _golden("signal")),
    "telegram": Target(_parser(lambda d: parse_telegram(d, tz=TZ)), lambda: _golden("telegram")),
    "sms": Target(_parser(lambda d: parse_sms(d, tz=TZ)), lambda: _golden("sms")),
    "email": Target(_parser(lambda d: parse_email(d, tz=TZ)), lambda: _golden("email")),
    "auto": Target(
        _auto,
        lambda: _golden("whatsapp", "meta", "snapchat", "discord", "signal", "telegram", "sms", "email"),
    ),
    "bundle": Target(_bundle, _bundle_seeds),
}


def write_seeds(name: str, folder: Path) -> int:
    """The seeds of target ``name`` as files in ``folder``; how many."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for seed_name, data in TARGETS[name].seeds():
        (folder / seed_name).write_bytes(data)
        count += 1
    return count
