"""The evidence vault: private, intact, never lost — unit and round-trip tests."""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recours.adapters.vault_store import Vault
from recours.errors import (
    BadInput,
    ItemNotFound,
    RefusedEvidence,
    VaultExists,
    VaultNotFound,
    WrongPassphrase,
)
from recours.services import vault as svc
from tests.vault_helpers import PASSPHRASE, copy_vault, factory, fill, new_vault, reopen, tick


@pytest.fixture
def vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened, _ = new_vault(tmp_path / "coffre")
    yield opened
    opened.close()


def test_nothing_readable_lands_on_disk(tmp_path: Path) -> None:
    vault, _ = new_vault(tmp_path / "coffre")
    canary = "CANARY-Kévin-harceleur-0612345678"
    svc.add_stream(
        vault,
        io.BytesIO(canary.encode() * 50),
        kind="file",
        name=f"{canary}.txt",
        now=tick(1),
        tags=["canary"],
        item_metadata={"note": canary},
    )
    svc.add_note(vault, canary, tick(2))
    svc.add_url(vault, f"https://example.org/{canary}", tick(3))
    vault.close()
    forms = [
        canary.encode("utf-8"),
        canary.encode("utf-16-le"),
        __import__("base64").b64encode(canary.encode())[:24],
    ]
    for path in (tmp_path / "coffre").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(form in data for form in forms), path


def test_add_then_export_gives_the_same_bytes_and_hash(vault: Vault, tmp_path: Path) -> None:
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100
    added = svc.add_stream(vault, io.BytesIO(content), kind="file", name="capture.png", now=tick(1))
    assert added.record.sha256 == hashlib.sha256(content).hexdigest()
    assert added.record.size == len(content)
    assert added.record.mime == "image/png"
    out = svc.export_item(vault, added.record.id, tmp_path)
    assert out.read_bytes() == content
    with pytest.raises(BadInput):
        svc.export_item(vault, added.record.id, tmp_path)  # never overwrites


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200_000))
def test_round_trip_any_content(vault: Vault, content: bytes) -> None:
    added = svc.add_stream(vault, io.BytesIO(content), kind="file", name="x", now=tick(1))
    assert vault.read_blob(added.record.blob) == (len(content), hashlib.sha256(content).hexdigest())


def test_wrong_passphrase_recovery_key_and_slowdown(tmp_path: Path) -> None:
    vault, recovery = new_vault(tmp_path / "coffre")
    vault.close()
    waits: list[float] = []
    vaults = factory()
    vaults.sleep = waits.append
    for _ in range(6):
        with pytest.raises(WrongPassphrase):
            vaults.open(tmp_path / "coffre", "pas la bonne phrase")
    assert waits == [1.0, 2.0, 4.0]  # from the fourth failure on; nothing is ever wiped
    vaults.open(tmp_path / "coffre", recovery.lower().replace("-", " ")).close()
    assert not (tmp_path / "coffre" / "unlock-failures").exists()


def test_changing_the_passphrase_rewrites_no_data(tmp_path: Path) -> None:
    vault, recovery = new_vault(tmp_path / "coffre")
    fill(vault)
    blobs = {p: p.read_bytes() for p in (tmp_path / "coffre" / "blobs").rglob("*") if p.is_file()}
    svc.change_passphrase(vault, PASSPHRASE, "une toute nouvelle phrase", tick(10))
    vault.close()
    assert {p: p.read_bytes() for p in blobs} == blobs
    with pytest.raises(WrongPassphrase):
        factory().open(tmp_path / "coffre", PASSPHRASE)
    reopened = factory().open(tmp_path / "coffre", "une toute nouvelle phrase")
    assert svc.verify(reopened, read_data=True).clean
    reopened.close()
    factory().open(tmp_path / "coffre", recovery).close()


def test_a_short_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput):
        svc.create(factory(), tmp_path / "c", "court", tick(0))
    assert not (tmp_path / "c").exists()


def test_creating_twice_is_refused(tmp_path: Path) -> None:
    new_vault(tmp_path / "coffre")[0].close()
    with pytest.raises(VaultExists):
        new_vault(tmp_path / "coffre")


