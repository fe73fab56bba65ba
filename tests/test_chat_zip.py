"""WhatsApp .zip exports (chat + media): checked before anything is extracted, then imported.

Every archive here is built in memory by the tests; hostile ones are made by writing a sound
archive with zipfile and patching the bytes of its headers (APPNOTE 4.3.7, 4.3.12).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import stat
import struct
import time
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from recours.adapters import vault_keys
from recours.adapters.vault_store import Vault
from recours.cli.main import run
from recours.domain.chat.archive import ArchiveLimits, open_archive
from recours.domain.chat.whatsapp_zip import parse_whatsapp_zip
from recours.errors import ChatParseError, RefusedEvidence
from recours.services import chat as chat_svc
from recours.services import vault as svc
from tests.conftest import TOKEN, csrf_of, host_client, make_app
from tests.test_web_vault import create
from tests.vault_helpers import FAST, fill, new_vault, tick

# -- a small conversation between two teenagers, as each phone exports it --------------------------

ANDROID_CHAT = (
    "14/07/2026 08:58 - Les messages et les appels sont chiffrés de bout en bout. Personne en dehors "
    "de ce chat, pas même WhatsApp, ne peut les lire ou les écouter.\n"
    "14/07/2026 09:02 - Inès: t’as vu ce que Théo a posté sur le groupe de la classe ??\n"
    "14/07/2026 09:03 - Maël: non c quoi\n"
    "14/07/2026 09:05 - Inès: IMG-20260714-WA0003.jpg (fichier joint)\n"
    "il a mis ta photo avec des commentaires trop méchants\n"
    "14/07/2026 09:06 - Maël: j’y crois pas 😢\n"
    "14/07/2026 09:07 - Inès: IMG-20260714-WA0004.jpg (fichier joint)\n"
    "14/07/2026 09:07 - Inès: et ça c’est ce qu’il t’a écrit en privé, Lucas me l’a envoyé\n"
    "14/07/2026 09:09 - Inès: VID-20260714-WA0005.mp4 (fichier joint)\n"
    "14/07/2026 09:10 - Maël: <Médias omis>\n"
    "14/07/2026 09:12 - Maël: faut que j’en parle à ma mère\n"
    "14/07/2026 09:13 - Inès: oui et garde tout, fais des captures. Le 3018 peut aider aussi\n"
)
IOS_CHAT = (
    "[14/07/2026 09:02:11] Inès: t’as vu ce que Théo a posté sur le groupe de la classe ??\n"
    "[14/07/2026 09:03:40] Maël: non c quoi\n"
    "[14/07/2026 09:05:02] Inès: \u200e<pièce jointe : 00000003-PHOTO-2026-07-14-09-05-02.jpg>\n"
    "[14/07/2026 09:05:30] Inès: il a mis ta photo avec des commentaires trop méchants\n"
    "[14/07/2026 09:06:12] Maël: j’y crois pas 😢\n"
    "[14/07/2026 09:07:45] Inès: \u200e<pièce jointe : 00000005-PHOTO-2026-07-14-09-07-45.jpg>\n"
    "[14/07/2026 09:08:01] Inès: \u200e<pièce jointe : 00000006-Règlement intérieur.pdf>\n"
    "[14/07/2026 09:12:20] Maël: faut que j’en parle à ma mère\n"
)
ANDROID_CHAT_NAME = "Discussion WhatsApp avec Inès.txt"
ANDROID_PHOTOS = ("IMG-20260714-WA0003.jpg", "IMG-20260714-WA0004.jpg")
IOS_PHOTOS = ("00000003-PHOTO-2026-07-14-09-05-02.jpg", "00000005-PHOTO-2026-07-14-09-07-45.jpg")
# Archives made on Apple systems may store names decomposed (NFD); the chat text is NFC.
IOS_DOCUMENT = unicodedata.normalize("NFD", "00000006-Règlement intérieur.pdf")


def _jpeg(colour: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


PHOTOS = (_jpeg("orange"), _jpeg("navy"))
PDF = b"%PDF-1.4\n% reglement interieur du college\n%%EOF\n"


def build_zip(
    members: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", method) as archive:
        warnings.simplefilter("ignore")  # duplicate names are written on purpose in some tests
        for name, content in members:
            archive.writestr(name, content)
    return out.getvalue()


def android_zip() -> bytes:
    return build_zip([(ANDROID_CHAT_NAME, ANDROID_CHAT.encode()), *zip(ANDROID_PHOTOS, PHOTOS, strict=True)])


def ios_zip() -> bytes:
    return build_zip(
        [("_chat.txt", IOS_CHAT.encode()), *zip(IOS_PHOTOS, PHOTOS, strict=True), (IOS_DOCUMENT, PDF)]
    )


# -- patching headers ------------------------------------------------------------------------------

_CENTRAL_FIELDS = {"flags": (8, "<H"), "crc": (16, "<L"), "compressed": (20, "<L"), "size": (24, "<L")}
_CENTRAL_FIELDS |= {"external_attr": (38, "<L"), "offset": (42, "<L")}
_LOCAL_FIELDS = {"flags": (6, "<H"), "crc": (14, "<L"), "compressed": (18, "<L"), "size": (22, "<L")}


def central_headers(data: bytes) -> dict[str, int]:
    """Member name → position of its central directory header."""
    end = data.rindex(b"PK\x05\x06")
    size, offset = struct.unpack_from("<LL", data, end + 12)
    found, position = {}, offset
    while position < offset + size:
        name_length, extra_length, comment_length = struct.unpack_from("<3H", data, position + 28)
        found[data[position + 46 : position + 46 + name_length].decode()] = position
        position += 46 + name_length + extra_length + comment_length
    return found


def patch(data: bytes, name: str, local: bool = True, **fields: int) -> bytes:
    """Rewrite fields of a member's central header (and of its local header, when it has them)."""
    out = bytearray(data)
    central = central_headers(data)[name]
    header = struct.unpack_from("<L", data, central + 42)[0]
    for field, value in fields.items():
        offset, layout = _CENTRAL_FIELDS[field]
        struct.pack_into(layout, out, central + offset, value)
        if local and field in _LOCAL_FIELDS:
            offset, layout = _LOCAL_FIELDS[field]
            struct.pack_into(layout, out, header + offset, value)
    return bytes(out)


