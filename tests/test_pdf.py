"""The PDF renderer (adapters/pdf.py) with print.css and pdf/base.html.

Issue 5: "a dossier full of hostile text (script tags, javascript: and remote URLs, CSS,
template syntax) makes 0 network fetches and contains no JavaScript, launch or open action,
and every payload is extractable as text"; the PDF is PDF/A-3b, tagged, in French, carries
manifest.json, and the same input gives the same bytes.

What the text extraction (pypdf 7.1) cannot give back, and why — each case is pinned below:
- default-ignorable characters (zero width space/joiner, BOM, bidi controls such as U+202E,
  U+2066/U+2069) have no glyph: Pango does not draw them, so they are not in the text layer;
- a right-to-left override (U+202E) reorders the rest of its paragraph (table cell) as on
  the victim's screen, "facture\u202egpj.exe" prints and extracts as "factureexe.jpg";
  WeasyPrint 70 ignores `unicode-bidi`, so only the template can show such characters;
- a character no installed font can draw prints as .notdef, and WeasyPrint then encodes that
  font with an embedded CMap that pypdf 7.1 does not read: see
  test_a_character_no_font_can_draw_is_counted.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from recours.adapters import pdf as pdf_module
from recours.adapters.pdf import (
    STATIC_DIR,
    PdfAttachment,
    PdfReport,
    RefusedResource,
    render_pdf,
    resolve,
)
from recours.errors import RecoursError
from recours.web.render import ENV

CREATED = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
TITLE = "Dossier de preuves"
MANIFEST = json.dumps(
    {"format": "recours-dossier/1", "items": [{"sha256": "e3b0c442" * 8, "name": "<script>.png"}]},
    ensure_ascii=False,
    sort_keys=True,
).encode()

# Everything a harasser writes, as they would write it.
PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src="http://evil.example/x.png">',
    "<link rel=stylesheet href=https://evil.example/a.css>",
    "javascript:alert(1)",
    "@import url(https://evil.example/x.css);",
    "</style><style>body{background:url(http://evil.example/bg)}</style>",
    "{{7*7}}",
    "{% raw %}",
    "{{ config.__class__.__init__.__globals__ }}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "<svg onload=alert(1)><image href='http://evil.example/s.png'/></svg>",
    '<svg><script>alert(1)</script><use href="https://evil.example/u.svg#x"/></svg>',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<a href="javascript:alert(1)">clique ici</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="file:///etc/passwd"></object>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "file:///etc/passwd",
    "https://evil.example/track?id=1&x=<b>",
    "&lt;déjà échappé&gt; &amp;",
    "\" onmouseover=\"alert(1)\" x='",
    "facture\u202egpj.exe",  # right-to-left override: the classic file name spoof
    "mot\u200bcaché\u200d\ufeff",  # zero width space, zero width joiner, BOM
    "x\u2066isolé\u2069y",  # left-to-right isolate … pop directional isolate
    "tu vas voir 😡",  # an emoji that DejaVu Sans has
    "عار عليك",  # Arabic: right-to-left text, not an attack
]

# What the text layer holds for a payload (see the module docstring for why).
VISUAL = {"facture\u202egpj.exe": "factureexe.jpg"}

HOSTILE_TEMPLATE = """{% extends "pdf/base.html" %}
{% block cover_details %}
<dl class="inline">
  <dt>Personne signalée</dt><dd>{{ reported }}</dd>
  <dt>Note</dt><dd class="evidence">{{ note }}</dd>
