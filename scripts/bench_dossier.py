"""Dossier figures for `make bench`: the time, peak memory and output sizes of a whole dossier.

The target (the issue's figure): a dossier of 1,000 items and 10,000 messages renders in
<= 60 s on this kind of machine, and its time grows linearly (10x the items in <= 12x the
time); peak RSS reported.

For each size (items x messages; 100x1,000 and 1,000x10,000 by default) a vault of realistic
content is built once, untimed, in a temporary folder: mostly camera photos (JPEG with EXIF:
camera, dates, GPS; noisy pixels, so that they and their thumbnails weigh what real ones do),
a few phone screenshots (PNG), notes, URLs, two PDFs and two text files, an incident journal
(one incident per 20 items, with handles, witnesses and linked photos), WhatsApp exports
totalling the messages (generated here: several authors, some hostile messages in bursts),
highlighted messages and a few contacts. The vaults use the tests' minimal Argon2id cost
(tests/vault_helpers.py): opening a vault's key is not what is measured.

Each round then times, for each size, in a fresh process, on a fresh copy of that vault, the
dossier as `recours dossier` makes it: services.dossier.build (gather, analysis, PDF),
adapters.bundle_files.save_bundle to a file, the PDF saved beside it, the export recorded in
the custody log. The steps are split with build's ``on_step`` callback. Process start-up
(imports incl. WeasyPrint, law book, signal matcher, vault opening) is timed apart: the
60 s check counts it, the growth ratio does not (a constant would flatter it). The machine is
shared and noisy: the sizes are interleaved within a round, the ratio is taken within each
round, and medians over the rounds are printed (``--rounds``, 3 by default). After the clock,
untimed: the Jinja template alone is rendered again, and the bundle is checked with
``python -m recours.verify_bundle`` (it must exit 0).

    python scripts/bench_dossier.py [--rounds 3] [--sizes 100x1000,1000x10000]
                                    [--work DIR] [--profile]

``--work DIR`` keeps the generated vaults in DIR and reuses them on the next run (building
the 1,000-item vault takes a few minutes). ``--profile`` also runs the largest size once
under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARIS = ZoneInfo("Europe/Paris")
# The content generator's version: a vault kept with --work is rebuilt when it changes.
CONTENT_VERSION = 1
DEFAULT_SIZES = ((100, 1_000), (1_000, 10_000))
TARGET_SECONDS = 60.0
TARGET_SIZE = (1_000, 10_000)
LINEAR_SLACK = 1.2  # 10x the items in <= 12x the time
MESSAGES_PER_EXPORT = 5_000
ME = "Camille"
# The case's period: the chats, the photos and the journal fall within it.
START = datetime(2026, 9, 1, 7, 30, tzinfo=PARIS)
END = datetime(2026, 11, 26, 23, 0, tzinfo=PARIS)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=PARIS)  # when the dossier is made

# -- the timed run, in a fresh process ---------------------------------------------------------


def child(vault_path: Path, out: Path, mode: str) -> None:
    """The timed run (in its own process: ``--child VAULT OUT time|profile``). Prints one JSON line."""
    started = time.perf_counter()
    import weasyprint  # noqa: F401 - the render step loads it on first use: start-up, not dossier
    from tests.vault_helpers import reopen

    from recours.adapters import bundle_files
    from recours.adapters.law_data import load_law
    from recours.adapters.signal_pack import load_signal_matcher
    from recours.services import dossier as dossier_svc
    from recours.web.printing import DossierPdf, chronology_label, dossier_html

    law = load_law()
    matcher = load_signal_matcher()
    vault = reopen(vault_path)
    rss_before = peak_rss()
    # The CLI saves the PDF with bundle_files.save_file (atomic) where there is one.
    save_file = getattr(bundle_files, "save_file", None) or (lambda path, data: path.write_bytes(data))
    marks: dict[str, float] = {}

    def dossier() -> Any:
        request = dossier_svc.DossierRequest(person="Camille Martin")
        built = dossier_svc.build(
            vault,
            request,
            NOW,
            matcher,
            chronology_label("fr"),
            law,
            DossierPdf(law),
            lambda step: marks.__setitem__(step, time.perf_counter()),
        )
        marks["built"] = time.perf_counter()
        manifest = bundle_files.save_bundle(
            out / "recours-lot.zip",
            built.members,
            vault_id=built.dossier.vault_id,
            generated_at=built.generated_at,
            custody=built.dossier.head,
        )
        marks["bundled"] = time.perf_counter()
        save_file(out / "dossier.pdf", built.pdf)
        dossier_svc.record_export(vault, built, manifest, NOW)
        marks["done"] = time.perf_counter()
        return built

    t0 = time.perf_counter()
    if mode == "profile":
        import cProfile

        profiler = cProfile.Profile()
        built = profiler.runcall(dossier)
        profiler.dump_stats(str(out / "dossier.prof"))
    else:
        built = dossier()
    rss = peak_rss()
    # Untimed: the Jinja template alone, rendered again (compiled and cached by now).
    t = time.perf_counter()
    html = dossier_html(built.dossier, built.evidence.canonical(), law)
    template = time.perf_counter() - t
    vault.close()
    d, analysis = built.dossier, built.dossier.analysis
    figures = {
        "startup": t0 - started,
        "total": marks["done"] - t0,
        "gather": marks["analyse"] - t0,
        "analyse": marks["render"] - marks["analyse"],
        "render": marks["bundle"] - marks["render"],
        "bundle": marks["bundled"] - marks["built"],
        "finish": marks["done"] - marks["bundled"],
        "template": template,
        "html_bytes": len(html.encode()),
        "rss": rss,
        "rss_before": rss_before,
        "items": len(d.items),
        "thumbnails": sum(1 for i in d.items if i.thumbnail),
        "incidents": len(d.incidents),
        "messages": analysis.messages if analysis else 0,
        "hostile": sum(s.hostile for s in analysis.signals) if analysis else 0,
        "raids": len(analysis.raids) if analysis else 0,
        "highlights": len(d.highlights),
        "chronology": len(d.chronology),
        "members": len(built.members),
    }
    print(json.dumps(figures))


def peak_rss() -> float:
    """This process's peak RSS in MiB: VmHWM, its own high-water mark. Not ru_maxrss, which
    would also count the parent's: subprocess starts the child with vfork, and Linux carries
    the high-water mark of the shared memory over the exec (a parent of 800 MiB gives a fresh
    child's ru_maxrss 814 MiB, its VmHWM 14 MiB). ru_maxrss where there is no /proc."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Figures:
    size: tuple[int, int]
    run: dict[str, float]
    pdf_pages: int
    pdf_bytes: int
    bundle_bytes: int
    verified: int  # verify_bundle's exit code

    @property
    def seconds(self) -> float:
        return self.run["total"]


def run_once(master: Path, scratch: Path, size: tuple[int, int], mode: str = "time") -> Figures:
    """One dossier of the vault at ``master``, on a fresh copy of it, in a fresh process."""
    vault = scratch / "coffre"
    out = scratch / "out"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(master, vault)  # the export appends to the custody log: each round the same vault
    out.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(vault), str(out), mode],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"the dossier run failed:\n{done.stderr[-4000:]}")
    run = json.loads(done.stdout.strip().splitlines()[-1])
    pdf, bundle = out / "dossier.pdf", out / "recours-lot.zip"
    verified = subprocess.run(
        [sys.executable, "-m", "recours.verify_bundle", str(bundle)], capture_output=True, text=True
    ).returncode
    figures = Figures(size, run, pdf_pages(pdf), pdf.stat().st_size, bundle.stat().st_size, verified)
    if mode == "profile":
        shutil.copy(out / "dossier.prof", scratch.parent / f"dossier-{size[0]}x{size[1]}.prof")
    shutil.rmtree(scratch, ignore_errors=True)
    return figures


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