def data_start(data: bytes, name: str) -> int:
    header = struct.unpack_from("<L", data, central_headers(data)[name] + 42)[0]
    name_length, extra_length = struct.unpack_from("<2H", data, header + 26)
    return int(header + 30 + name_length + extra_length)


# -- hostile archives ----------------------------------------------------------------------------


@functools.cache
def zeros_deflated(size: int) -> bytes:
    return build_zip([(ANDROID_CHAT_NAME, ANDROID_CHAT.encode()), (ANDROID_PHOTOS[0], bytes(size))])


def bomb_by_declared_size() -> bytes:
    # Two members claiming 3 GiB each: 6 GiB declared, over the 4 GiB limit.
    data = build_zip([(ANDROID_CHAT_NAME, ANDROID_CHAT.encode()), *zip(ANDROID_PHOTOS, PHOTOS, strict=True)])
    for name in ANDROID_PHOTOS:
        data = patch(data, name, size=3 << 30)
    return data


def bomb_by_ratio() -> bytes:
    return zeros_deflated(50_000_000)  # 50 MB of zeros deflate to about 50 kB: 1000:1


def lying_media_header() -> bytes:
    # 20 MB of zeros declared as 1,000 bytes, with the CRC of those 1,000 bytes: a reader that
    # trusts the header and stops at the declared size would accept a truncated "photo".
    data = zeros_deflated(20_000_000)
    return patch(data, ANDROID_PHOTOS[0], size=1000, crc=zlib.crc32(bytes(1000)))


def lying_chat_header() -> bytes:
    data = android_zip()
    return patch(data, ANDROID_CHAT_NAME, size=100, crc=zlib.crc32(ANDROID_CHAT.encode()[:100]))


def with_member(name: str | zipfile.ZipInfo, content: bytes = b"x") -> Callable[[], bytes]:
    return lambda: build_zip([(ANDROID_CHAT_NAME, ANDROID_CHAT.encode()), (name, content)])