</dl>
{% endblock %}
{% block content %}
<section>
  <h2 id="messages">Messages</h2>
  <table class="long">
    <colgroup><col class="w30"><col class="w70"></colgroup>
    <thead><tr><th>Auteur</th><th>Message</th></tr></thead>
    <tbody>
    {% for message in messages %}<tr><td>{{ message.author }}</td><td class="message-text">{{ message.text }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
</section>
<section>
  <h2>Pièces</h2>
  <table>
    <thead><tr><th>Fichier</th><th>SHA-256</th><th>Adresse</th></tr></thead>
    <tbody>
    {# The address is (wrongly, on purpose) a link: the renderer must still print it as text. #}
    {% for file in files %}<tr><td class="mono">{{ file.name }}</td><td class="hash">{{ file.sha256 }}</td><td class="url"><a href="{{ file.url }}">{{ file.url }}</a></td></tr>
    {% endfor %}
    </tbody>
  </table>
  <p><a href="#messages">Retour aux messages</a></p>
</section>
{% endblock %}
"""

# Raw HTML straight to render_pdf, as if a template had marked evidence |safe.
RAW_HOSTILE_HTML = """<!doctype html>
<html lang="xx">
<head>
<meta charset="utf-8">
<title>Evil title</title>
<meta name="author" content="evil">
<meta name="dcterms.created" content="1999-01-01">
<base href="https://evil.example/base/">
<link rel="stylesheet" href="https://evil.example/a.css">
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="stylesheet" href="recours-static:../../../../etc/passwd.css">
<link rel="stylesheet" href="recours-static:htmx.min.js">
<link rel="stylesheet" href="recours-static:print.css">
<link rel="attachment" href="https://evil.example/attached.bin">
<style>
@import url(https://evil.example/x.css);
@import url("data:text/css,body{color:red}");
@font-face { font-family: Evil; src: url(https://evil.example/f.woff2); }
body { background: url(http://evil.example/bg.png); font-family: Evil, "DejaVu Sans"; }
p::before { content: url(ftp://evil.example/before.png); }
</style>
<script>alert(1)</script>
</head>
<body>
<p>visible text</p>
<img src="http://evil.example/x.png" alt="">
<img src="file:///etc/passwd" alt="">
<img src="relative/escape/../../../etc/passwd" alt="">
<img src="recours-static:%2e%2e/%2e%2e/etc/passwd.png" alt="">
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' width='10' height='10'%3E%3Cimage href='http://evil.example/in-svg.png' width='10' height='10'/%3E%3C/svg%3E" alt="">
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><image href="https://evil.example/inline-svg.png" width="10" height="10"/></svg>
<object data="https://evil.example/o.svg"></object>
<embed src="https://evil.example/e.svg">
<iframe src="https://evil.example/frame"></iframe>
<a href="javascript:alert(1)">js link</a>
<a href="https://evil.example/click">remote link</a>
<a href="file:///etc/passwd">file link</a>
<a rel="attachment" href="http://evil.example/y.bin">attachment link</a>
<a href="mailto:evil@evil.example">mail link</a>
<form action="https://evil.example/submit"><input name="q" value="x"><button>Go</button></form>
</body>
</html>
"""

# ---- guards: record (and block) network and file access while a render runs --------------

_AUDIT: dict[str, Any] = {"active": False, "events": []}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _AUDIT["active"]:
        return
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        _AUDIT["events"].append((event, "network"))
        raise RuntimeError("network access during a PDF render")
    if event == "open" and isinstance(args[0], str | bytes):
        _AUDIT["events"].append((event, os.fsdecode(args[0])))


sys.addaudithook(_audit)  # audit hooks cannot be removed (PEP 578): it records only when active


def guarded_render(html: str, **kwargs: Any) -> tuple[bytes, PdfReport, list[tuple[str, str]]]:
    report = PdfReport()
    _AUDIT["events"] = []
    _AUDIT["active"] = True
    try:
        pdf = render_pdf(html, report=report, **kwargs)
    finally:
        _AUDIT["active"] = False
    return pdf, report, list(_AUDIT["events"])


def opened_outside_allowed(events: list[tuple[str, str]]) -> list[str]:
    """Files opened by Python code during the render that are neither ours (static/) nor part of
    the Python installation (WeasyPrint's sRGB profile, lazily imported modules), nor the empty
    folder WeasyPrint makes for @font-face fonts and removes when its font configuration is
    collected (text/fonts.py: mkdtemp(prefix='weasyprint-'), rmtree in __del__)."""
    allowed = [STATIC_DIR.resolve(), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
    font_folders = Path(tempfile.gettempdir()).resolve()
    outside = []
    for event, target in events:
        if event == "open":
            path = Path(target).resolve()
            if any(path.is_relative_to(root) for root in allowed):
                continue
            if path.parent == font_folders and path.name.startswith("weasyprint-"):
                continue
            outside.append(target)
    return outside


# ---- helpers on the PDF ------------------------------------------------------------------

# Actions of ISO 32000-1 §12.6.4 (and 2.0 additions): a dossier needs none of them.
ACTION_TYPES = {
    "/GoTo", "/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/URI", "/Sound", "/Movie",
    "/Hide", "/Named", "/SubmitForm", "/ResetForm", "/ImportData", "/JavaScript", "/SetOCGState",
    "/Rendition", "/Trans", "/GoTo3DView", "/RichMediaExecute",
}
FORBIDDEN_KEYS = {"/JavaScript", "/JS", "/Launch", "/OpenAction", "/AA", "/URI", "/AcroForm", "/XFA", "/RichMedia"}


def every_object(reader: PdfReader) -> Iterator[Any]:
    """Every object of the file: each numbered object (object streams included), then what
    the trailer reaches (direct objects nested inside)."""
    seen: set[int] = set()
    stack: list[Any] = [reader.trailer]
    size = int(reader.trailer["/Size"])
    for number in range(1, size):
        obj = reader.get_object(number)
        if obj is not None:
            stack.append(obj)
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            obj = obj.get_object()
        yield obj
        if isinstance(obj, DictionaryObject):
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def action_problems(reader: PdfReader) -> list[str]:
    problems = []
    for obj in every_object(reader):
        if not isinstance(obj, DictionaryObject):
            continue
        problems += [f"key {key}" for key in obj if key in FORBIDDEN_KEYS]
        if obj.get("/Type") == "/Action" or obj.get("/S") in ACTION_TYPES:
            problems.append(f"action {obj.get('/S')}")
        is_annotation = obj.get("/Type") == "/Annot" or ("/Subtype" in obj and "/Rect" in obj)
        # The only annotation allowed: a link inside the document, by destination.
        if is_annotation and (obj.get("/Subtype") != "/Link" or "/A" in obj or "/Dest" not in obj):
            problems.append(f"annotation {obj.get('/Subtype')}")
    return problems


def test_the_action_check_sees_what_it_must_refuse() -> None:
    """The walker above must not pass for lack of looking: a PDF with a link out and a
    document-level script is flagged."""
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript
    from pypdf.annotations import Link

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_annotation(0, Link(rect=(10, 10, 50, 50), url="https://evil.example/"))
    writer.add_open_action(JavaScript("app.alert(1);"))
    buffer = io.BytesIO()
    writer.write(buffer)
    problems = action_problems(PdfReader(buffer))
    assert "key /URI" in problems and "action /URI" in problems
    # pypdf files the script in the /Names /JavaScript tree: the key and the action are seen.
    assert "key /JavaScript" in problems and "key /JS" in problems and "action /JavaScript" in problems
    assert "annotation /Link" in problems


def squeeze(text: str) -> str:
    """Whitespace removed: lines wrap anywhere in a long payload (overflow-wrap), and the
    extraction puts a line break where the PDF has a new line, inside a word or at a space."""
    return re.sub(r"\s+", "", text)


def text_layer(payload: str) -> str:
    """What the PDF's text layer holds for a payload: the visual order of an override, and no
    default-ignorable character (Unicode category Cf: no glyph is drawn for them)."""
    payload = VISUAL.get(payload, payload)
    return squeeze("".join(char for char in payload if unicodedata.category(char) != "Cf"))


def extracted_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


# ---- fixtures ------------------------------------------------------------------------------


def hostile_context() -> dict[str, Any]:
    return {
        "lang": "fr",
        "title": TITLE,
        "running_footer": "Généré le 28/11/2026 à 12:00 — reçu du journal n° 42",
        "reported": PAYLOADS[0] + " " + PAYLOADS[1],
        "note": "\n".join(PAYLOADS[:6]),
        "messages": [{"author": payload, "text": payload} for payload in PAYLOADS],
        "files": [
            {"name": payload, "sha256": hashlib.sha256(payload.encode()).hexdigest(), "url": payload}
            for payload in PAYLOADS
        ],
    }


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return ENV.from_string(HOSTILE_TEMPLATE).render(**hostile_context())


@pytest.fixture(scope="module")
def manifest() -> PdfAttachment:
    return PdfAttachment("manifest.json", MANIFEST, "Manifeste du dossier (empreintes SHA-256)", "application/json")


@pytest.fixture(scope="module")
def dossier(hostile_html: str, manifest: PdfAttachment) -> tuple[bytes, PdfReport, list[tuple[str, str]], float]:
    # Warm up once (imports, fontconfig cache) so that the audit sees only the render itself.
    render_pdf("<p>", lang="fr", title="t", created=CREATED)
    started = time.perf_counter()
    pdf, report, events = guarded_render(
        hostile_html, lang="fr", title=TITLE, created=CREATED, attachments=[manifest]
    )
    return pdf, report, events, time.perf_counter() - started


@pytest.fixture(scope="module")
def reader(dossier: tuple[bytes, PdfReport, list[tuple[str, str]], float]) -> PdfReader:
    return PdfReader(io.BytesIO(dossier[0]))


# ---- the template --------------------------------------------------------------------------


def test_the_template_escapes_every_payload(hostile_html: str) -> None:
    assert "<script>" not in hostile_html
    assert "<img src=\"http" not in hostile_html and "<svg" not in hostile_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "{{7*7}}" in hostile_html and "{% raw %}" in hostile_html  # a value is never a template
    assert 'href="javascript:alert(1)"' in hostile_html  # a value, inert: see the link test
    assert re.findall(r"<link [^>]*>", hostile_html) == ['<link rel="stylesheet" href="recours-static:print.css">']


def test_the_base_template_needs_its_whole_context() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        ENV.get_template("pdf/base.html").render(lang="fr", title=TITLE)


def test_print_css_loads_nothing_and_uses_dejavu() -> None:
    css = (STATIC_DIR / "print.css").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    assert "url(" not in code and "@import" not in code and "@font-face" not in code
    families = set(re.findall(r"font-family:\s*([^;]+);", code))
    assert families and all(f.startswith('"DejaVu Sans') for f in families)


# ---- the hostile dossier -------------------------------------------------------------------


def test_the_hostile_dossier_fetches_nothing_but_its_stylesheet_and_manifest(
    dossier: tuple[bytes, PdfReport, list[tuple[str, str]], float],
) -> None:
    _, report, events, _ = dossier
    assert report.served == ["static:print.css", "attachment:0"]
    assert report.refused_total == 0
    assert report.missing_characters == 0  # DejaVu draws every payload (so pypdf can read them)
    assert [e for e in events if e[1] == "network"] == []
    assert opened_outside_allowed(events) == []


def test_the_hostile_dossier_has_no_action_no_form_no_external_link(reader: PdfReader) -> None:
    assert action_problems(reader) == []
    catalog = reader.trailer["/Root"]
    assert "/OpenAction" not in catalog and "/AA" not in catalog and "/AcroForm" not in catalog
    assert "/JavaScript" not in catalog.get("/Names", {})
    # The internal link ("Retour aux messages") is kept, as a destination.
    links = [
        annot.get_object()
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/Link"
    ]
    assert links and all("/Dest" in link for link in links)


def test_every_payload_is_text_in_every_place_a_harasser_fills(reader: PdfReader) -> None:
    text = squeeze(extracted_text(reader))
    for payload in PAYLOADS:
        # author cell, message cell, file name and the address (printed again after the link)
        assert text.count(text_layer(payload)) >= 4, payload


def test_default_ignorable_characters_are_not_in_the_text_layer(reader: PdfReader) -> None:
    text = extracted_text(reader)
    assert "\u202e" not in text and "\u200b" not in text and "\u2066" not in text
    # The override printed as the victim saw it: the spoofed extension reads ".jpg".
    assert "factureexe.jpg" in squeeze(text)


def test_hashes_are_printed_whole_in_monospace(reader: PdfReader) -> None:
    text = squeeze(extracted_text(reader))
    for payload in PAYLOADS:
        assert hashlib.sha256(payload.encode()).hexdigest() in text
    fonts = {
        font.get_object()["/BaseFont"] for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu-Sans-Mono" in name for name in fonts)
    assert all("DejaVu" in name for name in fonts), fonts


def test_the_manifest_is_attached_byte_for_byte(reader: PdfReader) -> None:
    assert reader.attachments == {"manifest.json": [MANIFEST]}
    catalog = reader.trailer["/Root"]
    (filespec,) = [spec.get_object() for spec in catalog["/AF"]]
    assert filespec["/UF"] == "manifest.json"
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/Desc"] == "Manifeste du dossier (empreintes SHA-256)"
    embedded = filespec["/EF"]["/F"].get_object()
    assert embedded["/Subtype"] in ("/application#2fjson", "/application/json")
    assert embedded["/Params"]["/CheckSum"].original_bytes == hashlib.md5(MANIFEST, usedforsecurity=False).digest()
    assert embedded["/Params"]["/CreationDate"] == "D:20261128110000Z"


def test_the_dossier_is_pdf_a_3b_tagged_in_french_with_its_title(
    dossier: tuple[bytes, PdfReport, list[tuple[str, str]], float], reader: PdfReader
) -> None:
    pdf = dossier[0]
    assert pdf.startswith(b"%PDF-1.7\n")
    catalog = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert b"<rdf:li xml:lang=\"x-default\">Dossier de preuves</rdf:li>" in xmp
    assert b"<xmp:CreateDate>2026-11-28T12:00:00+01:00</xmp:CreateDate>" in xmp
    (intent,) = catalog["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"
    assert catalog["/Lang"] == "fr"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None
    assert reader.metadata.title == TITLE
    assert reader.metadata["/CreationDate"] == "D:20261128120000+01'00"
    assert len(reader.trailer["/ID"]) == 2


def test_pages_carry_the_running_header_and_the_french_folio(reader: PdfReader) -> None:
    pages = [page.extract_text() for page in reader.pages]
    count = len(pages)
    assert count >= 3  # cover, then each section on its own page(s)
    assert "Page\xa01\xa0sur" not in pages[0] and TITLE in pages[0]  # the cover has no folio
    assert "Personne signalée" in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page\xa0{number}\xa0sur\xa0{count}" in page
        assert "reçu du journal n° 42" in page and "Recours" in page


def test_a_small_dossier_renders_in_a_few_seconds(
    dossier: tuple[bytes, PdfReport, list[tuple[str, str]], float],
) -> None:
    assert dossier[3] < 15  # measured about 2 s for this one (see the report)


# ---- reproducibility ---------------------------------------------------------------------


def test_the_same_input_gives_the_same_bytes(
    hostile_html: str, manifest: PdfAttachment, dossier: tuple[bytes, PdfReport, list[tuple[str, str]], float]
) -> None:
    again = render_pdf(hostile_html, lang="fr", title=TITLE, created=CREATED, attachments=[manifest])
    assert again == dossier[0]


SMALL_LETTER = (
    '<html lang="fr"><link rel="stylesheet" href="recours-static:print.css">'
    '<h1>Titre</h1><p>Pièce « 1 » <a href="#x" id="x">ici</a></p>'
)
SUBPROCESS_RENDER = f"""
import hashlib, sys
from datetime import datetime, timezone
from recours.adapters.pdf import PdfAttachment, render_pdf
pdf = render_pdf({SMALL_LETTER!r}, lang="fr", title="Lettre", created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                 attachments=[PdfAttachment("manifest.json", b"{{}}", "m", "application/json")])
sys.stdout.write(hashlib.sha256(pdf).hexdigest())
"""


def test_the_bytes_do_not_depend_on_the_process() -> None:
    here = render_pdf(
        SMALL_LETTER,
        lang="fr",
        title="Lettre",
        created=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        attachments=[PdfAttachment("manifest.json", b"{}", "m", "application/json")],
    )
    digests = {hashlib.sha256(here).hexdigest()}
    for seed in ("1", "2"):  # str hashing differs between these processes
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", SUBPROCESS_RENDER], capture_output=True, text=True, env=env, check=True, timeout=120
        )
        digests.add(done.stdout)
    assert len(digests) == 1 and len(next(iter(digests))) == 64


def test_another_date_or_content_gives_another_file_identifier(manifest: PdfAttachment) -> None:
    html = '<html lang="fr"><p>Bonjour</p>'

    def trailer_id(pdf: bytes) -> bytes:
        return bytes(PdfReader(io.BytesIO(pdf)).trailer["/ID"][0].original_bytes)

    base = render_pdf(html, lang="fr", title="t", created=CREATED)
    later = render_pdf(html, lang="fr", title="t", created=CREATED.replace(hour=13))
    other = render_pdf(html, lang="fr", title="t", created=CREATED, attachments=[manifest])
    assert len({trailer_id(base), trailer_id(later), trailer_id(other)}) == 3


# ---- defence in depth: hostile HTML given straight to the renderer -------------------------


@pytest.fixture(scope="module")
def raw_render() -> tuple[bytes, PdfReport, list[tuple[str, str]]]:
    render_pdf("<p>", lang="fr", title="t", created=CREATED)
    return guarded_render(RAW_HOSTILE_HTML, lang="fr", title=TITLE, created=CREATED)


def test_raw_hostile_html_fetches_nothing_remote_and_counts_each_refusal(
    raw_render: tuple[bytes, PdfReport, list[tuple[str, str]]],
) -> None:
    _, report, events = raw_render
    assert [e for e in events if e[1] == "network"] == []
    assert opened_outside_allowed(events) == []
    # Served: our stylesheet and the data: SVG image (whose own remote image is refused).
    assert sorted(report.served) == ["data:image/svg+xml", "static:print.css"]
    assert set(report.refused) <= {
        "scheme:https", "scheme:http", "scheme:ftp", "scheme:file", "static:path", "static:type", "data:type",
    }
    # Every remote or local reference that WeasyPrint tries is counted, none is served.
    assert report.refused["scheme:https"] >= 5  # stylesheet, @import, @font-face, SVG images, object/embed
    assert report.refused["scheme:http"] >= 3  # background, <img>, the image inside the data: SVG
    assert report.refused["scheme:file"] >= 2  # <link> and <img>
    assert report.refused["static:path"] >= 2  # ../ and %2e%2e in recours-static:
    assert report.refused["static:type"] == 1  # htmx.min.js is not a printable asset
    assert report.refused["data:type"] == 1  # a data: stylesheet


def test_raw_hostile_html_gives_a_pdf_with_no_action_and_our_metadata(
    raw_render: tuple[bytes, PdfReport, list[tuple[str, str]]],
) -> None:
    reader = PdfReader(io.BytesIO(raw_render[0]))
    assert action_problems(reader) == []
    assert all("/Annots" not in page for page in reader.pages)  # no link survives
    assert reader.attachments == {}  # <link rel=attachment> and <a rel=attachment> are not embedded
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert reader.metadata is not None and reader.metadata.title == TITLE
    assert "/Author" not in reader.metadata
    assert reader.metadata["/CreationDate"] == "D:20261128120000+01'00"
    text = extracted_text(reader)
    for words in ("visible text", "js link", "remote link", "file link", "mail link"):
        assert words in text  # links are printed as text
    assert "evil.example/click" in text  # print.css writes out an http(s) address after its link


def test_weasyprint_logs_keep_no_url_of_the_document(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG"):
        render_pdf(RAW_HOSTILE_HTML, lang="fr", title=TITLE, created=CREATED)
    messages = [record.getMessage() for record in caplog.records]
    assert messages, "WeasyPrint reports the refused resources"
    assert not [m for m in messages if "evil" in m or "passwd" in m]
    assert any(m.startswith("PDF: ") and "refused" in m for m in messages)
    assert all(record.exc_info is None for record in caplog.records)


# ---- the URL policy, one URL at a time ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://evil.example/x.png", "scheme:http"),
        ("HTTPS://evil.example/a.css", "scheme:https"),
        ("ftp://evil.example/f", "scheme:ftp"),
        ("file:///etc/passwd", "scheme:file"),
        ("javascript:alert(1)", "scheme:javascript"),
        ("mailto:a@b.example", "scheme:mailto"),
        ("x-evil-secret-data:abc", "scheme:other"),
        ("print.css", "relative"),
        ("../../etc/passwd", "relative"),
        ("//evil.example/x.css", "relative"),
        ("recours-static:", "static:path"),
        ("recours-static:/etc/passwd", "static:path"),
        ("recours-static://evil.example/print.css", "static:path"),
        ("recours-static:../../../../etc/passwd", "static:path"),
        ("recours-static:%2e%2e/print.css", "static:path"),
        ("recours-static:./print.css", "static:path"),
        ("recours-static:print.css?x=1", "static:path"),
        ("recours-static:print.css#x", "static:path"),
        ("recours-static:sub\\..\\print.css", "static:path"),
        ("recours-static:htmx.min.js", "static:type"),
        ("recours-static:recours.js", "static:type"),
        ("recours-static:absent.png", "static:missing"),
        ("recours-attachment:0", "scheme:other"),
        ("data:text/css,body{}", "data:type"),
        ("data:text/html;base64,PHNjcmlwdD4=", "data:type"),
        ("data:font/woff2;base64,AAAA", "data:type"),
        ("data:,hello", "data:type"),
        ("data:image/png;base64,not base64!", "data:malformed"),
        ("data:image/png", "data:malformed"),
    ],
)
def test_the_fetcher_refuses(url: str, reason: str) -> None:
    with pytest.raises(RefusedResource) as refused:
        resolve(url)
    assert str(refused.value) == reason
    assert "evil" not in str(refused.value)


def test_the_fetcher_serves_our_stylesheet_data_images_and_attachments(manifest: PdfAttachment) -> None:
    resource, served = resolve("recours-static:print.css")
    assert served == "static:print.css" and resource.mime_type == "text/css"
    assert resource.body == (STATIC_DIR / "print.css").read_bytes()
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    resource, served = resolve(f"data:image/png;base64,{png}")
    assert (served, resource.body) == ("data:image/png", b"\x89PNG\r\n\x1a\n")
    resource, served = resolve("data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E")
    assert (served, resource.body) == ("data:image/svg+xml", b"<svg/>")
    resource, served = resolve("recours-attachment:0", [manifest])
    assert (served, resource.body, resource.mime_type) == ("attachment:0", MANIFEST, "application/json")
    with pytest.raises(RefusedResource):
        resolve("recours-attachment:1", [manifest])


def test_a_symlink_in_static_does_not_lead_out_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    static = tmp_path / "static"
    static.mkdir()
    secret = tmp_path / "secret.css"
    secret.write_text("body{}")
    (static / "link.css").symlink_to(secret)
    (static / "ok.css").write_text("p{}")
    monkeypatch.setattr(pdf_module, "STATIC_DIR", static)
    assert resolve("recours-static:ok.css")[0].body == b"p{}"
    with pytest.raises(RefusedResource, match="static:missing"):
        resolve("recours-static:link.css")


# ---- letters, English, fonts, input checks -------------------------------------------------

LETTER_TEMPLATE = """{% extends "pdf/base.html" %}
{% block body_class %}letter{% endblock %}
{% block cover %}{% endblock %}
{% block content %}<p>Dear Sir or Madam,</p><p>{{ quote }}</p><p class="signature">A. Person</p>{% endblock %}
"""


def test_a_letter_has_no_cover_and_an_english_folio() -> None:
    html = ENV.from_string(LETTER_TEMPLATE).render(
        lang="en", title="Letter to the school", running_footer="", quote=PAYLOADS[0]
    )
    pdf, report, events = guarded_render(html, lang="en", title="Letter to the school", created=CREATED)
    reader = PdfReader(io.BytesIO(pdf))
    (page,) = reader.pages
    text = page.extract_text()
    assert text.startswith("Dear Sir or Madam,")
    assert "Page\xa01\xa0of\xa01" in text
    assert "Letter to the school" not in text  # no running title on a letter's page
    assert PAYLOADS[0] in text
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert report.refused_total == 0 and opened_outside_allowed(events) == []


def test_a_character_no_font_can_draw_is_counted(caplog: pytest.LogCaptureFixture) -> None:
    # U+0378 is unassigned: no font has it. It prints as an empty box (.notdef).
    html = '<html lang="fr"><p>avant \u0378 après</p>'
    report = PdfReport()
    with caplog.at_level("WARNING"):
        pdf = render_pdf(html, lang="fr", title="t", created=CREATED, report=report)
    assert report.missing_characters == 1
    assert any("no glyph" in record.getMessage() for record in caplog.records)
    # The PDF keeps the text in its /ToUnicode map; pypdf 7.1 does not read the embedded
    # /Encoding CMap that WeasyPrint writes then (see adapters/pdf.py, _check_fonts).
    font = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    (font_dict,) = [f.get_object() for f in font.values()]
    assert font_dict["/Encoding"] != "/Identity-H"
    assert b"<0061>" in font_dict["/ToUnicode"].get_object().get_data()  # "a" is still mapped


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_poppler_reads_the_text_of_a_font_with_a_missing_glyph(tmp_path: Path) -> None:
    pdf = render_pdf('<html lang="fr"><p>avant \u0378 après</p>', lang="fr", title="t", created=CREATED)
    (tmp_path / "missing.pdf").write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(tmp_path / "missing.pdf"), "-"], capture_output=True, check=True, timeout=60
    )
    assert "avant \u0378 après" in done.stdout.decode("utf-8")


@pytest.mark.parametrize(
    "active",
    [
        {"Type": "/Annot", "Subtype": "/Link", "Rect": [0, 0, 1, 1], "A": {"S": "/URI", "URI": "(https://x)"}},
        {"Type": "/Annot", "Subtype": "/FileAttachment", "Rect": [0, 0, 1, 1]},
        {"Type": "/Action", "S": "/Launch"},
        {"JS": "(app.alert(1))"},
        {"OpenAction": "[3 0 R /Fit]"},
        {"AA": {}},
    ],
)
def test_a_pdf_that_could_act_is_not_written(active: dict[str, Any]) -> None:
    import pydyf

    pdf = pydyf.PDF()
    pdf.add_object(pydyf.Dictionary(active))
    with pytest.raises(RecoursError) as refused:
        pdf_module._finish(None, pdf)
    assert "action" in refused.value.message("en")


def test_the_finisher_keeps_each_associated_file_once() -> None:
    import pydyf

    pdf = pydyf.PDF()
    pdf.catalog["AF"] = pydyf.Array([b"9 0 R", b"9 0 R", b"11 0 R"])
    pdf_module._finish(None, pdf)
    assert list(pdf.catalog["AF"]) == [b"9 0 R", b"11 0 R"]


def test_a_naive_date_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        render_pdf("<p>", lang="fr", title="t", created=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("name", "mime", "relationship"),
    [
        ("", "application/json", "Data"),
        ("../manifest.json", "application/json", "Data"),
        ("a\\b.json", "application/json", "Data"),
        ("bad\nname.json", "application/json", "Data"),
        ("manifest.json", "application/json\r\nX: y", "Data"),
        ("manifest.json", "Application/JSON", "Data"),
        ("manifest.json", "application/json", "Evil"),
    ],
)
def test_an_attachment_is_checked(name: str, mime: str, relationship: str) -> None:
    with pytest.raises(ValueError, match=r"attachment|AFRelationship"):
        PdfAttachment(name, b"{}", "d", mime, relationship)


def test_an_offset_with_seconds_is_written_in_utc() -> None:
    paris_1900 = datetime(1900, 1, 1, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))  # LMT +00:09:21
    pdf = render_pdf("<p>x", lang="fr", title="t", created=paris_1900)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == "D:19000101115039+00'00"


def test_utc_dates_are_written_as_utc() -> None:
    pdf = render_pdf("<p>x", lang="fr", title="t", created=datetime(2026, 5, 1, 8, 30, tzinfo=UTC))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == "D:20260501083000+00'00"


def test_the_page_references_kept_are_the_pages_of_the_document() -> None:
    import pydyf

    pdf_module._weasyprint()
    document = pydyf.PDF()
    for _ in range(3):
        document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = document.page_references
    assert first == tuple(f"{n} 0 R".encode("ascii") for n in document.pages["Kids"][::3])
    document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(document.page_references) == 4 and document.page_references[:3] == first