def test_quick_delete_erases_everything_in_under_two_seconds(tmp_path: Path) -> None:
    vault, recovery = new_vault(tmp_path / "coffre")
    for n in range(200):
        svc.add_stream(vault, io.BytesIO(b"x" * 20_000 + bytes([n])), kind="file", name=f"{n}", now=tick(n))
    vault.close()
    start = time.monotonic()
    svc.panic(factory(), tmp_path / "coffre")
    assert time.monotonic() - start < 2.0
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(VaultNotFound):
        factory().open(tmp_path / "coffre", recovery)


def test_intimate_images_of_a_minor_are_refused(tmp_path: Path) -> None:
    vault, _ = svc.create(factory(), tmp_path / "coffre", PASSPHRASE, tick(0), minor=True)
    with pytest.raises(RefusedEvidence, match="3018"):
        svc.refuse_minor_intimate_image(vault, intimate=True, minor=False)
    svc.refuse_minor_intimate_image(vault, intimate=False, minor=False)  # other evidence is fine
    vault.close()
    adult, _ = new_vault(tmp_path / "adulte")
    svc.refuse_minor_intimate_image(adult, intimate=True, minor=False)
    with pytest.raises(RefusedEvidence):
        svc.refuse_minor_intimate_image(adult, intimate=True, minor=True)
    adult.close()


def test_list_search_tags_and_dates(vault: Vault) -> None:
    fill(vault)
    svc.add_note(vault, "Message de menace reçu sur Snapchat", tick(30), tags=["snapchat", "menace"])
    assert len(svc.list_items(vault)) == 5
    assert [v.record.kind for v in svc.list_items(vault, tag="snapchat")] == ["note"]
    assert len(svc.list_items(vault, tag="INSTAGRAM")) == 2
    assert len(svc.list_items(vault, text="capture-1")) == 1
    assert svc.list_items(vault, since="2026-11-29") == []


def test_the_list_read_page_by_page_is_the_whole_list_cut_into_pages(vault: Vault) -> None:
    """The web list asks the database for one page, the tags and the page's thumbnails (a
    10,000-item vault is not read whole at each request): the same as reading everything."""
    added = fill(vault, count=7)
    svc.add_note(vault, "Note", tick(30), tags=["Zèbre", "menace"])
    photo = svc.add_stream(vault, io.BytesIO(_photo_with_gps()), kind="file", name="p.jpg", now=tick(31))
    svc.delete_item(vault, added[2].record.id, tick(32))
    svc.set_tags(vault, added[3].record.id, ["instagram", "ancien"], tick(33))
    everything = [v.record.id for v in svc.list_items(vault)]
    assert len(everything) == 8  # 7 + note + photo - deleted; the thumbnail is not listed
    pages = [svc.page_of_items(vault, n, 3) for n in (1, 2, 3)]
    assert [v.record.id for p in pages for v in p.views] == everything
    assert [(p.number, p.pages, p.total) for p in pages] == [(1, 3, 8), (2, 3, 8), (3, 3, 8)]
    assert svc.page_of_items(vault, 99, 3) == pages[2]  # past the end: the last page
    assert svc.page_of_items(vault, 2, 3) == svc.ItemPage.of(svc.list_items(vault), 2, 3)
    expected_tags = sorted({t for v in svc.list_items(vault) for t in v.item.tags}, key=str.casefold)
    assert svc.live_tags(vault) == expected_tags == ["ancien", "instagram", "menace", "Zèbre"]
    thumbnail = svc.thumbnails(vault)[photo.record.id]
    assert svc.thumbnails(vault, [photo.record.id, added[0].record.id]) == {photo.record.id: thumbnail}
    assert svc.thumbnails(vault, [added[0].record.id]) == {}
    assert [e.entry["action"] for e in vault.custody("tags")] == ["tags"]
    assert vault.custody("delete") == [e for e in vault.custody() if e.entry["action"] == "delete"]
    with pytest.raises(ItemNotFound):
        vault.item(added[2].record.id)  # deleted


def test_tags_and_deletion_stay_in_the_log(vault: Vault) -> None:
    first, second, *_ = fill(vault)
    svc.set_tags(vault, first.record.id, ["  harcèlement ", "x", "x"], tick(20))
    svc.delete_item(vault, second.record.id, tick(21))
    assert not vault.blob_path(second.record.blob).exists()
    actions = [e.entry["action"] for e in vault.custody()]
    assert actions[-2:] == ["tags", "delete"]
    assert svc.get_item(vault, first.record.id).item.tags == ["harcèlement", "x"]
    with pytest.raises(ItemNotFound):
        svc.get_item(vault, second.record.id)
    assert svc.verify(vault, read_data=True).clean