def symlink() -> bytes:
    info = zipfile.ZipInfo("IMG-20260714-WA0003.jpg")
    info.create_system = 3  # Unix (APPNOTE 4.4.2)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return with_member(info, b"/etc/passwd")()


def nul_in_name() -> bytes:
    data = bytearray(with_member("evil.txtX.jpg")())
    for position in (data.index(b"evil.txtX"), data.rindex(b"evil.txtX")):  # local, then central
        data[position + 8] = 0
    return bytes(data)


def encrypted() -> bytes:
    data = android_zip()
    return patch(data, ANDROID_PHOTOS[1], flags=0x0001)


def duplicate() -> bytes:
    return build_zip([(ANDROID_CHAT_NAME, ANDROID_CHAT.encode()), (ANDROID_PHOTOS[0], PHOTOS[0])] * 2)


def duplicate_once_normalised() -> bytes:
    return build_zip(
        [
            (ANDROID_CHAT_NAME, ANDROID_CHAT.encode()),
            (unicodedata.normalize("NFC", "Café.jpg"), PHOTOS[0]),
            (unicodedata.normalize("NFD", "café.JPG"), PHOTOS[1]),
        ]
    )


def truncated() -> bytes:
    data = android_zip()
    return data[: len(data) // 2]


def bad_crc() -> bytes:
    data = build_zip(
        [(ANDROID_CHAT_NAME, ANDROID_CHAT.encode()), *zip(ANDROID_PHOTOS, PHOTOS, strict=True)],
        zipfile.ZIP_STORED,
    )
    out = bytearray(data)
    out[data_start(data, ANDROID_PHOTOS[1]) + 100] ^= 0xFF
    return bytes(out)


def overlapping() -> bytes:
    # "b.txt" is quoted whole (local header and data) inside "a.bin", and the central directory
    # points "b.txt" into a.bin's data: one copy of bytes serving two files (Fifield 2019).
    inner = build_zip([("b.txt", b"b" * 500)], zipfile.ZIP_STORED)
    quoted = inner[: inner.index(b"PK\x01\x02")]
    data = build_zip(
        [(ANDROID_CHAT_NAME, ANDROID_CHAT.encode()), ("a.bin", quoted), ("b.txt", b"b" * 500)],
        zipfile.ZIP_STORED,
    )
    return patch(data, "b.txt", local=False, offset=data_start(data, "a.bin"))


def too_many_files() -> bytes:
    return build_zip(
        [(ANDROID_CHAT_NAME, ANDROID_CHAT.encode())] + [(f"f{n}.jpg", b"") for n in range(20_000)],
        zipfile.ZIP_STORED,
    )


HOSTILE = {
    "bomb-declared-size": (bomb_by_declared_size, "zip_bomb"),
    "bomb-ratio": (bomb_by_ratio, "zip_bomb"),
    "lying-header-media": (lying_media_header, "zip_bomb"),
    "lying-header-chat": (lying_chat_header, "zip_bomb"),
    "dot-dot": (with_member("../../evil.txt"), "zip_traversal"),
    "dot-dot-inside": (with_member("media/../../evil.txt"), "zip_traversal"),
    "absolute": (with_member("/etc/passwd"), "zip_traversal"),
    "drive-letter": (with_member("C:\\x"), "zip_traversal"),
    "drive-letter-slash": (with_member("C:/Windows/evil.dll"), "zip_traversal"),
    "backslash": (with_member("..\\..\\evil.txt"), "zip_traversal"),
    "nul": (nul_in_name, "zip_bad_name"),
    "symlink": (symlink, "zip_symlink"),
    "encrypted": (encrypted, "zip_encrypted"),
    "duplicate": (duplicate, "zip_duplicate_name"),
    "duplicate-normalised": (duplicate_once_normalised, "zip_duplicate_name"),
    "truncated": (truncated, "zip_damaged"),
    "bad-crc": (bad_crc, "zip_damaged"),
    "overlap": (overlapping, "zip_overlap"),
    "too-many-files": (too_many_files, "zip_too_many_files"),
}


# -- the vault -----------------------------------------------------------------------------------


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    opened, _ = new_vault(tmp_path / "coffre")
    yield opened
    opened.close()


def items_tagged(vault: Vault, tag: str) -> list[svc.ItemView]:
    return svc.list_items(vault, tag=tag)


def snapshot(vault: Vault) -> tuple[Any, ...]:
    return (
        [(s.record.id, s.record.sha256) for s, _, _ in vault.items()],
        [entry.hash for entry in vault.custody()],
        chat_svc.stored_records(vault),
        vault.blob_sizes(),
        vault.temp_leftovers(),
    )


def test_an_android_zip_keeps_the_chat_and_its_photos(vault: Vault) -> None:
    data = android_zip()
    summary = chat_svc.import_bytes(vault, "WhatsApp Chat - Inès.zip", data, tick(1))
    assert summary.format == "whatsapp" and summary.messages == 10 and summary.system_events == 1
    assert (summary.media, summary.media_already_present, summary.media_missing) == (2, 0, 1)
    original = svc.get_item(vault, summary.item_id)
    assert original.record.name == "WhatsApp Chat - Inès.zip"
    assert original.record.sha256 == hashlib.sha256(data).hexdigest()
    records = chat_svc.stored_records(vault)[summary.item_id]
    linked = {name: item for r in records for name, item in r.get("attachment_items", {}).items()}
    assert set(linked) == set(ANDROID_PHOTOS)
    for name, photo in zip(ANDROID_PHOTOS, PHOTOS, strict=True):
        media = svc.get_item(vault, linked[name])
        assert media.record.name == name and media.record.sha256 == hashlib.sha256(photo).hexdigest()
        assert media.item.tags == [f"export-media:{summary.item_id}"]
        assert media.metadata["export_item"] == summary.item_id and media.metadata["archive_name"] == name
    video = next(r for r in records if r["attachments"] == ["VID-20260714-WA0005.mp4"])
    assert video["attachment_items"] == {}  # named in the chat, not in the archive
    assert all("attachment_items" not in r for r in records if not r["attachments"])
    assert svc.verify(vault, read_data=True).clean


def test_an_ios_zip_links_photos_and_a_document_stored_under_an_nfd_name(vault: Vault) -> None:
    summary = chat_svc.import_bytes(vault, "WhatsApp Chat - Inès.zip", ios_zip(), tick(1))
    assert (summary.media, summary.media_missing, summary.entries) == (3, 0, 8)
    records = chat_svc.stored_records(vault)[summary.item_id]
    linked = {name: item for r in records for name, item in r.get("attachment_items", {}).items()}
    expected = {**dict(zip(IOS_PHOTOS, PHOTOS, strict=True)), "00000006-Règlement intérieur.pdf": PDF}
    assert set(linked) == set(expected)
    for name, content in expected.items():
        assert svc.get_item(vault, linked[name]).record.sha256 == hashlib.sha256(content).hexdigest()
    assert svc.get_item(vault, linked["00000006-Règlement intérieur.pdf"]).record.name == IOS_DOCUMENT
    assert svc.verify(vault, read_data=True).clean


def test_a_minor_s_zip_declared_intimate_is_refused_before_anything_is_stored(vault: Vault) -> None:
    vault.append_event({"action": "profile", "at": "2026-01-01T00:00:00Z", "person_is_minor": True})
    before = snapshot(vault)
    with pytest.raises(RefusedEvidence):
        chat_svc.import_bytes(vault, "export.zip", android_zip(), tick(1), intimate=True)
    assert snapshot(vault) == before
    # Declared not intimate, the same zip is kept (as for added files, the person decides).
    assert chat_svc.import_bytes(vault, "export.zip", android_zip(), tick(2)).media == 2


def test_importing_the_same_zip_again_adds_no_record_and_no_media(vault: Vault) -> None:
    first = chat_svc.import_bytes(vault, "export.zip", android_zip(), tick(1))
    records_before = sum(len(r) for r in chat_svc.stored_records(vault).values())
    media_before = [v.record.id for v in svc.list_items(vault) if v.metadata.get("export_item")]
    again = chat_svc.import_bytes(vault, "export.zip", android_zip(), tick(2))
    assert again.new == 0 and again.already_present == first.entries
    assert (again.media, again.media_already_present, again.media_missing) == (0, 2, 1)
    assert sum(len(r) for r in chat_svc.stored_records(vault).values()) == records_before
    assert [v.record.id for v in svc.list_items(vault) if v.metadata.get("export_item")] == media_before
    assert svc.verify(vault).clean


def test_a_txt_export_then_its_zip_adds_the_media_only(vault: Vault) -> None:
    chat_svc.import_bytes(vault, ANDROID_CHAT_NAME, ANDROID_CHAT.encode(), tick(1))
    summary = chat_svc.import_bytes(vault, "export.zip", android_zip(), tick(2))
    assert summary.new == 0 and summary.media == 2
    assert len(items_tagged(vault, f"export-media:{summary.item_id}")) == 2


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_archive_is_refused_and_changes_nothing(vault: Vault, case: str) -> None:
    build, code = HOSTILE[case]
    fill(vault, 1)
    before = snapshot(vault)
    data = build()
    start = time.monotonic()
    with pytest.raises(ChatParseError) as refused:
        chat_svc.import_bytes(vault, "export.zip", data, tick(5))
    assert time.monotonic() - start < 5
    assert refused.value.code == code
    assert "Rien n’a été" in refused.value.fr and "Nothing was" in refused.value.en
    assert snapshot(vault) == before


def test_the_declared_size_limit_is_said_in_gigabytes() -> None:
    with pytest.raises(ChatParseError) as refused:
        open_archive(bomb_by_declared_size())
    assert "plus de 4 Go" in refused.value.fr and "over 4 GB" in refused.value.en


def test_a_file_that_is_not_a_zip_is_said_so() -> None:
    with pytest.raises(ChatParseError) as refused:
        open_archive(b"bonjour, ceci n'est pas une archive")
    assert refused.value.code == "not_zip"


def test_a_zip_without_a_chat_or_with_two_is_refused() -> None:
    with pytest.raises(ChatParseError) as refused:
        parse_whatsapp_zip(build_zip([(ANDROID_PHOTOS[0], PHOTOS[0])]))
    assert refused.value.code == "zip_no_chat"
    two = build_zip([("a.txt", ANDROID_CHAT.encode()), ("b.txt", IOS_CHAT.encode())])
    with pytest.raises(ChatParseError) as refused:
        parse_whatsapp_zip(two)
    assert refused.value.code == "zip_several_chats"


def test_a_chat_export_sent_as_a_document_is_media_not_a_second_chat() -> None:
    chat = IOS_CHAT + "[14/07/2026 09:20:00] Inès: \u200e<pièce jointe : 00000009-ancienne.txt>\n"
    data = build_zip([("_chat.txt", chat.encode()), ("00000009-ancienne.txt", ANDROID_CHAT.encode())])
    parsed = parse_whatsapp_zip(data)
    assert parsed.chat_name == "_chat.txt" and parsed.media_names == ("00000009-ancienne.txt",)


def test_small_limits_are_honoured() -> None:
    data = android_zip()
    with pytest.raises(ChatParseError) as refused:
        open_archive(data, ArchiveLimits(max_total_size=1000))
    assert refused.value.code == "zip_bomb" and "1 Mo" in refused.value.fr
    with pytest.raises(ChatParseError) as refused:
        open_archive(data, ArchiveLimits(max_members=2))
    assert refused.value.code == "zip_too_many_files"
    assert open_archive(data, ArchiveLimits(max_members=3)).names[0] == ANDROID_CHAT_NAME


def test_other_refusals() -> None:
    fifo = zipfile.ZipInfo("tube")
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    bzip = zipfile.ZipInfo("IMG.jpg")
    bzip.compress_type = zipfile.ZIP_BZIP2
    mismatch = bytearray(android_zip())
    local = mismatch.index(ANDROID_PHOTOS[0].encode())  # the local header's copy of the name
    mismatch[local] = ord("J")
    for data, code in (
        (with_member(fifo)(), "zip_special_file"),
        (with_member(bzip)(), "zip_unsupported"),
        (bytes(mismatch), "zip_damaged"),
        (with_member("photo\n.jpg")(), "zip_bad_name"),
        (b"PK\x03\x04" + bytes(100), "zip_damaged"),
    ):
        with pytest.raises(ChatParseError) as refused:
            open_archive(data)
        assert refused.value.code == code


def test_a_nested_archive_is_kept_as_a_file_never_opened() -> None:
    nested = bomb_by_declared_size()
    chat = ANDROID_CHAT + "14/07/2026 09:30 - Inès: preuves.zip (fichier joint)\n"
    parsed = parse_whatsapp_zip(build_zip([(ANDROID_CHAT_NAME, chat.encode()), ("preuves.zip", nested)]))
    assert parsed.archive.read("preuves.zip") == nested


def test_reading_stops_soon_after_the_declared_size() -> None:
    archive = open_archive(lying_media_header())
    produced: list[int] = []

    def read_all() -> None:
        for piece in archive.chunks(ANDROID_PHOTOS[0]):
            produced.append(len(piece))

    with pytest.raises(ChatParseError) as refused:
        read_all()
    assert refused.value.code == "zip_bomb" and sum(produced) <= 1000


def _mutated(draw: Callable[..., Any]) -> bytes:
    data = bytearray(android_zip())
    for position, value in draw(
        st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), max_size=8)
    ):
        data[position] = value
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000).map(lambda tail: b"PK\x03\x04" + tail) | st.composite(_mutated)())
def test_any_bytes_after_the_zip_signature_give_a_result_or_the_parse_error(data: bytes) -> None:
    start = time.monotonic()
    try:
        parsed = parse_whatsapp_zip(data)
        for name in parsed.media_names:
            parsed.archive.digest(name)
    except ChatParseError:
        pass
    finally:
        assert time.monotonic() - start < 1.0


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(vault_keys, "STRONG", FAST)
    monkeypatch.setenv("RECOURS_VAULT", str(tmp_path / "coffre"))
    monkeypatch.setenv("RECOURS_PASSPHRASE", "phrase de test assez longue")
    assert run(["vault", "init"]) == 0
    return tmp_path