# -- realistic content (untimed) ---------------------------------------------------------------

CAMERAS = (
    ("samsung", "SM-A546B"),
    ("Apple", "iPhone 13"),
    ("Apple", "iPhone SE (3rd generation)"),
    ("Xiaomi", "Redmi Note 12"),
    ("Google", "Pixel 7a"),
    ("OPPO", "CPH2237"),
)
PLACES = ((45.7578, 4.8320), (45.7640, 4.8357), (45.7485, 4.8467), (45.7719, 4.8902))  # Lyon
PHOTO_SIZES = ((1280, 960), (960, 1280), (1600, 1200), (1024, 768), (1200, 1600))
TAGS = ("instagram", "snapchat", "whatsapp", "college", "capture", "tiktok", "classe-4b")
PLATFORMS = ("Instagram", "Snapchat", "WhatsApp", "TikTok", "Discord", "")
HARASSERS = ("Kevin D.", "Enzo", "Mathis 🎮", "Zoé B.")
CLASSMATES = ("Léa", "Hugo", "Inès", "Noah", "Chloé", "Lucas", "Manon", "Adam", "Jade", "Louis", "Sarah")
WITNESSES = ("Léa", "Inès", "M. Dubois (CPE)", "Noah", "Mme Petit", "Sarah")
# The everyday words of a class group chat (split below).
CHATTER = (
    "salut ça va demain cours collège photo soirée pourquoi tu es vraiment grave lol mdr trop "
    "on va voir ce soir après les cours réponds stp je rigole contrôle maths prof devoirs bus "
    "cantine week-end match sortie ciné tranquille demain matin récré génial"
)
WORDS = CHATTER.split()
HOSTILE = (
    "t'es vraiment une grosse merde {me}",
    "ferme ta gueule {me}",
    "{me} sale pute",
    "personne t'aime va te pendre",
    "on va te défoncer à la sortie du collège",
    "je vais te tuer",
    "envoie des nudes ou je montre tes photos à tout le monde",
    "t'es qu'une salope",
    "crève {me}",
    "{me} t'es trop moche mdr personne veut de toi",
    "casse toi connasse",
    "tout le monde sait que t'es une pute",
    "on connaît ton adresse on va venir",
    "t'es mort demain",
)
NOTES = (
    "Ce matin, {h} m'a bousculée dans le couloir et a dit devant tout le monde que j'étais « une grosse ».",
    "Ils ont créé un groupe « anti-{me} » sur Snapchat. Léa me l'a montré, je n'y ai pas accès.",
    "Je n'arrive plus à dormir. Les messages arrivent même la nuit, vers 2 h.",
    "{h} a publié ma photo de classe avec des dessins dessus. Elle a été supprimée le lendemain.",
    "Appel au 3018 aujourd'hui : ils m'ont conseillé de tout garder et de faire des captures.",
    "Au réfectoire, personne ne veut s'asseoir à côté de moi. {h} dit que ceux qui le font « auront des problèmes ».",
)