@pytest.mark.parametrize("tag", ["", "a" * 80, "<script>", "a\x00b", "\u202eevil"])
def test_bad_tags_are_refused(vault: Vault, tag: str) -> None:
    with pytest.raises(BadInput):
        svc.add_note(vault, "note", tick(1), tags=[tag])


def test_urls_are_recorded_with_their_time(vault: Vault) -> None:
    added = svc.add_url(vault, "https://www.instagram.com/p/abc/", tick(5))
    view = svc.get_item(vault, added.record.id)
    assert view.metadata["url"] == "https://www.instagram.com/p/abc/"
    preview = svc.read_text_preview(vault, view)
    assert preview is not None and "2026-11-28T12:05:00+01:00" in preview
    for bad in ("javascript:alert(1)", "ftp://x", "pas une adresse"):
        with pytest.raises(BadInput):
            svc.add_url(vault, bad, tick(6))


def test_repair_removes_orphans_only(vault: Vault) -> None:
    fill(vault)
    orphan = vault.write_blob(io.BytesIO(b"interrupted"))  # a blob whose row was never committed
    (vault.path / "tmp" / "left.tmp").write_bytes(b"age-encryption.org/v1 partial")
    report = svc.verify(vault)
    assert report.clean and len(report.notices) == 2
    assert svc.repair(vault) == 2
    assert not vault.blob_path(orphan.blob).exists()
    report = svc.verify(vault, read_data=True)
    assert report.clean and report.notices == [] and report.items_checked == 4


def test_a_receipt_reveals_a_cut_tail_or_a_rollback(tmp_path: Path) -> None:
    vault, _ = new_vault(tmp_path / "coffre")
    fill(vault, 2)
    old_copy = copy_vault(tmp_path / "coffre", tmp_path / "ancienne-copie")
    fill(vault, 2)
    kept = svc.receipt(vault)
    assert svc.verify(vault, receipt=kept).clean
    vault.close()
    rolled_back = reopen(old_copy)
    report = svc.verify(rolled_back, receipt=kept)
    assert not report.clean and "retirées à la fin" in report.problems[0].fr
    assert svc.verify(rolled_back).clean  # without the receipt, a rollback cannot be seen
    rolled_back.close()


def test_a_receipt_of_another_vault_is_reported(tmp_path: Path) -> None:
    one, _ = new_vault(tmp_path / "un")
    two, _ = new_vault(tmp_path / "deux")
    assert not svc.verify(two, receipt=svc.receipt(one)).clean
    with pytest.raises(BadInput):
        svc.verify(two, receipt="pas un reçu")


def test_the_incident_journal(vault: Vault) -> None:
    first, *_ = fill(vault, 2)
    later = svc.add_incident(
        vault,
        tick(20),
        occurred_at=tick(-600),
        description="Insultes sous ma photo",
        platform="Instagram",
        author_handle="@kev",
        author_url="https://instagram.com/kev",
        witnesses=["Léa", " "],
        items=[first.record.id],
    )
    earlier = svc.add_incident(vault, tick(21), occurred_at=tick(-900), description="Premier message")
    assert [r.id for r in svc.list_incidents(vault)] == [earlier.id, later.id]
    assert svc.get_incident(vault, later.id).witnesses == ("Léa",)
    assert svc.verify(vault).clean
    for bad in (
        {"description": " "},
        {"description": "x", "items": ["nope"]},
        {"description": "x", "author_url": "instagram.com/kev"},
    ):
        with pytest.raises(BadInput):
            svc.add_incident(vault, tick(22), occurred_at=tick(0), **bad)  # type: ignore[arg-type]