def test_the_import_command_with_zips(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    hostile = cli_env / "piege.zip"
    hostile.write_bytes(with_member("../../evil.txt")())
    assert run(["import", str(hostile)]) == 2
    err = capsys.readouterr().err
    assert "nom dangereux" in err and "Rien n’a été extrait ni enregistré" in err
    good = cli_env / "WhatsApp Chat - Inès.zip"
    good.write_bytes(android_zip())
    assert run(["import", str(good)]) == 0
    assert (
        "Médias : 2 ajoutés au coffre, 0 déjà dans le coffre, 1 absents de l’archive."
        in capsys.readouterr().out
    )
    assert run(["import", str(good), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["media"], summary["media_already_present"], summary["media_missing"]) == (0, 2, 1)
    assert run(["--lang", "en", "import", str(hostile)]) == 2
    assert "Nothing was extracted or saved" in capsys.readouterr().err


# -- the web app ---------------------------------------------------------------------------------


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[TestClient]:
    with host_client(make_app(vault_path=tmp_path / "coffre")) as client:
        client.get(f"/?token={TOKEN}")
        yield client


def test_a_zip_is_imported_from_the_browser(browser: TestClient) -> None:
    create(browser)
    token = csrf_of(browser, "/coffre")

    def send(data: bytes) -> Any:
        return browser.post(
            "/coffre/importer",
            data={"csrf_token": token},
            files=[("export", ("WhatsApp Chat - Inès.zip", data, "application/zip"))],
        )

    refused = send(symlink())
    assert refused.status_code == 422 and "lien symbolique" in refused.text
    assert "Rien n’a été extrait ni enregistré" in refused.text
    assert "/coffre/element/" not in browser.get("/coffre").text
    done = send(android_zip())
    assert done.status_code == 200 and "Discussion importée" in done.text
    assert "2 ajoutés au coffre, 0 déjà dans le coffre, 1 absents de l’archive." in done.text
    again = send(android_zip())
    assert "0 ajoutés au coffre, 2 déjà dans le coffre" in again.text and "0 nouvelles" in again.text