class Clock:
    """Increasing moments from START to ``until``, ``steps`` of them: the vault's operations."""

    def __init__(self, steps: int, until: datetime) -> None:
        self.at = START
        self.step = (until - START) / (steps + 1)

    def tick(self) -> datetime:
        self.at += self.step
        return self.at


def photo(rng: random.Random, generator: Any, at: datetime) -> bytes:
    """A camera photo: smooth colour fields plus sensor-like noise (JPEG ~100-250 KB), EXIF
    with the camera, the dates and a GPS position."""
    import numpy
    from PIL import ExifTags, Image

    width, height = rng.choice(PHOTO_SIZES)
    base = generator.integers(0, 256, (6, 8, 3), dtype=numpy.uint8)
    smooth = numpy.asarray(
        Image.fromarray(base).resize((width, height), Image.Resampling.BICUBIC), numpy.int16
    )
    noisy = smooth + generator.normal(0, rng.uniform(5, 9), (height, width, 3)).astype(numpy.int16)
    image = Image.fromarray(noisy.clip(0, 255).astype(numpy.uint8))
    make, model = rng.choice(CAMERAS)
    taken = (at - timedelta(minutes=rng.randint(1, 600))).strftime("%Y:%m:%d %H:%M:%S")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0131], exif[0x0132] = make, model, "Camera 14.1", taken
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[0x9003], sub[0x9004], sub[0x9011] = taken, taken, at.strftime("%z")[:3] + ":" + at.strftime("%z")[3:]
    lat, lon = rng.choice(PLACES)
    lat, lon = lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01)
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon)})
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=rng.randint(78, 88), exif=exif)
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2)