def _photo_with_gps() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (1200, 800), "red")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Apple", "iPhone 15"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_images_get_their_metadata_and_an_exif_free_thumbnail(vault: Vault, tmp_path: Path) -> None:
    from PIL import Image

    photo = _photo_with_gps()
    added = svc.add_stream(vault, io.BytesIO(photo), kind="file", name="photo.jpg", now=tick(1))
    view = svc.get_item(vault, added.record.id)
    assert view.metadata["exif_Model"] == "iPhone 15"
    assert view.metadata["exif_gps_latitude"] == pytest.approx(48.856667)
    assert (view.metadata["width"], view.metadata["height"]) == (1200, 800)
    assert svc.export_item(vault, added.record.id, tmp_path).read_bytes() == photo  # original untouched
    thumbnail_id = svc.thumbnails(vault)[added.record.id]
    assert [v.record.id for v in svc.list_items(vault)] == [added.record.id]  # derived items are not listed
    thumb = svc.get_item(vault, thumbnail_id)
    assert thumb.metadata == {"derived_from": added.record.id, "original_sha256": added.record.sha256}
    data = io.BytesIO()
    vault.read_blob(thumb.record.blob, data)
    small = Image.open(io.BytesIO(data.getvalue()))
    assert max(small.size) <= 480 and not small.getexif() and b"iPhone" not in data.getvalue()
    assert svc.verify(vault, read_data=True).clean
    svc.delete_item(vault, added.record.id, tick(2))
    assert svc.thumbnails(vault) == {} and svc.verify(vault, read_data=True).clean


def test_a_corrupt_image_is_kept_without_description(vault: Vault) -> None:
    broken = _photo_with_gps()[:300]
    added = svc.add_stream(vault, io.BytesIO(broken), kind="file", name="cassée.jpg", now=tick(1))
    assert added.record.mime == "image/jpeg"
    assert svc.thumbnails(vault) == {}


def _screenshot(seed: int, change: bool = False, scale: float = 1.0) -> bytes:
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (720, 1280), "white")
    draw = ImageDraw.Draw(image)
    for row in range(40):
        draw.rectangle((20, 20 + row * 30, 20 + rng.randint(100, 680), 40 + row * 30), fill=(30, 30, 30))
    if change:
        draw.rectangle((600, 1200, 700, 1260), fill=(200, 0, 0))  # a new notification badge
    if scale != 1.0:
        image = image.resize((int(720 * scale), int(1280 * scale)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_near_identical_screenshots_are_grouped(vault: Vault) -> None:
    first = svc.add_stream(vault, io.BytesIO(_screenshot(1)), kind="file", name="a.png", now=tick(1))
    again = svc.add_stream(
        vault, io.BytesIO(_screenshot(1, change=True, scale=0.5)), kind="file", name="b.png", now=tick(2)
    )
    other = svc.add_stream(vault, io.BytesIO(_screenshot(2)), kind="file", name="c.png", now=tick(3))
    views = svc.list_items(vault)
    assert all(len(v.metadata["pdq"]) == 64 for v in views)
    similar = svc.similar_images(views)
    assert similar == {first.record.id: [again.record.id], again.record.id: [first.record.id]}
    assert other.record.id not in similar


def test_an_email_shows_its_headers(vault: Vault) -> None:
    eml = (
        b"Return-Path: <kev@example.org>\r\nFrom: Kev <kev@example.org>\r\nTo: moi@example.org\r\n"
        b"Subject: =?utf-8?q?Tu_vas_le_regretter?=\r\nDate: Fri, 20 Nov 2026 21:30:00 +0100\r\n"
        b"Message-ID: <abc@example.org>\r\n\r\nCorps du message\r\n"
    )
    added = svc.add_stream(vault, io.BytesIO(eml), kind="file", name="menace.eml", now=tick(1))
    view = svc.get_item(vault, added.record.id)
    assert added.record.mime == "message/rfc822"
    assert view.metadata["email_subject"] == "Tu vas le regretter"
    assert view.metadata["email_from"] == "Kev <kev@example.org>"
    assert view.metadata["email_date"].startswith("Fri, 20 Nov 2026")


def test_an_iphone_heic_photo_is_described_and_thumbnailed(vault: Vault) -> None:
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    exif = Image.Exif()
    exif[0x0110] = "iPhone 15"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "blue").save(out, format="HEIF", exif=exif.tobytes())
    added = svc.add_stream(vault, io.BytesIO(out.getvalue()), kind="file", name="IMG_0001.HEIC", now=tick(1))
    view = svc.get_item(vault, added.record.id)
    assert added.record.mime == "image/heic"
    assert view.metadata["exif_Model"] == "iPhone 15" and view.metadata["image_format"] == "HEIF"
    assert added.record.id in svc.thumbnails(vault)  # a PNG any browser can show