def screenshot(rng: random.Random) -> bytes:
    """A phone screenshot: flat background, chat bubbles, lines of "text" (PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1080, 2340), rng.choice(((236, 229, 221), (255, 255, 255), (18, 18, 18))))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1080, 200), fill=(7, 94, 84))
    y = 240
    while y < 2200:
        lines = rng.randint(1, 4)
        left = rng.random() < 0.5
        box = (40, y, 760, y + 40 + lines * 48) if left else (320, y, 1040, y + 40 + lines * 48)
        draw.rounded_rectangle(box, 20, fill=(255, 255, 255) if left else (220, 248, 198))
        for n in range(lines):
            x, top = box[0] + 30, box[1] + 24 + n * 48
            while x < box[2] - 60:
                word = rng.randint(20, 110)
                draw.rectangle((x, top, min(x + word, box[2] - 30), top + 26), fill=(40, 40, 40))
                x += word + 16
        y = box[3] + rng.randint(16, 60)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def scanned_pdf(rng: random.Random) -> bytes:
    """A scanned letter (a one-page image PDF made by Pillow, as a phone scanner makes one)."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (1240, 1754), 250)
    draw = ImageDraw.Draw(page)
    for y in range(200, 1500, 42):
        draw.rectangle((150, y, rng.randint(700, 1090), y + 14), fill=rng.randint(30, 70))
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=150)
    return out.getvalue()


def text_file(rng: random.Random) -> bytes:
    lines = [
        "De : vie-scolaire@college-exemple.fr",
        "Objet : Re: incident du " + (START + timedelta(days=rng.randint(5, 60))).strftime("%d/%m/%Y"),
        "",
    ]
    lines += [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))) for _ in range(rng.randint(10, 40))
    ]
    return "\n".join(lines).encode("utf-8")


def sentence(rng: random.Random, low: int = 1, high: int = 18) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def whatsapp(rng: random.Random, count: int, authors: tuple[str, ...], hostile_rate: float) -> bytes:
    """A WhatsApp Android export in French (``dd/mm/yyyy HH:MM - Name: text``), ``count``
    messages over the case's period, daytime mostly, hostile ones in bursts by several authors."""
    span = (END - START).total_seconds()
    moments = sorted(START + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    lines = [f"{START:%d/%m/%Y %H:%M} - Les messages et les appels sont chiffrés de bout en bout."]
    burst = 0
    for n, at in enumerate(moments):
        if at.hour < 7 and rng.random() < 0.7:  # few messages at night
            at = at.replace(hour=rng.randint(7, 22))
        if burst == 0 and rng.random() < hostile_rate / 2.5:
            burst = rng.randint(1, 4)
        if burst:
            burst -= 1
            author = rng.choice(HARASSERS)
            text = rng.choice(HOSTILE).format(me=ME)
            if rng.random() < 0.5:
                text += " " + sentence(rng, 0, 6)
        else:
            author = rng.choice(authors)
            roll = rng.random()
            if roll < 0.03:
                text = "<Médias omis>"
            elif roll < 0.035:
                text = "Vous avez supprimé ce message" if author == ME else "Ce message a été supprimé"
            else:
                text = sentence(rng)
                if rng.random() < 0.05:
                    text += "\n" + sentence(rng, 1, 8)
        if n % 997 == 500:
            lines.append(f"{at:%d/%m/%Y %H:%M} - {rng.choice(authors)} a ajouté {rng.choice(CLASSMATES)}")
        lines.append(f"{at:%d/%m/%Y %H:%M} - {author}: {text}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_vault(path: Path, items: int, messages: int, scratch: Path) -> dict[str, int]:
    """A vault of ``items`` evidence items (+ the chat exports) and ``messages`` messages."""
    import numpy
    from tests.vault_helpers import new_vault

    from recours.adapters.signal_pack import load_signal_matcher
    from recours.services import analysis as analysis_svc
    from recours.services import chat as chat_svc
    from recours.services import dossier as dossier_svc
    from recours.services import vault as vault_svc

    rng = random.Random(items * 1_000_003 + messages)  # noqa: S311 - made-up content, no secret
    np_rng = numpy.random.default_rng(items)
    notes, urls = max(2, items * 4 // 100), max(2, items * 4 // 100)
    documents = 4 if items >= 20 else 2
    screenshots = items * 7 // 100
    photos = items - notes - urls - documents - screenshots
    kinds = ["photo"] * photos + ["screenshot"] * screenshots + ["note"] * notes + ["url"] * urls
    kinds += ["pdf", "text"] * (documents // 2)
    rng.shuffle(kinds)
    incidents = items // 20
    plan = kinds + ["incident"] * incidents
    rng.shuffle(plan)
    exports = max(1, -(-messages // MESSAGES_PER_EXPORT))
    highlights = max(5, messages // 200)
    contacts = 4
    clock = Clock(len(plan) + exports + highlights + contacts, END + timedelta(hours=20))

    vault, _ = new_vault(path)
    added_photos: list[str] = []
    counts = dict.fromkeys(("photo", "screenshot", "note", "url", "pdf", "text", "incident"), 0)
    for n, kind in enumerate(plan):
        now = clock.tick()
        tags = [rng.choice(TAGS)] if rng.random() < 0.4 else []
        counts[kind] += 1
        if kind == "photo":
            added = vault_svc.add_stream(
                vault,
                io.BytesIO(photo(rng, np_rng, now)),
                kind="file",
                name=f"IMG_{now:%Y%m%d_%H%M%S}.jpg",
                now=now,
                tags=tags,
            )
            added_photos.append(added.record.id)
        elif kind == "screenshot":
            vault_svc.add_stream(
                vault,
                io.BytesIO(screenshot(rng)),
                kind="file",
                name=f"Screenshot_{now:%Y%m%d-%H%M%S}_Instagram.png",
                now=now,
                tags=tags,
            )
        elif kind == "note":
            text = " ".join(rng.choice(NOTES) for _ in range(rng.randint(1, 3)))
            vault_svc.add_note(vault, text.format(me=ME, h=rng.choice(HARASSERS)), now, tags=tags)
        elif kind == "url":
            handle = rng.choice(HARASSERS).split()[0].lower()
            vault_svc.add_url(
                vault,
                f"https://www.instagram.com/p/{rng.getrandbits(40):x}/?from={handle}&n={n}",
                now,
                tags=tags,
            )
        elif kind in ("pdf", "text"):
            content, name = (
                (scanned_pdf(rng), f"convocation-{n}.pdf")
                if kind == "pdf"
                else (text_file(rng), f"mail-{n}.txt")
            )
            vault_svc.add_stream(vault, io.BytesIO(content), kind="file", name=name, now=now, tags=tags)
        else:
            harasser = rng.choice(HARASSERS)
            vault_svc.add_incident(
                vault,
                now,
                occurred_at=max(START, now - timedelta(hours=rng.randint(1, 72))),
                description=" ".join(rng.choice(NOTES) for _ in range(rng.randint(1, 2))).format(
                    me=ME, h=harasser
                ),
                platform=rng.choice(PLATFORMS),
                author_handle="@" + harasser.split()[0].lower() + str(rng.randint(10, 99)),
                author_url=f"https://www.instagram.com/{harasser.split()[0].lower()}_{n}/"
                if rng.random() < 0.3
                else "",
                witnesses=rng.sample(WITNESSES, rng.randint(0, 3)),
                items=rng.sample(added_photos, min(len(added_photos), rng.randint(0, 3))),
            )
    for n in range(exports):
        count = messages // exports + (1 if n < messages % exports else 0)
        members = (ME, *rng.sample(CLASSMATES, 8))
        export = scratch / f"Discussion WhatsApp avec 4e B ({n + 1}).txt"
        export.write_bytes(whatsapp(rng, count, members, hostile_rate=0.05))
        chat_svc.import_export(vault, export, clock.tick(), me=ME)
        export.unlink()
    analysis = analysis_svc.run(vault, load_signal_matcher())
    hostile = [s for s in analysis.signals if s.hostile]
    for signal in rng.sample(hostile, min(highlights, len(hostile))):
        note = rng.choice(
            ("", "Il parle de moi.", "Juste après le cours de sport.", "Ils étaient plusieurs.")
        )
        analysis_svc.set_highlight(vault, f"{signal.item}#{signal.position}", clock.tick(), note)
    for organisation, reference in (
        ("3018", "A-2026-1187"),
        ("Pharos", "PH-558231"),
        ("Collège — CPE", ""),
        ("Commissariat de Lyon 3e", "PV 2026/004512"),
    ):
        now = clock.tick()
        dossier_svc.add_contact(
            vault,
            now,
            organisation=organisation,
            on=(now - timedelta(days=rng.randint(0, 20))).date(),
            reference=reference,
            note="Conseillé de garder toutes les preuves." if reference else "",
        )
    vault.close()
    counts.update(exports=exports, messages=analysis.messages, hostile=len(hostile))
    return counts


def master_vault(work: Path, size: tuple[int, int]) -> Path:
    items, messages = size
    folder = work / f"vault-{items}x{messages}-v{CONTENT_VERSION}"
    made = folder / "made.json"
    if made.exists():
        return folder / "coffre"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    print(f"building the vault of {items:,} items and {messages:,} messages (untimed)…", flush=True)
    counts = make_vault(folder / "coffre", items, messages, folder)
    seconds = time.perf_counter() - start
    blobs = sum(f.stat().st_size for f in (folder / "coffre").rglob("*") if f.is_file())
    print(
        f"  built in {seconds:.0f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f"; {blobs / 1e6:.0f} MB on disk",
        flush=True,
    )
    made.write_text(json.dumps(counts))
    return folder / "coffre"


# -- report ------------------------------------------------------------------------------------


def label(size: tuple[int, int]) -> str:
    return f"{size[0]:,} items × {size[1]:,} messages"


def describe(f: Figures) -> str:
    r = f.run
    return (
        f"{label(f.size)}: {r['total']:.1f} s (+ {r['startup']:.1f} s start-up) = gather {r['gather']:.1f}"
        f" + analyse {r['analyse']:.1f} + PDF {r['render']:.1f} + bundle {r['bundle']:.1f}"
        f" + save/record {r['finish']:.1f}; peak RSS {r['rss']:.0f} MiB ({r['rss_before']:.0f} before);"
        f" PDF {f.pdf_pages:,} pages, {f.pdf_bytes / 1e6:.1f} MB; bundle {f.bundle_bytes / 1e6:.1f} MB;"
        f" verify_bundle exit {f.verified}"
    )


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        items, _, messages = part.strip().lower().partition("x")
        sizes.append((int(items), int(messages)))
    return sizes


def profile(work: Path, master: Path, size: tuple[int, int], top: int, kept: bool) -> None:
    import pstats

    figures = run_once(master, work / "round", size, mode="profile")
    print(f"\nprofile of one run (cProfile adds overhead): {describe(figures)}")
    print(
        f"  template alone (Jinja, untimed re-render): {figures.run['template']:.2f} s, "
        f"HTML {figures.run['html_bytes'] / 1e6:.1f} MB"
    )
    stats = pstats.Stats(str(work / f"dossier-{size[0]}x{size[1]}.prof"), stream=sys.stdout)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    if kept:
        print(f"profile kept in {work / f'dossier-{size[0]}x{size[1]}.prof'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="ITEMSxMESSAGES,… (default 100x1000,1000x10000); the ratio is of the last to the first",
    )
    parser.add_argument("--work", type=Path, help="keep the generated vaults here and reuse them")
    parser.add_argument("--profile", action="store_true", help="also profile the largest size once")
    parser.add_argument("--top", type=int, default=35, help="lines of profile to print")
    parser.add_argument("--child", nargs=3, metavar=("VAULT", "OUT", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.child[2])
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="recours-bench-dossier-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        masters = {size: master_vault(work, size) for size in args.sizes}
        runs: dict[tuple[int, int], list[Figures]] = {size: [] for size in args.sizes}
        ratios = []
        first, last = args.sizes[0], args.sizes[-1]
        for round_ in range(1, args.rounds + 1):
            for size in args.sizes:
                runs[size].append(run_once(masters[size], work / "round", size))
                print(f"round {round_}: {describe(runs[size][-1])}", flush=True)
            if len(args.sizes) > 1:
                ratios.append(runs[last][-1].seconds / runs[first][-1].seconds)
                print(
                    f"round {round_}: time ratio {label(last)} / {label(first)} = {ratios[-1]:.2f}x",
                    flush=True,
                )
        print(f"\nmedians of {args.rounds} round(s):")
        for size in args.sizes:
            med = {k: statistics.median(f.run[k] for f in runs[size]) for k in runs[size][0].run}
            f = runs[size][-1]
            print(
                f"  {label(size)}: dossier {med['total']:.1f} s (+ {med['startup']:.1f} s start-up): "
                f"gather {med['gather']:.2f}, analyse {med['analyse']:.2f}, PDF {med['render']:.2f} "
                f"(of which the Jinja template alone ~{med['template']:.2f}), bundle {med['bundle']:.2f}, "
                f"save PDF + record {med['finish']:.2f}; peak RSS {med['rss']:.0f} MiB\n"
                f"    {f.run['items']:,} items ({f.run['thumbnails']:,} with a thumbnail), "
                f"{f.run['incidents']:,} incidents, {f.run['messages']:,} messages, {f.run['hostile']:,} hostile, "
                f"{f.run['raids']:,} raids, {f.run['highlights']:,} highlights, {f.run['chronology']:,} chronology "
                f"rows; HTML {f.run['html_bytes'] / 1e6:.1f} MB; PDF {f.pdf_pages:,} pages, "
                f"{f.pdf_bytes / 1e6:.1f} MB; bundle {f.bundle_bytes / 1e6:.1f} MB ({f.run['members']:,} members); "
                f"verify_bundle exit codes {[g.verified for g in runs[size]]}"
            )
        if TARGET_SIZE in runs:
            whole = [f.seconds + f.run["startup"] for f in runs[TARGET_SIZE]]
            seconds = statistics.median(whole)
            verdict = "holds" if seconds <= TARGET_SECONDS else "does NOT hold"
            print(
                f"target <= {TARGET_SECONDS:.0f} s for {label(TARGET_SIZE)} (start-up included): "
                f"{seconds:.1f} s (rounds: {', '.join(f'{s:.1f}' for s in whole)}) — {verdict}"
            )
        if ratios:
            factor = last[0] / first[0]
            bound = LINEAR_SLACK * factor
            ratio = statistics.median(ratios)
            verdict = "holds" if ratio <= bound else "does NOT hold"
            print(
                f"growth: {factor:g}x the items (and {last[1] / first[1]:g}x the messages) in {ratio:.2f}x the "
                f"time (rounds: {', '.join(f'{r:.2f}' for r in ratios)}; start-up excluded); "
                f"target <= {bound:g}x — {verdict}"
            )
        failed = [f for fs in runs.values() for f in fs if f.verified != 0]
        print(
            "bundles: every one verified (exit 0)"
            if not failed
            else f"bundles: {len(failed)} FAILED verification"
        )
        if args.profile:
            profile(work, masters[last], last, args.top, kept=args.work is not None)
        if failed:
            sys.exit(1)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
